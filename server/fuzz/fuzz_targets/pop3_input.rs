//! The POP3 input and output paths without the database: command lines through the parser,
//! and message bytes through byte-stuffing and TOP. Nothing may panic; stuffed output must
//! un-stuff to the message and end with CRLF.CRLF.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/pop3/parser.rs"]
#[allow(dead_code)]
mod parser;
#[path = "../../src/pop3/reply.rs"]
#[allow(dead_code)]
mod reply;

fuzz_target!(|data: &[u8]| {
    for line in data.split_inclusive(|&b| b == b'\n').take(200) {
        let _ = parser::parse(line);
    }
    let mut out = Vec::new();
    reply::stuffed(&mut out, data);
    assert!(out.ends_with(b"\r\n.\r\n") || out == b".\r\n");
    // Un-stuff: drop the end line, then one leading dot of every line.
    let body = &out[..out.len() - 3];
    let mut back = Vec::new();
    for l in body.split_inclusive(|&b| b == b'\n') {
        back.extend_from_slice(l.strip_prefix(b".").unwrap_or(l));
    }
    assert!(back.starts_with(data));
    if let Some(&n) = data.first() {
        let top = reply::top_part(data, u64::from(n));
        assert!(data.starts_with(top));
    }
});

//! The SMTP input path without the database: command lines through smtp-proto's parser and
//! courrier's recipient classification, and message data through the DATA reader. The first
//! byte chooses how the rest is cut into reads. Nothing may panic; the reader must stay
//! bounded and end only at <CRLF>.<CRLF>.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/smtp/body.rs"]
#[allow(dead_code)]
mod body;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else { return };
    let step = usize::from(cut).max(1);

    // Commands: every line through the parser, recipients through the classifier.
    for line in rest.split_inclusive(|&b| b == b'\n').take(200) {
        if line.len() > 512 {
            continue;
        }
        if let Ok(smtp_proto::Request::Rcpt { to }) = smtp_proto::Request::parse(&mut line.iter()) {
            let _ = app::domain::recipient::classify(&to.address, |d| d == "votredomaine.com");
        }
    }

    // Data: fed in pieces of `step` bytes.
    let mut reader = body::DataReader::with_capacity(64 * 1024, 0);
    let mut pos = 0;
    while pos < rest.len() {
        let end = (pos + step).min(rest.len());
        let (used, outcome) = reader.feed(&rest[pos..end]);
        pos += used;
        if let Some(body::DataEnd::Message(m)) = outcome {
            assert!(m.len() <= 64 * 1024);
            assert!(m.is_empty() || m.ends_with(b"\r\n"));
            break;
        }
        if outcome.is_some() {
            break;
        }
        if used == 0 {
            break;
        }
    }
});

//! The browser bundle on the wire: the brotli and gzip copies made at build time are sent to
//! browsers that accept them, with `Content-Encoding` and `Vary`, and decode to the very bytes
//! sent without compression (curl, the `brotli` tool and Python's gzip as the clients).

mod common;

use common::*;
use std::process::Command;

/// GETs `url` with `Accept-Encoding: coding` (raw, not decoded) into `to`; the headers.
fn get(url: &str, coding: &str, to: &std::path::Path) -> Vec<(String, String)> {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "60", "-D", "-", "-o"])
        .arg(to)
        .args(["-H", &format!("Accept-Encoding: {coding}"), url])
        .output()
        .expect("curl");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect()
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_bundle_goes_out_compressed_and_comes_back_the_same() {
    let db = Db::sqlite();
    let server = Server::start(&db);
    let dir = &db.dir.0;
    for file in ["frontend_bg.wasm", "frontend.js", "courrier.css"] {
        let url = server.url(&format!("/pkg/{file}"));
        let plain = dir.join(format!("{file}.plain"));
        let h = get(&url, "identity", &plain);
        assert_eq!(header(&h, "content-encoding"), None, "{file}");
        assert_eq!(header(&h, "vary"), Some("Accept-Encoding"), "{file}");
        let plain = std::fs::read(&plain).unwrap();
        assert!(
            !plain.is_empty(),
            "{file}: the bundle was built (trunk build)"
        );

        let br = dir.join(format!("{file}.br"));
        let h = get(&url, "gzip, deflate, br", &br);
        assert_eq!(header(&h, "content-encoding"), Some("br"), "{file}");
        assert_eq!(header(&h, "vary"), Some("Accept-Encoding"), "{file}");
        let sent = std::fs::metadata(&br).unwrap().len() as usize;
        assert!(sent < plain.len(), "{file}: {sent} < {}", plain.len());
        let out = Command::new("brotli")
            .args(["-d", "-c"])
            .arg(&br)
            .output()
            .expect("brotli (installed by the build tools)");
        assert!(out.status.success());
        assert!(out.stdout == plain, "{file}: brotli round trip");

        let gz = dir.join(format!("{file}.gz"));
        let h = get(&url, "gzip", &gz);
        assert_eq!(header(&h, "content-encoding"), Some("gzip"), "{file}");
        let out = Command::new("python3")
            .args([
                "-c",
                "import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())",
            ])
            .arg(&gz)
            .output()
            .unwrap();
        assert!(out.stdout == plain, "{file}: gzip round trip");
        eprintln!(
            "{file}: {} bytes, brotli {sent}, gzip {}",
            plain.len(),
            std::fs::metadata(&gz).unwrap().len()
        );
    }
    assert!(server.stop().success());
}

//! The browser bundle on the wire: the brotli and gzip copies made at build time are sent to
//! browsers that accept them, with `Content-Encoding` and `Vary`, and decode to the very bytes
//! sent without compression (curl, the `brotli` tool and Python's gzip as the clients); the
//! pages name the files by content hash, kept a year; the pages themselves are never kept and
//! go out gzip-compressed.

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

/// The `/pkg/…` addresses a page refers to (script, wasm, stylesheet).
fn pkg_refs(html: &str) -> Vec<String> {
    html.match_indices("/pkg/")
        .map(|(at, _)| {
            let rest = &html[at..];
            let end = rest.find(['"', '\'', '`', ' ', ')']).unwrap_or(rest.len());
            rest[..end].to_string()
        })
        .collect()
}

#[tokio::test]
async fn hashed_names_are_kept_a_year_and_pages_never() {
    let db = Db::sqlite();
    let server = Server::start(&db);
    let dir = &db.dir.0;
    let page = dir.join("login.html.gz");
    let h = get(&server.url("/login"), "gzip, br", &page);
    assert_eq!(
        header(&h, "content-encoding"),
        Some("gzip"),
        "pages are compressed"
    );
    assert_eq!(header(&h, "vary"), Some("Accept-Encoding"));
    assert_eq!(
        header(&h, "cache-control"),
        Some("no-store"),
        "pages are never kept"
    );
    let out = Command::new("python3")
        .args([
            "-c",
            "import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())",
        ])
        .arg(&page)
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<html"), "{html}");
    let refs = pkg_refs(&html);
    for (base, ext, plain_name) in [
        ("frontend.", ".js", "/pkg/frontend.js"),
        ("frontend.", "_bg.wasm", "/pkg/frontend_bg.wasm"),
        ("courrier.", ".css", "/pkg/courrier.css"),
    ] {
        let name = refs
            .iter()
            .find(|r| r.starts_with(&format!("/pkg/{base}")) && r.ends_with(ext))
            .unwrap_or_else(|| panic!("{base}*{ext} in {refs:?}"));
        let hash = &name[5 + base.len()..name.len() - ext.len()];
        assert_eq!(hash.len(), 10, "{name}");
        let hashed = get(&server.url(name), "br", &dir.join("hashed"));
        assert_eq!(
            header(&hashed, "cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{name}"
        );
        assert_eq!(header(&hashed, "content-encoding"), Some("br"), "{name}");
        // The same bytes as the plain name, which is revalidated each time.
        let plain = get(&server.url(plain_name), "br", &dir.join("plain"));
        assert_eq!(
            header(&plain, "cache-control"),
            Some("no-cache"),
            "{plain_name}"
        );
        assert_eq!(
            std::fs::read(dir.join("hashed")).unwrap(),
            std::fs::read(dir.join("plain")).unwrap(),
            "{name} is {plain_name}"
        );
        // Another hash (an older bundle's name) is not kept.
        let stale = name.replace(hash, "0000000000");
        let old = get(&server.url(&stale), "br", &dir.join("stale"));
        assert_eq!(header(&old, "cache-control"), Some("no-cache"), "{stale}");
    }
    assert!(server.stop().success());
}

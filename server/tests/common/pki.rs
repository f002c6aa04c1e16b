//! Certificates for tests, made by openssl: a test CA, a certificate it signs for some names
//! (what a client that trusts the CA accepts), and a self-signed one for others (what it
//! does not).

use std::path::Path;
use std::process::Command;

pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA (`ca.pem`), a certificate it signs for `good` names (`good.pem`, `good.key`),
/// and a self-signed one for `bad` names (`bad.pem`, `bad.key`), in `dir`.
pub fn certificates(dir: &Path, good: &[&str], bad: &[&str]) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let san = |names: &[&str]| {
        format!(
            "subjectAltName={}",
            names
                .iter()
                .map(|n| format!("DNS:{n}"))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let mut ca = vec!["req", "-x509"];
    ca.extend_from_slice(&ec);
    ca.extend_from_slice(&[
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=courrier test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend_from_slice(&ec);
    csr.extend_from_slice(&[
        "-keyout", "good.key", "-out", "good.csr", "-subj", "/CN=good",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("good.ext"),
        format!("{}\nextendedKeyUsage=serverAuth\n", san(good)),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "good.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "good.pem",
            "-days",
            "2",
            "-extfile",
            "good.ext",
        ],
    );
    let bad_san = san(bad);
    let mut selfsigned = vec!["req", "-x509"];
    selfsigned.extend_from_slice(&ec);
    selfsigned.extend_from_slice(&[
        "-keyout", "bad.key", "-out", "bad.pem", "-days", "2", "-subj", "/CN=bad", "-addext",
        &bad_san,
    ]);
    openssl(dir, &selfsigned);
}

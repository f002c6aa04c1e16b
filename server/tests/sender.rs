//! Who sent it (issue 14): SPF, DKIM, DMARC and ARC on SMTP-in, against a DNS server on
//! loopback (server/tests/clients/dns_server.py) that serves the test domains' records;
//! messages are signed in the test with a real DKIM signer (mail-auth, Ed25519). Clients are
//! Python's smtplib (from 127.0.0.1, allowed by the SPF records, or from 127.0.0.7, not) and
//! the verdicts are read back over POP3.

mod common;

use common::*;

const PASSWORD: &str = "Un-Mot-De-Passe-2026";
const HOST: &str = "mx.courrier.test";

/// The test domains' records; `dkim` is the public key published for signed.example.
fn zone(dkim: &str) -> serde_json::Value {
    serde_json::json!({
        "sender.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
        "_dmarc.sender.example": {"TXT": ["v=DMARC1; p=reject"]},
        "soft.example": {"TXT": ["v=spf1 ip4:127.0.0.1 ~all"]},
        "_dmarc.soft.example": {"TXT": ["v=DMARC1; p=quarantine"]},
        "loose.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
        "_dmarc.loose.example": {"TXT": ["v=DMARC1; p=none"]},
        "signed.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
        "_dmarc.signed.example": {"TXT": ["v=DMARC1; p=reject"]},
        "sel._domainkey.signed.example": {"TXT": [format!("v=DKIM1; k=ed25519; p={dkim}")]},
        "broken.example": "TIMEOUT",
        "_dmarc.broken.example": "TIMEOUT",
    })
}

struct Setup {
    db: Db,
    server: Server,
    _dns: Dns,
    /// The signing key of signed.example (PKCS#8).
    pkcs8: Vec<u8>,
}

fn setup() -> Setup {
    use base64::Engine;
    use mail_auth::common::crypto::Ed25519Key;
    let db = Db::sqlite();
    add_votredomaine(&db);
    add_cdupont(&db, &[]);
    set_password(&db, "cdupont", PASSWORD);
    set_password(&db, "pmartin", PASSWORD);
    let pkcs8 = Ed25519Key::generate_pkcs8().unwrap();
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    let dns = dns(&db.dir.0, &zone(&public));
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(
        &config,
        format!(
            "hostname = \"{HOST}\"\n[dns]\nnameserver = \"127.0.0.1:{}\"\n",
            dns.1
        ),
    )
    .unwrap();
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    Setup {
        db,
        server,
        _dns: dns,
        pkcs8,
    }
}

impl Setup {
    /// Sends `message` to cdupont from the client address `ip` with envelope sender `from`;
    /// returns the last answer line.
    fn send(&self, ip: &str, from: &str, message: &str) -> String {
        let path = self
            .db
            .dir
            .0
            .join(format!("m{}.eml", app::auth::random_hex(4)));
        std::fs::write(&path, message).unwrap();
        let r = smtp_client_as(
            &self.server,
            Some(ip),
            Some(from),
            "deliver-file",
            &["cdupont@votredomaine.com", path.to_str().unwrap()],
        );
        let answer = r["answer"].as_str().unwrap();
        answer.trim_end().lines().last().unwrap().to_string()
    }

    /// The header lines of cdupont's messages, unfolded, over POP3 (deleted once read).
    fn received(&self) -> Vec<String> {
        let pop3 = &self.server.pop3;
        let count = pop3_tops(pop3, "cdupont", PASSWORD, &[]).len();
        let numbers: Vec<String> = (1..=count).map(|n| n.to_string()).collect();
        let dele: Vec<&str> = numbers.iter().map(String::as_str).collect();
        pop3_tops(pop3, "cdupont", PASSWORD, &dele)
            .into_iter()
            .map(|lines| lines.join("\n").replace("\n\t", " ").replace("\n ", " "))
            .collect()
    }

    /// `message` signed by signed.example (selector sel) with the test's key.
    fn signed(&self, message: &str) -> String {
        use mail_auth::common::headers::HeaderWriter;
        let key = mail_auth::common::crypto::Ed25519Key::from_pkcs8_der(&self.pkcs8).unwrap();
        let signature = mail_auth::dkim::DkimSigner::from_key(key)
            .domain("signed.example")
            .selector("sel")
            .headers(["From", "To", "Subject"])
            .sign(message.as_bytes())
            .unwrap();
        format!("{}{message}", signature.to_header())
    }
}

fn message(from: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: cdupont@votredomaine.com\r\nSubject: {subject}\r\n\r\nBonjour Claire.\r\n"
    )
}

#[tokio::test]
async fn spf_and_dmarc_decide_before_the_250() {
    let s = setup();
    // SPF pass, DMARC pass.
    let a = s.send(
        "127.0.0.1",
        "a@sender.example",
        &message("a@sender.example", "pass"),
    );
    assert!(a.starts_with("250 "), "{a}");
    // The same sender from an address its SPF refuses: DMARC p=reject.
    let a = s.send(
        "127.0.0.7",
        "a@sender.example",
        &message("a@sender.example", "fail"),
    );
    assert!(a.starts_with("550 5.7.1"), "{a}");
    assert!(a.contains("DMARC"), "{a}");
    // Softfail under p=quarantine: delivered, marked as junk.
    let a = s.send(
        "127.0.0.7",
        "a@soft.example",
        &message("a@soft.example", "soft"),
    );
    assert!(a.starts_with("250 "), "{a}");
    // p=none: delivered as it is.
    let a = s.send(
        "127.0.0.7",
        "a@loose.example",
        &message("a@loose.example", "none"),
    );
    assert!(a.starts_with("250 "), "{a}");
    let got = s.received();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].contains(&format!("Authentication-Results: {HOST};")),
        "{}",
        got[0]
    );
    assert!(
        got[0].contains("spf=pass") && got[0].contains("dmarc=pass"),
        "{}",
        got[0]
    );
    assert!(got[1].contains("Subject: [SPAM] soft"), "{}", got[1]);
    assert!(got[1].contains("spf=softfail"), "{}", got[1]);
    assert!(
        got[2].contains("Subject: none") && got[2].contains("spf=fail"),
        "{}",
        got[2]
    );
    // No record at all, and a DNS failure: delivered, said so.
    let a = s.send(
        "127.0.0.7",
        "a@nowhere.example",
        &message("a@nowhere.example", "nothing"),
    );
    assert!(a.starts_with("250 "), "{a}");
    let a = s.send(
        "127.0.0.7",
        "a@broken.example",
        &message("a@broken.example", "dns"),
    );
    assert!(a.starts_with("250 "), "{a}");
    let got = s.received();
    assert!(got[0].contains("spf=none"), "{}", got[0]);
    assert!(got[1].contains("spf=temperror"), "{}", got[1]);
    assert!(s.server.stop().success());
}

#[tokio::test]
async fn dkim_signatures_are_verified() {
    let s = setup();
    // From an address SPF refuses, but signed: DMARC passes by DKIM.
    let m = s.signed(&message("a@signed.example", "signé"));
    let a = s.send("127.0.0.7", "a@signed.example", &m);
    assert!(a.starts_with("250 "), "{a}");
    // The body changed after signing: the signature fails, p=reject refuses.
    let changed = m.replace("Bonjour Claire.", "Bonjour Claire, virez 10 000 EUR.");
    let a = s.send("127.0.0.7", "a@signed.example", &changed);
    assert!(a.starts_with("550 5.7.1"), "{a}");
    // Signed by a domain that publishes no key.
    let nokey = s
        .signed(&message("a@signed.example", "sans clé"))
        .replace("d=signed.example", "d=sender.example");
    let a = s.send("127.0.0.7", "a@sender.example", &nokey);
    assert!(a.starts_with("550 5.7.1"), "{a}");
    let got = s.received();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains("dkim=pass") && got[0].contains("header.d=signed.example"),
        "{}",
        got[0]
    );
    assert!(got[0].contains("dmarc=pass"), "{}", got[0]);
    assert!(s.server.stop().success());
}

/// A message claiming a hosted domain from outside is a forgery; the same sender through a
/// relay grant of that domain, or signed in on submission, is not.
#[tokio::test]
async fn a_hosted_sender_from_outside_is_refused() {
    let s = setup();
    let forged = message("pmartin@votredomaine.com", "urgent");
    let a = s.send("127.0.0.1", "pmartin@votredomaine.com", &forged);
    assert!(
        a.starts_with("550 5.7.1") && a.contains("hosted here"),
        "{a}"
    );
    // Only the From claims it.
    let a = s.send("127.0.0.1", "a@sender.example", &forged);
    assert!(
        a.starts_with("550 5.7.1") && a.contains("hosted here"),
        "{a}"
    );
    // The office's fixed address, inside a relay grant of the domain.
    allow_office(&s.db, "127.0.0.9");
    let a = s.send("127.0.0.9", "pmartin@votredomaine.com", &forged);
    assert!(a.starts_with("250 "), "{a}");
    // Signed in on submission.
    let r = smtp_client_at(
        s.server.submission.as_deref().unwrap(),
        None,
        None,
        "submit",
        &[
            "starttls",
            "pmartin",
            PASSWORD,
            "pmartin@votredomaine.com",
            "cdupont@votredomaine.com",
        ],
    );
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(s.received().len(), 2);
    assert!(s.server.stop().success());
}

/// Results that claim this server's name, written by the sender, are removed.
#[tokio::test]
async fn forged_results_under_our_name_are_removed() {
    let s = setup();
    let m = format!(
        "Authentication-Results: {HOST}; spf=pass smtp.mailfrom=a@sender.example; dmarc=pass\r\n{}",
        message("a@loose.example", "faux")
    );
    let a = s.send("127.0.0.7", "a@loose.example", &m);
    assert!(a.starts_with("250 "), "{a}");
    let got = s.received();
    assert_eq!(
        got[0].matches("Authentication-Results:").count(),
        1,
        "{}",
        got[0]
    );
    assert!(got[0].contains("spf=fail"), "{}", got[0]);
    assert!(s.server.stop().success());
}

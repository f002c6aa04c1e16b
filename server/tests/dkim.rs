//! DKIM and ARC of what leaves (issue 15), seen by another receiver: every path out
//! (relay, submission, the responder, a forward, a bounce) reaches a real SMTP receiver
//! (aiosmtpd), and dkimpy (PyPI, independent of the mail-auth crate courrier signs with)
//! verifies the signatures against the records `courrier dkim records` gives to publish,
//! served by the loopback DNS server. A forward keeps its sender's signature and carries a
//! valid ARC chain; a rotation publishes, signs with the new selectors, retires the old.
//! Both databases.

mod common;

use common::receiver::Receiver;
use common::*;
use serde_json::{Value, json};

const HOST: &str = "mail.courrier.test";
const PASSWORD: &str = "Claire-Pass-2026";
const CHECK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/dkim_check.py");

fn python(args: &[&str]) -> String {
    let out = std::process::Command::new("python3")
        .arg(CHECK)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "dkim_check {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What dkimpy makes of a message received by the receiver: every signature on it verifies
/// (else the test fails, saying `what`), and these (domain, selector) did.
fn verified(
    dir: &std::path::Path,
    message: &Value,
    dns: &Dns,
    what: &str,
) -> (Value, Vec<(String, String)>) {
    let path = dir.join("received.eml");
    std::fs::write(&path, message["content"].as_str().unwrap()).unwrap();
    let v: Value = serde_json::from_str(&python(&[
        "verify",
        path.to_str().unwrap(),
        &dns.1.to_string(),
    ]))
    .unwrap();
    let all = v["dkim"].as_array().unwrap();
    assert!(all.iter().all(|s| s["ok"] == true), "{what}: {v}");
    let good = all
        .iter()
        .map(|s| {
            (
                s["d"].as_str().unwrap().to_string(),
                s["s"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (v, good)
}

/// The records of `courrier dkim records WHOSE --json`, put into `zone`; the selectors that
/// sign now.
fn publish(
    db: &Db,
    config: &str,
    whose: &[&str],
    zone: &mut serde_json::Map<String, Value>,
) -> Vec<String> {
    let mut args = vec!["dkim", "records"];
    args.extend_from_slice(whose);
    args.extend_from_slice(&["--json", "--config", config]);
    let records: Value = serde_json::from_str(&cli_ok(db, &args)).unwrap();
    let mut signing = Vec::new();
    for r in records.as_array().unwrap() {
        let name = r["name"]
            .as_str()
            .unwrap()
            .trim_end_matches('.')
            .to_string();
        if r["state"] == "signing" || r["state"] == "retiring" {
            signing.push(name.split('.').next().unwrap().to_string());
        }
        zone.insert(name, json!({"TXT": [r["value"]]}));
    }
    signing.sort();
    signing
}

/// A directory of its own for a DNS server's zone file.
fn own_dir(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn selectors_of(ok: &[(String, String)], domain: &str) -> Vec<String> {
    let mut s: Vec<String> = ok
        .iter()
        .filter(|(d, _)| d == domain)
        .map(|(_, s)| s.clone())
        .collect();
    s.sort();
    s
}

#[tokio::test]
async fn everything_that_leaves_is_signed_and_forwards_are_sealed() {
    for db in databases().await {
        let label = db.label;
        let dir = db.dir.0.clone();
        let ok = Receiver::start(dir.join("ok"), "accept");
        let hostile = Receiver::start(dir.join("hostile"), "reject");
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        allow_office(&db, "127.0.0.7");
        // The sender's own domain: SPF for loopback, an Ed25519 key of its own, DMARC reject.
        let key: Value = serde_json::from_str(&python(&["keygen"])).unwrap();
        let mut zone = serde_json::Map::new();
        zone.insert(
            "sender.example".into(),
            json!({"TXT": ["v=spf1 ip4:127.0.0.1 ip4:127.0.0.7 -all"]}),
        );
        zone.insert(
            "s1._domainkey.sender.example".into(),
            json!({"TXT": [format!("v=DKIM1; k=ed25519; p={}", key["public"].as_str().unwrap())]}),
        );
        zone.insert(
            "_dmarc.sender.example".into(),
            json!({"TXT": ["v=DMARC1; p=reject"]}),
        );
        // courrier's DNS for the inbound checks only needs the sender's records; the
        // verifier's gets what courrier says to publish.
        let theirs = dns(&dir, &Value::Object(zone.clone()));
        let config = dir.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "hostname = \"{HOST}\"\n[dns]\nnameserver = \"127.0.0.1:{}\"\n[outbound.routes]\n\
                 \"example.net\" = \"127.0.0.1:{}\"\n\"sender.example\" = \"127.0.0.1:{1}\"\n\
                 \"hostile.example\" = \"127.0.0.1:{}\"\n",
                theirs.1, ok.port, hostile.port
            ),
        )
        .unwrap();
        let config = config.to_str().unwrap();
        let domain_selectors = publish(&db, config, &["votredomaine.com"], &mut zone);
        let host_selectors = publish(&db, config, &["--host"], &mut zone);
        assert_eq!(domain_selectors.len(), 2, "{label}: {zone:?}");
        assert_eq!(host_selectors.len(), 2, "{label}: {zone:?}");
        let published = dns(&own_dir(&dir, "published"), &Value::Object(zone.clone()));
        let server = Server::start_with(&db, &["--config", config]);
        let mut n = 0;
        let mut next = |what: &str| {
            n += 1;
            let got = ok.wait_for(n);
            let m = got[n - 1].clone();
            eprintln!("{label}: {what}: {}", m["rcpt_tos"]);
            m
        };

        // Relayed from the office, written by pmartin: both signatures of votredomaine.com.
        let letter = dir.join("devis.eml");
        std::fs::write(
            &letter,
            "From: Pierre Martin <pmartin@votredomaine.com>\r\nTo: ami@example.net\r\n\
             Subject: Devis\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\
             Message-ID: <devis@votredomaine.com>\r\n\r\nVoici le devis.\r\n",
        )
        .unwrap();
        let relay_letter = |server: &Server| {
            let r = smtp_client_as(
                server,
                Some("127.0.0.7"),
                Some("pmartin@votredomaine.com"),
                "deliver-file",
                &["ami@example.net", letter.to_str().unwrap()],
            );
            assert!(r["answer"].as_str().unwrap().contains("250 2.0.0"), "{r}");
        };
        relay_letter(&server);
        let (v, good) = verified(&dir, &next("relay"), &published, &format!("{label}: relay"));
        assert_eq!(
            selectors_of(&good, "votredomaine.com"),
            domain_selectors,
            "{label}: {v}"
        );

        // Submitted from a phone.
        let r = smtp_client_at(
            server.submission.as_deref().unwrap(),
            None,
            None,
            "submit",
            &[
                "starttls",
                "cdupont",
                PASSWORD,
                "cdupont@votredomaine.com",
                "ami@example.net",
            ],
        );
        assert!(r.get("error").is_none(), "{label}: {r}");
        let (v, good) = verified(
            &dir,
            &next("submission"),
            &published,
            &format!("{label}: submission"),
        );
        assert_eq!(
            selectors_of(&good, "votredomaine.com"),
            domain_selectors,
            "{label}: {v}"
        );

        // The responder's answer, from Claire's address.
        let away = dir.join("away.txt");
        std::fs::write(&away, "Absente jusqu'au 3 janvier.\n").unwrap();
        responder_on(&db, "cdupont", away.to_str().unwrap());
        deliver_file(
            &server,
            &dir,
            "rdv.eml",
            "cdupont@votredomaine.com",
            "From: Denis <d@sender.example>\r\nTo: Claire <cdupont@votredomaine.com>\r\n\
             Subject: Rendez-vous\r\nMessage-ID: <rdv@sender.example>\r\n\r\nDemain ?\r\n",
        );
        let reply = next("responder");
        assert_eq!(reply["rcpt_tos"], json!(["d@sender.example"]), "{label}");
        let (v, good) = verified(&dir, &reply, &published, &format!("{label}: reply"));
        assert_eq!(
            selectors_of(&good, "votredomaine.com"),
            domain_selectors,
            "{label}: {v}"
        );
        cli_ok(&db, &["user", "responder", "cdupont", "--off"]);

        // A forward of a message signed by its sender: that signature still verifies, and
        // the forwarding domain's ARC set says it passed here.
        cli_ok(
            &db,
            &["user", "forward", "cdupont", "--to", "claire@example.net"],
        );
        let original = dir.join("original.eml");
        std::fs::write(
            &original,
            "From: Alice <alice@sender.example>\r\nTo: cdupont@votredomaine.com\r\n\
             Subject: Contrat\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\
             Message-ID: <contrat@sender.example>\r\n\r\nLe contrat signe.\r\n",
        )
        .unwrap();
        let signed = python(&[
            "sign",
            original.to_str().unwrap(),
            "sender.example",
            "s1",
            key["private"].as_str().unwrap(),
        ]);
        std::fs::write(&original, &signed).unwrap();
        // Alice's signed letter to Claire, from outside.
        let send_original = || {
            let r = smtp_client_as(
                &server,
                None,
                Some("alice@sender.example"),
                "deliver-file",
                &["cdupont@votredomaine.com", original.to_str().unwrap()],
            );
            assert!(
                r["answer"].as_str().unwrap().contains("250 2.0.0"),
                "{label}: {r}"
            );
        };
        send_original();
        let forward = next("forward");
        assert_eq!(
            forward["rcpt_tos"],
            json!(["claire@example.net"]),
            "{label}"
        );
        let (v, good) = verified(&dir, &forward, &published, &format!("{label}: forward"));
        assert_eq!(
            good,
            [("sender.example".to_string(), "s1".to_string())],
            "{label}: {v}"
        );
        assert_eq!(v["arc"]["cv"], "pass", "{label}: {v}");
        assert_eq!(
            v["arc"]["domains"],
            json!(["votredomaine.com"]),
            "{label}: {v}"
        );
        let aar = v["aar"][0].as_str().unwrap();
        assert!(
            aar.starts_with(&format!("i=1; {HOST};")) && aar.contains("dkim=pass"),
            "{label}: {aar}"
        );

        // A forward refused downstream: the bounce to the sender is signed by the host.
        cli_ok(
            &db,
            &[
                "user",
                "forward",
                "cdupont",
                "--to",
                "claire@hostile.example",
            ],
        );
        send_original();
        let bounce = next("bounce");
        assert_eq!(bounce["mail_from"], "<>", "{label}: {bounce}");
        assert_eq!(
            bounce["rcpt_tos"],
            json!(["alice@sender.example"]),
            "{label}"
        );
        let (v, good) = verified(&dir, &bounce, &published, &format!("{label}: bounce"));
        assert_eq!(selectors_of(&good, HOST), host_selectors, "{label}: {v}");

        // Rotation without grace: the new pair signs at once, the old is retired (still
        // listed, to be removed from DNS a week later).
        let rotated: Value = serde_json::from_str(&cli_ok(
            &db,
            &[
                "dkim",
                "rotate",
                "votredomaine.com",
                "--grace-days",
                "0",
                "--json",
            ],
        ))
        .unwrap();
        let states: Vec<&str> = rotated
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["state"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            ["signing", "signing", "retired", "retired"],
            "{label}: {rotated}"
        );
        let new_selectors = publish(&db, config, &["votredomaine.com"], &mut zone);
        assert_eq!(new_selectors.len(), 2, "{label}");
        assert!(
            new_selectors.iter().all(|s| !domain_selectors.contains(s)),
            "{label}: {new_selectors:?} {domain_selectors:?}"
        );
        let republished = dns(&own_dir(&dir, "republished"), &Value::Object(zone.clone()));
        relay_letter(&server);
        let (v, good) = verified(
            &dir,
            &next("after rotation"),
            &republished,
            &format!("{label}: rotated"),
        );
        assert_eq!(
            selectors_of(&good, "votredomaine.com"),
            new_selectors,
            "{label}: {v}"
        );

        // Rotation with the default grace: the new pair is published but the current one
        // signs until then; a second rotation meanwhile is refused.
        let out = cli_ok(&db, &["dkim", "rotate", "votredomaine.com"]);
        assert!(out.contains("publish these records now"), "{label}: {out}");
        let again = db.cli(&["dkim", "rotate", "votredomaine.com"]);
        assert!(!again.status.success(), "{label}");
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("already under way"),
            "{label}: {again:?}"
        );
        relay_letter(&server);
        let (v, good) = verified(
            &dir,
            &next("during the grace"),
            &republished,
            &format!("{label}: grace"),
        );
        assert_eq!(
            selectors_of(&good, "votredomaine.com"),
            new_selectors,
            "{label}: {v}"
        );
        assert!(server.stop().success(), "{label}");
    }
}

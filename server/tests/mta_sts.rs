//! MTA-STS (RFC 8461, issue 15) against the real binary: each hosted domain's policy served
//! at `/.well-known/mta-sts.txt` by its `mta-sts.` name; and when sending, the destination's
//! policy looked up through the loopback DNS server and fetched over HTTPS (Python's
//! http.server with a certificate of a test CA, made by openssl): `enforce` with a receiver
//! whose certificate does not verify is held (retried, nothing in clear), `enforce` with one
//! that verifies is delivered, `testing` is delivered whatever the certificate. Both
//! databases.

mod common;

use common::receiver::Receiver;
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const HOST: &str = "mail.courrier.test";

/// The HTTPS server of the policies; killed on drop.
struct Https(std::process::Child, u16);

impl Drop for Https {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn https(dir: &Path, policies: &Value) -> Https {
    let path = dir.join("policies.json");
    std::fs::write(&path, policies.to_string()).unwrap();
    let mut command = Command::new("python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/https_server.py"
        ))
        .args([dir.join("good.pem"), dir.join("good.key"), path]);
    let (child, port) = spawn_on_port(command);
    Https(child, port)
}

fn queue(db: &Db) -> Vec<Value> {
    serde_json::from_str(&cli_ok(db, &["queue", "list", "--json"])).unwrap()
}

/// The queue entry for `rcpt`, once `ready` holds for it.
fn entry(db: &Db, rcpt: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let q = queue(db);
        if let Some(e) = q.iter().find(|e| e["rcpt_to"] == rcpt && ready(e)) {
            return e.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{rcpt} never got there: {q:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn policies_are_served_and_honoured() {
    for db in databases().await {
        let label = db.label;
        let dir = db.dir.0.clone();
        let pki = dir.join("pki");
        std::fs::create_dir_all(&pki).unwrap();
        pki::certificates(
            &pki,
            &[
                "mta-sts.strict.example",
                "mta-sts.good.example",
                "mta-sts.lax.example",
                "mx.good.example",
            ],
            &["mx.strict.example", "mx.lax.example"],
        );
        let policy = |mode: &str, mx: &str| {
            format!("version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 86400\r\n")
        };
        let policies = https(
            &pki,
            &json!({
                "mta-sts.strict.example": policy("enforce", "mx.strict.example"),
                "mta-sts.good.example": policy("enforce", "*.good.example"),
                "mta-sts.lax.example": policy("testing", "mx.lax.example"),
            }),
        );
        let untrusted = Receiver::start_tls(
            dir.join("untrusted"),
            "accept",
            &pki.join("bad.pem"),
            &pki.join("bad.key"),
        );
        let trusted = Receiver::start_tls(
            dir.join("trusted"),
            "accept",
            &pki.join("good.pem"),
            &pki.join("good.key"),
        );
        let mut zone = serde_json::Map::new();
        for d in ["strict", "good", "lax"] {
            zone.insert(
                format!("_mta-sts.{d}.example"),
                json!({"TXT": ["v=STSv1; id=20261130"]}),
            );
            zone.insert(format!("mta-sts.{d}.example"), json!({"A": ["127.0.0.1"]}));
            zone.insert(format!("mx.{d}.example"), json!({"A": ["127.0.0.1"]}));
        }
        let zone_dir = dir.join("zone");
        std::fs::create_dir_all(&zone_dir).unwrap();
        let dns = dns(&zone_dir, &Value::Object(zone));
        let config = dir.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "hostname = \"{HOST}\"\n[dns]\nnameserver = \"127.0.0.1:{dns}\"\n\
                 [outbound]\nca_file = \"{ca}\"\npolicy_port = {policy_port}\n[outbound.routes]\n\
                 \"strict.example\" = \"mx.strict.example:{bad}\"\n\
                 \"lax.example\" = \"mx.lax.example:{bad}\"\n\
                 \"good.example\" = \"mx.good.example:{good}\"\n",
                dns = dns.1,
                ca = pki.join("ca.pem").display(),
                policy_port = policies.1,
                bad = untrusted.port,
                good = trusted.port
            ),
        )
        .unwrap();
        add_votredomaine(&db);
        allow_office(&db, "127.0.0.7");
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);

        // Served: each hosted domain's policy by its mta-sts name; no other.
        let policy_of = |host: &str| {
            curl(
                &db.dir.0.join("anon"),
                &[
                    "-H",
                    &format!("Host: {host}"),
                    &server.url("/.well-known/mta-sts.txt"),
                ],
            )
        };
        let served = policy_of("mta-sts.votredomaine.com");
        assert_eq!(served.status, 200, "{label}");
        assert_eq!(
            served.body,
            format!("version: STSv1\r\nmode: testing\r\nmx: {HOST}\r\nmax_age: 604800\r\n"),
            "{label}"
        );
        assert!(
            served
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain")),
            "{label}"
        );
        assert_eq!(
            policy_of("mta-sts.elsewhere.example").status,
            404,
            "{label}"
        );

        // Honoured: three messages from the office.
        for to in ["a@strict.example", "b@good.example", "c@lax.example"] {
            let r = smtp_client_as(
                &server,
                Some("127.0.0.7"),
                Some("pmartin@votredomaine.com"),
                "send",
                &[to],
            );
            assert_eq!(r["refused"], json!({}), "{label}: {r}");
        }
        // `testing`: delivered although the certificate does not verify.
        let got = untrusted.wait_for(1);
        assert_eq!(got[0]["rcpt_tos"], json!(["c@lax.example"]), "{label}");
        // `enforce` with a certificate of a CA it trusts: delivered, under TLS.
        let got = trusted.wait_for(1);
        assert_eq!(got[0]["rcpt_tos"], json!(["b@good.example"]), "{label}");
        assert_eq!(got[0]["tls"], true, "{label}");
        // `enforce` with one it does not: held, and never sent in clear — also when retried.
        let held = entry(&db, "a@strict.example", |e| {
            e["attempts"].as_i64() >= Some(1)
        });
        assert_ne!(held["status"], "sent", "{label}: {held}");
        assert!(
            held["last_answer"]
                .as_str()
                .unwrap()
                .contains("not sent in clear"),
            "{label}: {held}"
        );
        cli_ok(
            &db,
            &["queue", "retry", &held["id"].as_i64().unwrap().to_string()],
        );
        let again = entry(&db, "a@strict.example", |e| {
            e["attempts"].as_i64() >= Some(2)
        });
        assert_ne!(again["status"], "sent", "{label}: {again}");
        assert_eq!(untrusted.received().len(), 1, "{label}: nothing in clear");
        assert!(server.stop().success(), "{label}");

        // Restarted, with the strict domain's `_mta-sts` record stripped (and its policy
        // server gone): the policy kept in the database still holds (§5.1).
        drop(policies);
        let mut stripped = serde_json::Map::new();
        for d in ["strict", "good", "lax"] {
            stripped.insert(format!("mx.{d}.example"), json!({"A": ["127.0.0.1"]}));
        }
        let stripped_dir = dir.join("stripped");
        std::fs::create_dir_all(&stripped_dir).unwrap();
        let stripped_dns = common::dns(&stripped_dir, &Value::Object(stripped));
        let text = std::fs::read_to_string(&config).unwrap().replace(
            &format!("127.0.0.1:{}", dns.1),
            &format!("127.0.0.1:{}", stripped_dns.1),
        );
        std::fs::write(&config, text).unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        cli_ok(
            &db,
            &["queue", "retry", &held["id"].as_i64().unwrap().to_string()],
        );
        let after = entry(&db, "a@strict.example", |e| {
            e["attempts"].as_i64() >= Some(3)
        });
        assert_ne!(after["status"], "sent", "{label}: {after}");
        assert!(
            after["last_answer"]
                .as_str()
                .unwrap()
                .contains("not sent in clear"),
            "{label}: {after}"
        );
        assert_eq!(
            untrusted.received().len(),
            1,
            "{label}: still nothing in clear"
        );
        assert!(server.stop().success(), "{label}");
    }
}

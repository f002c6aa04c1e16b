//! The outbound queue against the real binary: relayed mail leaves through a static route to
//! a real SMTP receiver (aiosmtpd), a temporary failure is retried, a permanent one recorded;
//! `courrier queue` shows and drives it. Both databases.

mod common;

use common::receiver::Receiver;
use common::*;
use std::time::{Duration, Instant};

/// The envelope sender of relayed mail: relay is only for senders of the grant's domain.
const PMARTIN: &str = "pmartin@votredomaine.com";
fn queue(db: &Db) -> Vec<serde_json::Value> {
    let out = db.cli(&["queue", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn wait_queue(db: &Db, what: impl Fn(&[serde_json::Value]) -> bool) -> Vec<serde_json::Value> {
    let start = Instant::now();
    loop {
        let q = queue(db);
        if what(&q) {
            return q;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "queue never got there: {q:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn relayed_mail_leaves_by_its_route_with_retries_and_failures() {
    for db in databases().await {
        let label = db.label;
        let ok = Receiver::start(db.dir.0.join("ok"), "accept");
        let flaky = Receiver::start(db.dir.0.join("flaky"), "tempfail-once");
        let hostile = Receiver::start(db.dir.0.join("hostile"), "reject");
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "[outbound.routes]\n\"example.net\" = \"127.0.0.1:{}\"\n\
                 \"flaky.example\" = \"127.0.0.1:{}\"\n\"hostile.example\" = \"127.0.0.1:{}\"\n",
                ok.port, flaky.port, hostile.port
            ),
        )
        .unwrap();
        add_votredomaine(&db);
        cli_ok(
            &db,
            &[
                "relay",
                "allow",
                "127.0.0.7",
                "--domain",
                "votredomaine.com",
                "--cap",
                "3",
            ],
        );
        let e = cli_err(
            &db,
            &[
                "relay",
                "allow",
                "127.0.0.8",
                "--domain",
                "votredomaine.com",
                "--cap",
                "0",
            ],
        );
        assert!(e.contains("messages an hour, 1 to"), "{label}: {e}");
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);

        // Relayed from the granted address: delivered as is through the route.
        let r = smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some(PMARTIN),
            "send",
            &["dest@example.net"],
        );
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let got = ok.wait_for(1);
        assert_eq!(got[0]["mail_from"], PMARTIN, "{label}");
        assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["dest@example.net"]));
        assert!(
            got[0]["content"]
                .as_str()
                .unwrap()
                .contains("Corps du message.")
        );
        let q = wait_queue(&db, |q| q.iter().any(|m| m["status"] == "sent"));
        let sent = q.iter().find(|m| m["status"] == "sent").unwrap();
        assert_eq!(sent["kind"], "relay");
        assert_eq!(sent["attempts"], 1);

        // 451 once: waits for the next try (1 minute); `queue retry` makes it due now.
        smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some(PMARTIN),
            "send",
            &["someone@flaky.example"],
        );
        let q = wait_queue(&db, |q| {
            q.iter().any(|m| {
                m["rcpt_to"] == "someone@flaky.example"
                    && m["attempts"] == 1
                    && m["status"] == "queued"
            })
        });
        let id = q
            .iter()
            .find(|m| m["rcpt_to"] == "someone@flaky.example")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let m = q.iter().find(|m| m["id"] == id).unwrap();
        assert!(
            m["last_answer"].as_str().unwrap().starts_with("451"),
            "{label}: {m}"
        );
        let out = db.cli(&["queue", "retry", &id.to_string()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        flaky.wait_for(1);
        wait_queue(&db, |q| {
            q.iter()
                .any(|m| m["id"] == id && m["status"] == "sent" && m["attempts"] == 2)
        });

        // 550: failed at once, with the answer kept for the admin, and one bounce (RFC 3464)
        // from <> to the envelope sender; it can be deleted.
        smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some(PMARTIN),
            "send",
            &["boss@hostile.example"],
        );
        let q = wait_queue(&db, |q| {
            q.iter()
                .any(|m| m["rcpt_to"] == "boss@hostile.example" && m["status"] == "failed")
        });
        let m = q
            .iter()
            .find(|m| m["rcpt_to"] == "boss@hostile.example")
            .unwrap();
        assert!(
            m["last_answer"]
                .as_str()
                .unwrap()
                .starts_with("550 5.7.1 We do not want it"),
            "{label}: {m}"
        );
        // The sender is local: the bounce lands in pmartin's mailbox, not through DNS.
        let q = wait_queue(&db, |q| {
            q.iter()
                .any(|m| m["kind"] == "bounce" && m["status"] == "sent")
        });
        assert_eq!(
            mailbox(&db, "pmartin").0,
            1,
            "{label}: the bounce is in the mailbox"
        );
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let store = app::store::Store::open(&url).await.unwrap();
        let kept = store.mailbox("pmartin").await.unwrap();
        let report = String::from_utf8_lossy(&kept[0].raw).to_string();
        store.close().await;
        assert!(
            report.contains("report-type=\"delivery-status\""),
            "{report}"
        );
        assert!(
            report.contains("Final-Recipient: rfc822; boss@hostile.example"),
            "{report}"
        );
        assert!(report.contains("Status: 5.7.1"), "{report}");
        assert!(report.starts_with("Return-Path: <>\r\n"), "{report}");
        assert_eq!(
            q.iter().filter(|m| m["kind"] == "bounce").count(),
            1,
            "{label}: one bounce"
        );
        let id = m["id"].as_i64().unwrap().to_string();
        assert!(db.cli(&["queue", "delete", &id]).status.success());
        let out = db.cli(&["queue", "delete", &id]);
        assert!(!out.status.success(), "{label}: deleted twice");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("No message"),
            "{label}"
        );
        assert!(hostile.received().is_empty());
        // Three relayed this hour: the grant's cap of 3 is reached.
        let r = smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some(PMARTIN),
            "send",
            &["dest@example.net"],
        );
        let refused = &r["refused"]["dest@example.net"];
        assert_eq!(refused[0], 451, "{label}: {r}");
        assert!(refused[1].as_str().unwrap().starts_with("4.7.1"), "{r}");
        assert!(server.stop().success(), "{label}");
    }
}

fn cli_err(db: &Db, args: &[&str]) -> String {
    let out = db.cli(args);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(out.stdout.is_empty() || !out.stderr.is_empty());
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// "Forward email to" and the responder, set with the CLI and checked by the store; mail in
/// over SMTP goes out through the queue to a real receiver.
#[tokio::test]
async fn forwards_and_the_responder_from_smtp_in_to_the_receiver() {
    for db in databases().await {
        let label = db.label;
        let rx = Receiver::start(db.dir.0.join("rx"), "accept");
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "[outbound.routes]\n\"example.net\" = \"127.0.0.1:{0}\"\n\"sender.example\" = \"127.0.0.1:{0}\"\n",
                rx.port
            ),
        )
        .unwrap();
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        let text = db.dir.0.join("absent.txt");
        std::fs::write(
            &text,
            "Je suis absente jusqu'au 3 janvier.\nI am away until 3 January.\n",
        )
        .unwrap();
        let text = text.to_str().unwrap();

        // Saving: own addresses and loops through other local users are refused.
        let e = cli_err(
            &db,
            &[
                "user",
                "forward",
                "cdupont",
                "--to",
                "ventes@votredomaine.com",
            ],
        );
        assert!(e.contains("own addresses"), "{label}: {e}");
        cli_ok(
            &db,
            &[
                "user",
                "forward",
                "pmartin",
                "--to",
                "ventes@votredomaine.com",
            ],
        );
        let e = cli_err(
            &db,
            &[
                "user",
                "forward",
                "cdupont",
                "--to",
                "pmartin@votredomaine.com",
            ],
        );
        assert!(e.contains("round in circles"), "{label}: {e}");
        cli_ok(&db, &["user", "forward", "pmartin", "--off"]);
        let out = cli_ok(
            &db,
            &["user", "forward", "cdupont", "--to", "Claire.D@Example.NET"],
        );
        assert!(out.contains("no longer kept"), "{out}");
        let e = cli_err(&db, &["user", "responder", "cdupont", "--body-file", text]);
        assert!(e.contains("same time"), "{label}: {e}");

        // A message for cdupont's alias is forwarded, not kept.
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let r = smtp_client(&server, "send", &["ventes@votredomaine.com"]);
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let got = rx.wait_for(1);
        assert_eq!(
            got[0]["rcpt_tos"],
            serde_json::json!(["Claire.D@example.net"]),
            "{label}"
        );
        assert!(
            got[0]["content"]
                .as_str()
                .unwrap()
                .contains("Corps du message.")
        );
        assert_eq!(mailbox(&db, "cdupont").0, 0, "{label}: not kept");
        // Sealed by her domain (ARC, on top), then the Delivered-To that marks its way.
        let content = got[0]["content"].as_str().unwrap();
        let (arc, rest) = content.split_once("Delivered-To: ").unwrap();
        assert!(arc.starts_with("ARC-Seal: i=1;"), "{label}: {content}");
        assert!(arc.contains("d=votredomaine.com"), "{label}: {content}");
        assert!(rest.starts_with("cdupont@votredomaine.com\r\n"), "{label}");
        // It left with an SRS envelope sender of her domain (so SPF at the destination
        // passes), and a bounce sent back to that address reaches the original sender.
        let srs = got[0]["mail_from"].as_str().unwrap().to_string();
        assert!(
            srs.starts_with("SRS0=") && srs.ends_with("=sender.example=alice@votredomaine.com"),
            "{label}: {srs}"
        );
        let r = smtp_client_as(&server, None, Some(""), "send", &[&srs]);
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let got = rx.wait_for(2);
        assert_eq!(got[1]["mail_from"], "<>", "{label}");
        assert_eq!(
            got[1]["rcpt_tos"],
            serde_json::json!(["alice@sender.example"]),
            "{label}"
        );
        // An SRS address this server did not make is no way through.
        let forged = srs.replace("alice", "mallory");
        let r = smtp_client_as(&server, None, Some(""), "send", &[&forged]);
        let refused = r["refused"][&forged][1].as_str().unwrap_or_default();
        assert!(refused.contains("not made by this server"), "{label}: {r}");

        // A forwarded message that comes back (its Delivered-To names her) is kept, not
        // forwarded round again.
        deliver_file(
            &server,
            &db.dir.0,
            "looped.eml",
            "cdupont@votredomaine.com",
            "Delivered-To: cdupont@votredomaine.com\r\nSubject: again\r\n\r\nround\r\n",
        );
        assert_eq!(mailbox(&db, "cdupont").0, 1, "{label}: kept");

        // Forward off, responder on: the message is kept and answered once, from <>.
        cli_ok(&db, &["user", "forward", "cdupont", "--off"]);
        responder_on(&db, "cdupont", text);
        // (RFC 3834 §3.1.1: only mail that names her in To or Cc is answered.)
        let letter = "From: Denis <d@sender.example>\r\nTo: Claire <cdupont@votredomaine.com>\r\n\
             Subject: Rendez-vous\r\nMessage-ID: <rdv-1@sender.example>\r\n\r\nDemain ?\r\n";
        for _ in 0..2 {
            deliver_file(
                &server,
                &db.dir.0,
                "letter.eml",
                "cdupont@votredomaine.com",
                letter,
            );
        }
        let got = rx.wait_for(3);
        let reply = &got[2];
        assert_eq!(reply["mail_from"], "<>", "{label}");
        assert_eq!(reply["rcpt_tos"], serde_json::json!(["d@sender.example"]));
        let content = reply["content"].as_str().unwrap();
        assert!(
            content.contains("Auto-Submitted: auto-replied"),
            "{content}"
        );
        assert!(content.contains("Subject: Absente"), "{content}");
        assert!(
            content.contains("In-Reply-To: <rdv-1@sender.example>"),
            "{content}"
        );
        assert_eq!(mailbox(&db, "cdupont").0, 3, "{label}: kept");
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(
            rx.received().len(),
            3,
            "{label}: one answer per sender per interval, no looped forward"
        );

        // Responder off; forward to two addresses and keep a copy: both get it, one stays.
        cli_ok(&db, &["user", "responder", "cdupont", "--off"]);
        let out = cli_ok(
            &db,
            &[
                "user",
                "forward",
                "cdupont",
                "--to",
                "claire@example.net",
                "--to",
                "bureau@example.net",
                "--keep-copy",
            ],
        );
        assert!(!out.contains("no longer kept"), "{out}");
        deliver_file(
            &server,
            &db.dir.0,
            "copy.eml",
            "cdupont@votredomaine.com",
            "Subject: copie\r\n\r\nAussi pour vous.\r\n",
        );
        let got = rx.wait_for(5);
        let mut to: Vec<&str> = got[3..]
            .iter()
            .map(|m| m["rcpt_tos"][0].as_str().unwrap())
            .collect();
        to.sort();
        assert_eq!(to, ["bureau@example.net", "claire@example.net"], "{label}");
        assert_eq!(mailbox(&db, "cdupont").0, 4, "{label}: a copy kept");
        assert!(server.stop().success(), "{label}");
    }
}

/// A relay grant for 127.0.0.7 and a config routing example.net to `rx`, with `extra` lines.
fn relay_setup(db: &Db, rx: &Receiver, extra: &str) -> std::path::PathBuf {
    let config = db.dir.0.join("courrier.toml");
    let routes = format!(
        "[outbound.routes]\n\"example.net\" = \"127.0.0.1:{}\"\n",
        rx.port
    );
    std::fs::write(&config, format!("{extra}{routes}")).unwrap();
    add_votredomaine(db);
    allow_office(db, "127.0.0.7");
    config
}

fn relay(server: &Server, rcpts: &[&str]) {
    let r = smtp_client_as(server, Some("127.0.0.7"), Some(PMARTIN), "send", rcpts);
    assert_eq!(r["refused"], serde_json::json!({}), "{r}");
}

/// The worker is killed (`kill -9`) while the receiver holds its delivery open: nothing is
/// lost — once the dead worker's claim runs out, the restarted server sends the message, and
/// the receiver has it once.
#[tokio::test]
async fn a_worker_killed_mid_delivery_loses_nothing() {
    for db in databases().await {
        let label = db.label;
        let rx = Receiver::start(db.dir.0.join("rx"), "hang-first");
        let config = relay_setup(&db, &rx, "[outbound]\nclaim_secs = 3\n");
        let config = config.to_str().unwrap();
        let mut server = Server::start_with(&db, &["--config", config]);
        relay(&server, &["dest@example.net"]);
        let start = Instant::now();
        while !rx.dir.join("hanging").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{label}: no delivery started"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server.child.kill().unwrap(); // SIGKILL in the middle of DATA
        server.child.wait().unwrap();
        let q = queue(&db);
        assert_eq!(q[0]["status"], "sending", "{label}: {q:?}");

        let server = Server::start_with(&db, &["--config", config]);
        let got = rx.wait_for(1);
        assert_eq!(
            got[0]["rcpt_tos"],
            serde_json::json!(["dest@example.net"]),
            "{label}"
        );
        let q = wait_queue(&db, |q| q[0]["status"] == "sent");
        assert_eq!(q[0]["attempts"], 2, "{label}: {q:?}");
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(
            rx.received().len(),
            1,
            "{label}: sent once after the restart"
        );
        assert!(server.stop().success(), "{label}");
    }
}

/// Two `courrier serve` on one database, both with a worker: every message goes out exactly
/// once (claims with `FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite).
#[tokio::test]
async fn two_workers_on_one_database_never_send_twice() {
    const N: usize = 30;
    for db in databases().await {
        let label = db.label;
        let rx = Receiver::start(db.dir.0.join("rx"), "slow");
        let config = relay_setup(&db, &rx, "");
        let config = config.to_str().unwrap();
        let a = Server::start_with(&db, &["--config", config]);
        let b = Server::start_with(&db, &["--config", config]);
        let rcpts: Vec<String> = (0..N).map(|i| format!("r{i}@example.net")).collect();
        let rcpts: Vec<&str> = rcpts.iter().map(String::as_str).collect();
        relay(&a, &rcpts[..N / 2]);
        relay(&b, &rcpts[N / 2..]);
        let got = rx.wait_for(N);
        std::thread::sleep(Duration::from_millis(2000));
        let got_after = rx.received();
        assert_eq!(got_after.len(), N, "{label}: nothing sent twice");
        let mut seen: Vec<String> = got
            .iter()
            .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), N, "{label}: every recipient once");
        let q = wait_queue(&db, |q| q.iter().all(|m| m["status"] == "sent"));
        assert!(
            q.iter().all(|m| m["attempts"] == 1),
            "{label}: each message tried once: {q:?}"
        );
        assert!(a.stop().success(), "{label}");
        assert!(b.stop().success(), "{label}");
    }
}

/// Every lookup of delivery goes through the configured resolver (`[dns]`): a route's host
/// known only there is reached. And a bounce to one of courrier's own SRS addresses (a
/// forward refused downstream) is reversed here and goes on to the original sender, not out
/// to the hosted domain's MX and back in.
#[tokio::test]
async fn delivery_asks_the_configured_resolver_and_reverses_its_own_srs() {
    let db = Db::sqlite();
    let ok = Receiver::start(db.dir.0.join("ok"), "accept");
    let hostile = Receiver::start(db.dir.0.join("hostile"), "reject");
    // mx.receiver.test exists only in this DNS server.
    let dns = dns(
        &db.dir.0,
        &serde_json::json!({"mx.receiver.test": {"A": ["127.0.0.1"]}}),
    );
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(
        &config,
        format!(
            "[dns]\nnameserver = \"127.0.0.1:{}\"\n[outbound.routes]\n\
             \"example.net\" = \"mx.receiver.test:{}\"\n\
             \"sender.example\" = \"mx.receiver.test:{}\"\n\
             \"hostile.example\" = \"mx.receiver.test:{}\"\n",
            dns.1, ok.port, ok.port, hostile.port
        ),
    )
    .unwrap();
    add_votredomaine(&db);
    add_cdupont(&db, &[]);
    allow_office(&db, "127.0.0.7");
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    // Relayed to example.net, whose route names a host only the configured DNS knows.
    relay(&server, &["ami@example.net"]);
    let got = ok.wait_for(1);
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["ami@example.net"]));
    // Claire forwards to a server that refuses: the bounce comes back to her SRS address and
    // goes on to the original sender.
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
    let r = smtp_client(&server, "send", &["cdupont@votredomaine.com"]);
    assert_eq!(r["refused"], serde_json::json!({}), "{r}");
    let got = ok.wait_for(2);
    let bounce = &got[1];
    assert_eq!(
        bounce["mail_from"], "<>",
        "a bounce has the null sender: {bounce}"
    );
    assert_eq!(
        bounce["rcpt_tos"],
        serde_json::json!(["alice@sender.example"]),
        "{bounce}"
    );
    assert!(
        bounce["content"]
            .as_str()
            .unwrap()
            .contains("claire@hostile.example"),
        "{bounce}"
    );
    assert!(server.stop().success());
}

//! SMTP-in against the real binary, with real clients (Python's smtplib, raw pipelined
//! sockets), on SQLite and PostgreSQL.

mod common;

use common::*;

/// (messages waiting, bytes used) of a login, as `courrier user list --json` reports them.
fn mailbox(db: &Db, login: &str) -> (u64, u64) {
    let out = db.cli(&["user", "list", "votredomaine.com", "--json"]);
    assert!(out.status.success());
    let users: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let u = users
        .iter()
        .find(|u| u["login"] == login)
        .expect("login listed");
    (
        u["messages"].as_u64().unwrap(),
        u["used_bytes"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn real_clients_deliver_on_both_databases() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        let out = db.cli(&[
            "domain",
            "add",
            "votredomaine.com",
            "--webmaster-first",
            "Pierre",
            "--webmaster-last",
            "Martin",
        ]);
        assert!(out.status.success());
        let out = db.cli(&[
            "user",
            "add",
            "votredomaine.com",
            "--first",
            "Claire",
            "--last",
            "Dupont",
            "--alias",
            "ventes",
        ]);
        assert!(out.status.success());

        // smtplib to a login and to an alias.
        let r = smtp_client(
            &server,
            "send",
            &["pmartin@votredomaine.com", "ventes@votredomaine.com"],
        );
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let features: Vec<String> = serde_json::from_value(r["features"].clone()).unwrap();
        for f in [
            "pipelining",
            "size",
            "8bitmime",
            "enhancedstatuscodes",
            "smtputf8",
            "chunking",
            "starttls",
        ] {
            assert!(
                features.iter().any(|x| x == f),
                "{label}: {f} in {features:?}"
            );
        }
        // STARTTLS, then EHLO again without STARTTLS.
        let r = smtp_client(&server, "send-tls", &["pmartin@votredomaine.com"]);
        assert_eq!(r["refused"], serde_json::json!({}));
        let features: Vec<String> = serde_json::from_value(r["features"].clone()).unwrap();
        assert!(!features.iter().any(|x| x == "starttls"), "{features:?}");
        // Pipelining and BDAT.
        let r = smtp_client(&server, "pipeline", &["cdupont@votredomaine.com"]);
        let answer = r["answer"].as_str().unwrap();
        assert!(
            answer.contains("354 ")
                && answer.contains("250 2.0.0 Ok: queued")
                && answer.contains("221 2.0.0"),
            "{answer}"
        );
        let r = smtp_client(&server, "bdat", &["cdupont@votredomaine.com"]);
        let answer = r["answer"].as_str().unwrap();
        assert_eq!(answer.matches("250 2.0.0").count(), 2, "{label}: {answer}");
        // Relay tricks without a grant: never accepted.
        let tricks = [
            "user@other.example",
            "user%other.example@votredomaine.com",
            "\"user@other.example\"@votredomaine.com",
            "@votredomaine.com:user@other.example",
            "user@[127.0.0.1]",
            "user@OTHER.example",
        ];
        let r = smtp_client(&server, "rcpt", &tricks);
        let answer = r["answer"].as_str().unwrap();
        let rcpt_replies: Vec<&str> = answer
            .lines()
            .filter(|l| l.starts_with("5") || l.starts_with("250 2.1.5"))
            .collect();
        assert_eq!(rcpt_replies.len(), tricks.len(), "{answer}");
        assert!(
            rcpt_replies.iter().all(|l| l.starts_with("55")),
            "{label}: {answer}"
        );
        // A command line over 512 octets.
        let long = format!("NOOP {}\\r\\nQUIT\\r\\n", "x".repeat(600));
        let r = smtp_client(&server, "raw", &[&long]);
        assert!(r["answer"].as_str().unwrap().contains("500 5.5.2"), "{r}");

        assert_eq!(mailbox(&db, "pmartin").0, 2, "{label}: smtplib twice");
        assert_eq!(
            mailbox(&db, "cdupont").0,
            3,
            "{label}: alias, pipelined, BDAT"
        );
        assert!(mailbox(&db, "cdupont").1 > 0);
        assert!(server.stop().success(), "{label}");
    }
}

/// Never lose mail: deliver N messages, `kill -9` the server right after each 250, restart,
/// and find all N byte-identical apart from the headers courrier adds.
#[tokio::test]
async fn acknowledged_mail_survives_kill_9() {
    const N: usize = 8;
    for db in databases().await {
        let label = db.label;
        let out = db.cli(&[
            "domain",
            "add",
            "votredomaine.com",
            "--webmaster-first",
            "Pierre",
            "--webmaster-last",
            "Martin",
        ]);
        assert!(out.status.success());
        let mut sent = Vec::new();
        for i in 0..N {
            let mut server = Server::start(&db);
            let body = format!(
                "Subject: durable {i}\r\nX-Seq: {i}\r\n\r\n.leading dot\r\nline {i} \u{e9}t\u{e9}\r\n{}\r\n",
                format!("{}\r\n..x\r\n", "x".repeat(70)).repeat(i * 15)
            );
            let path = db.dir.0.join(format!("msg{i}"));
            std::fs::write(&path, &body).unwrap();
            let r = smtp_client(
                &server,
                "deliver-file",
                &["pmartin@votredomaine.com", path.to_str().unwrap()],
            );
            let answer = r["answer"].as_str().unwrap().to_string();
            server.child.kill().unwrap(); // SIGKILL, right after the 250
            server.child.wait().unwrap();
            assert!(
                answer.trim_end().ends_with(|c: char| c.is_ascii_hexdigit())
                    && answer.contains("250 2.0.0"),
                "{label}: {answer}"
            );
            sent.push(body.into_bytes());
        }
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let store = app::store::Store::open(&url).await.unwrap();
        let stored = stored_messages(&store, "pmartin").await;
        assert_eq!(
            stored.len(),
            N,
            "{label}: every acknowledged message is there"
        );
        for (want, got) in sent.iter().zip(&stored) {
            assert!(got.ends_with(want), "{label}: byte-identical body");
            let added = &got[..got.len() - want.len()];
            let added = String::from_utf8_lossy(added);
            assert!(
                added.starts_with("Return-Path: <d@sender.example>\r\nReceived: from d.example"),
                "{added}"
            );
        }
        store.close().await;
    }
}

async fn stored_messages(store: &app::store::Store, login: &str) -> Vec<Vec<u8>> {
    use app::store::entities::message;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let a = store.account(login).await.unwrap();
    message::Entity::find()
        .filter(message::Column::AccountId.eq(a.id))
        .order_by_asc(message::Column::Id)
        .all(store.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

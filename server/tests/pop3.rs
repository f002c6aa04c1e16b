//! POP3 against the real binary with real clients — Python's poplib, curl, fetchmail, mpop —
//! on SQLite and PostgreSQL.

mod common;

use base64::Engine;
use common::*;
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "Bonjour-Claire-2026";

/// votredomaine.com with cdupont (password PASSWORD) and two messages for her, one with
/// lines that start with a dot. Returns the bodies as sent.
fn mailbox_with_two(db: &Db, server: &Server) -> Vec<String> {
    add_votredomaine(db);
    add_cdupont(db, &[]);
    set_password(db, "cdupont", PASSWORD);
    let bodies = vec![
        "Subject: premier\r\nFrom: a@sender.example\r\n\r\nBonjour.\r\n.point en tete\r\n..deux\r\nfin\r\n"
            .to_string(),
        format!(
            "Subject: second\r\n\r\n{}",
            "ligne de texte assez longue pour un message\r\n".repeat(2000)
        ),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let name = format!("m{i}.eml");
        deliver_file(server, &db.dir.0, &name, "cdupont@votredomaine.com", body);
    }
    bodies
}

fn b64(s: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().unwrap())
        .unwrap()
}

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output()
        .expect("the client is installed (the test command installs it)")
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn real_clients_read_the_mailbox() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        let bodies = mailbox_with_two(&db, &server);

        // poplib over plain POP3, STLS and POP3S: the same mailbox each time.
        for mode in ["plain", "stls", "ssl"] {
            let addr = if mode == "ssl" {
                &server.pop3s
            } else {
                &server.pop3
            };
            let r = pop3_client(addr, "read", &["cdupont@votredomaine.com", PASSWORD, mode]);
            assert!(
                r["pass"].as_str().unwrap().starts_with("+OK"),
                "{label} {mode}: {r}"
            );
            assert_eq!(r["stat"][0], 2, "{label} {mode}");
            let capa: Vec<&str> = r["capa_before"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            for c in [
                "TOP",
                "UIDL",
                "USER",
                "RESP-CODES",
                "AUTH-RESP-CODE",
                "PIPELINING",
                "SASL",
            ] {
                assert!(capa.contains(&c), "{label} {mode}: {c} in {capa:?}");
            }
            assert_eq!(
                capa.contains(&"STLS"),
                mode != "ssl",
                "{label} {mode}: {capa:?}"
            );
            if mode == "stls" {
                assert!(!r["capa_after"].to_string().contains("STLS"), "{r}");
            }
            let messages = r["messages"].as_array().unwrap();
            for (i, body) in bodies.iter().enumerate() {
                let got = b64(&messages[i]);
                assert!(
                    got.ends_with(body.as_bytes()),
                    "{label} {mode}: message {i}"
                );
                // LIST gives the octets RETR sends (before byte-stuffing).
                let listed: usize = r["list"][i]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .nth(1)
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(listed, got.len(), "{label} {mode}: LIST size of {i}");
            }
            // TOP n 0: the header and the blank line.
            let top = r["tops"][0].as_array().unwrap();
            assert_eq!(top.last().unwrap(), "", "{label}: blank line ends TOP 0");
            assert!(top.iter().any(|l| l == "Subject: premier"));
            assert!(!top.iter().any(|l| l == "Bonjour."));
            assert!(r["quit"].as_str().unwrap().starts_with("+OK"));
        }

        // AUTH PLAIN with an initial response.
        let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(r["ok"], true, "{label}: {r}");
        let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", "not-the-password"]);
        assert!(
            r["error"].as_str().unwrap().starts_with("-ERR [AUTH]"),
            "{label}: {r}"
        );

        // curl: pop3:// lists and retrieves, STLS with --ssl-reqd, pop3s://.
        let user = format!("cdupont:{PASSWORD}");
        let pop3 = format!("pop3://{}/", server.pop3);
        let out = run(Command::new("curl").args(["-sS", "--max-time", "30", "-u", &user, &pop3]));
        let listing = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(listing.lines().count(), 2, "{label}: {listing}");
        for (url, extra) in [
            (format!("pop3://{}/1", server.pop3), vec![]),
            (
                format!("pop3://{}/1", server.pop3),
                vec!["--ssl-reqd", "-k"],
            ),
            (format!("pop3s://{}/1", server.pop3s), vec!["-k"]),
        ] {
            let out = run(Command::new("curl")
                .args(["-sS", "--max-time", "30", "-u", &user])
                .args(&extra)
                .arg(&url));
            assert!(
                out.status.success(),
                "{label} {url}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.stdout.ends_with(bodies[0].as_bytes()), "{label} {url}");
        }
        let out = run(Command::new("curl").args([
            "-sS",
            "--max-time",
            "30",
            "-u",
            "cdupont:wrong-password-9",
            &pop3,
        ]));
        assert!(!out.status.success(), "{label}: curl with a wrong password");

        // fetchmail, keep + uidl (USER/PASS): the second run downloads nothing new.
        let work = db.dir.0.join("fetchmail");
        let inbox = work.join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        let (host, port) = server.pop3.rsplit_once(':').unwrap();
        let rc = work.join("fetchmailrc");
        std::fs::write(
            &rc,
            format!(
                "set no bouncemail\n\
                 poll {host} with proto POP3 port {port} uidl\n\
                 \x20 user \"cdupont@votredomaine.com\" there with password \"{PASSWORD}\" is \"me\" here\n\
                 \x20 options keep sslproto '' mda \"/bin/sh -c 'cat > {}/msg.$$'\"\n",
                inbox.display()
            ),
        )
        .unwrap();
        set_mode_600(&rc);
        let fetch = || {
            run(Command::new("fetchmail")
                .arg("-f")
                .arg(&rc)
                .arg("--idfile")
                .arg(work.join("ids"))
                .arg("--pidfile")
                .arg(work.join("pid"))
                .args(["--nodetach", "--nosyslog"])
                .env("HOME", &work))
        };
        let first = fetch();
        assert_eq!(
            first.status.code(),
            Some(0),
            "{label}: fetchmail got mail: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert_eq!(files_in(&inbox), 2, "{label}: fetchmail delivered both");
        let second = fetch();
        assert_eq!(
            second.status.code(),
            Some(1),
            "{label}: nothing new the second time: {}",
            String::from_utf8_lossy(&second.stderr)
        );
        assert_eq!(files_in(&inbox), 2, "{label}");

        // mpop, AUTH PLAIN after STLS, keep + only_new: the same.
        let work = db.dir.0.join("mpop");
        let maildir = work.join("maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let conf = work.join("mpoprc");
        std::fs::write(
            &conf,
            format!(
                "account default\nhost {host}\nport {port}\nuser cdupont\npassword {PASSWORD}\n\
                 tls on\ntls_starttls on\ntls_certcheck off\nauth plain\nkeep on\nonly_new on\n\
                 uidls_file {}/uidls\ndelivery maildir {}\n",
                work.display(),
                maildir.display()
            ),
        )
        .unwrap();
        set_mode_600(&conf);
        for expected in [2, 2] {
            let out = run(Command::new("mpop").arg("-C").arg(&conf).arg("-q"));
            assert!(
                out.status.success(),
                "{label}: mpop: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(files_in(&maildir.join("new")), expected, "{label}: mpop");
        }

        // DELE then QUIT deletes; the mailbox is empty for the next client.
        let r = pop3_client(
            &server.pop3,
            "read",
            &["cdupont", PASSWORD, "plain", "1", "2"],
        );
        assert!(r["quit"].as_str().unwrap().starts_with("+OK"), "{r}");
        assert_eq!(mailbox(&db, "cdupont").0, 0, "{label}: deleted at QUIT");
        assert!(server.stop().success(), "{label}");
    }
}

#[cfg(unix)]
fn set_mode_600(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[tokio::test]
async fn one_session_per_maildrop_and_nothing_lost() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        mailbox_with_two(&db, &server);

        let r = pop3_client(&server.pop3, "inuse", &["cdupont", PASSWORD]);
        assert!(
            r["second"].as_str().unwrap().starts_with("-ERR [IN-USE]"),
            "{label}: {r}"
        );

        // A connection that drops after DELE deletes nothing, and frees the maildrop.
        let r = pop3_client(&server.pop3, "drop", &["cdupont", PASSWORD, "1"]);
        assert!(r["dele"].as_str().unwrap().starts_with("+OK"), "{r}");
        let mut stat = serde_json::Value::Null;
        for _ in 0..50 {
            let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
            if r["ok"] == true {
                stat = r["stat"].clone();
                break;
            }
            // The server notices the closed socket a moment later.
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(stat[0], 2, "{label}: nothing deleted without QUIT");

        // SMTP delivery during a POP3 session: the session keeps its snapshot, the next sees it.
        let pop3 = server.pop3.clone();
        let holder =
            std::thread::spawn(move || pop3_client(&pop3, "hold", &["cdupont", PASSWORD, "1.5"]));
        std::thread::sleep(Duration::from_millis(500));
        let r = smtp_client(&server, "send", &["cdupont@votredomaine.com"]);
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let held = holder.join().unwrap();
        assert_eq!(held["before"][0], 2, "{label}: {held}");
        assert_eq!(held["after"][0], 2, "{label}: snapshot kept: {held}");
        let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(r["stat"][0], 3, "{label}: {r}");

        // Limits: an over-long line gets -ERR and the session goes on; 10 bad commands close.
        let long = format!("NOOP {}", "x".repeat(300));
        let r = pop3_client(&server.pop3, "raw", &[&long, "CAPA", "QUIT"]);
        let answer = r["answer"].as_str().unwrap();
        assert!(answer.contains("-ERR Line too long"), "{label}: {answer}");
        assert!(
            answer.contains("IMPLEMENTATION courrier"),
            "{label}: {answer}"
        );
        let bogus = vec!["BOGUS"; 12];
        let r = pop3_client(&server.pop3, "raw", &bogus);
        let answer = r["answer"].as_str().unwrap();
        assert_eq!(
            answer.matches("-ERR").count(),
            10,
            "{label}: closed after 10: {answer}"
        );
        assert!(server.stop().success(), "{label}");
    }
}

/// The lease lives in the database: two processes on one database share it, and a process
/// killed with a session open frees the maildrop when the lease runs out.
#[tokio::test]
async fn the_maildrop_lock_holds_across_processes_and_dies_with_them() {
    for db in databases().await {
        let label = db.label;
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(&config, "[pop3_settings]\nlease_ttl_secs = 4\n").unwrap();
        let config = config.to_str().unwrap().to_string();
        let mut a = Server::start_with(&db, &["--config", &config]);
        mailbox_with_two(&db, &a);
        let b = Server::start_with(&db, &["--config", &config]);

        // A session on A: B refuses the same maildrop.
        let pop3_a = a.pop3.clone();
        let holder =
            std::thread::spawn(move || pop3_client(&pop3_a, "hold", &["cdupont", PASSWORD, "5"]));
        let mut refused = String::new();
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(100));
            let r = pop3_client(&b.pop3, "plain_auth", &["cdupont", PASSWORD]);
            if r["ok"] == false {
                refused = r["error"].as_str().unwrap().to_string();
                break;
            }
        }
        assert!(refused.starts_with("-ERR [IN-USE]"), "{label}: {refused}");

        // A dies with the session open: B gets the maildrop once the lease has run out.
        a.child.kill().unwrap();
        a.child.wait().unwrap();
        let start = std::time::Instant::now();
        let mut opened = None;
        while start.elapsed() < Duration::from_secs(20) {
            let r = pop3_client(&b.pop3, "plain_auth", &["cdupont", PASSWORD]);
            if r["ok"] == true {
                opened = Some(r);
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let r = opened.unwrap_or_else(|| panic!("{label}: the lease never expired"));
        assert_eq!(r["stat"][0], 2, "{label}: {r}");
        assert!(
            holder.join().unwrap()["error"].is_string(),
            "{label}: A is gone"
        );
        assert!(b.stop().success(), "{label}");
    }
}

/// RFC 1939 §3's autologout timer (10 minutes by default; 1 second here).
#[tokio::test]
async fn idle_sessions_are_closed() {
    let db = databases().await.remove(0);
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(&config, "[pop3_settings]\nidle_timeout_secs = 1\n").unwrap();
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    let r = pop3_client(&server.pop3, "raw", &["CAPA"]);
    let answer = r["answer"].as_str().unwrap();
    assert!(answer.contains("IMPLEMENTATION courrier"), "{answer}");
    assert!(
        answer.ends_with("-ERR Idle for too long, closing the connection\r\n"),
        "{answer}"
    );
    assert!(server.stop().success());
}

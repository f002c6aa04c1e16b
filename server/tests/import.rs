//! Bringing the mail of the previous host (issue 17) against real POP3 servers on loopback: a
//! second courrier (plain on loopback, and POP3S with a certificate of the test CA) and
//! Debian's Dovecot with a prepared maildir (`.ci/dovecot`). The import runs in the
//! background, survives a SIGKILL of the server in the middle, brings each message once (by
//! UIDL, and by Message-ID), stops when the mailbox is full, leaves the old mailbox as it was;
//! the command line does the same. Both databases.

mod common;

use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const PW: &str = "Claire-Pass-2026";
const OLD_PW: &str = "Ancien-Pass-2026";
const MESSAGES: usize = 12;

/// The old host: a second courrier on SQLite whose cdupont holds `MESSAGES` messages of about
/// 10 kB, each with its own Message-ID.
fn old_host() -> (Db, Server) {
    let db = Db::sqlite();
    add_votredomaine(&db);
    add_cdupont(&db, &[]);
    set_password(&db, "cdupont", OLD_PW);
    let dir = db.dir.0.join("certs");
    std::fs::create_dir_all(&dir).unwrap();
    pki::certificates(&dir, &["localhost"], &["elsewhere.test"]);
    let config = db.dir.0.join("old.toml");
    std::fs::write(
        &config,
        format!(
            "tls_cert = \"{}\"\ntls_key = \"{}\"\n",
            dir.join("good.pem").display(),
            dir.join("good.key").display()
        ),
    )
    .unwrap();
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    for i in 0..MESSAGES {
        deliver_file(
            &server,
            &db.dir.0,
            &format!("old{i}.eml"),
            "cdupont@votredomaine.com",
            &format!(
                "Message-ID: <old-{i}@ancien.test>\r\nFrom: a@example.org\r\nSubject: Ancien {i}\r\n\r\n.dot\r\n{}\r\n",
                "ligne de texte assez longue pour faire du volume\r\n".repeat(3000)
            ),
        );
    }
    (db, server)
}

/// The new host's configuration: slow enough to be caught in the middle, quick to take over.
fn new_host_config(db: &Db, ca: &std::path::Path) -> std::path::PathBuf {
    let config = db.dir.0.join("new.toml");
    std::fs::write(
        &config,
        format!(
            "[import]\npause_ms = 250\nlease_secs = 2\npoll_ms = 200\n[outbound]\nca_file = \"{}\"\n",
            ca.display()
        ),
    )
    .unwrap();
    config
}

fn status(server: &Server, jar: &std::path::Path, login: &str) -> Value {
    serde_json::from_str(&call_ok(server, jar, "import/status", &[("login", login)])).unwrap()
}

/// Waits (bounded) until the job's state is one of `states`; its status.
fn wait_for(server: &Server, jar: &std::path::Path, login: &str, states: &[&str]) -> Value {
    let start = Instant::now();
    loop {
        let v = status(server, jar, login);
        if states.contains(&v["job"]["state"].as_str().unwrap_or_default()) {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "waited for {states:?}: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn an_old_mailbox_comes_over_once_even_through_a_restart() {
    let (old_db, old) = old_host();
    set_password(&old_db, "pmartin", OLD_PW);
    let ca = old_db.dir.0.join("certs").join("ca.pem");
    for db in databases().await {
        let label = db.label;
        let config = new_host_config(&db, &ca);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PW);
        let mut server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PW);
        let form = |password: &'static str, security: &'static str, port: String| {
            vec![
                ("login", String::new()),
                (
                    "host",
                    if security == "tls" {
                        "localhost".to_string()
                    } else {
                        "127.0.0.1".to_string()
                    },
                ),
                ("port", port),
                ("security", security.to_string()),
                ("user", "cdupont".to_string()),
                ("password", password.to_string()),
            ]
        };
        let post = |server: &Server, fields: &[(&str, String)]| {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(server, &jar, "import/check", &f)
        };
        // A wrong password: the old server's refusal, in words; nothing kept.
        let r = post(&server, &form("mauvais", "none", port_of(&old.pop3).into()));
        assert!(
            r.body.contains("[import]") && r.body.contains("-ERR"),
            "{label}: {}",
            r.body
        );
        assert!(status(&server, &jar, "")["job"].is_null(), "{label}");
        // The look (POP3S, a certificate of the test CA): what it holds, kept waiting.
        let r = post(&server, &form(OLD_PW, "tls", port_of(&old.pop3s).into()));
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        let v = status(&server, &jar, "");
        assert_eq!(v["job"]["state"], "checked", "{label}: {v}");
        assert!(
            v["job"]["survey"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{MESSAGES} messages")),
            "{label}: {v}"
        );
        // A second import while one is open: refused.
        let r = post(&server, &form(OLD_PW, "none", port_of(&old.pop3).into()));
        assert!(r.body.contains("[import]"), "{label}: {}", r.body);
        call_ok(&server, &jar, "import/start", &[("login", "")]);
        // While it moves, the page follows it (it reloads itself, without a script).
        let page = curl(&jar, &[&server.url("/personal/import")]);
        assert!(
            page.body.contains(r#"http-equiv="refresh""#),
            "{label}: {}",
            page.body
        );
        // Caught in the middle: killed, started again; the job goes on where it stopped.
        let start = Instant::now();
        loop {
            let v = status(&server, &jar, "");
            let done = v["job"]["done_messages"].as_i64().unwrap();
            if done >= 3 {
                assert!(done < MESSAGES as i64, "{label}: not in the middle: {v}");
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "{label}: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        sign_in(&server, &jar, "cdupont", PW);
        let v = wait_for(&server, &jar, "", &["done", "failed", "full"]);
        assert_eq!(v["job"]["state"], "done", "{label}: {v}");
        assert_eq!(
            mailbox(&db, "cdupont").0,
            MESSAGES as u64,
            "{label}: each once"
        );
        // The old mailbox as it was; the password gone with the job.
        assert_eq!(mailbox(&old_db, "cdupont").0, MESSAGES as u64, "{label}");
        let dump = cli_ok(&db, &["user", "list", "votredomaine.com", "--json"]);
        assert!(!dump.contains(OLD_PW), "{label}");
        // Again: nothing new (every UIDL known).
        let r = post(&server, &form(OLD_PW, "none", port_of(&old.pop3).into()));
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        call_ok(&server, &jar, "import/start", &[("login", "")]);
        let v = wait_for(&server, &jar, "", &["done", "failed", "full"]);
        assert_eq!(v["job"]["state"], "done", "{label}: {v}");
        assert_eq!(mailbox(&db, "cdupont").0, MESSAGES as u64, "{label}");
        // The page, in both languages, follows it.
        for (lang, words) in [("fr", "Terminée"), ("en", "Finished")] {
            let page = curl(
                &jar,
                &[
                    "-H",
                    &format!("Accept-Language: {lang}"),
                    &server.url("/personal/import"),
                ],
            );
            assert!(page.body.contains(words), "{label} {lang}");
        }

        // Into a small mailbox, from the pen: it stops when full, and says so.
        set_password(&db, "pmartin", PW);
        let pm = db.dir.0.join("pm");
        sign_in(&server, &pm, "pmartin", PW);
        let body = call_ok(
            &server,
            &pm,
            "siteadmin/profile",
            &[
                ("login", "pmartin"),
                ("first_name", "Pierre"),
                ("last_name", "Martin"),
                ("quota_mb", "1"),
            ],
        );
        assert_eq!(body.trim(), "null", "{label}");
        let mut fields = form(OLD_PW, "none", port_of(&old.pop3).into());
        fields[0].1 = "pmartin".into();
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            call_ok(&server, &pm, "import/check", &f).trim(),
            "null",
            "{label}"
        );
        call_ok(&server, &pm, "import/start", &[("login", "pmartin")]);
        let v = wait_for(&server, &pm, "pmartin", &["done", "failed", "full"]);
        assert_eq!(v["job"]["state"], "full", "{label}: {v}");
        let brought = v["job"]["done_messages"].as_i64().unwrap();
        assert!(brought > 0 && brought < MESSAGES as i64, "{label}: {v}");
        for (lang, words) in [("fr", "La boîte est pleine"), ("en", "The mailbox is full")] {
            let page = curl(
                &pm,
                &[
                    "-H",
                    &format!("Accept-Language: {lang}"),
                    &server.url("/siteadmin/user/pmartin/import"),
                ],
            );
            assert!(page.body.contains(words), "{label} {lang}");
        }
        // Someone else's mailbox: not for a mailbox user.
        assert_ne!(
            call(&server, &jar, "import/status", &[("login", "pmartin")]).status,
            200
        );
        drop(server);

        // Asked to, the command line deletes on the old server what is safely here.
        for i in 0..2 {
            deliver_file(
                &old,
                &old_db.dir.0,
                &format!("gone{i}.eml"),
                "pmartin@votredomaine.com",
                &format!(
                    "Message-ID: <gone-{label}-{i}@ancien.test>\r\nSubject: A effacer {i}\r\n\r\nx\r\n"
                ),
            );
        }
        let from = format!("pop3+plain://{}", old.pop3);
        let args = [
            "user", "import", "cdupont", "--from", &from, "--login", "pmartin", "--delete",
        ];
        let out = db.cli_with_stdin(&args, &format!("{OLD_PW}\n"));
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("2 messages brought, 0 here already"),
            "{label}: {said}"
        );
        assert_eq!(mailbox(&old_db, "pmartin").0, 0, "{label}: deleted there");
        assert_eq!(mailbox(&db, "cdupont").0, MESSAGES as u64 + 2, "{label}");
        // No job keeps an old password once ended.
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let store = app::store::Store::open(&url).await.unwrap();
        for login in ["cdupont", "pmartin"] {
            let a = store.account(login).await.unwrap();
            let job = store.latest_import(a.id).await.unwrap().unwrap();
            assert_eq!(job.secret, None, "{label}: {login}");
        }
        store.close().await;
    }
    drop(old);
}

/// Debian's Dovecot as the old host, from the command line: a look first (`--dry-run`), then
/// the import; the duplicate Message-ID is brought once, the byte-stuffed line comes back
/// whole, and the old mailbox keeps its five messages.
#[tokio::test]
async fn the_command_line_brings_a_dovecot_mailbox() {
    let Ok(dovecot) = std::env::var("COURRIER_TEST_DOVECOT") else {
        assert!(
            std::env::var("COURRIER_TEST_REQUIRE_PG").is_err(),
            "COURRIER_TEST_DOVECOT is not set (.ci/dovecot start DIR)"
        );
        eprintln!("skipped: no Dovecot (COURRIER_TEST_DOVECOT)");
        return;
    };
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PW);
        let from = format!("pop3+plain://{dovecot}");
        let run = |extra: &[&str]| {
            let mut args = vec![
                "user",
                "import",
                "cdupont",
                "--from",
                &from,
                "--login",
                "jean@ancien.test",
            ];
            args.extend_from_slice(extra);
            db.cli_with_stdin(&args, "ancien-mot-de-passe\n")
        };
        let out = run(&["--dry-run"]);
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("5 messages"),
            "{label}"
        );
        assert_eq!(
            mailbox(&db, "cdupont").0,
            0,
            "{label}: a look changes nothing"
        );
        let out = run(&[]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains("4 messages brought, 1 here already"),
            "{label}: {said}"
        );
        assert_eq!(mailbox(&db, "cdupont").0, 4, "{label}");
        let server = Server::start(&db);
        let tops = pop3_tops(&server.pop3, "cdupont", PW, &[]);
        assert!(
            tops.iter()
                .any(|t| t.iter().any(|l| l == "Subject: Ancien message 3")),
            "{label}"
        );
        let r = pop3_client(&server.pop3, "read", &["cdupont", PW, "plain"]);
        use base64::Engine;
        let third = base64::engine::general_purpose::STANDARD
            .decode(r["messages"][2].as_str().unwrap())
            .unwrap();
        assert!(
            String::from_utf8_lossy(&third).contains("\r\n.point au d"),
            "{label}: the dot of a stuffed line comes back once"
        );
        drop(server);
        // A wrong password: exit 1 with the old server's words.
        let mut args = vec![
            "user",
            "import",
            "cdupont",
            "--from",
            &from,
            "--login",
            "jean@ancien.test",
        ];
        args.push("--dry-run");
        let out = db.cli_with_stdin(&args, "faux\n");
        assert!(!out.status.success(), "{label}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("-ERR"),
            "{label}"
        );
    }
    // Dovecot's mailbox as it was.
    let (host, port) = dovecot.rsplit_once(':').unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import poplib, sys; p = poplib.POP3(sys.argv[1], int(sys.argv[2])); p.user('jean@ancien.test'); p.pass_('ancien-mot-de-passe'); print(p.stat()[0]); p.quit()",
            host,
            port,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
}

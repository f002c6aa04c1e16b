//! SMTP-in against the real binary, with real clients (Python's smtplib, raw pipelined
//! sockets), on SQLite and PostgreSQL.

mod common;

use common::*;

#[tokio::test]
async fn real_clients_deliver_on_both_databases() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);

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
        add_votredomaine(&db);
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
        let stored: Vec<Vec<u8>> = store
            .mailbox("pmartin")
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.raw)
            .collect();
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

/// swaks and curl, the relay matrix with and without a grant, quota, size, connection caps,
/// the idle timeout, STARTTLS injection, and graceful shutdown — with small limits.
#[tokio::test]
async fn limits_relay_tls_and_shutdown() {
    for db in databases().await {
        let label = db.label;
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            "[smtp_limits]\nmax_message_size = 200000\nmax_connections_per_ip = 3\nidle_timeout_secs = 2\nshutdown_grace_secs = 20\n",
        )
        .unwrap();
        let config = config.to_str().unwrap().to_string();
        let server = Server::start_with(&db, &["--config", &config]);
        add_votredomaine(&db);
        add_cdupont(&db, &["--quota", "1"]);
        let (host, port) = server.smtp.rsplit_once(':').unwrap();

        // swaks, plain and pipelined, to a login and an alias.
        for (to, extra) in [
            ("pmartin@votredomaine.com", None),
            ("ventes@votredomaine.com", Some("--pipeline")),
        ] {
            let mut cmd = std::process::Command::new("swaks");
            cmd.args([
                "--server",
                host,
                "--port",
                port,
                "--from",
                "s@sender.example",
                "--to",
                to,
            ])
            .args([
                "--ehlo",
                "swaks.example",
                "--header",
                "Subject: swaks",
                "--body",
                "Bonjour de swaks",
            ]);
            if let Some(e) = extra {
                cmd.arg(e);
            }
            let out = cmd.output().expect("swaks is installed");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && text.contains("<-  250 2.0.0 Ok: queued"),
                "{label}: {text}"
            );
        }
        // curl's SMTP client.
        let msg = db.dir.0.join("curl.eml");
        std::fs::write(&msg, "Subject: curl\r\n\r\nBonjour de curl\r\n").unwrap();
        let out = std::process::Command::new("curl")
            .args([
                "-sS",
                &format!("smtp://{}", server.smtp),
                "--mail-from",
                "c@sender.example",
            ])
            .args([
                "--mail-rcpt",
                "pmartin@votredomaine.com",
                "--upload-file",
                msg.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(mailbox(&db, "pmartin").0, 2, "{label}: swaks + curl");
        assert_eq!(mailbox(&db, "cdupont").0, 1, "{label}: swaks to the alias");

        // The relay matrix: every trick refused without a grant; with one, foreign recipients
        // from the granted address pass, tricks on hosted domains stay refused.
        let foreign = [
            "user@other.example",
            "user@OTHER.Example",
            "@a.example,@b.example:user@other.example",
        ];
        let tricks = [
            "user%other.example@votredomaine.com",
            "\"user@other.example\"@votredomaine.com",
            "user!x@votredomaine.com",
            "user@[127.0.0.1]",
        ];
        let all: Vec<&str> = foreign.iter().chain(tricks.iter()).copied().collect();
        let rcpt_lines = |r: serde_json::Value| -> Vec<String> {
            r["answer"]
                .as_str()
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("250 2.1.5") || l.starts_with('5'))
                .map(str::to_string)
                .collect()
        };
        let denied = rcpt_lines(smtp_client_from(&server, Some("127.0.0.7"), "rcpt", &all));
        assert_eq!(denied.len(), all.len(), "{denied:?}");
        assert!(
            denied.iter().all(|l| l.starts_with("55")),
            "{label}: {denied:?}"
        );
        let out = db.cli(&[
            "relay",
            "allow",
            "127.0.0.7",
            "--domain",
            "votredomaine.com",
            "--note",
            "bureau",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Granted, but only for senders of the grant's domain.
        let stranger = rcpt_lines(smtp_client_from(
            &server,
            Some("127.0.0.7"),
            "rcpt",
            &foreign,
        ));
        assert!(
            stranger.iter().all(|l| l.starts_with("550 5.7.1")),
            "{label}: {stranger:?}"
        );
        let granted = rcpt_lines(smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some("bureau@votredomaine.com"),
            "rcpt",
            &all,
        ));
        assert!(
            granted[..foreign.len()]
                .iter()
                .all(|l| l.starts_with("250 2.1.5")),
            "{label}: {granted:?}"
        );
        assert!(
            granted[foreign.len()..].iter().all(|l| l.starts_with("55")),
            "{label}: {granted:?}"
        );
        let relay_denied = |ip: &str| {
            let lines = rcpt_lines(smtp_client_from(&server, Some(ip), "rcpt", &foreign));
            assert!(
                lines.iter().all(|l| l.starts_with("554 5.7.1")),
                "{label} {ip}: {lines:?}"
            );
        };
        relay_denied("127.0.0.8");
        let r = smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some("bureau@votredomaine.com"),
            "send",
            &["friend@other.example"],
        );
        assert_eq!(r["refused"], serde_json::json!({}), "{r}");
        let out = db.cli(&["relay", "list", "--json"]);
        let grants: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let id = grants[0]["id"].as_i64().unwrap().to_string();
        assert!(db.cli(&["relay", "revoke", &id]).status.success());
        relay_denied("127.0.0.7");

        // Quota (1 MB for cdupont) and size (200000 octets here).
        let r = smtp_client(
            &server,
            "send-size",
            &["ventes@votredomaine.com", "190000", "yes"],
        );
        assert_eq!(r["code"], 250, "{r}");
        let r = smtp_client(
            &server,
            "send-size",
            &["cdupont@votredomaine.com", "300000", "yes"],
        );
        assert_eq!(r["code"], 552, "{label}: SIZE= above the limit: {r}");
        let r = smtp_client(
            &server,
            "send-size",
            &["cdupont@votredomaine.com", "300000", "no"],
        );
        assert_eq!(r["code"], 552, "{label}: drained, then refused: {r}");
        for _ in 0..5 {
            smtp_client(
                &server,
                "send-size",
                &["cdupont@votredomaine.com", "190000", "yes"],
            );
        }
        let r = smtp_client(
            &server,
            "send-size",
            &["cdupont@votredomaine.com", "190000", "yes"],
        );
        assert_eq!(r["code"], 452, "{label}: mailbox full: {r}");

        // Connection caps: three per address here, the fourth gets 421 4.3.2.
        let r = smtp_client(&server, "hold", &["4"]);
        let greetings: Vec<String> = serde_json::from_value(r["greetings"].clone()).unwrap();
        assert_eq!(
            greetings.iter().filter(|g| g.starts_with("220 ")).count(),
            3,
            "{greetings:?}"
        );
        assert!(
            greetings.iter().any(|g| g.starts_with("421 4.3.2")),
            "{greetings:?}"
        );
        // Idle timeout (2 s here).
        let r = smtp_client(&server, "idle", &["10"]);
        assert!(
            r["answer"].as_str().unwrap().starts_with("421 4.4.2"),
            "{r}"
        );
        // STARTTLS: pipelined plaintext is discarded, the session starts afresh.
        let r = smtp_client(&server, "starttls-inject", &[]);
        assert!(r["ready"].as_str().unwrap().starts_with("220 2.0.0"), "{r}");
        assert!(
            r["after"].as_str().unwrap().starts_with("503 5.5.1"),
            "{label}: MAIL was not kept: {r}"
        );

        // Graceful shutdown: the message in progress is finished, the idle session gets 421.
        let mut client = std::process::Command::new("python3")
            .arg(SMTP_CLIENT)
            .args(["shutdown", host, port, "pmartin@votredomaine.com"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(client.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert_eq!(line.trim(), "READY");
        std::process::Command::new("kill")
            .args(["-TERM", &server.child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        std::io::Write::write_all(client.stdin.as_mut().unwrap(), b"GO\n").unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        client.wait().unwrap();
        let r: serde_json::Value = serde_json::from_str(rest.trim()).unwrap();
        assert!(
            r["idle"].as_str().unwrap().starts_with("421 4.3.2"),
            "{label}: {r}"
        );
        assert!(
            r["busy"].as_str().unwrap().starts_with("250 2.0.0"),
            "{label}: {r}"
        );
        assert!(server.stop().success());
        assert_eq!(
            mailbox(&db, "pmartin").0,
            3,
            "{label}: the message finished during shutdown is kept"
        );
    }
}

/// Issue 17: `cdupont+news@…` reaches cdupont (aliases the same way), the address as named
/// kept in `Delivered-To`; relay tricks stay refused; with the separator off, 550.
#[tokio::test]
async fn sub_addresses_reach_the_mailbox_and_say_so() {
    const PW: &str = "Claire-Pass-2026";
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PW);
        let server = Server::start(&db);
        let r = smtp_client(
            &server,
            "rcpt",
            &[
                "cdupont+news@votredomaine.com",
                "ventes+salon@votredomaine.com",
                "cdupont+x%example.net@votredomaine.com",
                "nobody+x@votredomaine.com",
            ],
        );
        let answer = r["answer"].as_str().unwrap();
        let rcpts: Vec<&str> = answer
            .lines()
            .filter(|l| l.starts_with("250 2.1.5") || l.starts_with("550"))
            .collect();
        assert_eq!(rcpts.len(), 4, "{label}: {answer}");
        assert!(
            rcpts[0].starts_with("250") && rcpts[1].starts_with("250"),
            "{label}: {answer}"
        );
        assert!(
            rcpts[2].starts_with("550") && rcpts[3].starts_with("550"),
            "{label}: {answer}"
        );
        deliver_file(
            &server,
            &db.dir.0,
            "news.eml",
            "CDupont+News@votredomaine.com",
            "From: a@example.org\r\nSubject: Lettre\r\n\r\nBonjour.\r\n",
        );
        let tops = pop3_tops(&server.pop3, "cdupont", PW, &[]);
        assert_eq!(tops.len(), 1, "{label}");
        assert!(
            tops[0]
                .iter()
                .any(|l| l == "Delivered-To: cdupont+news@votredomaine.com"),
            "{label}: {:?}",
            tops[0]
        );
        assert!(server.stop().success());

        // Off: the whole local part, which names nobody.
        let config = db.dir.0.join("off.toml");
        std::fs::write(&config, "[delivery]\nsubaddress_separator = \"\"\n").unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let r = smtp_client(&server, "rcpt", &["cdupont+news@votredomaine.com"]);
        let answer = r["answer"].as_str().unwrap();
        assert!(answer.contains("550"), "{label}: {answer}");
        drop(server);
    }
}

/// The code of each RCPT accepted (250) or refused as unknown (550), in order.
fn rcpts(server: &Server, list: &[&str]) -> Vec<String> {
    let r = smtp_client(server, "rcpt", list);
    r["answer"]
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("250 2.1.5") || l.starts_with("550"))
        .map(|l| l[..3].to_string())
        .collect()
}

/// Issue 17: a catch-all takes mail for unknown names when the webmaster chose one (CLI and
/// web, audited); relay tricks are still refused; off again, unknown names get 550.
#[tokio::test]
async fn a_catch_all_takes_unknown_names_only_when_chosen() {
    const PW: &str = "Claire-Pass-2026";
    for db in databases().await {
        let label = db.label;
        let (server, pm) = votredomaine_signed_in(&db, PW);
        set_password(&db, "cdupont", PW);
        assert_eq!(
            rcpts(&server, &["inconnu@votredomaine.com"]),
            ["550"],
            "{label}"
        );
        cli_ok(&db, &["domain", "catch-all", "votredomaine.com", "cdupont"]);
        let tricks = [
            "inconnu@votredomaine.com",
            "user%example.net@votredomaine.com",
            "x+y%example.net@votredomaine.com",
            "user!example.net@votredomaine.com",
        ];
        assert_eq!(
            rcpts(&server, &tricks),
            ["250", "550", "550", "550"],
            "{label}"
        );
        deliver_file(
            &server,
            &db.dir.0,
            "typo.eml",
            "Inconnu@votredomaine.com",
            "From: a@example.org\r\nSubject: Faute de frappe\r\n\r\nBonjour.\r\n",
        );
        let tops = pop3_tops(&server.pop3, "cdupont", PW, &[]);
        assert!(
            tops[0]
                .iter()
                .any(|l| l == "Delivered-To: inconnu@votredomaine.com"),
            "{label}: {:?}",
            tops[0]
        );
        // From the web: a mailbox of another domain is refused; none turns it off.
        let r = call(
            &server,
            &pm,
            "siteadmin/catch_all",
            &[("login", "srvadmin")],
        );
        assert!(r.body.contains("[login]"), "{label}: {}", r.body);
        let r = call(&server, &pm, "siteadmin/catch_all", &[("login", "")]);
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        assert_eq!(
            rcpts(&server, &["inconnu@votredomaine.com"]),
            ["550"],
            "{label}"
        );
        let log = curl(&pm, &[&server.url("/siteadmin/log")]);
        assert!(
            log.body.contains("Attrape-tout modifié"),
            "{label}: audited"
        );
        // Deleting the chosen mailbox turns the catch-all off.
        cli_ok(&db, &["domain", "catch-all", "votredomaine.com", "cdupont"]);
        cli_ok(&db, &["user", "del", "cdupont"]);
        assert_eq!(
            rcpts(&server, &["inconnu@votredomaine.com"]),
            ["550"],
            "{label}"
        );
        drop(server);
    }
}

/// Issue 17: a domain alias (`ancien-nom.fr` for votredomaine.com) reaches the same
/// mailboxes (logins, aliases, sub-addresses), keeps the name used in `Delivered-To`, is
/// listed on the domain's pages with its own DNS records and zone file; a name is a domain
/// or an alias, never both; taken back, its mail is refused again. CLI and web, audited.
#[tokio::test]
async fn a_domain_alias_reaches_the_same_mailboxes() {
    const PW: &str = "Claire-Pass-2026";
    for db in databases().await {
        let label = db.label;
        let (server, pm) = votredomaine_signed_in(&db, PW);
        set_password(&db, "cdupont", PW);
        let names = [
            "cdupont@ancien-nom.fr",
            "ventes@ancien-nom.fr",
            "cdupont+news@ancien-nom.fr",
            "nobody@ancien-nom.fr",
            "cdupont%example.net@ancien-nom.fr",
        ];
        // Not hosted yet: foreign addresses, relay refused.
        assert!(
            !rcpts(&server, &names).contains(&"250".to_string()),
            "{label}: not hosted yet"
        );
        let out = cli_ok(
            &db,
            &[
                "domain",
                "alias",
                "Ancien-Nom.fr",
                "--of",
                "votredomaine.com",
            ],
        );
        assert!(out.contains("ancien-nom.fr"), "{label}: {out}");
        assert_eq!(
            rcpts(&server, &names),
            ["250", "250", "250", "550", "550"],
            "{label}"
        );
        deliver_file(
            &server,
            &db.dir.0,
            "old.eml",
            "Ventes@Ancien-Nom.fr",
            "From: a@example.org\r\nSubject: Ancienne adresse\r\n\r\nBonjour.\r\n",
        );
        let tops = pop3_tops(&server.pop3, "cdupont", PW, &[]);
        assert_eq!(tops.len(), 1, "{label}");
        assert!(
            tops[0]
                .iter()
                .any(|l| l == "Delivered-To: ventes@ancien-nom.fr"),
            "{label}: {:?}",
            tops[0]
        );
        // Its users may send from their addresses under the other name (submission).
        let sub = server.submission.clone().expect("submission on");
        let r = smtp_client_at(
            &sub,
            None,
            None,
            "submit",
            &[
                "starttls",
                "cdupont",
                PW,
                "ventes@ancien-nom.fr",
                "pmartin@votredomaine.com",
            ],
        );
        assert_eq!(r["auth"][0], 235, "{label}: {r}");
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        assert!(r["error"].is_null(), "{label}: {r}");
        // A name is a domain or an alias, never both.
        let out = db.cli(&["domain", "add", "ancien-nom.fr"]);
        assert!(!out.status.success(), "{label}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("another name of the domain"),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = db.cli(&[
            "domain",
            "alias",
            "votredomaine.com",
            "--of",
            "votredomaine.com",
        ]);
        assert!(!out.status.success(), "{label}");
        // Listed: the command line, the webmaster's page, the DNS page with its own
        // records and zone file.
        let list = cli_ok(&db, &["domain", "list"]);
        assert!(list.contains("also ancien-nom.fr"), "{label}: {list}");
        let page = curl(
            &pm,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin")],
        );
        assert!(page.body.contains("@ancien-nom.fr"), "{label}");
        let dns: serde_json::Value =
            serde_json::from_str(&call_ok(&server, &pm, "dns/domain", &[])).unwrap();
        let alias = &dns["aliases"][0];
        assert_eq!(alias["name"], "ancien-nom.fr", "{label}: {dns}");
        let names: Vec<&str> = alias["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"ancien-nom.fr."), "{label}: {names:?}");
        assert!(
            names.contains(&"_dmarc.ancien-nom.fr."),
            "{label}: {names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n.ends_with("._domainkey.ancien-nom.fr.")),
            "{label}: {names:?}"
        );
        let zone = db.dir.0.join("ancien.zone");
        assert_eq!(
            download(&pm, &server.url("/dns-zone/ancien-nom.fr"), &zone),
            200,
            "{label}"
        );
        let text = std::fs::read_to_string(&zone).unwrap();
        assert!(text.contains("$ORIGIN ancien-nom.fr."), "{label}: {text}");
        assert!(text.contains("ancien-nom.fr. IN MX"), "{label}: {text}");

        // The server admin takes it back from the web (and adds another): audited.
        let (admin, admin_pw) = server.admin.clone().unwrap();
        let adm = db.dir.0.join("adm");
        sign_in(&server, &adm, &admin, &admin_pw);
        let r = call(
            &server,
            &pm,
            "admin/domain_alias_delete",
            &[("alias", "ancien-nom.fr")],
        );
        assert_ne!(r.status, 200, "{label}: a webmaster may not");
        call_ok(
            &server,
            &adm,
            "admin/domain_alias_delete",
            &[("alias", "ancien-nom.fr")],
        );
        assert!(
            !rcpts(&server, &["cdupont@ancien-nom.fr"]).contains(&"250".to_string()),
            "{label}: a foreign name again"
        );
        let body = call_ok(
            &server,
            &adm,
            "admin/domain_alias_add",
            &[("name", "votredomaine.com"), ("alias", "nouveau-nom.fr")],
        );
        assert_eq!(body.trim(), "null", "{label}: {body}");
        assert_eq!(
            rcpts(&server, &["cdupont@nouveau-nom.fr"]),
            ["250"],
            "{label}"
        );
        let settings = curl(
            &adm,
            &[
                "-H",
                "Accept-Language: en",
                &server.url("/admin/domain/votredomaine.com"),
            ],
        );
        assert!(settings.body.contains("nouveau-nom.fr"), "{label}");
        let log = curl(
            &pm,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin/log")],
        );
        assert!(log.body.contains("Autre nom ajouté"), "{label}");
        assert!(log.body.contains("Autre nom retiré"), "{label}");
        drop(server);
    }
}

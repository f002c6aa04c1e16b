//! `/personal` over HTTP with curl, on both databases: the user's own page (addresses, usage,
//! the last messages received, the last collection), and changing one's own password — the
//! current one first, the new one twice, other sessions and the old password ended at once.

mod common;

use common::*;

const PASSWORD: &str = "Un-Mot-De-Passe-2026";

#[tokio::test]
async fn a_user_helps_themselves() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        let (admin, admin_pw) = server.admin.clone().unwrap();
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let (jar, other, adm) = (
            db.dir.0.join("cd"),
            db.dir.0.join("cd2"),
            db.dir.0.join("adm"),
        );
        let r = sign_in(&server, &jar, "cdupont@votredomaine.com", PASSWORD);
        assert_eq!(
            r.header("location"),
            Some("/personal"),
            "{label}: users land on /personal"
        );
        sign_in(&server, &other, "cdupont", PASSWORD);
        sign_in(&server, &adm, &admin, &admin_pw);

        deliver_file(
            &server,
            &db.dir.0,
            "hello.eml",
            "ventes@votredomaine.com",
            "From: a@sender.example\r\nSubject: Devis pour le salon\r\n\r\nBonjour.\r\n",
        );
        let page = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/personal")],
        );
        assert_eq!(page.status, 200, "{label}");
        for seen in [
            "cdupont@votredomaine.com",
            "ventes@votredomaine.com",
            "Devis pour le salon",
            "d@sender.example",
            "1 message en attente",
            "jamais été relevé",
        ] {
            assert!(page.body.contains(seen), "{label}: {seen}");
        }
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(pop["ok"], true, "{label}");
        let page = curl(
            &jar,
            &["-H", "Accept-Language: en", &server.url("/personal")],
        );
        assert!(page.body.contains("Last collected:"), "{label}");
        let v: serde_json::Value =
            serde_json::from_str(&call(&server, &jar, "personal/overview", &[]).body).unwrap();
        assert_eq!(v["messages"], 1);
        assert_eq!(v["recent"][0]["subject"], "Devis pour le salon");

        // The responder, and who it answered.
        let body = db.dir.0.join("away.txt");
        std::fs::write(&body, "Absente jusqu'à lundi.").unwrap();
        responder_on(&db, "cdupont", body.to_str().unwrap());
        deliver_file(
            &server,
            &db.dir.0,
            "to-me.eml",
            "cdupont@votredomaine.com",
            "From: d@sender.example\r\nTo: cdupont@votredomaine.com\r\nSubject: Rendez-vous\r\n\r\nDemain ?\r\n",
        );
        let v: serde_json::Value =
            serde_json::from_str(&call(&server, &jar, "mailbox/mine", &[]).body).unwrap();
        assert_eq!(v["answered"][0][0], "d@sender.example", "{label}: {v}");
        let page = curl(
            &jar,
            &["-H", "Accept-Language: en", &server.url("/personal")],
        );
        let (_, answered) = page.body.split_once("Already answered").expect("the log");
        assert!(answered.contains("d@sender.example"), "{label}");

        // Not for the server admin, who has no mailbox.
        let r = call(&server, &adm, "personal/overview", &[]);
        assert_ne!(r.status, 200, "{label}");
        let page = curl(
            &adm,
            &["-H", "Accept-Language: en", &server.url("/personal")],
        );
        assert!(page.body.contains("Access denied"), "{label}");

        // The password: current first, the new one twice, by the rules.
        let change = |current: &str, new: &str, confirm: &str| {
            call(
                &server,
                &jar,
                "personal/password",
                &[
                    ("current", current),
                    ("new_password", new),
                    ("confirm", confirm),
                ],
            )
            .body
        };
        let new_pw = "Claire-Nouveau-Secret";
        assert!(
            change("wrong", new_pw, new_pw).contains("[current]"),
            "{label}"
        );
        assert!(
            change(PASSWORD, new_pw, "different").contains("[confirm]"),
            "{label}"
        );
        assert!(
            change(PASSWORD, "court", "court").contains("[new_password]"),
            "{label}"
        );
        assert_eq!(change(PASSWORD, new_pw, new_pw).trim(), "null", "{label}");
        // This session carries on; the other one is over; the old password no longer works.
        assert_eq!(
            curl(&jar, &[&server.url("/personal")]).status,
            200,
            "{label}"
        );
        let gone = curl(&other, &[&server.url("/personal")]);
        assert!(
            gone.body.contains("/login") || gone.status == 302,
            "{label}: other session ended"
        );
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(pop["ok"], false, "{label}");
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", new_pw]);
        assert_eq!(pop["ok"], true, "{label}");
        assert!(server.stop().success());
    }
}

/// The quota warning: mailed once when the mailbox reaches 80 %, once more at 95 %, in the
/// user's mailbox itself, from the domain's postmaster, marked auto-generated.
#[tokio::test]
async fn quota_warnings_are_mailed_once_per_level() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        add_votredomaine(&db);
        add_cdupont(&db, &["--quota", "1"]);
        set_password(&db, "cdupont", PASSWORD);
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);
        let subjects = || -> Vec<String> {
            let v: serde_json::Value =
                serde_json::from_str(&call(&server, &jar, "personal/overview", &[]).body).unwrap();
            v["recent"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["subject"].as_str().unwrap().to_string())
                .collect()
        };
        let send = |name: &str, bytes: usize| {
            let body = "x".repeat(98) + "\r\n";
            let text = format!(
                "From: a@sender.example\r\nSubject: {name}\r\n\r\n{}",
                body.repeat(bytes / 100)
            );
            deliver_file(&server, &db.dir.0, name, "cdupont@votredomaine.com", &text);
        };
        send("first", 860_000); // 82 % of 1 MiB
        let warned = |s: &[String], pct: &str| {
            s.iter()
                .filter(|x| {
                    x.starts_with("Votre boîte aux lettres est pleine à") && x.contains(pct)
                })
                .count()
        };
        let s = subjects();
        assert_eq!(s.len(), 2, "{label}: {s:?}");
        assert_eq!(warned(&s, "82 %"), 1, "{label}: {s:?}");
        send("second", 5_000); // still 80 %: no second warning
        assert_eq!(subjects().len(), 3, "{label}");
        send("third", 135_000); // 95 %
        let s = subjects();
        assert_eq!(s.len(), 5, "{label}: {s:?}");
        assert_eq!(warned(&s, "%"), 2, "{label}: {s:?}");
        let pop = pop3_client(&server.pop3, "read", &["cdupont", PASSWORD, "plain"]);
        let tops = pop["tops"].to_string();
        assert!(tops.contains("Auto-Submitted: auto-generated"), "{label}");
        assert!(tops.contains("postmaster@votredomaine.com"), "{label}");
        assert!(server.stop().success());
    }
}

/// The connection settings page (with its QR code) and the live help: the general answers for
/// anyone, the person's own when signed in, with what DNS says about their domain — from a
/// DNS server on loopback, then, once it is gone, the plain admission that DNS cannot be asked.
#[tokio::test]
async fn settings_page_and_live_help() {
    use std::io::BufRead;
    for db in databases().await {
        let label = db.label;
        let mut dns = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/clients/dns_server.py"
            ))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(dns.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: serde_json::Value = serde_json::from_str(&line).unwrap();
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "public_url = \"https://mail.votredomaine.com/\"\n\
                 [dns]\nnameserver = \"127.0.0.1:{}\"\n",
                port["port"]
            ),
        )
        .unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);
        let page = |path: &str, jar: &std::path::Path| {
            let r = curl(jar, &["-H", "Accept-Language: en", &server.url(path)]);
            assert_eq!(r.status, 200, "{label} {path}");
            r.body
        };

        let settings = page("/personal/settings", &jar);
        for seen in [
            "votredomaine.com",
            "995 with SSL/TLS, or 110 with STARTTLS",
            "<code>cdupont</code>",
            "<svg",
            "https://mail.votredomaine.com/personal/settings</a>",
            "/personal/mobileconfig",
        ] {
            assert!(
                settings.contains(seen),
                "{label}: settings page lacks {seen}"
            );
        }

        let anonymous = page("/help", &db.dir.0.join("nobody"));
        assert!(anonymous.contains("Sign in to read answers"), "{label}");
        assert!(
            !anonymous.contains("192.0.2.10"),
            "{label}: no lookups for strangers"
        );

        let help = page("/help", &jar);
        for seen in [
            "cdupont@votredomaine.com",
            "Mail servers (MX) of votredomaine.com: mail.votredomaine.com.",
            "Addresses (A) of votredomaine.com: 192.0.2.10.",
            // The DNS page's own check: the MX leads elsewhere than this host.
            "Receiving mail (MX): different — found 10 mail.votredomaine.com, expected votredomaine.com. MX 10 ",
            "No forward: the server keeps your mail",
            "Your aliases: ventes@votredomaine.com.",
            "No mail program has collected this mailbox yet",
        ] {
            assert!(help.contains(seen), "{label}: help lacks {seen}");
        }
        cli_ok(
            &db,
            &["user", "forward", "cdupont", "--to", "claire@example.net"],
        );
        let help = page("/help", &jar);
        assert!(
            help.contains("forwarded to claire@example.net and the server keeps none of it"),
            "{label}"
        );

        // DNS gone: said plainly.
        let _ = dns.kill();
        let _ = dns.wait();
        let help = page("/help", &jar);
        assert!(help.contains("The server could not ask DNS"), "{label}");
        assert!(server.stop().success());
    }
}

/// The mailbox user's password form refused without JavaScript: the wrong current password,
/// the rule the new one breaks and the second entry that differs, all at once, in the reader's
/// language.
#[tokio::test]
async fn the_password_form_refuses_everything_at_once_in_the_readers_language() {
    let db = Db::sqlite();
    let (server, jar) = cdupont_signed_in(&db, PASSWORD);
    for lang in ["fr", "en"] {
        let shown = refusals_shown(
            &server,
            &jar,
            lang,
            "/personal",
            "personal/password",
            &[
                ("current", "pas le bon"),
                ("new_password", "court"),
                ("confirm", "autre"),
            ],
        );
        assert_eq!(shown.len(), 3, "{lang}: {shown:?}");
    }
    // Nothing changed: the password still opens the mailbox.
    let again = db.dir.0.join("again");
    sign_in(&server, &again, "cdupont", PASSWORD);
    assert!(server.stop().success());
}

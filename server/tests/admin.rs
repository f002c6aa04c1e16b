//! The host's portal over HTTP with curl, on both databases: only the server admin may use
//! any of its functions; domains (added with their webmaster's password shown once, the
//! settings style, deleted after confirmation), relay grants, the queue and the log work as
//! plain forms and as calls.

mod common;

use common::*;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Un-Mot-De-Passe-2026";

fn post(
    server: &Server,
    jar: &std::path::Path,
    endpoint: &str,
    fields: &[(&str, &str)],
    json: bool,
) -> Curl {
    let mut args = vec!["-X".to_string(), "POST".into()];
    if json {
        args.extend(["-H".to_string(), "Accept: application/json".to_string()]);
    } else {
        args.extend([
            "-H".to_string(),
            format!("Referer: {}", server.url("/admin")),
        ]);
    }
    for (k, v) in fields {
        args.push("--data-urlencode".into());
        args.push(format!("{k}={v}"));
    }
    args.push(server.url(&format!("/api/admin/{endpoint}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    curl(jar, &args)
}

#[tokio::test]
async fn the_host_runs_the_server_from_admin() {
    for db in databases().await {
        let label = db.label;
        let config = db.dir.0.join("courrier.toml");
        // Mail for example.net goes to a closed port: it waits in the queue.
        std::fs::write(
            &config,
            "[outbound.routes]\n\"example.net\" = \"127.0.0.1:9\"\n",
        )
        .unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let (admin, admin_pw) = server.admin.clone().unwrap();
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "pmartin", PASSWORD);
        set_password(&db, "cdupont", PASSWORD);
        let dir = &db.dir.0;
        let (adm, pm, cd, anon) = (
            dir.join("adm"),
            dir.join("pm"),
            dir.join("cd"),
            dir.join("anon"),
        );
        sign_in(&server, &adm, &admin, &admin_pw);
        sign_in(&server, &pm, "pmartin", PASSWORD);
        sign_in(&server, &cd, "cdupont", PASSWORD);

        // Nobody but the admin: each refused, nothing changed.
        let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("domains", vec![]),
            (
                "domain_add",
                vec![
                    ("name", "pirate.example"),
                    ("first_name", "Jean"),
                    ("last_name", "Bart"),
                    ("style", "cobalt"),
                ],
            ),
            (
                "domain_style",
                vec![("name", "votredomaine.com"), ("style", "antivirus")],
            ),
            (
                "domain_delete",
                vec![("name", "votredomaine.com"), ("everything", "on")],
            ),
            ("grants", vec![]),
            (
                "grant_add",
                vec![
                    ("network", "0.0.0.0/0"),
                    ("domain", "votredomaine.com"),
                    ("note", ""),
                    ("expires", ""),
                    ("cap", ""),
                ],
            ),
            ("grant_revoke", vec![("id", "1")]),
            ("queue", vec![]),
            ("queue_act", vec![("id", "1"), ("act", "delete")]),
            ("log", vec![]),
        ];
        for jar in [&pm, &cd, &anon] {
            for (endpoint, fields) in &calls {
                let r = post(&server, jar, endpoint, fields, true);
                assert_ne!(r.status, 200, "{label}: {endpoint} by {jar:?}: {}", r.body);
            }
        }
        let domains = cli_ok(&db, &["domain", "list", "--json"]);
        assert!(
            !domains.contains("pirate.example") && domains.contains("votredomaine.com"),
            "{label}"
        );
        assert!(
            cli_ok(&db, &["relay", "list", "--json"]).trim() == "[]",
            "{label}"
        );

        // The admin's pages render as plain HTML.
        for path in [
            "/admin",
            "/admin/relay",
            "/admin/queue",
            "/admin/log",
            "/admin/domain/votredomaine.com/delete",
        ] {
            let page = curl(&adm, &["-H", "Accept-Language: fr", &server.url(path)]);
            assert_eq!(page.status, 200, "{label}: {path}");
            assert!(page.body.contains("Domaines"), "{label}: {path}");
        }

        // A new domain with its webmaster, as a plain form: the password is shown once.
        let r = post(
            &server,
            &adm,
            "domain_add",
            &[
                ("name", "Atelier-Dupuis.FR"),
                ("first_name", "Anne"),
                ("last_name", "Dupuis"),
                ("style", "antivirus"),
            ],
            false,
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(
            r.header("location"),
            Some("/siteadmin/welcome/adupuis?domain=atelier-dupuis.fr")
        );
        let sheet = curl(
            &adm,
            &[&server.url("/siteadmin/welcome/adupuis?domain=atelier-dupuis.fr")],
        );
        let wm_pw = shown_password(&sheet.body).expect("password shown");
        assert!(
            sheet.body.contains("mail.atelier-dupuis.fr"),
            "{label}: the anti-virus style"
        );
        assert!(sheet.body.contains("adupuis@atelier-dupuis.fr"), "{label}");
        let pop = pop3_client(
            &server.pop3,
            "plain_auth",
            &["adupuis@atelier-dupuis.fr", &wm_pw],
        );
        assert_eq!(pop["ok"], true, "{label}: {pop}");
        let taken = post(
            &server,
            &adm,
            "domain_add",
            &[
                ("name", "atelier-dupuis.fr"),
                ("first_name", "X"),
                ("last_name", "Y"),
                ("style", "cobalt"),
            ],
            true,
        );
        assert!(taken.body.contains("[name]"), "{label}: {}", taken.body);
        let generic = post(
            &server,
            &adm,
            "domain_add",
            &[
                ("name", "autre.fr"),
                ("first_name", ""),
                ("last_name", "Webmaster"),
                ("style", "cobalt"),
            ],
            true,
        );
        assert!(
            generic.body.contains("[webmaster]"),
            "{label}: {}",
            generic.body
        );
        assert_eq!(
            post(
                &server,
                &adm,
                "domain_style",
                &[("name", "atelier-dupuis.fr"), ("style", "cobalt")],
                true
            )
            .body
            .trim(),
            "null"
        );
        let list: serde_json::Value =
            serde_json::from_str(&post(&server, &adm, "domains", &[], true).body).unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["atelier-dupuis.fr", "votredomaine.com"], "{label}");
        assert_eq!(list[0]["style"], "cobalt");

        // A relay grant, used by the customer, then revoked; the queue shows the message.
        let g = post(
            &server,
            &adm,
            "grant_add",
            &[
                ("network", "127.0.0.7"),
                ("domain", "votredomaine.com"),
                ("note", "bureau"),
                ("expires", "2099-12-31"),
                ("cap", "10"),
            ],
            true,
        );
        assert_eq!(g.body.trim(), "null", "{label}: {}", g.body);
        let bad = post(
            &server,
            &adm,
            "grant_add",
            &[
                ("network", "not an ip"),
                ("domain", "votredomaine.com"),
                ("note", ""),
                ("expires", ""),
                ("cap", ""),
            ],
            true,
        );
        assert!(bad.body.contains("[network]"), "{label}: {}", bad.body);
        let r = smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some("pmartin@votredomaine.com"),
            "send",
            &["ami@example.net"],
        );
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let start = Instant::now();
        let queued = loop {
            let q: serde_json::Value =
                serde_json::from_str(&post(&server, &adm, "queue", &[], true).body).unwrap();
            let row = q
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["rcpt_to"] == "ami@example.net")
                .cloned();
            if let Some(m) = row.filter(|m| m["attempts"] == 1 && m["status"] == "queued") {
                break m;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "{label}: {q}");
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(
            !queued["last_answer"].as_str().unwrap().is_empty(),
            "{label}"
        );
        let page = curl(
            &adm,
            &["-H", "Accept-Language: fr", &server.url("/admin/queue")],
        );
        assert!(
            page.body.contains("ami@example.net") && page.body.contains("en attente"),
            "{label}"
        );
        // The last answer in the reader's words: courrier's own English stays off the
        // French page ("I/O error", "Connection refused").
        assert!(
            page.body.contains("est injoignable")
                && !page.body.contains("I/O error")
                && !page.body.to_lowercase().contains("connection refused"),
            "{label}: {}",
            queued["last_answer"]
        );
        let id = queued["id"].to_string();
        // Deleting asks first: unconfirmed, nothing is deleted.
        let ask = post(
            &server,
            &adm,
            "queue_act",
            &[("id", &id), ("act", "delete")],
            true,
        );
        assert!(ask.body.contains("[confirmed]"), "{label}: {}", ask.body);
        let del = post(
            &server,
            &adm,
            "queue_act",
            &[("id", &id), ("act", "delete"), ("confirmed", "yes")],
            true,
        );
        assert_eq!(del.body.trim(), "null", "{label}: {}", del.body);
        let again = post(
            &server,
            &adm,
            "queue_act",
            &[("id", &id), ("act", "delete"), ("confirmed", "yes")],
            true,
        );
        assert!(again.body.contains("[queue]"), "{label}: {}", again.body);
        let grants: serde_json::Value =
            serde_json::from_str(&post(&server, &adm, "grants", &[], true).body).unwrap();
        let gid = grants[0]["id"].to_string();
        assert_eq!(
            post(
                &server,
                &adm,
                "grant_revoke",
                &[("id", &gid), ("confirmed", "yes")],
                true
            )
            .body
            .trim(),
            "null"
        );
        let r = smtp_client_as(
            &server,
            Some("127.0.0.7"),
            Some("pmartin@votredomaine.com"),
            "send",
            &["ami@example.net"],
        );
        assert_eq!(
            r["refused"]["ami@example.net"][0], 554,
            "{label}: revoked: {r}"
        );

        // The server-wide log has all of it.
        let log = curl(
            &adm,
            &["-H", "Accept-Language: fr", &server.url("/admin/log")],
        );
        for seen in [
            "Domaine ajouté",
            "atelier-dupuis.fr",
            "Relais ouvert",
            "Relais fermé",
            "Message relayé",
        ] {
            assert!(log.body.contains(seen), "{label}: {seen}");
        }

        // Deleting a domain with mailboxes needs the confirmation.
        let r = post(
            &server,
            &adm,
            "domain_delete",
            &[("name", "atelier-dupuis.fr")],
            true,
        );
        assert!(r.body.contains("[everything]"), "{label}: {}", r.body);
        let r = post(
            &server,
            &adm,
            "domain_delete",
            &[("name", "atelier-dupuis.fr"), ("everything", "on")],
            false,
        );
        assert_eq!(r.header("location"), Some("/admin"), "{label}");
        let pop = pop3_client(&server.pop3, "plain_auth", &["adupuis", &wm_pw]);
        assert_eq!(pop["ok"], false, "{label}: gone");
        assert!(server.stop().success());
    }
}

/// The host's forms refused as a browser without JavaScript sends them: every refusal at once,
/// next to its field, in the reader's language.
#[tokio::test]
async fn the_hosts_refusals_speak_the_readers_language() {
    let db = Db::sqlite();
    let server = Server::start(&db);
    let (admin, admin_pw) = server.admin.clone().unwrap();
    let jar = db.dir.0.join("adm");
    sign_in(&server, &jar, &admin, &admin_pw);
    for lang in ["fr", "en"] {
        let domain = refusals_shown(
            &server,
            &jar,
            lang,
            "/admin",
            "admin/domain_add",
            &[
                ("name", "pas un domaine"),
                ("first_name", ""),
                ("last_name", ""),
                ("style", "cobalt"),
            ],
        );
        assert_eq!(
            domain.len(),
            2,
            "{lang}: the name and the webmaster {domain:?}"
        );
        let grant = refusals_shown(
            &server,
            &jar,
            lang,
            "/admin/relay",
            "admin/grant_add",
            &[
                ("network", "le bureau"),
                ("domain", ""),
                ("note", ""),
                ("expires", "demain"),
                ("cap", "beaucoup"),
            ],
        );
        assert_eq!(grant.len(), 3, "{lang}: network, expiry, cap {grant:?}");
    }
    assert!(server.stop().success());
}

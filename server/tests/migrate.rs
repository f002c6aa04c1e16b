//! `courrier migrate --to postgres://…` (issue 18, item 3) against the real binary: a SQLite
//! installation with users, aliases, mail, a waiting outbound message, the change log, web
//! sign-ins and a backup is copied into an empty PostgreSQL database and verified; then a
//! server on PostgreSQL serves it: POP3 reads the same mail, the web signs in, an alias
//! still delivers, the queue still holds its message. A running source, a non-empty target
//! and `--dry-run` (which copies nothing) are tested too.

mod common;

use common::*;

const PW: &str = "Claire-Pass-2026";

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn a_sqlite_installation_moves_to_postgres_with_one_command() {
    let Some(pg) = databases().await.into_iter().find(|d| d.url.is_some()) else {
        return; // PostgreSQL not configured here (the test command always configures it)
    };
    let to = pg.url.clone().unwrap();
    let db = Db::sqlite();
    add_votredomaine(&db);
    add_cdupont(&db, &[]);
    set_password(&db, "cdupont", PW);
    allow_office(&db, "127.0.0.2");
    let out = db.cli(&["alias", "add", "cdupont", "info"]);
    assert!(out.status.success(), "{}", said(&out));
    // A route that nobody answers: the relayed message waits in the queue.
    let config = db.dir.0.join("routes.toml");
    std::fs::write(
        &config,
        "[outbound.routes]\n\"example.net\" = \"127.0.0.1:9\"\n",
    )
    .unwrap();
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    for rcpt in [
        "cdupont@votredomaine.com",
        "ventes@votredomaine.com",
        "info@votredomaine.com",
    ] {
        let r = smtp_client(&server, "send", &[rcpt]);
        assert!(
            r["refused"].as_object().is_some_and(|m| m.is_empty()),
            "{r}"
        );
    }
    let r = smtp_client_as(
        &server,
        Some("127.0.0.2"),
        Some("cdupont@votredomaine.com"),
        "send",
        &["client@example.net"],
    );
    assert!(
        r["refused"].as_object().is_some_and(|m| m.is_empty()),
        "{r}"
    );
    let jar = db.dir.0.join("cd.jar");
    sign_in(&server, &jar, "cdupont", PW);
    let made = call(&server, &jar, "backups/make", &[("login", "")]);
    assert_eq!(made.status, 200, "{}", made.body);

    // While it runs: refused, nothing copied.
    let out = db.cli(&["migrate", "--to", &to]);
    assert!(!out.status.success());
    assert!(said(&out).contains("is running"), "{}", said(&out));
    assert!(server.stop().success());

    // --dry-run: what would go, and nothing goes.
    let out = db.cli(&["migrate", "--to", &to, "--dry-run"]);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("nothing copied (--dry-run)"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("would  messages") && l.trim_end().ends_with("3 rows")),
        "{text}"
    );

    // The move.
    let out = db.cli(&["migrate", "--to", &to]);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("ok     verified:"), "{text}");
    for table in [
        "accounts",
        "aliases",
        "messages",
        "outbound_queue",
        "audit_log",
        "backups",
        "sign_ins",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("copied {table} "))
                    && !l.trim_end().ends_with(" 0 rows")),
            "{table}: {text}"
        );
    }
    // Once there, never twice.
    let out = db.cli(&["migrate", "--to", &to]);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("already holds courrier data"),
        "{}",
        said(&out)
    );

    // Served from PostgreSQL: the same mail, the same password, the same addresses.
    let server = Server::start(&pg);
    let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", PW]);
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["stat"][0], 3, "{r}");
    let tops = pop3_tops(&server.pop3, "cdupont", PW, &[]);
    assert_eq!(tops.len(), 3);
    let jar = pg.dir.0.join("cd.jar");
    sign_in(&server, &jar, "cdupont", PW);
    let r = smtp_client(&server, "send", &["info@votredomaine.com"]);
    assert!(
        r["refused"].as_object().is_some_and(|m| m.is_empty()),
        "{r}"
    );
    let r = pop3_client(&server.pop3, "plain_auth", &["cdupont", PW]);
    assert_eq!(r["stat"][0], 4, "{r}");
    let queued = cli_ok(&pg, &["queue", "list"]);
    assert!(queued.contains("client@example.net"), "{queued}");
    let list = call(&server, &jar, "backups/list", &[("login", "")]);
    assert!(list.body.contains("\"id\""), "{}", list.body);
    assert!(server.stop().success());

    // Not SQLite, not PostgreSQL: said in words.
    let out = pg.cli(&["migrate", "--to", &to]);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("migrate copies a SQLite one"),
        "{}",
        said(&out)
    );
    let out = db.cli(&["migrate", "--to", "mysql://x@y/z"]);
    assert!(!out.status.success());
}

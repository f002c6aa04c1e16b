//! The filter stage with the real scanners (issue 14): ClamAV's clamd on a private socket and
//! rspamd on loopback, both Debian's, started by the test command (`.ci/clamd`, `.ci/rspamd`)
//! which exports `COURRIER_TEST_CLAMD` (the socket) and `COURRIER_TEST_RSPAMD` (the URL).
//! Messages come in over SMTP with Python's smtplib and are read back over POP3 with poplib.

mod common;

use common::*;

const PASSWORD: &str = "Un-Mot-De-Passe-2026";
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

fn scanner(var: &str, script: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: the test command starts the scanner (.ci/{script} start DIR)")
    })
}

/// A server whose configuration is `config` (TOML), with votredomaine.com and Claire Dupont.
fn serve(db: &Db, config: &str) -> Server {
    add_votredomaine(db);
    add_cdupont(db, &[]);
    set_password(db, "cdupont", PASSWORD);
    let path = db.dir.0.join("courrier.toml");
    std::fs::write(&path, config).unwrap();
    Server::start_with(db, &["--config", path.to_str().unwrap()])
}

/// Sends `message` to `rcpt` over SMTP; returns the server's last answer line.
fn send(server: &Server, db: &Db, rcpt: &str, message: &str) -> String {
    let path = db.dir.0.join(format!("m{}.eml", app::auth::random_hex(4)));
    std::fs::write(&path, message).unwrap();
    let r = smtp_client(server, "deliver-file", &[rcpt, path.to_str().unwrap()]);
    let answer = r["answer"].as_str().unwrap();
    answer.trim_end().lines().last().unwrap().to_string()
}

/// The header lines of every message of `login`'s mailbox, over POP3.
fn headers_over_pop3(server: &Server, login: &str) -> Vec<Vec<String>> {
    pop3_tops(&server.pop3, login, PASSWORD, &[])
}

fn with_attachment(bytes: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "From: alice@sender.example\r\nSubject: Facture\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n\
         Content-Type: text/plain\r\n\r\nLa facture est jointe.\r\n--XX\r\n\
         Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"facture.com\"\r\n\r\n{b64}\r\n--XX--\r\n"
    )
}

#[tokio::test]
async fn viruses_are_refused_in_the_dialogue() {
    let db = Db::sqlite();
    let clamd = scanner("COURRIER_TEST_CLAMD", "clamd");
    let server = serve(&db, &format!("[antivirus]\nclamd = \"{clamd}\"\n"));
    let raw = format!("From: alice@sender.example\r\nSubject: Salut\r\n\r\n{EICAR}\r\n");
    let answer = send(&server, &db, "cdupont@votredomaine.com", &raw);
    assert!(
        answer.starts_with("554 5.7.0 Virus found: Eicar-Test-Signature"),
        "{answer}"
    );
    let answer = send(
        &server,
        &db,
        "ventes@votredomaine.com",
        &with_attachment(EICAR),
    );
    assert!(
        answer.starts_with("554 5.7.0 Virus found: Eicar-Test-Signature"),
        "{answer}"
    );
    let clean = with_attachment("Bonjour, voici la facture.");
    let answer = send(&server, &db, "cdupont@votredomaine.com", &clean);
    assert!(answer.starts_with("250 "), "{answer}");
    // Only the clean one is in the mailbox, saying it was scanned.
    let tops = headers_over_pop3(&server, "cdupont");
    assert_eq!(tops.len(), 1, "{tops:?}");
    assert!(
        tops[0].contains(&"X-Virus-Scan: clean (ClamAV)".to_string()),
        "{tops:?}"
    );
    assert!(server.stop().success());
}

#[tokio::test]
async fn a_scanner_that_does_not_answer_defers_or_is_noted() {
    let db = Db::sqlite();
    // Nothing listens on this socket: clamd stopped.
    let gone = db.dir.0.join("stopped-clamd.sock");
    let server = serve(
        &db,
        &format!("[antivirus]\nclamd = \"{}\"\n", gone.display()),
    );
    let raw = "From: alice@sender.example\r\nSubject: Salut\r\n\r\nBonjour\r\n";
    let answer = send(&server, &db, "cdupont@votredomaine.com", raw);
    assert!(answer.starts_with("451 4.7.0"), "{answer}");
    assert!(headers_over_pop3(&server, "cdupont").is_empty());
    assert!(server.stop().success());

    // The host may prefer mail unscanned to mail held back.
    let db = Db::sqlite();
    let server = serve(
        &db,
        &format!(
            "[antivirus]\nclamd = \"{}\"\non_failure = \"accept\"\n",
            gone.display()
        ),
    );
    let answer = send(&server, &db, "cdupont@votredomaine.com", raw);
    assert!(answer.starts_with("250 "), "{answer}");
    let tops = headers_over_pop3(&server, "cdupont");
    assert!(
        tops[0].contains(&"X-Virus-Scan: unavailable".to_string()),
        "{tops:?}"
    );
    assert!(server.stop().success());
}

#[tokio::test]
async fn spam_is_refused_held_back_or_marked() {
    let db = Db::sqlite();
    let rspamd = scanner("COURRIER_TEST_RSPAMD", "rspamd");
    let clamd = scanner("COURRIER_TEST_CLAMD", "clamd");
    let server = serve(
        &db,
        &format!("[antivirus]\nclamd = \"{clamd}\"\n[antispam]\nrspamd = \"{rspamd}\"\n"),
    );
    let gtube = format!("From: alice@sender.example\r\nSubject: Offre\r\n\r\n{GTUBE}\r\n");
    let answer = send(&server, &db, "cdupont@votredomaine.com", &gtube);
    assert!(
        answer.starts_with("550 5.7.1 Message refused as spam"),
        "{answer}"
    );
    let later = "From: alice@sender.example\r\nSubject: COURRIER-TEST-LATER\r\n\r\nx\r\n";
    let answer = send(&server, &db, "cdupont@votredomaine.com", later);
    assert!(answer.starts_with("451 4.7.1"), "{answer}");
    let junk = "From: alice@sender.example\r\nSubject: COURRIER-TEST-JUNK promo\r\n\r\nx\r\n";
    let answer = send(&server, &db, "cdupont@votredomaine.com", junk);
    assert!(answer.starts_with("250 "), "{answer}");
    let plain = "From: alice@sender.example\r\nSubject: Déjeuner\r\n\r\nDemain ?\r\n";
    let answer = send(&server, &db, "cdupont@votredomaine.com", plain);
    assert!(answer.starts_with("250 "), "{answer}");
    let tops = headers_over_pop3(&server, "cdupont");
    assert_eq!(tops.len(), 2, "{tops:?}");
    // Marked the default way: [SPAM] before the subject, and the scores in headers.
    let marked = &tops[0];
    assert!(
        marked.contains(&"Subject: [SPAM] COURRIER-TEST-JUNK promo".to_string()),
        "{marked:?}"
    );
    assert!(
        marked.iter().any(|l| l.starts_with("X-Spam: yes (")),
        "{marked:?}"
    );
    assert!(
        marked
            .iter()
            .any(|l| l.starts_with("X-Spam-Status: Yes,") && l.contains("add header")),
        "{marked:?}"
    );
    let clean = &tops[1];
    assert!(
        clean.contains(&"Subject: Déjeuner".to_string()),
        "{clean:?}"
    );
    assert!(
        clean.iter().any(|l| l.starts_with("X-Spam-Status: No,")),
        "{clean:?}"
    );
    assert!(!clean.iter().any(|l| l.starts_with("X-Spam:")), "{clean:?}");
    assert!(server.stop().success());
}

/// What reaches a local mailbox from the queue (here a forward to a colleague) passes the same
/// stage: junk forwarded from cdupont arrives marked for pmartin too.
#[tokio::test]
async fn mail_from_the_queue_to_a_local_mailbox_is_checked_too() {
    let db = Db::sqlite();
    let rspamd = scanner("COURRIER_TEST_RSPAMD", "rspamd");
    let server = serve(&db, &format!("[antispam]\nrspamd = \"{rspamd}\"\n"));
    set_password(&db, "pmartin", PASSWORD);
    cli_ok(
        &db,
        &[
            "user",
            "forward",
            "cdupont",
            "--to",
            "pmartin@votredomaine.com",
        ],
    );
    let junk = "From: alice@sender.example\r\nSubject: COURRIER-TEST-JUNK promo\r\n\r\nx\r\n";
    let answer = send(&server, &db, "cdupont@votredomaine.com", junk);
    assert!(answer.starts_with("250 "), "{answer}");
    let start = std::time::Instant::now();
    let tops = loop {
        let tops = headers_over_pop3(&server, "pmartin");
        if !tops.is_empty() {
            break tops;
        }
        assert!(start.elapsed().as_secs() < 30, "the forward did not arrive");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(
        tops[0].contains(&"Subject: [SPAM] COURRIER-TEST-JUNK promo".to_string()),
        "{tops:?}"
    );
    assert!(server.stop().success());
}

/// Each domain decides (refuse, mark only, off), each user how junk is marked, and both see
/// what was refused or marked: the user their own in /personal, the webmaster their domain's
/// in /siteadmin/filter (not another domain's), the host everything with `courrier filter log`.
/// On both databases.
#[tokio::test]
async fn each_domain_decides_and_everyone_sees_what_was_refused() {
    let rspamd = scanner("COURRIER_TEST_RSPAMD", "rspamd");
    let clamd = scanner("COURRIER_TEST_CLAMD", "clamd");
    for db in databases().await {
        let label = db.label;
        let server = serve(
            &db,
            &format!("[antivirus]\nclamd = \"{clamd}\"\n[antispam]\nrspamd = \"{rspamd}\"\n"),
        );
        set_password(&db, "pmartin", PASSWORD);
        cli_ok(&db, &["domain", "add", "autredomaine.com"]);
        cli_ok(
            &db,
            &[
                "user",
                "add",
                "autredomaine.com",
                "--first",
                "Jean",
                "--last",
                "Petit",
            ],
        );
        set_password(&db, "jpetit", PASSWORD);
        let shown = cli_ok(
            &db,
            &[
                "domain",
                "filter",
                "autredomaine.com",
                "--filtering",
                "mark",
            ],
        );
        assert_eq!(
            shown.trim(),
            "autredomaine.com: filtering mark, viruses on",
            "{label}"
        );
        let gtube = format!("From: alice@sender.example\r\nSubject: Offre\r\n\r\n{GTUBE}\r\n");
        // Refused for the domain that refuses, marked for the one that only marks.
        let a = send(&server, &db, "cdupont@votredomaine.com", &gtube);
        assert!(a.starts_with("550 5.7.1"), "{label}: {a}");
        let a = send(&server, &db, "jpetit@autredomaine.com", &gtube);
        assert!(a.starts_with("250 "), "{label}: {a}");
        let tops = headers_over_pop3(&server, "jpetit");
        assert!(
            tops[0].contains(&"Subject: [SPAM] Offre".to_string()),
            "{label}: {tops:?}"
        );
        // Viruses are refused even when spam is only marked.
        let raw = format!("From: alice@sender.example\r\nSubject: Salut\r\n\r\n{EICAR}\r\n");
        let a = send(&server, &db, "jpetit@autredomaine.com", &raw);
        assert!(a.starts_with("554 5.7.0"), "{label}: {a}");
        // One transaction, two domains that decided differently: the second comes again.
        let r = smtp_client(
            &server,
            "rcpt",
            &["cdupont@votredomaine.com", "jpetit@autredomaine.com"],
        );
        let answer = r["answer"].as_str().unwrap();
        assert!(answer.contains("452 4.5.3"), "{label}: {answer}");
        // Off: nothing checked but viruses.
        cli_ok(
            &db,
            &["domain", "filter", "autredomaine.com", "--filtering", "off"],
        );
        let a = send(&server, &db, "jpetit@autredomaine.com", &gtube);
        assert!(a.starts_with("250 "), "{label}: {a}");
        let tops = headers_over_pop3(&server, "jpetit");
        assert!(
            tops[1].contains(&"Subject: Offre".to_string()),
            "{label}: {tops:?}"
        );
        // Claire wants junk untouched, with headers only.
        cli_ok(&db, &["user", "junk", "cdupont", "headers"]);
        let junk = "From: alice@sender.example\r\nSubject: COURRIER-TEST-JUNK promo\r\n\r\nx\r\n";
        let a = send(&server, &db, "cdupont@votredomaine.com", junk);
        assert!(a.starts_with("250 "), "{label}: {a}");
        let tops = headers_over_pop3(&server, "cdupont");
        let marked = &tops[0];
        assert!(
            marked.contains(&"Subject: COURRIER-TEST-JUNK promo".to_string())
                && marked.iter().any(|l| l.starts_with("X-Spam: yes")),
            "{label}: {marked:?}"
        );

        // The host's log: everything; by domain.
        let all: serde_json::Value =
            serde_json::from_str(&cli_ok(&db, &["filter", "log", "--json"])).unwrap();
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 4, "{label}: {all:?}");
        let ours: serde_json::Value = serde_json::from_str(&cli_ok(
            &db,
            &["filter", "log", "--domain", "votredomaine.com", "--json"],
        ))
        .unwrap();
        let ours = ours.as_array().unwrap();
        assert_eq!(ours.len(), 2, "{label}: {ours:?}");
        assert_eq!(ours[0]["action"], "junk");
        assert_eq!(ours[1]["action"], "refused");
        assert_eq!(ours[1]["recipient"], "cdupont@votredomaine.com");

        // Claire sees her own, in her language.
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);
        let page = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/personal")],
        );
        assert!(page.body.contains("Refusé"), "{label}");
        assert!(page.body.contains("indésirable (score"), "{label}");
        assert!(!page.body.contains("jpetit@autredomaine.com"), "{label}");
        // The live help's "I do not get my mail" says what was refused.
        let help = curl(&jar, &["-H", "Accept-Language: fr", &server.url("/help")]);
        assert!(
            help.body
                .contains("1 message pour vous a été refusé ces 7 derniers jours"),
            "{label}"
        );
        // She chooses the subject mark again, as a plain form.
        let r = post_form(
            &server,
            &jar,
            "/personal",
            "filter/junk_mode",
            &[("mode", "subject")],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        // The webmaster sees the domain's, and may change its choices; not another domain's.
        let jar = db.dir.0.join("pm");
        sign_in(&server, &jar, "pmartin", PASSWORD);
        let page = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr",
                &server.url("/siteadmin/filter"),
            ],
        );
        assert_eq!(page.status, 200, "{label}");
        assert!(page.body.contains("cdupont@votredomaine.com"), "{label}");
        assert!(!page.body.contains("jpetit@autredomaine.com"), "{label}");
        let r = post_form(
            &server,
            &jar,
            "/siteadmin/filter",
            "filter/domain_set",
            &[("filtering", "mark"), ("viruses", "on")],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        let other = call(
            &server,
            &jar,
            "filter/domain",
            &[("domain", "autredomaine.com")],
        );
        assert_ne!(other.status, 200, "{label}: {}", other.body);
        let shown = cli_ok(&db, &["domain", "filter", "votredomaine.com"]);
        assert_eq!(
            shown.trim(),
            "votredomaine.com: filtering mark, viruses on",
            "{label}"
        );
        let log = cli_ok(&db, &["user", "junk", "cdupont", "subject"]);
        assert!(log.contains("subject"), "{label}");
        assert!(server.stop().success());
    }
}

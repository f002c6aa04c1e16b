//! Accounts people can secure (issue 16), against the real `courrier` on both databases:
//! two-step sign-in set up and used over HTTP (the codes computed from the secret the page
//! shows), recovery codes, app passwords at POP3 (Python's poplib) and submission (smtplib)
//! while the main password is refused there, the sign-in history, the list of web sessions
//! and signing one out, and the webmaster removing a user's second factor.

mod common;

use common::receiver::Receiver;
use common::*;
use sea_orm::{ConnectionTrait, Database};

const PASSWORD: &str = "Claire-Pass-2026";
const PM_PASSWORD: &str = "Pierre-Pass-2026";

/// The text inside the element with `id` (tags and Leptos' markers left out).
fn text_of(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!(r#"id="{id}""#))?;
    let rest = &page[start..];
    let inner = &rest[rest.find('>')? + 1..];
    let end = inner.find("</code>").or_else(|| inner.find("</ul>"))?;
    Some(strip_tags(&inner[..end]))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The recovery codes the page shows (once).
fn recovery_codes(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"id="recovery-codes""#) else {
        return Vec::new();
    };
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|c| strip_tags(&c[..c.find("</code>").unwrap()]))
        .collect()
}

/// The session ids on a security page (the hidden field of each "sign out" form).
fn session_ids(page: &str) -> Vec<String> {
    page.match_indices(r#"name="id" value=""#)
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string())
        .filter(|v| v.len() == 64)
        .collect()
}

fn security_page(server: &Server, jar: &std::path::Path) -> String {
    let r = curl(jar, &[&server.url("/personal/security")]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Posts the sign-in form with `password`; the answer (303 on to the next page).
fn password_step(server: &Server, jar: &std::path::Path, login: &str, password: &str) -> Curl {
    curl(
        jar,
        &[
            "-X",
            "POST",
            "--data-urlencode",
            &format!("login={login}"),
            "--data-urlencode",
            &format!("password={password}"),
            &server.url("/api/session/login"),
        ],
    )
}

/// Whether the jar's session is signed in.
fn signed_in(server: &Server, jar: &std::path::Path) -> bool {
    let r = call(server, jar, "session/whoami", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.trim() != "null"
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn submit(server: &Server, login: &str, password: &str) -> serde_json::Value {
    smtp_client_at(
        server.submission.as_deref().expect("submission on"),
        None,
        None,
        "submit",
        &[
            "starttls",
            login,
            password,
            "cdupont@votredomaine.com",
            "pmartin@votredomaine.com",
        ],
    )
}

fn pop3_login(server: &Server, login: &str, password: &str) -> serde_json::Value {
    pop3_client(&server.pop3, "plain_auth", &[login, password])
}

async fn sql(db: &Db, statement: &str) {
    let url = db
        .url
        .clone()
        .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
    let conn = Database::connect(url.as_str()).await.unwrap();
    conn.execute_unprepared(statement).await.unwrap();
    conn.close().await.unwrap();
}

/// Turns two-step sign-in on for the jar's account; its secret and recovery codes.
fn enrol(server: &Server, jar: &std::path::Path) -> (String, Vec<String>) {
    let page = security_page(server, jar);
    let secret = text_of(&page, "totp-secret")
        .expect("the enrolment shows the secret")
        .replace(' ', "");
    assert!(page.contains("<svg"), "and its QR code");
    // A wrong code is refused next to the field; so is the right one without the password.
    let r = call(
        server,
        jar,
        "security/enable",
        &[("code", "000000"), ("current", PASSWORD)],
    );
    assert!(r.body.contains("[code]"), "{}", r.body);
    let code = app::auth::totp::code_at(&secret, now()).unwrap();
    let r = call(
        server,
        jar,
        "security/enable",
        &[("code", &code), ("current", "pas-le-bon")],
    );
    assert!(r.body.contains("[current]"), "{}", r.body);
    let r = call(
        server,
        jar,
        "security/enable",
        &[("code", &code), ("current", PASSWORD)],
    );
    assert_eq!(r.body.trim(), "null", "{}", r.body);
    let page = security_page(server, jar);
    let codes = recovery_codes(&page);
    assert_eq!(codes.len(), 10, "{page}");
    assert!(
        recovery_codes(&security_page(server, jar)).is_empty(),
        "recovery codes are shown once"
    );
    (secret, codes)
}

#[tokio::test]
async fn two_step_sign_in_with_codes_and_recovery_codes() {
    for db in databases().await {
        let label = db.label;
        let (server, jar) = cdupont_signed_in(&db, PASSWORD);
        let (secret, codes) = enrol(&server, &jar);

        // The password alone no longer signs in: the code page comes next, not the portal.
        let b = db.dir.0.join("b");
        let r = password_step(&server, &b, "cdupont", PASSWORD);
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some("/login/code"), "{label}");
        assert!(
            !signed_in(&server, &b),
            "{label}: not signed in between the steps"
        );
        let page = curl(&b, &[&server.url("/login/code")]);
        assert!(
            page.body.contains(r#"autocomplete="one-time-code""#),
            "{label}"
        );
        let r = call(&server, &b, "session/code", &[("code", "123456")]);
        assert!(r.body.contains("[code]"), "{label}: {}", r.body);
        assert!(!signed_in(&server, &b), "{label}");
        // The next step's code (enrolment used this one): accepted, once.
        let code = app::auth::totp::code_at(&secret, now() + 30).unwrap();
        let r = post_form(
            &server,
            &b,
            "/login/code",
            "session/code",
            &[("code", &code)],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some("/personal"), "{label}");
        assert!(signed_in(&server, &b), "{label}");
        let c = db.dir.0.join("c");
        assert_eq!(password_step(&server, &c, "cdupont", PASSWORD).status, 303);
        let r = call(&server, &c, "session/code", &[("code", &code)]);
        assert!(
            r.body.contains("[code]"),
            "{label}: a code serves once: {}",
            r.body
        );
        assert!(!signed_in(&server, &c), "{label}");

        // Five wrong codes on one password: it must be typed again (the right code no longer
        // completes that sign-in).
        let f = db.dir.0.join("f");
        assert_eq!(password_step(&server, &f, "cdupont", PASSWORD).status, 303);
        for i in 0..5 {
            let r = call(&server, &f, "session/code", &[("code", "999999")]);
            assert!(r.body.contains("[code]"), "{label}: {i}: {}", r.body);
        }
        let right = app::auth::totp::code_at(&secret, now() + 60).unwrap();
        let r = call(&server, &f, "session/code", &[("code", &right)]);
        assert!(r.body.contains("[code]"), "{label}: {}", r.body);
        assert!(!signed_in(&server, &f), "{label}");

        // A recovery code (typed in capitals, without its dash) serves once.
        let typed = codes[0].to_uppercase().replace('-', "");
        let r = call(&server, &c, "session/code", &[("code", &typed)]);
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        assert!(signed_in(&server, &c), "{label}");
        let d = db.dir.0.join("d");
        assert_eq!(password_step(&server, &d, "cdupont", PASSWORD).status, 303);
        let r = call(&server, &d, "session/code", &[("code", &codes[0])]);
        assert!(r.body.contains("[code]"), "{label}: {}", r.body);
        assert!(!signed_in(&server, &d), "{label}");
        assert!(
            security_page(&server, &jar).contains("Recovery codes left: 9")
                || security_page(&server, &jar).contains("Codes de secours restants : 9"),
            "{label}"
        );

        // The history shows the web sign-ins, refused codes included.
        let page = security_page(&server, &jar);
        for words in ["one-time code", "recovery code"] {
            assert!(
                page.contains(words) || page.contains("code à usage unique"),
                "{label}: {words}"
            );
        }
        drop(server);
    }
}

#[tokio::test]
async fn mail_programs_use_app_passwords_once_two_step_is_on() {
    for db in databases().await {
        let label = db.label;
        let (server, jar) = cdupont_signed_in(&db, PASSWORD);
        // Before two-step sign-in, the main password works at both doors.
        assert_eq!(
            pop3_login(&server, "cdupont", PASSWORD)["ok"],
            true,
            "{label}"
        );
        assert_eq!(
            submit(&server, "cdupont", PASSWORD)["auth"][0],
            235,
            "{label}"
        );

        let make = |name: &str, scope: &[(&str, &str)], lifetime: &str| {
            let mut fields = vec![
                ("name", name),
                ("lifetime", lifetime),
                ("current", PASSWORD),
            ];
            fields.extend_from_slice(scope);
            let r = call(&server, &jar, "security/app-password", &fields);
            assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
            let page = security_page(&server, &jar);
            text_of(&page, "app-password").expect("the new app password is shown")
        };
        let both = make(
            "Thunderbird",
            &[("pop3", "on"), ("submission", "on")],
            "never",
        );
        let pop_only = make("Téléphone", &[("pop3", "on")], "never");
        let r = call(
            &server,
            &jar,
            "security/app-password",
            &[("name", "x"), ("lifetime", "never"), ("current", PASSWORD)],
        );
        assert!(
            r.body.contains("[pop3]"),
            "{label}: a scope is needed: {}",
            r.body
        );
        enrol(&server, &jar);

        // The main password is refused with words that say what to do; app passwords open.
        let r = pop3_login(&server, "cdupont", PASSWORD);
        let error = r["error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("-ERR [AUTH]") && error.contains("app password"),
            "{label}: {r}"
        );
        let r = submit(&server, "cdupont", PASSWORD);
        assert_eq!(r["auth"][0], 535, "{label}: {r}");
        assert!(
            r["auth"][1].as_str().unwrap().contains("5.7.8 Two-step"),
            "{label}: {r}"
        );
        assert_eq!(
            pop3_login(&server, "cdupont@votredomaine.com", &both)["ok"],
            true,
            "{label}"
        );
        // As a phone shows it: in capitals, spaces for dashes.
        let spaced = both.to_uppercase().replace('-', " ");
        assert_eq!(
            pop3_login(&server, "cdupont", &spaced)["ok"],
            true,
            "{label}"
        );
        let r = submit(&server, "cdupont", &both);
        assert_eq!(r["auth"][0], 235, "{label}: {r}");
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        // Scoped: the phone's collects only.
        assert_eq!(
            pop3_login(&server, "cdupont", &pop_only)["ok"],
            true,
            "{label}"
        );
        assert_eq!(
            submit(&server, "cdupont", &pop_only)["auth"][0],
            535,
            "{label}"
        );
        // Never the website.
        let e = db.dir.0.join("e");
        let r = password_step(&server, &e, "cdupont", &both);
        assert_ne!(r.header("location"), Some("/login/code"), "{label}");
        assert!(!signed_in(&server, &e), "{label}");

        // The page lists them with their last use; revoked, refused at once.
        let page = security_page(&server, &jar);
        assert!(
            page.contains("Thunderbird") && page.contains("127.0.0.1"),
            "{label}"
        );
        // A POP3 session open with the one about to be revoked (the newest: the phone's).
        let pop3 = server.pop3.clone();
        let held_password = pop_only.clone();
        let held = std::thread::spawn(move || {
            pop3_client(&pop3, "hold", &["cdupont", &held_password, "4"])
        });
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let id = page
            .split(r#"name="id" value=""#)
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|v| v.len() < 10)
            .expect("a revoke form")
            .to_string();
        let r = call(
            &server,
            &jar,
            "security/app-password/revoke",
            &[("id", &id)],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        assert_ne!(id, "1", "{label}: the newest first");
        assert!(
            pop3_login(&server, "cdupont", &pop_only)["error"].is_string(),
            "{label}"
        );
        let held = held.join().unwrap();
        assert!(
            held["error"].is_string(),
            "{label}: the open session ended at its next command: {held}"
        );

        // One that has expired (time moved past its end in the database) is refused.
        let yearly = make("Portable", &[("pop3", "on")], "365");
        assert_eq!(
            pop3_login(&server, "cdupont", &yearly)["ok"],
            true,
            "{label}"
        );
        sql(
            &db,
            &format!(
                "UPDATE app_passwords SET expires_at = {} WHERE name = 'Portable'",
                now() - 1
            ),
        )
        .await;
        assert!(
            pop3_login(&server, "cdupont", &yearly)["error"].is_string(),
            "{label}"
        );

        // The sign-in history names the doors, the app password and the refusals.
        let page = security_page(&server, &jar);
        assert!(
            page.contains("Collecting (POP3)") || page.contains("Relève (POP3)"),
            "{label}"
        );
        assert!(page.contains("Portable"), "{label}");
        assert!(
            page.contains("Refusée") || page.contains("Refused"),
            "{label}"
        );
        drop(server);
    }
}

#[tokio::test]
async fn sessions_are_listed_and_signed_out_and_webmasters_can_remove_a_second_factor() {
    for db in databases().await {
        let label = db.label;
        let (server, jar) = cdupont_signed_in(&db, PASSWORD);
        let other = db.dir.0.join("other");
        sign_in(&server, &other, "cdupont", PASSWORD);
        let page = security_page(&server, &jar);
        let ids = session_ids(&page);
        assert_eq!(
            ids.len(),
            1,
            "{label}: one other session to sign out: {page}"
        );
        assert!(page.contains("curl"), "{label}: the device");
        let r = call(&server, &jar, "security/session/end", &[("id", &ids[0])]);
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        assert!(
            !signed_in(&server, &other),
            "{label}: the other session ended"
        );
        assert!(signed_in(&server, &jar), "{label}: this one stays");
        // Someone else's session id is not theirs to end.
        sign_in(&server, &other, "cdupont", PASSWORD);
        let r = call(&server, &jar, "security/session/end-others", &[]);
        assert_eq!(r.body.trim(), "null", "{label}");
        assert!(!signed_in(&server, &other), "{label}");

        enrol(&server, &jar);
        set_password(&db, "pmartin", PM_PASSWORD);
        let pm = db.dir.0.join("pm");
        sign_in(&server, &pm, "pmartin", PM_PASSWORD);
        let r = curl(&pm, &[&server.url("/siteadmin/user/cdupont/security")]);
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("Two-step sign-in on since") || r.body.contains("activée depuis"),
            "{label}"
        );
        assert!(!r.body.contains("totp-secret") && !r.body.contains("recovery-codes"));
        // Their own second factor goes with their password, on their own page.
        let r = call(
            &server,
            &pm,
            "security/user/disable",
            &[("login", "pmartin"), ("confirmed", "yes")],
        );
        assert_ne!(r.status, 200, "{label}: {}", r.body);
        // A user may not look at another's.
        let r = call(&server, &jar, "security/user", &[("login", "pmartin")]);
        assert_ne!(r.status, 200, "{label}");
        let r = call(
            &server,
            &pm,
            "security/user/disable",
            &[("login", "cdupont"), ("confirmed", "yes")],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        // The main password opens POP3 again, and the mailbox holds the notice.
        let r = pop3_login(&server, "cdupont", PASSWORD);
        assert_eq!(r["ok"], true, "{label}: {r}");
        assert_eq!(r["stat"][0], 1, "{label}: the notice: {r}");
        let log = curl(&pm, &[&server.url("/siteadmin/log")]);
        assert!(
            log.body.contains("Two-step sign-in removed")
                || log.body.contains("Validation en deux étapes retirée"),
            "{label}: audited"
        );
        drop(server);
    }
}

#[tokio::test]
async fn a_required_second_factor_is_set_up_at_the_next_sign_in() {
    for db in databases().await {
        let label = db.label;
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            "[security]\nrequire_2fa_for = [\"webmaster\", \"admin\"]\n",
        )
        .unwrap();
        add_votredomaine(&db);
        set_password(&db, "pmartin", PM_PASSWORD);
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let jar = db.dir.0.join("pm");
        let r = password_step(&server, &jar, "pmartin", PM_PASSWORD);
        assert_eq!(r.header("location"), Some("/login/enrol"), "{label}");
        assert!(!signed_in(&server, &jar), "{label}");
        let page = curl(&jar, &[&server.url("/login/enrol")]);
        let secret = text_of(&page.body, "totp-secret")
            .expect("the enrolment at sign-in")
            .replace(' ', "");
        let code = app::auth::totp::code_at(&secret, now()).unwrap();
        let r = post_form(
            &server,
            &jar,
            "/login/enrol",
            "security/enable",
            &[("code", &code)],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some("/personal/security"), "{label}");
        assert!(signed_in(&server, &jar), "{label}");
        assert_eq!(
            recovery_codes(&security_page(&server, &jar)).len(),
            10,
            "{label}"
        );
        drop(server);
    }
}

/// The text of a received message with quoted-printable undone (soft breaks, `=XX`).
fn unquoted(content: &str) -> String {
    let joined = content.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The six-digit code in a confirmation message (after ": ").
fn confirmation_code(content: &str) -> String {
    let text = unquoted(content);
    text.match_indices(": ")
        .map(|(i, _)| &text[i + 2..])
        .find(|rest| {
            rest.len() > 6
                && rest[..6].bytes().all(|b| b.is_ascii_digit())
                && !rest.as_bytes()[6].is_ascii_digit()
        })
        .map(|rest| rest[..6].to_string())
        .expect("a six-digit code")
}

/// The reset link's token in a message.
fn reset_token(content: &str) -> String {
    let text = unquoted(content);
    let at = text.find("/login/reset?token=").expect("a reset link") + "/login/reset?token=".len();
    text[at..at + 64].to_string()
}

#[tokio::test]
async fn a_forgotten_password_comes_back_by_a_link() {
    for db in databases().await {
        let label = db.label;
        let rx = Receiver::start(db.dir.0.join("rx"), "accept");
        let config = rx.routes_config(&db.dir.0);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);

        // Without a recovery address, nothing is sent; the answer is the same as for nobody.
        let forgot = |login: &str| {
            let r = call(
                &server,
                &db.dir.0.join("anon"),
                "recovery/forgot",
                &[("login", login)],
            );
            let notice = r.header("x-courrier-notice").map(str::to_string);
            (r.status, r.body, notice)
        };
        let unknown = forgot("nobody");
        assert!(unknown.2.is_some(), "{label}: the answer says what happens");
        assert_eq!(forgot("cdupont"), unknown, "{label}");

        // A recovery address in the domain is refused; outside, a code confirms it.
        let r = call(
            &server,
            &jar,
            "security/recovery-address",
            &[("address", "x@votredomaine.com"), ("current", PASSWORD)],
        );
        assert!(r.body.contains("[address]"), "{label}: {}", r.body);
        let r = call(
            &server,
            &jar,
            "security/recovery-address",
            &[("address", "claire@example.net"), ("current", PASSWORD)],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        let got = rx.wait_for(1);
        assert_eq!(
            got[0]["rcpt_tos"],
            serde_json::json!(["claire@example.net"]),
            "{label}"
        );
        let code = confirmation_code(got[0]["content"].as_str().unwrap());
        let r = call(
            &server,
            &jar,
            "security/recovery-address/confirm",
            &[("confirmation", "000000")],
        );
        assert!(r.body.contains("[confirmation]"), "{label}: {}", r.body);
        let r = call(
            &server,
            &jar,
            "security/recovery-address/confirm",
            &[("confirmation", &code)],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);

        // Now the link goes there, with the same answer as for an unknown account.
        assert_eq!(forgot("cdupont@votredomaine.com"), unknown, "{label}");
        let got = rx.wait_for(2);
        assert_eq!(
            got[1]["rcpt_tos"],
            serde_json::json!(["claire@example.net"]),
            "{label}"
        );
        let token = reset_token(got[1]["content"].as_str().unwrap());
        let page = curl(
            &db.dir.0.join("anon"),
            &[&server.url(&format!("/login/reset?token={token}"))],
        );
        assert!(
            page.body.contains("cdupont") && page.body.contains("new_password"),
            "{label}"
        );

        // The new password, twice; every session ends, the mailbox is told, mail uses it.
        let anon = db.dir.0.join("anon");
        let reset = |token: &str, password: &str, confirm: &str| {
            let fields = [
                ("token", token),
                ("new_password", password),
                ("confirm", confirm),
            ];
            call(&server, &anon, "recovery/reset", &fields).body
        };
        let body = reset(&token, "Nouveau-Pass-2026", "autre");
        assert!(body.contains("[confirm]"), "{label}: {}", body);
        let body = reset(&token, "Nouveau-Pass-2026", "Nouveau-Pass-2026");
        assert_eq!(body.trim(), "null", "{label}: {}", body);
        assert!(!signed_in(&server, &jar), "{label}: the old session ended");
        let r = pop3_login(&server, "cdupont", "Nouveau-Pass-2026");
        assert_eq!(r["ok"], true, "{label}: {r}");
        assert_eq!(
            r["stat"][0], 2,
            "{label}: the notices in the mailbox (recovery address set, password reset)"
        );
        assert!(pop3_login(&server, "cdupont", PASSWORD)["error"].is_string());
        // The link served once.
        let body = reset(&token, "Encore-Autre-2026", "Encore-Autre-2026");
        assert!(body.contains("[token]"), "{label}: {}", body);

        // A link older than an hour (time moved in the database) no longer opens.
        forgot("cdupont");
        let token = reset_token(rx.wait_for(3)[2]["content"].as_str().unwrap());
        sql(&db, &format!("UPDATE reset_tokens SET created_at = {0} - 3601, expires_at = {0} - 1 WHERE used_at IS NULL", now())).await;
        let page = curl(
            &anon,
            &[&server.url(&format!("/login/reset?token={token}"))],
        );
        assert!(!page.body.contains("new_password"), "{label}: expired");
        let body = reset(&token, "Encore-Autre-2026", "Encore-Autre-2026");
        assert!(body.contains("[token]"), "{label}: {}", body);

        // The webmaster sends one from the pen page (to the recovery address).
        set_password(&db, "pmartin", PM_PASSWORD);
        let pm = db.dir.0.join("pm");
        sign_in(&server, &pm, "pmartin", PM_PASSWORD);
        let r = call(
            &server,
            &pm,
            "security/user/reset-link",
            &[("login", "cdupont")],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        let got = rx.wait_for(4);
        assert_eq!(
            got[3]["rcpt_tos"],
            serde_json::json!(["claire@example.net"]),
            "{label}"
        );
        let content = got[3]["content"].as_str().unwrap();
        let token = reset_token(content);
        // Links go to this server's own name, never to the Host a request claimed.
        assert!(!unquoted(content).contains("evil.example"), "{label}");
        // A password changed meanwhile voids the link.
        set_password(&db, "cdupont", "Encore-Un-Autre-2026");
        assert!(reset(&token, "Pas-Celui-La-2026", "Pas-Celui-La-2026").contains("[token]"));

        // A request that claims another Host still sends a link to this server.
        let r = post_api(
            &server,
            &anon,
            &["Accept: application/json", "Host: evil.example"],
            "recovery/forgot",
            &[("login", "cdupont")],
        );
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let got = rx.wait_for(5);
        let text = unquoted(got[4]["content"].as_str().unwrap());
        assert!(text.contains("/login/reset?token="), "{label}");
        assert!(!text.contains("evil.example"), "{label}: {text}");
        drop(server);
    }
}

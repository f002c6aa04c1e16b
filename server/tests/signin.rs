//! The real `courrier` on an ephemeral port: first-run admin, CLI, sign-in over HTTP with
//! curl, the session cookie, sign-out, CSRF refusal, health — on SQLite and PostgreSQL.

mod common;

use common::*;

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_string()
}

fn login(server: &Server, jar: &std::path::Path, login: &str, password: &str) -> Curl {
    curl(
        jar,
        &[
            "-X",
            "POST",
            "-H",
            "Accept: text/html",
            "-H",
            &format!("Referer: {}", server.url("/login")),
            "--data-urlencode",
            &format!("login={login}"),
            "--data-urlencode",
            &format!("password={password}"),
            &server.url("/api/session/login"),
        ],
    )
}

#[tokio::test]
async fn sign_in_over_http_on_both_databases() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        let (admin, admin_pw) = server.admin.clone().expect("first run prints the admin");
        assert_eq!(admin, "srvadmin", "{label}");
        let dir = TempDir::new();
        let jar = dir.0.join("cookies");

        // Health and the sign-in page.
        let h = curl(&jar, &[&server.url("/healthz")]);
        assert_eq!(h.status, 200, "{label}");
        assert!(
            h.body.contains(r#""status":"ok""#) && h.body.contains(label),
            "{}",
            h.body
        );
        // Each mail listener, for a balancer's health check (issue 18).
        let health: serde_json::Value = serde_json::from_str(&h.body).unwrap();
        assert_eq!(health["database_reachable"], true, "{label}");
        for name in ["smtp", "submission", "submissions", "pop3", "pop3s"] {
            assert_eq!(
                health["listeners"][name], "up",
                "{label} {name}: {}",
                h.body
            );
        }
        let page = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr-FR,fr;q=0.9",
                &server.url("/login"),
            ],
        );
        assert_eq!(page.status, 200);
        assert!(page.body.contains(r#"<html lang="fr""#));
        assert!(page.body.contains("Se connecter"));
        assert!(
            page.body.contains(r#"action="/api/session/login""#),
            "a plain HTML form"
        );
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert!(
            page.header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        let en = curl(
            &jar,
            &["-H", "Accept-Language: en-GB", &server.url("/login")],
        );
        assert!(en.body.contains(r#"<html lang="en""#) && en.body.contains("Sign in"));

        // Not signed in: the landing page sends to /login.
        let home = curl(&jar, &[&server.url("/")]);
        assert_eq!(home.status, 302, "{label}: {}", home.body);
        assert_eq!(home.header("location"), Some("/login"));

        // A wrong password (case matters) is refused, back on the form with the reason.
        let bad = login(&server, &jar, &admin, &admin_pw.to_lowercase());
        assert_eq!(bad.status, 303);
        let back = bad.header("location").unwrap();
        assert_eq!(
            back,
            server.url("/login#form-login"),
            "a clean address, at the form"
        );
        assert!(
            !bad.headers
                .iter()
                .any(|(k, v)| k == "set-cookie" && v.contains("courrier_session")),
            "no session for a failed sign-in"
        );
        let shown = curl(&jar, &[back]);
        assert!(
            shown.body.contains("Login ou mot de passe incorrect"),
            "the reason is shown without JS"
        );
        assert!(
            shown.body.contains(&format!(r#"value="{admin}""#)),
            "the login typed is kept"
        );
        assert!(
            !curl(&jar, &[back]).body.contains("incorrect"),
            "shown once"
        );

        // The right one signs in: a fresh HttpOnly SameSite=Strict cookie, then the landing.
        let ok = login(&server, &jar, &admin.to_uppercase(), &admin_pw);
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(
            ok.header("location"),
            Some("/admin"),
            "the admin lands on /admin"
        );
        let set_cookie = ok.header("set-cookie").expect("session cookie").to_string();
        assert!(set_cookie.starts_with("courrier_session="));
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
        let home = curl(&jar, &["-H", "Accept-Language: en", &server.url("/")]);
        assert_eq!(home.status, 200);
        assert!(home.body.contains("Signed in as"), "{}", home.body);
        assert!(home.body.contains("srvadmin"));
        assert!(
            home.body.contains("server&#x27;s administrator")
                || home.body.contains("server's administrator")
        );

        // Signing in again rotates the session id.
        let again = login(&server, &jar, &admin, &admin_pw);
        let rotated = again.header("set-cookie").expect("new cookie").to_string();
        assert_ne!(cookie_value(&rotated), cookie_value(&set_cookie));

        // The CLI works on the same database while the server runs.
        let out = db.cli(&[
            "domain",
            "add",
            "VotreDomaine.com",
            "--webmaster-first",
            "Pierre",
            "--webmaster-last",
            "Martin",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["domain"], "votredomaine.com");
        assert_eq!(v["webmaster"]["login"], "pmartin");
        let wm_pw = v["webmaster"]["password"].as_str().unwrap().to_string();
        let second = db.cli(&[
            "user",
            "add",
            "votredomaine.com",
            "--first",
            "Pierre",
            "--last",
            "Martin",
        ]);
        assert!(String::from_utf8_lossy(&second.stdout).contains("login:    pmartin2"));
        let generic = db.cli(&["user", "add", "votredomaine.com", "--last", "Info"]);
        assert!(!generic.status.success());
        let err = String::from_utf8_lossy(&generic.stderr);
        assert!(err.contains("generic") && err.contains("alias"), "{err}");
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");

        // The webmaster signs in with the full-address form and sees their domain.
        let wjar = dir.0.join("wm-cookies");
        let ok = login(&server, &wjar, "pmartin@votredomaine.com", &wm_pw);
        assert_eq!(
            ok.header("location"),
            Some("/siteadmin"),
            "the webmaster's portal"
        );
        let home = curl(&wjar, &["-H", "Accept-Language: fr", &server.url("/")]);
        assert!(
            home.body.contains("webmaster du domaine votredomaine.com"),
            "{}",
            home.body
        );

        // A state-changing request from another site is refused, and changes nothing.
        let csrf = curl(
            &wjar,
            &[
                "-X",
                "POST",
                "-H",
                "Origin: https://evil.example",
                &server.url("/api/session/logout"),
            ],
        );
        assert_eq!(csrf.status, 403);
        let csrf = curl(
            &wjar,
            &[
                "-X",
                "POST",
                "-H",
                "Sec-Fetch-Site: cross-site",
                &server.url("/api/session/logout"),
            ],
        );
        assert_eq!(csrf.status, 403);
        assert_eq!(
            curl(&wjar, &[&server.url("/")]).status,
            200,
            "still signed in"
        );

        // Changing the password signs the webmaster out of the web too.
        let out = db.cli(&["user", "passwd", "pmartin", "--generate"]);
        assert!(out.status.success());
        assert_eq!(
            curl(&wjar, &[&server.url("/")]).status,
            302,
            "{label}: old session ended"
        );

        // Sign-out.
        let out = curl(
            &jar,
            &[
                "-X",
                "POST",
                "-H",
                "Accept: text/html",
                &server.url("/api/session/logout"),
            ],
        );
        assert_eq!(out.status, 303);
        assert_eq!(out.header("location"), Some("/login"));
        assert_eq!(curl(&jar, &[&server.url("/")]).status, 302);

        // Static files and the 404 page.
        assert_eq!(curl(&jar, &[&server.url("/favicon.svg")]).status, 200);
        let missing = curl(&jar, &[&server.url("/nowhere")]);
        assert_eq!(missing.status, 404);
        assert!(
            missing.body.contains("Page introuvable") || missing.body.contains("Page not found")
        );

        // A second start does not create another admin; SIGTERM stops cleanly.
        assert!(server.stop().success(), "{label}: clean exit on SIGTERM");
        let again = Server::start(&db);
        assert!(
            again.admin.is_none(),
            "{label}: the admin is created only once"
        );
        assert!(again.stop().success());
    }
}

#[test]
fn cli_errors_are_one_clear_line_and_change_nothing() {
    let dir = TempDir::new();
    let db = Db {
        dir,
        url: None,
        label: "sqlite",
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "user",
                "add",
                "nowhere.example",
                "--first",
                "A",
                "--last",
                "B",
            ],
            "not hosted",
        ),
        (&["domain", "add", "not a domain"], "not a valid domain"),
        (&["user", "del", "ghost"], "No account"),
        (&["alias", "add", "ghost", "info"], "No account"),
    ];
    for (args, want) in cases {
        let out = db.cli(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    // Bad database URLs: one line, quickly, and the password never shown.
    for (url, want) in [
        ("mysql://x/y", "database URL"),
        (
            "postgres://nobody:pw@127.0.0.1:1/none",
            "Connection refused",
        ),
    ] {
        let started = std::time::Instant::now();
        let out = run(&["domain", "list", "--database-url", url], &[]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want) && !err.contains(":pw@"), "{url}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            started.elapsed().as_secs() < 15,
            "{url}: took {:?}",
            started.elapsed()
        );
    }
    let list = db.cli(&["domain", "list", "--json"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        "[]",
        "nothing half-written"
    );
    // Global options before the subcommand, and from the environment.
    let data = db.dir.0.display().to_string();
    assert!(
        run(&["--data", &data, "domain", "add", "a.example"], &[])
            .status
            .success()
    );
    let out = run(&["domain", "list", "--json"], &[("COURRIER_DATA", &data)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("a.example"));
}

/// Runs the binary with exactly these arguments and extra environment variables.
fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(args)
        .env_remove("COURRIER_DATABASE_URL")
        .env_remove("COURRIER_DATA");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run courrier")
}

/// A signed-out visitor sent to sign in comes back to the page asked for, and only to a page
/// of this site.
#[tokio::test]
async fn signing_in_leads_back_to_the_page_asked_for() {
    let db = Db::sqlite();
    add_votredomaine(&db);
    set_password(&db, "pmartin", "Un-Mot-De-Passe-2026");
    let server = Server::start(&db);
    let jar = db.dir.0.join("jar");
    let r = curl(
        &jar,
        &[&server.url("/siteadmin/log?domain=votredomaine.com")],
    );
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/login?next=%2Fsiteadmin%2Flog%3Fdomain%3Dvotredomaine.com")
    );
    let page = curl(&jar, &[&server.url("/login?next=%2Fsiteadmin%2Flog")]);
    assert!(
        page.body.contains(r#"name="next" value="/siteadmin/log""#),
        "the form carries it"
    );
    for (next, landing) in [
        (
            "/siteadmin/log?domain=votredomaine.com",
            "/siteadmin/log?domain=votredomaine.com",
        ),
        ("https://evil.example/", "/siteadmin"),
        ("//evil.example", "/siteadmin"),
        ("/a\r\nSet-Cookie: x=1", "/siteadmin"),
        ("/login", "/siteadmin"),
    ] {
        let jar = db.dir.0.join("jar2");
        let _ = std::fs::remove_file(&jar);
        let r = curl(
            &jar,
            &[
                "-X",
                "POST",
                "-H",
                &format!("Referer: {}", server.url("/login")),
                "--data-urlencode",
                "login=pmartin",
                "--data-urlencode",
                "password=Un-Mot-De-Passe-2026",
                "--data-urlencode",
                &format!("next={next}"),
                &server.url("/api/session/login"),
            ],
        );
        assert_eq!(r.status, 303, "{next:?}");
        assert_eq!(r.header("location"), Some(landing), "{next:?}");
    }
    assert!(server.stop().success());
}

/// Every page of the site's one list (`app::pages::PAGES`) that needs a signed-in visitor
/// sends a signed-out one to sign in, carrying the page asked for; the open ones answer.
#[tokio::test]
async fn every_signed_page_sends_a_visitor_to_sign_in() {
    let db = Db::sqlite();
    add_votredomaine(&db);
    let server = Server::start(&db);
    let jar = db.dir.0.join("jar");
    let mut signed = 0;
    for page in app::pages::PAGES {
        let path = page
            .path
            .replace(":login", "pmartin")
            .replace(":name", "votredomaine.com")
            .replace(":id", "1");
        let r = curl(&jar, &["-H", "Accept: text/html", &server.url(&path)]);
        match page.access {
            app::pages::Access::SignedIn => {
                signed += 1;
                assert_eq!(r.status, 302, "{path}: {}", r.body);
                // Home is where signing in leads anyway: nothing to carry.
                let next = match path.as_str() {
                    "/" => "/login".to_string(),
                    _ => format!("/login?next={}", app::api::percent_encode(&path)),
                };
                assert_eq!(r.header("location"), Some(next.as_str()), "{path}");
            }
            app::pages::Access::SigningIn => {
                assert_eq!(r.status, 302, "{path}: {}", r.body);
                assert_eq!(r.header("location"), Some("/login"), "{path}");
            }
            app::pages::Access::Open => assert_eq!(r.status, 200, "{path}: {}", r.body),
        }
    }
    assert!(signed >= 18, "the list holds the portals' pages");
    assert!(server.stop().success());
}

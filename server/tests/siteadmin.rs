//! The webmaster's portal over HTTP with curl, on both databases: the authorization matrix of
//! its server functions (anonymous, a user, a webmaster of another domain, a foreign Origin —
//! each refused with nothing changed; the webmaster and the server admin allowed), and "add
//! user" as a plain HTML form (no JavaScript): the welcome page shows the password once.

mod common;

use common::*;

const PASSWORD: &str = "Un-Mot-De-Passe-2026";

/// Signs in with a plain form post; returns the landing the server sends to.
fn sign_in(server: &Server, jar: &std::path::Path, login: &str) -> String {
    let r = common::sign_in(server, jar, login, PASSWORD);
    r.header("location").unwrap_or_default().to_string()
}

/// Calls a server function as the hydrated page does; a bare name is one of `siteadmin/`.
/// A server function's endpoint: `siteadmin/` unless another portal is named.
fn endpoint_path(endpoint: &str) -> String {
    if endpoint.contains('/') {
        endpoint.to_string()
    } else {
        format!("siteadmin/{endpoint}")
    }
}

fn call(server: &Server, jar: &std::path::Path, endpoint: &str, fields: &[(&str, &str)]) -> Curl {
    common::call(server, jar, &endpoint_path(endpoint), fields)
}

fn logins(db: &Db, domain: &str) -> Vec<String> {
    let out = db.cli(&["user", "list", domain, "--json"]);
    assert!(out.status.success());
    let users: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    users
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_string())
        .collect()
}

fn refused(r: &Curl, what: &str) {
    assert_ne!(r.status, 200, "{what} should be refused: {}", r.body);
    assert!(
        r.status == 403
            || r.body.contains("not allowed")
            || r.body.contains("pas le droit")
            || r.body.contains("sign in again")
            || r.body.contains("connectez-vous"),
        "{what}: {} {}",
        r.status,
        r.body
    );
}

#[tokio::test]
async fn only_the_right_people_manage_a_domain() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        let (admin, admin_pw) = server.admin.clone().expect("first-run admin");
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        cli_ok(
            &db,
            &[
                "domain",
                "add",
                "autredomaine.fr",
                "--webmaster-first",
                "Jean",
                "--webmaster-last",
                "Durand",
            ],
        );
        for login in ["pmartin", "cdupont", "jdurand"] {
            set_password(&db, login, PASSWORD);
        }
        let dir = &db.dir.0;
        let (anon, pm, cd, jd, adm) = (
            dir.join("anon"),
            dir.join("pm"),
            dir.join("cd"),
            dir.join("jd"),
            dir.join("adm"),
        );
        assert_eq!(sign_in(&server, &pm, "pmartin"), "/siteadmin", "{label}");
        assert_eq!(
            sign_in(&server, &cd, "cdupont@votredomaine.com"),
            "/personal",
            "{label}"
        );
        sign_in(&server, &jd, "jdurand");
        let r = curl(
            &adm,
            &[
                "-X",
                "POST",
                "--data-urlencode",
                &format!("login={admin}"),
                "--data-urlencode",
                &format!("password={admin_pw}"),
                &server.url("/api/session/login"),
            ],
        );
        assert_eq!(r.status, 303, "{label}");

        let add = |jar: &std::path::Path, domain: &str, last: &str| {
            call(
                &server,
                jar,
                "add_user",
                &[
                    ("domain", domain),
                    ("first_name", "Zoé"),
                    ("last_name", last),
                    ("aliases", ""),
                    ("quota_mb", ""),
                ],
            )
        };
        // Refused, each with nothing changed.
        refused(&add(&anon, "", "Anonyme"), "anonymous add");
        refused(&call(&server, &anon, "overview", &[]), "anonymous overview");
        refused(&add(&cd, "", "Usager"), "a user adds");
        refused(&call(&server, &cd, "overview", &[]), "a user lists");
        refused(
            &call(&server, &cd, "welcome", &[("login", "pmartin")]),
            "user → other user",
        );
        refused(
            &add(&pm, "autredomaine.fr", "Voisin"),
            "webmaster → other domain",
        );
        refused(
            &call(&server, &pm, "overview", &[("domain", "autredomaine.fr")]),
            "webmaster lists another domain",
        );
        refused(
            &call(&server, &jd, "welcome", &[("login", "cdupont")]),
            "webmaster → other domain's user",
        );
        refused(
            &call(&server, &pm, "welcome", &[("login", "nobody")]),
            "unknown user",
        );
        let foreign = curl(
            &pm,
            &[
                "-X",
                "POST",
                "-H",
                "Origin: https://evil.example",
                "--data-urlencode",
                "first_name=Mal",
                "--data-urlencode",
                "last_name=Veillant",
                &server.url("/api/siteadmin/add_user"),
            ],
        );
        assert_eq!(foreign.status, 403, "{label}: foreign Origin");
        assert_eq!(
            logins(&db, "votredomaine.com"),
            ["cdupont", "pmartin"],
            "{label}"
        );
        assert_eq!(logins(&db, "autredomaine.fr"), ["jdurand"], "{label}");

        // The pen and the blue mailbox: a user touches nothing of others, nor the pen's
        // settings of their own account; another domain's webmaster touches nothing here.
        let responder_fields = vec![
            ("login", "cdupont"),
            ("subject", "x"),
            ("body", "x"),
            ("start", ""),
            ("end", ""),
            ("interval_days", ""),
        ];
        for (jar, endpoint, fields, what) in [
            (
                &cd,
                "user",
                vec![("login", "pmartin")],
                "user reads the pen",
            ),
            (
                &cd,
                "user",
                vec![("login", "cdupont")],
                "user opens their own pen",
            ),
            (
                &cd,
                "profile",
                vec![
                    ("login", "cdupont"),
                    ("first_name", "X"),
                    ("last_name", "Y"),
                    ("quota_mb", ""),
                ],
                "user edits own profile",
            ),
            (
                &cd,
                "password",
                vec![("login", "pmartin"), ("password", "")],
                "user resets a password",
            ),
            (
                &cd,
                "alias_add",
                vec![("login", "cdupont"), ("alias", "boss")],
                "user adds an alias",
            ),
            (&cd, "delete", vec![("login", "pmartin")], "user deletes"),
            (
                &cd,
                "mailbox/forward",
                vec![("login", "pmartin"), ("addresses", "x@example.net")],
                "user → other's forward",
            ),
            (
                &cd,
                "mailbox/settings",
                vec![("login", "pmartin")],
                "user reads other's settings",
            ),
            (
                &jd,
                "mailbox/responder",
                responder_fields.clone(),
                "webmaster → other domain's responder",
            ),
            (
                &jd,
                "delete",
                vec![("login", "cdupont")],
                "webmaster deletes in another domain",
            ),
            (
                &jd,
                "password",
                vec![("login", "cdupont"), ("password", "")],
                "webmaster resets in another domain",
            ),
            (
                &anon,
                "mailbox/forward",
                vec![("login", "cdupont"), ("addresses", "x@example.net")],
                "anonymous forward",
            ),
            (
                &pm,
                "delete",
                vec![("login", "pmartin")],
                "webmaster deletes themselves",
            ),
            (&cd, "log", vec![], "user reads the change log"),
            (
                &pm,
                "log",
                vec![("domain", "autredomaine.fr")],
                "webmaster reads another domain's log",
            ),
        ] {
            let r = call(&server, jar, endpoint, &fields);
            if r.status == 200 {
                // A refusal the person can fix comes back as a reason, never as a change.
                assert!(r.body.starts_with('"'), "{label}: {what}: {}", r.body);
            } else {
                refused(&r, what);
            }
        }
        assert_eq!(
            logins(&db, "votredomaine.com"),
            ["cdupont", "pmartin"],
            "{label}"
        );
        let users = db.cli(&["user", "list", "votredomaine.com", "--json"]);
        let users = String::from_utf8_lossy(&users.stdout).to_string();
        assert!(
            !users.contains("boss") && !users.contains("\"forwarding\":true"),
            "{label}: {users}"
        );
        // The user does set their own forward (the same function serves /personal).
        let own = |addresses: &str| {
            call(
                &server,
                &cd,
                "mailbox/forward",
                &[("login", "cdupont"), ("addresses", addresses)],
            )
        };
        assert_eq!(own("claire@example.net").body.trim(), "null", "{label}");
        assert_eq!(own("").body.trim(), "null", "{label}");

        // Allowed: the webmaster on their domain, the admin on any domain it names.
        let r = call(&server, &pm, "overview", &[]);
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let o: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(o["domain"], "votredomaine.com");
        assert_eq!(o["users"].as_array().unwrap().len(), 2);
        let r = call(&server, &pm, "welcome", &[("login", "cdupont")]);
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let w: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(w["settings"]["pop_server"], "votredomaine.com");
        assert_eq!(
            w["password"],
            serde_json::Value::Null,
            "no password to show"
        );
        let r = call(&server, &adm, "overview", &[("domain", "autredomaine.fr")]);
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        refused(
            &call(&server, &adm, "overview", &[]),
            "the admin names a domain",
        );
        let r = add(&adm, "autredomaine.fr", "Martin");
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        assert_eq!(
            logins(&db, "autredomaine.fr"),
            ["jdurand", "zmartin"],
            "{label}"
        );
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn add_user_works_as_a_plain_html_form() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        add_votredomaine(&db);
        set_password(&db, "pmartin", PASSWORD);
        let jar = db.dir.0.join("pm");
        sign_in(&server, &jar, "pmartin");
        let page = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin/add")],
        );
        assert_eq!(page.status, 200, "{label}");
        assert!(
            page.body.contains(r#"action="/api/siteadmin/add_user""#),
            "a plain form"
        );
        let list = curl(&jar, &[&server.url("/manage")]);
        assert!(
            list.body.contains(r#"<span class="login">pmartin</span>"#),
            "{label}: /manage is the same page"
        );

        let post = |fields: &[(&str, &str)]| {
            let mut args = vec![
                "-X".to_string(),
                "POST".into(),
                "-H".into(),
                format!("Referer: {}", server.url("/siteadmin/add")),
            ];
            for (k, v) in fields {
                args.push("--data-urlencode".into());
                args.push(format!("{k}={v}"));
            }
            args.push(server.url("/api/siteadmin/add_user"));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            curl(&jar, &args)
        };
        // A generic name is refused, and the reason is shown by the form's field.
        let r = post(&[
            ("first_name", ""),
            ("last_name", "Info"),
            ("aliases", ""),
            ("quota_mb", ""),
        ]);
        assert_eq!(r.status, 303, "{label}");
        let back = r.header("location").unwrap().to_string();
        assert!(
            back.contains("/siteadmin/add") && !back.contains("__err"),
            "{back}"
        );
        let shown = curl(&jar, &["-H", "Accept-Language: fr", &back]);
        assert!(
            shown.body.contains("nom générique"),
            "{label}: {}",
            shown.body
        );
        let r = post(&[
            ("first_name", "A"),
            ("last_name", "B"),
            ("aliases", ""),
            ("quota_mb", "lots"),
        ]);
        let shown = curl(
            &jar,
            &["-H", "Accept-Language: fr", r.header("location").unwrap()],
        );
        // (The reason is written in the language of the request that was refused.)
        assert!(
            shown.body.contains("Le quota est un nombre de Mo"),
            "{label}"
        );
        // What was typed comes back in its fields.
        for kept in [r#"value="A""#, r#"value="B""#, r#"value="lots""#] {
            assert!(shown.body.contains(kept), "{label}: {kept}");
        }
        // Every refusal at once, each by its field: a first name too long, a bad quota, an
        // alias that is pmartin's login.
        let long = "a".repeat(101);
        let r = post(&[
            ("first_name", &long),
            ("last_name", "Martin"),
            ("aliases", "pmartin"),
            ("quota_mb", "lots"),
        ]);
        let shown = curl(
            &jar,
            &["-H", "Accept-Language: fr", r.header("location").unwrap()],
        );
        for (id, words) in [
            ("first_name-error", "100 caractères"),
            ("quota-error", "Le quota est un nombre de Mo"),
            ("aliases-error", "est déjà un login ou un alias"),
        ] {
            let at = shown
                .body
                .find(&format!(r#"id="{id}""#))
                .unwrap_or_else(|| panic!("{label}: {id}"));
            let para = &shown.body[at..at + shown.body[at..].find("</p>").unwrap()];
            assert!(para.contains(words), "{label}: {id}: {para}");
        }
        assert_eq!(
            logins(&db, "votredomaine.com"),
            ["pmartin"],
            "{label}: nothing added"
        );

        // Éloïse D'Artagnan: created, the password shown once on the welcome page.
        let r = post(&[
            ("first_name", "Éloïse"),
            ("last_name", "D'Artagnan"),
            ("aliases", "mousquetaire, escrime"),
            ("quota_mb", "200"),
        ]);
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some("/siteadmin/welcome/edartagnan"));
        let page = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr",
                &server.url("/siteadmin/welcome/edartagnan"),
            ],
        );
        let password = shown_password(&page.body).expect("the password is shown");
        assert!(password.len() >= 14, "{label}: {password}");
        assert!(
            page.body.contains("mousquetaire@votredomaine.com"),
            "{label}"
        );
        let again = curl(&jar, &[&server.url("/siteadmin/welcome/edartagnan")]);
        assert!(!again.body.contains("new-password"), "{label}: shown once");
        assert!(!again.body.contains(&password), "{label}: shown once");
        // The print view: the sheet alone, with the same client settings as the settings
        // page, and the password on it in the minutes after it was shown.
        let print = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr",
                &server.url("/siteadmin/welcome/edartagnan/print"),
            ],
        );
        assert_eq!(print.status, 200, "{label}");
        let printed = print
            .body
            .replace(r#"<span class="digit">"#, "")
            .replace("</span>", "")
            .replace("<!>", "");
        assert!(printed.contains(&password), "{label}: printable");
        for words in [
            "995 avec SSL/TLS, ou 110 avec STARTTLS",
            "port 587 avec STARTTLS",
        ] {
            assert!(print.body.contains(words), "{label}: {words}");
        }
        assert!(
            !print.body.contains("Ajouter un autre utilisateur"),
            "{label}: the sheet alone"
        );
        // The password works for mail at once.
        let pop = pop3_client(&server.pop3, "plain_auth", &["edartagnan", &password]);
        assert_eq!(pop["ok"], true, "{label}: {pop}");
        let list = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr",
                &server.url("/siteadmin?q=artagnan"),
            ],
        );
        // The search is the server's (it looks at every page of a long list): only those
        // that match are sent, without JavaScript too.
        let item = |login: &str| {
            let at = list
                .body
                .find(&format!(r#"data-search="{login} "#))
                .unwrap_or_else(|| panic!("{label}: {login} listed"));
            let rest = &list.body[at..];
            rest[..rest.find('>').unwrap()].to_string()
        };
        assert!(!item("edartagnan").contains("hidden"), "{label}: search");
        assert!(
            !list.body.contains(r#"data-search="pmartin "#),
            "{label}: search"
        );
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn the_pen_and_the_blue_mailbox() {
    for db in databases().await {
        let label = db.label;
        let (server, jar) = votredomaine_signed_in(&db, PASSWORD);
        set_password(&db, "cdupont", PASSWORD);
        let ok = |endpoint: &str, fields: &[(&str, &str)]| {
            call_ok(&server, &jar, &endpoint_path(endpoint), fields)
        };
        let json = |endpoint: &str, fields: &[(&str, &str)]| -> serde_json::Value {
            serde_json::from_str(&ok(endpoint, fields)).unwrap()
        };
        // The pages render as plain HTML.
        for path in [
            "/siteadmin/user/cdupont",
            "/siteadmin/user/cdupont/mail",
            "/siteadmin/user/cdupont/delete",
        ] {
            let page = curl(&jar, &["-H", "Accept-Language: fr", &server.url(path)]);
            assert_eq!(page.status, 200, "{label}: {path}");
            assert!(page.body.contains("Claire Dupont"), "{label}: {path}");
        }
        // Profile: names, quota, suspension.
        let profile = |last: &str, quota: &str, suspended: bool| {
            let mut f = vec![
                ("login", "cdupont"),
                ("first_name", "Claire"),
                ("last_name", last),
                ("quota_mb", quota),
            ];
            if suspended {
                f.push(("suspended", "on"));
            }
            ok("profile", &f)
        };
        assert_eq!(profile("Dupont-Roy", "50", true).trim(), "null");
        let u = json("user", &[("login", "cdupont")]);
        assert_eq!(u["last_name"], "Dupont-Roy");
        assert_eq!(u["quota_bytes"], 50 * 1024 * 1024);
        assert_eq!(u["suspended"], true);
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        let said = pop["error"].as_str().unwrap_or_default().to_string();
        assert!(said.contains("suspended"), "{label}: {pop}");
        assert_eq!(profile("Dupont", "", false).trim(), "null");
        assert!(
            profile("Dupont", "-3", false).contains("[quota]"),
            "{label}"
        );
        // As a form: every refusal at once, next to its field, and what was typed kept.
        let long = "b".repeat(101);
        let r = post_form(
            &server,
            &jar,
            "/siteadmin/user/cdupont",
            "siteadmin/profile",
            &[
                ("login", "cdupont"),
                ("first_name", "Claire"),
                ("last_name", &long),
                ("quota_mb", "-3"),
            ],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        let page = curl(
            &jar,
            &[
                "-H",
                "Accept-Language: fr",
                &server.url("/siteadmin/user/cdupont"),
            ],
        );
        for words in [
            "Le nom a 100 caractères au plus.",
            "Le quota est un nombre de Mo",
            r#"value="-3""#,
            &format!(r#"value="{long}""#),
        ] {
            assert!(page.body.contains(words), "{label}: {words}");
        }

        // Aliases: add, refuse a taken one, remove.
        let alias =
            |endpoint: &str, login: &str, a: &str| ok(endpoint, &[("login", login), ("alias", a)]);
        assert_eq!(alias("alias_add", "cdupont", "Compta").trim(), "null");
        let taken = alias("alias_add", "pmartin", "compta");
        assert!(taken.contains("[alias]"), "{label}: {taken}");
        let u = json("user", &[("login", "cdupont")]);
        assert_eq!(u["aliases"], serde_json::json!(["compta", "ventes"]));
        // Removing asks first. A program is refused with the question; a browser without
        // JavaScript is sent to the confirmation page, which posts the same form again.
        let asked = alias("alias_remove", "cdupont", "compta");
        assert!(asked.contains("[confirmed]"), "{label}: {asked}");
        let pen = "/siteadmin/user/cdupont";
        let fields = [("login", "cdupont"), ("alias", "compta")];
        let r = post_form(&server, &jar, pen, "siteadmin/alias_remove", &fields);
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some("/confirm"), "{label}");
        let u = json("user", &[("login", "cdupont")]);
        assert_eq!(
            u["aliases"],
            serde_json::json!(["compta", "ventes"]),
            "not yet"
        );
        let page = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/confirm")],
        );
        assert!(
            page.body.contains("Retirer l'alias compta ?"),
            "{label}: {}",
            page.body
        );
        for hidden in [
            r#"action="/api/siteadmin/alias_remove""#,
            r#"name="alias" value="compta""#,
            r#"name="confirmed" value="yes""#,
            r#"name="__from" value="/siteadmin/user/cdupont""#,
        ] {
            assert!(page.body.contains(hidden), "{label}: {hidden}");
        }
        let again = curl(&jar, &[&server.url("/confirm")]);
        assert!(
            again.body.contains("Rien à confirmer"),
            "{label}: asked once"
        );
        let r = post_form(
            &server,
            &jar,
            "/confirm",
            "siteadmin/alias_remove",
            &[
                ("login", "cdupont"),
                ("alias", "compta"),
                ("confirmed", "yes"),
                ("__from", pen),
            ],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        assert_eq!(r.header("location"), Some(pen), "{label}: back to the pen");
        let u = json("user", &[("login", "cdupont")]);
        assert_eq!(u["aliases"], serde_json::json!(["ventes"]), "{label}");
        let page = curl(&jar, &["-H", "Accept-Language: fr", &server.url(pen)]);
        assert!(
            page.body.contains("Alias compta retiré."),
            "{label}: the pen says what was done"
        );

        // Forward, then the responder is refused with the reason; and the other way round.
        let forward = |to: &str| {
            ok(
                "mailbox/forward",
                &[("login", "cdupont"), ("addresses", to), ("keep_copy", "on")],
            )
        };
        assert_eq!(
            forward("claire@example.net\nbureau@example.net").trim(),
            "null"
        );
        let s = json("mailbox/settings", &[("login", "cdupont")]);
        assert_eq!(
            s["forward_to"],
            serde_json::json!(["claire@example.net", "bureau@example.net"])
        );
        assert_eq!(s["keep_copy"], true);
        let responder = [
            ("login", "cdupont"),
            ("enabled", "on"),
            ("subject", "Absente"),
            ("body", "De retour lundi."),
            ("start", "2026-12-20"),
            ("end", "2027-01-03"),
            ("interval_days", "7"),
        ];
        let refused = ok("mailbox/responder", &responder);
        assert!(
            refused.contains("[responder]") && refused.contains("en même temps"),
            "{label}: {refused}"
        );
        assert_eq!(forward("").trim(), "null");
        assert_eq!(ok("mailbox/responder", &responder).trim(), "null");
        let s = json("mailbox/settings", &[("login", "cdupont")]);
        assert_eq!(s["responder_enabled"], true);
        assert_eq!(s["start"], "2026-12-20");
        assert_eq!(s["end"], "2027-01-03");
        assert!(
            forward("claire@example.net").contains("[addresses]"),
            "{label}"
        );
        let mut bad = responder;
        bad[4] = ("start", "24/12/2026");
        assert!(ok("mailbox/responder", &bad).contains("[start]"), "{label}");
        // Switched on to end in the past: refused next to the end date.
        let mut past = responder;
        past[4] = ("start", "");
        past[5] = ("end", "2020-01-31");
        let r = ok("mailbox/responder", &past);
        assert!(r.contains("[end]") && r.contains("passée"), "{label}: {r}");

        // A new password, typed: the old one stops working over POP3 at once.
        let new_pw = "Nouveau-Secret-2026";
        let r = ok("password", &[("login", "cdupont"), ("password", new_pw)]);
        assert_eq!(r.trim(), "null", "{label}");
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(pop["ok"], false, "{label}: {pop}");
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", new_pw]);
        assert_eq!(pop["ok"], true, "{label}: {pop}");
        let weak = ok("password", &[("login", "cdupont"), ("password", "court")]);
        assert!(weak.contains("[password]"), "{label}: {weak}");

        // Generated: shown on the welcome sheet, once.
        let r = post_form(
            &server,
            &jar,
            "/siteadmin/user/cdupont",
            "siteadmin/password",
            &[("login", "cdupont"), ("password", "")],
        );
        assert_eq!(
            r.header("location"),
            Some("/siteadmin/welcome/cdupont"),
            "{label}"
        );
        let page = curl(&jar, &[&server.url("/siteadmin/welcome/cdupont")]);
        assert!(page.body.contains("new-password"), "{label}");
        assert!(
            page.body.contains("Mot de passe réinitialisé")
                && !page.body.contains("Utilisateur créé"),
            "{label}: a reset is not a creation"
        );

        // The change log tells who changed what, from where; the relay grant is shown.
        cli_ok(
            &db,
            &[
                "relay",
                "allow",
                "192.0.2.7",
                "--domain",
                "votredomaine.com",
                "--note",
                "bureau",
            ],
        );
        let log = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin/log")],
        );
        assert_eq!(log.status, 200, "{label}");
        for seen in [
            "Alias ajouté",
            "compta@votredomaine.com",
            "pmartin (127.0.0.1)",
            "Mot de passe changé",
            "Relais ouvert",
        ] {
            assert!(log.body.contains(seen), "{label}: {seen} in the log");
        }
        let page = curl(
            &jar,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin")],
        );
        assert!(
            page.body.contains("192.0.2.7") && page.body.contains("bureau"),
            "{label}"
        );

        // Delete, confirmed: gone with its mail and aliases.
        assert_eq!(ok("delete", &[("login", "cdupont")]).trim(), "null");
        assert_eq!(logins(&db, "votredomaine.com"), ["pmartin"], "{label}");
        let r = smtp_client(&server, "rcpt", &["ventes@votredomaine.com"]);
        assert!(
            r["answer"].as_str().unwrap().contains("550 5.1.1"),
            "{label}: {r}"
        );
        assert!(server.stop().success());
    }
}

/// The change log and the queue in the reader's language: after names, quota, suspension,
/// aliases, a forward, a backup and a relay grant are changed, the French pages carry none of
/// the English words the log was once written in (and no raw action key), and the English
/// pages none of the French ones.
#[tokio::test]
async fn the_log_speaks_the_readers_language() {
    for db in databases().await {
        let label = db.label;
        let (server, jar) = votredomaine_signed_in(&db, PASSWORD);
        let ok = |endpoint: &str, fields: &[(&str, &str)]| {
            let body = call_ok(&server, &jar, endpoint, fields);
            assert!(!body.contains('['), "{label}: {endpoint} refused: {body}");
        };
        ok(
            "siteadmin/profile",
            &[
                ("login", "cdupont"),
                ("first_name", "Claire"),
                ("last_name", "Dupont-Roy"),
                ("quota_mb", "70"),
                ("suspended", "on"),
            ],
        );
        ok(
            "siteadmin/alias_add",
            &[("login", "cdupont"), ("alias", "compta")],
        );
        ok(
            "mailbox/forward",
            &[
                ("login", "cdupont"),
                ("addresses", "claire@example.net"),
                ("keep_copy", "on"),
            ],
        );
        ok(
            "siteadmin/password",
            &[("login", "cdupont"), ("password", "Un-Autre-Secret-1871")],
        );
        ok("backups/make", &[("login", "cdupont")]);
        cli_ok(
            &db,
            &[
                "relay",
                "allow",
                "192.0.2.0/28",
                "--domain",
                "votredomaine.com",
                "--note",
                "Lyon",
            ],
        );
        let page = |lang: &str| {
            let r = curl(
                &jar,
                &[
                    "-H",
                    &format!("Accept-Language: {lang}"),
                    &server.url("/siteadmin/log"),
                ],
            );
            assert_eq!(r.status, 200, "{label}");
            let main = &r.body[r.body.find("<main").unwrap()..];
            main.to_string()
        };
        let fr = page("fr");
        // Times in the host's zone (Europe/Paris by default), with its name.
        assert!(
            (fr.contains(" CET") || fr.contains(" CEST")) && !fr.contains("UTC"),
            "{label}: times in Paris time"
        );
        for french in [
            "quota : 70 Mo",
            "connexions suspendues",
            "renvoi vers",
            "sauvegarde faite",
            "pour cdupont",
        ] {
            assert!(fr.contains(french), "{label}: {french} in {fr}");
        }
        for english in [
            "quota:",
            "logins",
            "forward to",
            "keeping a copy",
            "password changed",
            "backup made",
            "message(s)",
            "account.",
            "alias.",
            "relay.",
            "grant ",
            "to cdupont",
            "bytes",
        ] {
            assert!(
                !fr.contains(english),
                "{label}: English {english:?} on the French log"
            );
        }
        let en = page("en");
        for english in [
            "quota: 70 MB",
            "logins suspended",
            "forward to",
            "backup made",
        ] {
            assert!(en.contains(english), "{label}: {english} in {en}");
        }
        for french in [
            "connexions",
            "renvoi vers",
            "sauvegarde faite",
            "Mo,",
            "n° ",
        ] {
            assert!(
                !en.contains(french),
                "{label}: French {french:?} on the English log"
            );
        }
        assert!(server.stop().success());
    }
}

/// Every refusal of the webmaster's forms, sent as a browser without JavaScript does, comes
/// back next to its field in the language of the person: the French page shows no English
/// refusal and the English page no French one.
#[tokio::test]
async fn every_refusal_speaks_the_readers_language() {
    let db = Db::sqlite();
    let (server, jar) = votredomaine_signed_in(&db, PASSWORD);
    let long = "a".repeat(101);
    // (the form's page, its server function, what is typed)
    type FormPost<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
    let forms: [FormPost; 6] = [
        (
            "/siteadmin/add",
            "siteadmin/add_user",
            vec![
                ("first_name", &long),
                ("last_name", "Martin"),
                ("aliases", "pmartin, x y"),
                ("quota_mb", "beaucoup"),
            ],
        ),
        (
            "/siteadmin/user/cdupont",
            "siteadmin/profile",
            vec![
                ("login", "cdupont"),
                ("first_name", "Claire"),
                ("last_name", &long),
                ("quota_mb", "-3"),
            ],
        ),
        (
            "/siteadmin/user/cdupont",
            "siteadmin/alias_add",
            vec![("login", "cdupont"), ("alias", "pmartin")],
        ),
        (
            "/siteadmin/user/cdupont",
            "siteadmin/password",
            vec![("login", "cdupont"), ("password", "court")],
        ),
        (
            "/siteadmin/user/cdupont/mail",
            "mailbox/forward",
            vec![("login", "cdupont"), ("addresses", "pas une adresse")],
        ),
        (
            "/siteadmin/user/cdupont/mail",
            "mailbox/responder",
            vec![
                ("login", "cdupont"),
                ("enabled", "on"),
                ("subject", ""),
                ("body", ""),
                ("start", "2030-02-01"),
                ("end", "2030-01-01"),
                ("interval_days", "99"),
            ],
        ),
    ];
    for lang in ["fr", "en"] {
        for (page, endpoint, fields) in &forms {
            let refusals = refusals_shown(&server, &jar, lang, page, endpoint, fields);
            // All at once where a form has several: add user (name, alias, quota) and the
            // responder (no text, end before start, interval).
            if endpoint.ends_with("add_user") || endpoint.ends_with("responder") {
                assert!(refusals.len() >= 3, "{lang} {endpoint}: {refusals:?}");
            }
        }
    }
    assert!(server.stop().success());
}

/// Issue 17: a webmaster makes another user of the domain a webmaster and takes it back;
/// never the last one, never their own role; the CLI likewise; audited.
#[tokio::test]
async fn webmasters_share_the_domain_and_one_always_stays() {
    for db in databases().await {
        let label = db.label;
        let (server, pm) = votredomaine_signed_in(&db, PASSWORD);
        let r = call(
            &server,
            &pm,
            "siteadmin/role",
            &[("login", "cdupont"), ("webmaster", "yes")],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        set_password(&db, "cdupont", PASSWORD);
        let cd = db.dir.0.join("cd");
        common::sign_in(&server, &cd, "cdupont", PASSWORD);
        let r = call(&server, &cd, "siteadmin/overview", &[("domain", "")]);
        assert_eq!(r.status, 200, "{label}: a webmaster now: {}", r.body);

        // Not their own role; the other's, yes (two webmasters): pmartin loses the portal.
        let r = call(
            &server,
            &cd,
            "siteadmin/role",
            &[("login", "cdupont"), ("webmaster", "no")],
        );
        assert!(r.body.contains("[webmaster]"), "{label}: {}", r.body);
        let r = call(
            &server,
            &cd,
            "siteadmin/role",
            &[("login", "pmartin"), ("webmaster", "no")],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        refused(
            &call(&server, &pm, "siteadmin/overview", &[("domain", "")]),
            "a former webmaster",
        );

        // The last webmaster keeps the role, from the CLI too, with the reason.
        let out = db.cli(&["user", "role", "cdupont", "user"]);
        assert!(!out.status.success(), "{label}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("only webmaster") || err.contains("seul webmaster"),
            "{err}"
        );
        cli_ok(
            &db,
            &["user", "role", "pmartin@votredomaine.com", "webmaster"],
        );
        cli_ok(&db, &["user", "role", "cdupont", "user"]);
        let r = call(&server, &pm, "siteadmin/overview", &[("domain", "")]);
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let log = curl(&pm, &[&server.url("/siteadmin/log")]);
        assert!(log.body.contains("Rôle changé"), "{label}: audited");
        drop(server);
    }
}

/// Issue 17: the limits a host sets on a domain (mailboxes, aliases, storage, default and
/// largest quota), from the command line and `/admin`; each refused from the web next to its
/// field in both languages and from the command line with a non-zero exit; `/siteadmin`
/// shows the use against them; audited. Both databases.
#[tokio::test]
async fn a_domains_limits_hold_from_the_web_and_the_cli() {
    for db in databases().await {
        let label = db.label;
        // pmartin (webmaster) and cdupont (alias ventes): 2 mailboxes, 1 alias, no quota.
        let (server, pm) = votredomaine_signed_in(&db, PASSWORD);
        // A storage limit asks every mailbox for a quota: the two without are shown.
        let out = cli_ok(
            &db,
            &[
                "domain",
                "limits",
                "votredomaine.com",
                "--mailboxes",
                "3",
                "--aliases",
                "2",
                "--storage",
                "300",
                "--default-quota",
                "100",
                "--max-quota",
                "200",
            ],
        );
        assert!(
            out.contains("3 mailboxes, 2 aliases, storage 300"),
            "{label}: {out}"
        );
        assert!(
            out.contains("uses: 2 mailboxes, 1 aliases"),
            "{label}: {out}"
        );
        // Bad limits: the option named, non-zero exit, nothing changed.
        let bad = db.cli(&[
            "domain",
            "limits",
            "votredomaine.com",
            "--default-quota",
            "250",
        ]);
        assert!(!bad.status.success(), "{label}");
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains("--default-quota"), "{label}: {err}");
        // Give the two mailboxes quotas (the pen), within the limits.
        for login in ["pmartin", "cdupont"] {
            let body = call_ok(
                &server,
                &pm,
                "siteadmin/profile",
                &[
                    ("login", login),
                    ("first_name", "X"),
                    ("last_name", "Y"),
                    ("quota_mb", "100"),
                ],
            );
            assert_eq!(body.trim(), "null", "{label}: {body}");
        }
        // Refused from the web, next to the field, in both languages: a quota above the
        // largest, then one that passes the storage (100 + 100 + 150 > 300).
        for (lang, words) in [("fr", "au plus"), ("en", "at most")] {
            let shown = refusals_shown(
                &server,
                &pm,
                lang,
                "/siteadmin/add",
                "siteadmin/add_user",
                &[
                    ("first_name", "Jean"),
                    ("last_name", "Dupont"),
                    ("aliases", ""),
                    ("quota_mb", "250"),
                ],
            );
            assert!(
                shown.iter().any(|e| e.contains(words)),
                "{label} {lang}: {shown:?}"
            );
        }
        let r = call(
            &server,
            &pm,
            "siteadmin/add_user",
            &[
                ("first_name", "Jean"),
                ("last_name", "Dupont"),
                ("aliases", ""),
                ("quota_mb", "150"),
            ],
        );
        assert!(r.body.contains("[quota]"), "{label}: {}", r.body);
        assert!(r.body.contains("100"), "{label}: what is left: {}", r.body);
        // Without a quota: the default (100 MB) fits exactly; the third mailbox is made.
        let r = call(
            &server,
            &pm,
            "siteadmin/add_user",
            &[
                ("first_name", "Jean"),
                ("last_name", "Dupont"),
                ("aliases", "contact"),
                ("quota_mb", ""),
            ],
        );
        assert_eq!(r.body.trim(), "null", "{label}: {}", r.body);
        let users: Vec<serde_json::Value> = serde_json::from_str(&cli_ok(
            &db,
            &["user", "list", "votredomaine.com", "--json"],
        ))
        .unwrap();
        let jean = users.iter().find(|u| u["login"] == "jdupont").unwrap();
        assert_eq!(jean["quota_bytes"], 100 * 1024 * 1024, "{label}");
        // The fourth mailbox, and a third alias: refused (web and CLI).
        for (lang, words) in [("fr", "limite de 3 boîtes"), ("en", "limit of 3 mailboxes")] {
            let r = post_api(
                &server,
                &pm,
                &[
                    &format!("Accept-Language: {lang}"),
                    "Accept: application/json",
                ],
                "siteadmin/add_user",
                &[
                    ("first_name", "Luc"),
                    ("last_name", "Petit"),
                    ("aliases", ""),
                    ("quota_mb", ""),
                ],
            );
            assert!(r.body.contains(words), "{label} {lang}: {}", r.body);
        }
        let out = db.cli(&[
            "user",
            "add",
            "votredomaine.com",
            "--first",
            "Luc",
            "--last",
            "Petit",
        ]);
        assert!(!out.status.success(), "{label}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("limit of 3 mailboxes"),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (lang, words) in [("fr", "droit à 2 alias"), ("en", "may have 2 aliases")] {
            let shown = refusals_shown(
                &server,
                &pm,
                lang,
                "/siteadmin/user/cdupont",
                "siteadmin/alias_add",
                &[("login", "cdupont"), ("alias", "info")],
            );
            assert!(
                shown.iter().any(|e| e.contains(words)),
                "{label} {lang}: {shown:?}"
            );
        }
        let out = db.cli(&["alias", "add", "cdupont", "info"]);
        assert!(!out.status.success(), "{label}");
        // The webmaster sees the use against the limits (the same meters as a mailbox).
        let page = curl(
            &pm,
            &["-H", "Accept-Language: fr", &server.url("/siteadmin")],
        );
        assert!(
            page.body.contains("Limites fixées par l&#x27;hébergeur")
                || page.body.contains("Limites fixées par l'hébergeur"),
            "{label}"
        );
        assert!(page.body.contains("3 / 3"), "{label}: mailboxes full");
        // The server admin sets them from /admin; a webmaster may not.
        let (admin, admin_pw) = server.admin.clone().unwrap();
        let adm = db.dir.0.join("adm");
        common::sign_in(&server, &adm, &admin, &admin_pw);
        let fields = [
            ("name", "votredomaine.com"),
            ("max_mailboxes", "5"),
            ("max_aliases", ""),
            ("max_storage_mb", "1000"),
            ("default_quota_mb", "100"),
            ("max_quota_mb", "abc"),
        ];
        assert_ne!(
            call(&server, &pm, "admin/domain_limits", &fields).status,
            200,
            "{label}"
        );
        let r = call(&server, &adm, "admin/domain_limits", &fields);
        assert!(r.body.contains("[max_quota_mb]"), "{label}: {}", r.body);
        let mut fields = fields;
        fields[5].1 = "";
        assert_eq!(
            call_ok(&server, &adm, "admin/domain_limits", &fields).trim(),
            "null"
        );
        let out = cli_ok(&db, &["domain", "limits", "votredomaine.com", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["limits"]["max_mailboxes"], 5, "{label}: {v}");
        assert_eq!(
            v["limits"]["max_aliases"],
            serde_json::Value::Null,
            "{label}"
        );
        assert_eq!(v["usage"]["mailboxes"], 3, "{label}");
        let log = curl(
            &pm,
            &["-H", "Accept-Language: en", &server.url("/siteadmin/log")],
        );
        assert!(log.body.contains("Limits changed"), "{label}");
        drop(server);
    }
}

/// A domain of hundreds of mailboxes is shown a page of 100 at a time (links keep the search),
/// the search runs on the server across every page, and the catch-all then takes a login
/// instead of offering a list of hundreds.
#[tokio::test]
async fn a_long_list_comes_a_page_at_a_time() {
    use app::store::entities::account;
    use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, EntityTrait, Set};
    for db in databases().await {
        let label = db.label;
        let (server, jar) = votredomaine_signed_in(&db, PASSWORD);
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let store = app::store::Store::open(&url).await.unwrap();
        let model = store.account("cdupont").await.unwrap();
        for i in 0..210 {
            let mut copy: account::ActiveModel = model.clone().into();
            copy.id = NotSet;
            copy.login = Set(format!("u{i:03}"));
            let copy = copy.reset_all();
            account::Entity::insert(copy)
                .exec_without_returning(store.db())
                .await
                .unwrap();
        }
        store.close().await;
        // 212 mailboxes: pages of 100, 100 and 12.
        let items = |page: &str| page.matches("data-search=").count();
        let first = curl(&jar, &[&server.url("/siteadmin")]);
        assert_eq!(first.status, 200, "{label}");
        assert_eq!(items(&first.body), 100, "{label}");
        assert!(first.body.contains("Page 1 sur 3 (212 boîtes)"), "{label}");
        assert!(
            first.body.contains(r#"href="/siteadmin?page=2""#),
            "{label}"
        );
        let last = curl(&jar, &[&server.url("/siteadmin?page=3")]);
        assert_eq!(items(&last.body), 12, "{label}");
        assert!(last.body.contains(r#"href="/siteadmin?page=2""#), "{label}");
        // The search looks at every page, and a short answer has no pages.
        let found = curl(&jar, &[&server.url("/siteadmin?q=u14")]);
        assert_eq!(items(&found.body), 10, "{label}");
        assert!(!found.body.contains("class=\"pager\""), "{label}");
        // The catch-all of so many mailboxes: a login to type.
        assert!(
            first
                .body
                .contains(r#"<input id="catch-all" name="login" type="text""#),
            "{label}"
        );
        drop(server);
    }
}

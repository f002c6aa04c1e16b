//! Real client addresses behind a load balancer (issue 18, item 1) against the real binary:
//! from a `[proxy] trusted` address, SMTP and POP3 require a PROXY header (v1 or v2) and serve
//! the client it names — relay grants, trace fields and the sign-in history see that address;
//! a connection from the balancer without a header is closed; from any other address a PROXY
//! line is only a bad command. The web takes the client from `X-Forwarded-For` / `Forwarded`
//! and the scheme from `X-Forwarded-Proto` only from the balancer. Both databases.

mod common;

use common::*;
use serde_json::Value;

const PW: &str = "Claire-Pass-2026";
fn code(answer: &str) -> &str {
    answer
        .lines()
        .last()
        .map_or("", |l| l.get(..3).unwrap_or(""))
}

#[tokio::test]
async fn the_balancer_names_the_client_and_only_the_balancer() {
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PW);
        // The customer's office at 192.0.2.7 may relay; the balancer is on loopback.
        allow_office(&db, "192.0.2.7");
        let config = db.dir.0.join("proxy.toml");
        std::fs::write(&config, "[proxy]\ntrusted = [\"127.0.0.1/32\"]\n").unwrap();
        // The log as JSON (for a collector): one object a line.
        let server = Server::start_with(
            &db,
            &["--config", config.to_str().unwrap(), "--log-format", "json"],
        );
        let relay = [
            "EHLO office.example",
            "MAIL FROM:<cdupont@votredomaine.com>",
            "RCPT TO:<client@example.net>",
            "QUIT",
        ];
        // Version 1 from the office: the grant matches the real address.
        let a = proxy_through(&server.smtp, "v1:192.0.2.7:40000", &relay);
        assert_eq!(code(&a[3]), "250", "{label}: {a:?}");
        // Version 2 from another address: no grant, no relay.
        let a = proxy_through(&server.smtp, "v2:198.51.100.9:40001", &relay);
        assert_eq!(code(&a[3]), "554", "{label}: {a:?}");
        // The balancer's own health check (LOCAL, UNKNOWN): served as itself.
        for local in ["v2-local", "v1-unknown"] {
            let a = proxy_through(&server.smtp, local, &["QUIT"]);
            assert_eq!(code(&a[0]), "220", "{label} {local}: {a:?}");
        }
        // Without a header, or a broken one: closed before a word, and said in the log.
        for bad in ["none", "garbage"] {
            let a = proxy_through(&server.smtp, bad, &["EHLO x"]);
            assert_eq!(a[0], "", "{label} {bad}: {a:?}");
        }
        let said: Vec<Value> = server
            .lines
            .try_iter()
            .filter_map(|l| serde_json::from_str(&l).ok())
            .collect();
        assert!(
            said.iter().any(|v| v["level"] == "WARN"
                && v["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("no valid PROXY header"))),
            "{label}: {said:?}"
        );
        // A message through the balancer carries the client's address in its trace.
        let a = proxy_through(
            &server.smtp,
            "v2:2001:db8::7:40002",
            &[
                "EHLO phone.example",
                "MAIL FROM:<a@example.org>",
                "RCPT TO:<cdupont@votredomaine.com>",
                "DATA",
                "Subject: par le répartiteur\r\n\r\nBonjour.\r\n.",
                "QUIT",
            ],
        );
        assert_eq!(code(&a[5]), "250", "{label}: {a:?}");
        // (Read from the database: every loopback connection is the balancer's here.)
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let store = app::store::Store::open(&url).await.unwrap();
        let stored = store.mailbox("cdupont").await.unwrap();
        store.close().await;
        let raw = String::from_utf8_lossy(&stored[0].raw).to_string();
        let received = raw.lines().find(|l| l.starts_with("Received:")).unwrap();
        assert!(raw.contains("2001:db8::7"), "{label}: {received}");
        // POP3 likewise: the sign-in is recorded from the client's address. (Plain USER/PASS
        // is refused off loopback without TLS, so AUTH over STLS is not at hand here: the
        // refusal itself shows the address is no longer loopback.)
        let a = proxy_through(
            &server.pop3,
            "v1:192.0.2.9:40003",
            &["USER cdupont", &format!("PASS {PW}"), "QUIT"],
        );
        assert!(a[0].starts_with("+OK"), "{label}: {a:?}");
        assert!(
            a[1].starts_with("-ERR") || a[2].starts_with("-ERR"),
            "{label}: plain text refused off loopback: {a:?}"
        );
        // The balancer ends TLS and says so: the site's cookies are Secure and browsers are
        // told to keep to HTTPS.
        let https_said = |server: &Server| {
            let jar = db.dir.0.join("proto.jar");
            let lang = curl(
                &jar,
                &[
                    "-H",
                    "X-Forwarded-Proto: https",
                    &server.url("/lang/en?next=/login"),
                ],
            );
            let page = curl(
                &jar,
                &["-H", "X-Forwarded-Proto: https", &server.url("/login")],
            );
            (
                lang.header("set-cookie").unwrap_or_default().to_string(),
                page.header("strict-transport-security").map(str::to_string),
            )
        };
        let (cookie, hsts) = https_said(&server);
        assert!(cookie.ends_with("; Secure"), "{label}: {cookie}");
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{label}");
        drop(server);

        // From an address that is not a balancer, a PROXY line is a bad command.
        std::fs::write(&config, "[proxy]\ntrusted = [\"192.0.2.1/32\"]\n").unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let a = proxy_through(
            &server.smtp,
            "none",
            &["PROXY TCP4 192.0.2.7 203.0.113.1 1 25", "QUIT"],
        );
        assert_eq!(code(&a[0]), "220", "{label}: {a:?}");
        assert!(code(&a[1]).starts_with('5'), "{label}: {a:?}");
        let a = proxy_through(&server.smtp, "v1:192.0.2.7:40000", &relay);
        assert!(
            a[0].starts_with("5") || a[1].starts_with("5"),
            "{label}: {a:?}"
        );
        // Nor does anyone else's X-Forwarded-Proto make the site think it is on HTTPS.
        let (cookie, hsts) = https_said(&server);
        assert!(
            cookie.starts_with("lang=en") && !cookie.contains("Secure"),
            "{label}: {cookie}"
        );
        assert_eq!(hsts, None, "{label}");
        drop(server);
    }
}

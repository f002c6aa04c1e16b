//! Submission (RFC 6409) against the real binary with Python's smtplib: port 587 with
//! STARTTLS and 465 with implicit TLS, AUTH PLAIN and LOGIN only under TLS, the sender limited
//! to the user's own addresses, local recipients delivered and foreign ones sent out through
//! the queue to a real receiver, guessing throttled together with POP3. Both databases.

mod common;

use common::receiver::Receiver;
use common::*;

const PASSWORD: &str = "Claire-Pass-2026";

fn submit(
    addr: &str,
    mode: &str,
    login: &str,
    password: &str,
    from: &str,
    to: &[&str],
) -> serde_json::Value {
    let mut args = vec![mode, login, password, from];
    args.extend_from_slice(to);
    smtp_client_at(addr, None, None, "submit", &args)
}

#[tokio::test]
async fn signed_in_users_send_from_their_own_addresses() {
    for db in databases().await {
        let label = db.label;
        let rx = Receiver::start(db.dir.0.join("rx"), "accept");
        let config = rx.routes_config(&db.dir.0);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let sub = server.submission.clone().expect("submission on");
        let subs = server.submissions.clone().expect("submissions on");

        // 587 with STARTTLS, AUTH PLAIN with the full address: to a colleague and outside.
        let r = submit(
            &sub,
            "starttls",
            "cdupont@votredomaine.com",
            PASSWORD,
            "cdupont@votredomaine.com",
            &["pmartin@votredomaine.com", "ami@example.net"],
        );
        assert_eq!(r["auth"][0], 235, "{label}: {r}");
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        let got = rx.wait_for(1);
        assert_eq!(got[0]["mail_from"], "cdupont@votredomaine.com", "{label}");
        assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["ami@example.net"]));
        let content = got[0]["content"].as_str().unwrap();
        assert!(content.contains("with ESMTPSA"), "{label}: {content}");
        assert!(content.contains("Envoyé depuis le téléphone."), "{content}");
        assert_eq!(mailbox(&db, "pmartin").0, 1, "{label}: delivered locally");

        // 465 with implicit TLS, AUTH LOGIN with the short login, from her alias.
        let r = submit(
            &subs,
            "ssl-login",
            "cdupont",
            PASSWORD,
            "ventes@votredomaine.com",
            &["ami@example.net"],
        );
        assert_eq!(r["auth"][0], 235, "{label}: {r}");
        assert_eq!(r["refused"], serde_json::json!({}), "{label}: {r}");
        assert_eq!(rx.wait_for(2)[1]["mail_from"], "ventes@votredomaine.com");

        // Somebody else's address as the sender is refused.
        let r = submit(
            &sub,
            "starttls",
            "cdupont",
            PASSWORD,
            "pmartin@votredomaine.com",
            &["ami@example.net"],
        );
        assert_eq!(r["error"][0], 553, "{label}: {r}");
        assert!(
            r["error"][1]
                .as_str()
                .unwrap()
                .contains("cdupont@votredomaine.com")
        );

        // Without TLS: no AUTH offered, none accepted, nothing sent.
        let r = submit(
            &sub,
            "plain",
            "cdupont",
            PASSWORD,
            "cdupont@votredomaine.com",
            &["ami@example.net"],
        );
        assert_eq!(r["auth_offered"], "", "{label}: {r}");
        assert_eq!(r["error"][0], 530, "{label}: {r}");

        // A wrong password; then guessing is throttled, here and on POP3 (one counter).
        let r = submit(
            &subs,
            "ssl",
            "cdupont",
            "claire-pass-2026",
            "cdupont@votredomaine.com",
            &["ami@example.net"],
        );
        assert_eq!(r["auth"][0], 535, "{label}: {r}");
        let r = smtp_client_at(
            &subs,
            None,
            None,
            "guess",
            &["ssl", "cdupont", "12", PASSWORD],
        );
        let right = &r["right"];
        assert_ne!(
            right[0], 235,
            "{label}: the right password is refused while locked: {r}"
        );
        assert!(
            right.to_string().contains("Too many failed logins"),
            "{label}: {r}"
        );
        let pop = pop3_client(&server.pop3, "plain_auth", &["cdupont", PASSWORD]);
        assert_eq!(pop["ok"], false, "{label}: {pop}");
        assert!(
            pop["error"]
                .as_str()
                .unwrap()
                .contains("Too many failed logins"),
            "{label}: {pop}"
        );
        assert_eq!(rx.received().len(), 2, "{label}: nothing else went out");
        assert!(server.stop().success(), "{label}");

        // Switched off: no listener.
        let server = Server::start_with(&db, &["--submission", "off", "--submissions", "off"]);
        assert!(server.submission.is_none() && server.submissions.is_none());
        assert!(server.stop().success(), "{label}");
    }
}

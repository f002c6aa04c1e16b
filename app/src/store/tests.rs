//! Store tests, each run on SQLite and PostgreSQL (see `testing`).

use super::testing::on_both;
use super::*;
use crate::domain::{LoginError, Role};
use crate::store::accounts::{AuthFailure, NewUser};
use crate::store::sessions::DbSessionStore;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

fn cli() -> Actor {
    Actor::cli()
}

fn nu(first: &str, last: &str, aliases: &[&str], quota_bytes: Option<i64>) -> NewUser {
    NewUser {
        first: first.into(),
        last: last.into(),
        role: Role::User,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        quota_bytes,
    }
}

#[tokio::test]
async fn domains_and_their_webmaster() {
    on_both(|s| async move {
        let (d, wm) = s
            .add_domain(&cli(), "VotreDomaine.com", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        assert_eq!(d.name, "votredomaine.com");
        let wm = wm.unwrap();
        assert_eq!(wm.login, "pmartin");
        assert_eq!(wm.role, "webmaster");
        assert_eq!(wm.domain.as_deref(), Some("votredomaine.com"));
        assert!(matches!(
            s.add_domain(&cli(), "votredomaine.COM", None).await,
            Err(StoreError::DomainExists(_))
        ));
        assert!(matches!(
            s.add_domain(&cli(), "not a domain", None).await,
            Err(StoreError::Address(_))
        ));
        s.add_domain(&cli(), "café.fr", None).await.unwrap();
        let list = s.list_domains().await.unwrap();
        let names: Vec<_> = list.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["votredomaine.com", "xn--caf-dma.fr"]);
        assert_eq!(list[0].webmasters, ["pmartin"]);
        assert_eq!(list[0].accounts, 1);
    })
    .await;
}

#[tokio::test]
async fn logins_are_generated_unique_across_the_server() {
    on_both(|s| async move {
        s.add_domain(&cli(), "a.example", None).await.unwrap();
        s.add_domain(&cli(), "b.example", None).await.unwrap();
        let u = |d: &'static str, f: &'static str, l: &'static str| {
            let s = s.clone();
            async move { s.add_user(&cli(), d, &nu(f, l, &[], None)).await }
        };
        assert_eq!(
            u("a.example", "Pierre", "Martin").await.unwrap().login,
            "pmartin"
        );
        assert_eq!(
            u("a.example", "Pierre", "Martin").await.unwrap().login,
            "pmartin2"
        );
        assert_eq!(
            u("b.example", "Paul", "Martin").await.unwrap().login,
            "pmartin3"
        );
        assert_eq!(
            u("a.example", "Éloïse", "D'Artagnan").await.unwrap().login,
            "edartagnan"
        );
        assert_eq!(
            u("a.example", "Jean-Pierre", "de La Fontaine")
                .await
                .unwrap()
                .login,
            "jdelafontaine"
        );
        let generic = u("a.example", "", "Info").await.unwrap_err();
        assert!(matches!(generic, StoreError::Login(LoginError::Generic(_))));
        assert!(generic.to_string().contains("alias"));
        assert!(matches!(
            u("a.example", "!!", "").await,
            Err(StoreError::Login(LoginError::Empty))
        ));
        assert!(matches!(
            u("nowhere.example", "Anne", "Bell").await,
            Err(StoreError::DomainNotFound(_))
        ));
        let users = s.list_users("a.example").await.unwrap();
        let logins: Vec<_> = users.iter().map(|u| u.login.as_str()).collect();
        assert_eq!(
            logins,
            ["edartagnan", "jdelafontaine", "pmartin", "pmartin2"]
        );
    })
    .await;
}

#[tokio::test]
async fn aliases_are_unique_within_a_domain_across_logins_and_aliases() {
    on_both(|s| async move {
        s.add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        s.add_domain(&cli(), "b.example", Some(("Anne", "Bell")))
            .await
            .unwrap();
        let c = s
            .add_user(
                &cli(),
                "a.example",
                &nu(
                    "Claire",
                    "Dupont",
                    &["ventes", "Claire.Dupont"],
                    Some(1 << 20),
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            s.add_alias(&cli(), "pmartin", "Info").await.unwrap(),
            "info@a.example"
        );
        for taken in ["info", "INFO", "ventes", "cdupont", "pmartin"] {
            assert!(
                matches!(
                    s.add_alias(&cli(), &c.login, taken).await,
                    Err(StoreError::AddressTaken(_))
                ),
                "{taken}"
            );
        }
        // The same alias in another domain is another address.
        assert_eq!(
            s.add_alias(&cli(), "abell", "info").await.unwrap(),
            "info@b.example"
        );
        assert!(matches!(
            s.add_alias(&cli(), "abell", "a%b").await,
            Err(StoreError::Address(_))
        ));
        // A duplicate alias in one creation changes nothing.
        let before = s.list_users("a.example").await.unwrap().len();
        assert!(
            s.add_user(&cli(), "a.example", &nu("Jean", "Neuf", &["x", "X"], None))
                .await
                .is_err()
        );
        assert!(
            s.add_user(
                &cli(),
                "a.example",
                &nu("Jean", "Neuf", &["ok", "info"], None)
            )
            .await
            .is_err()
        );
        assert_eq!(
            s.list_users("a.example").await.unwrap().len(),
            before,
            "nothing half-written"
        );
        // A new login never takes an existing alias of its domain.
        s.add_alias(&cli(), "pmartin", "jdoe").await.unwrap();
        assert_eq!(
            s.add_user(&cli(), "a.example", &nu("John", "Doe", &[], None))
                .await
                .unwrap()
                .login,
            "jdoe2"
        );
        let aliases = s.list_aliases("a.example").await.unwrap();
        let pairs: Vec<_> = aliases
            .iter()
            .map(|a| (a.address.as_str(), a.login.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("claire.dupont@a.example", "cdupont"),
                ("info@a.example", "pmartin"),
                ("jdoe@a.example", "pmartin"),
                ("ventes@a.example", "cdupont"),
            ]
        );
        s.delete_alias(&cli(), "pmartin", "INFO").await.unwrap();
        assert!(matches!(
            s.delete_alias(&cli(), "pmartin", "info").await,
            Err(StoreError::AliasNotFound(_))
        ));
        s.add_alias(&cli(), &c.login, "info").await.unwrap();
        let users = s.list_users("a.example").await.unwrap();
        let cd = users.iter().find(|u| u.login == "cdupont").unwrap();
        assert_eq!(cd.aliases, ["claire.dupont", "info", "ventes"]);
        assert_eq!(cd.quota_bytes, Some(1 << 20));
    })
    .await;
}

#[tokio::test]
async fn one_password_two_login_forms() {
    on_both(|s| async move {
        let (_, wm) = s
            .add_domain(&cli(), "votredomaine.com", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        s.add_domain(&cli(), "autre.example", None).await.unwrap();
        let pw = wm.unwrap().password;
        for form in [
            "pmartin",
            "PMartin",
            " pmartin ",
            "pmartin@votredomaine.com",
            "PMARTIN@VotreDomaine.COM",
        ] {
            let a = s.authenticate(form, &pw).await.unwrap();
            assert_eq!(a.login, "pmartin", "{form}");
        }
        for (form, password) in [
            ("pmartin", pw.to_uppercase().as_str()),
            ("pmartin@autre.example", pw.as_str()),
            ("nobody", pw.as_str()),
            ("", pw.as_str()),
            ("pmartin", ""),
        ] {
            assert_eq!(
                s.authenticate(form, password).await.unwrap_err(),
                AuthFailure::BadCredentials,
                "{form}"
            );
        }
        // A chosen password must meet the policy; the old one stops working at once.
        assert!(matches!(
            s.set_password(&cli(), "pmartin", Some("court".into()))
                .await,
            Err(StoreError::Password(_))
        ));
        assert!(
            s.authenticate("pmartin", &pw).await.is_ok(),
            "a refused change changes nothing"
        );
        s.set_password(&cli(), "PMartin", Some("Le chat dort au soleil".into()))
            .await
            .unwrap();
        assert!(s.authenticate("pmartin", &pw).await.is_err());
        assert!(
            s.authenticate("pmartin", "Le chat dort au soleil")
                .await
                .is_ok()
        );
        let generated = s.set_password(&cli(), "pmartin", None).await.unwrap();
        assert!(
            s.authenticate("pmartin@votredomaine.com", &generated)
                .await
                .is_ok()
        );
        assert_eq!(s.account("pmartin").await.unwrap().auth_epoch, 2);
    })
    .await;
}

#[tokio::test]
async fn server_admin_is_created_once() {
    on_both(|s| async move {
        let first = s.ensure_server_admin().await.unwrap().unwrap();
        assert_eq!(first.login, "srvadmin");
        assert_eq!(first.role, "admin");
        assert_eq!(first.domain, None);
        assert!(s.ensure_server_admin().await.unwrap().is_none());
        assert!(s.authenticate("srvadmin", &first.password).await.is_ok());
        let named = s
            .create_server_admin(&cli(), "Hélène", "Tech")
            .await
            .unwrap();
        assert_eq!(named.login, "htech");
        assert_eq!(
            s.create_server_admin(&cli(), "", "").await.unwrap().login,
            "srvadmin2"
        );
        assert_eq!(s.count_server_admins().await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn deleting_users_and_domains() {
    on_both(|s| async move {
        s.add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let u = s
            .add_user(&cli(), "a.example", &nu("Anne", "Bell", &["compta"], None))
            .await
            .unwrap();
        assert!(matches!(
            s.delete_user(&cli(), "pmartin").await,
            Err(StoreError::LastWebmaster(_))
        ));
        s.delete_user(&cli(), &u.login).await.unwrap();
        assert!(matches!(
            s.delete_user(&cli(), &u.login).await,
            Err(StoreError::AccountNotFound(_))
        ));
        // The alias went with its owner: it can be given again.
        s.add_alias(&cli(), "pmartin", "compta").await.unwrap();
        assert!(matches!(
            s.delete_domain(&cli(), "a.example", false).await,
            Err(StoreError::DomainHasMailboxes { count: 1, .. })
        ));
        s.delete_domain(&cli(), "A.example", true).await.unwrap();
        assert!(s.list_domains().await.unwrap().is_empty());
        assert!(matches!(
            s.account("pmartin").await,
            Err(StoreError::AccountNotFound(_))
        ));
        let actions: Vec<String> = s
            .audit_recent(20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "domain.delete",
                "alias.add",
                "account.delete",
                "account.add",
                "account.add",
                "domain.add"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_live_in_the_database() {
    on_both(|s| async move {
        let (_, wm) = s
            .add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let account = s.account(&wm.unwrap().login).await.unwrap();
        let store = DbSessionStore::new(&s);
        let mut rec = Record {
            id: Id::default(),
            data: [(
                sessions::ACCOUNT_KEY.to_string(),
                serde_json::json!(account.id),
            )]
            .into_iter()
            .collect(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut rec).await.unwrap();
        let loaded = store.load(&rec.id).await.unwrap().unwrap();
        assert_eq!(loaded.data, rec.data);
        assert_eq!(
            loaded.expiry_date.unix_timestamp(),
            rec.expiry_date.unix_timestamp()
        );
        // The database holds a hash, not the id.
        let row = entities::web_session::Entity::find()
            .one(s.db())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(row.id_hash, rec.id.to_string());
        assert_eq!(row.account_id, Some(account.id));
        // A password change signs the account out everywhere.
        s.set_password(&cli(), &account.login, None).await.unwrap();
        assert!(store.load(&rec.id).await.unwrap().is_none());
        // Expired records are not loaded.
        let mut old = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() - time::Duration::seconds(5),
        };
        store.create(&mut old).await.unwrap();
        assert!(store.load(&old.id).await.unwrap().is_none());
        tower_sessions::ExpiredDeletion::delete_expired(&store)
            .await
            .unwrap();
        store.delete(&old.id).await.unwrap();
        assert!(store.load(&Id::default()).await.unwrap().is_none());
    })
    .await;
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn used_bytes_follows_the_messages() {
    use entities::message;
    use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
    on_both(|s| async move {
        let (_, wm) = s
            .add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let a = s.account(&wm.unwrap().login).await.unwrap();
        for (uidl, size) in [("u1", 100), ("u2", 50)] {
            message::ActiveModel {
                account_id: Set(a.id),
                uidl: Set(uidl.into()),
                size: Set(size),
                received_at: Set(0),
                mail_from: Set(String::new()),
                subject: Set(String::new()),
                raw: Set(vec![b'x'; size as usize]),
                ..Default::default()
            }
            .insert(s.db())
            .await
            .unwrap();
        }
        assert_eq!(s.account("pmartin").await.unwrap().used_bytes, 150);
        message::Entity::delete_many()
            .filter(message::Column::Uidl.eq("u1"))
            .exec(s.db())
            .await
            .unwrap();
        assert_eq!(s.account("pmartin").await.unwrap().used_bytes, 50);
        s.delete_domain(&cli(), "a.example", true).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn maildrop_lease_snapshot_and_update() {
    use super::maildrop::Opened;
    use entities::{maildrop_lock, message};
    use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
    use std::time::Duration;
    const TTL: Duration = Duration::from_secs(60);
    on_both(|s| async move {
        s.add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let a = s.account("pmartin").await.unwrap();
        for uidl in ["u1", "u2", "u3"] {
            message::ActiveModel {
                account_id: Set(a.id),
                uidl: Set(uidl.into()),
                size: Set(3),
                received_at: Set(0),
                mail_from: Set(String::new()),
                subject: Set(String::new()),
                raw: Set(uidl.as_bytes().to_vec()),
                ..Default::default()
            }
            .insert(s.db())
            .await
            .unwrap();
        }
        // The first holder gets the snapshot, the second is refused.
        let Opened::Snapshot(snapshot) = s.open_maildrop(a.id, "h1", TTL).await.unwrap() else {
            panic!("free maildrop");
        };
        assert_eq!((snapshot.count, snapshot.octets), (3, 9));
        // Delivered after the login: not this session's.
        super::maildrop::keep_message(
            s.db(),
            message::ActiveModel {
                account_id: Set(a.id),
                uidl: Set("late".into()),
                size: Set(4),
                received_at: Set(0),
                mail_from: Set(String::new()),
                subject: Set(String::new()),
                raw: Set(b"late".to_vec()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(s.account("pmartin").await.unwrap().message_count, 4);
        // The webmaster's list shows that count too (kept by the trigger, not counted again).
        let listed = s.list_users("a.example").await.unwrap();
        let pmartin = listed.iter().find(|u| u.login == "pmartin").unwrap();
        assert_eq!((pmartin.messages, pmartin.used_bytes), (4, 13));
        let snap = s.maildrop_page(a.id, 0, snapshot.bound, 100).await.unwrap();
        let first = s.maildrop_page(a.id, 0, snapshot.bound, 1).await.unwrap();
        let rest = s
            .maildrop_page(a.id, first[0].id, snapshot.bound, 100)
            .await
            .unwrap();
        assert_eq!([first, rest].concat(), snap, "pages follow each other");
        let uidls: Vec<&str> = snap.iter().map(|e| e.uidl.as_str()).collect();
        assert_eq!(uidls, ["u1", "u2", "u3"]);
        assert!(snap.iter().all(|e| e.size == 3));
        assert!(
            s.account("pmartin")
                .await
                .unwrap()
                .last_pop3_login_at
                .is_some()
        );
        assert!(matches!(
            s.open_maildrop(a.id, "h2", TTL).await.unwrap(),
            Opened::InUse
        ));
        assert!(s.renew_maildrop(a.id, "h1", TTL).await.unwrap());
        assert!(!s.renew_maildrop(a.id, "h2", TTL).await.unwrap());
        let got = s
            .messages_bytes(a.id, &[snap[1].id, snap[2].id])
            .await
            .unwrap();
        assert_eq!(got[&snap[1].id], b"u2");
        assert_eq!(got[&snap[2].id], b"u3");
        let other = s.messages_bytes(a.id + 1, &[snap[1].id]).await.unwrap();
        assert!(other.is_empty(), "another account's messages are not read");

        // Only the holder can close; closing deletes the marked messages and frees the lease.
        assert!(!s.close_maildrop(a.id, "h2", &[snap[0].id]).await.unwrap());
        assert!(s.close_maildrop(a.id, "h1", &[snap[0].id]).await.unwrap());
        assert_eq!(s.mailbox("pmartin").await.unwrap().len(), 3);

        // A lease whose holder died (expired) is taken over; a released one is free.
        let Opened::Snapshot(snapshot) = s.open_maildrop(a.id, "h2", TTL).await.unwrap() else {
            panic!("freed at QUIT");
        };
        assert_eq!(
            (snapshot.count, snapshot.octets),
            (3, 10),
            "the late one counts now"
        );
        maildrop_lock::Entity::update_many()
            .col_expr(
                maildrop_lock::Column::ExpiresAt,
                sea_orm::sea_query::Expr::value(now() - 1),
            )
            .filter(maildrop_lock::Column::AccountId.eq(a.id))
            .exec(s.db())
            .await
            .unwrap();
        assert!(matches!(
            s.open_maildrop(a.id, "h3", TTL).await.unwrap(),
            Opened::Snapshot(_)
        ));
        assert!(
            !s.close_maildrop(a.id, "h2", &[]).await.unwrap(),
            "h2 lost it"
        );
        s.release_maildrop(a.id, "h3").await.unwrap();
        assert!(matches!(
            s.open_maildrop(a.id, "h4", TTL).await.unwrap(),
            Opened::Snapshot(_)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_outbound_queue_claims_once_and_records_outcomes() {
    use super::queue::Outcome;
    use entities::outbound;
    use sea_orm::{ColumnTrait, QueryFilter};
    use std::collections::HashSet;
    use std::time::Duration;
    const LEASE: Duration = Duration::from_secs(300);
    on_both(|s| async move {
        let t = now();
        for i in 0..6 {
            super::queue::enqueue(
                s.db(),
                "forward",
                None,
                "a@example.org",
                &format!("r{i}@example.net"),
                &format!("m{i}"),
                b"Subject: x\r\n\r\nx\r\n".to_vec(),
                t,
            )
            .await
            .unwrap();
        }
        // Two workers at once never get the same message.
        let (a, b) = tokio::join!(
            s.claim_outbound("w1", 4, LEASE),
            s.claim_outbound("w2", 4, LEASE)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let ids: HashSet<i64> = a.iter().chain(&b).map(|m| m.id).collect();
        assert_eq!(ids.len(), a.len() + b.len(), "no message claimed twice");
        assert_eq!(ids.len(), 6);
        assert!(
            a.iter()
                .all(|m| m.attempts == 1 && m.status == "sending" && !m.raw.is_empty())
        );
        assert!(s.claim_outbound("w3", 10, LEASE).await.unwrap().is_empty());

        // Outcomes: only the claimer records; a retry waits; "retry now" makes it due.
        let (mine, w, other) = if a.len() >= 3 {
            (&a, "w1", "w2")
        } else {
            (&b, "w2", "w1")
        };
        let (first, second, third) = (mine[0].clone(), mine[1].clone(), mine[2].clone());
        assert!(
            !s.finish_outbound(first.id, other, &Outcome::Sent("250 ok".into()))
                .await
                .unwrap()
        );
        assert!(
            s.finish_outbound(first.id, w, &Outcome::Sent("250 ok".into()))
                .await
                .unwrap()
        );
        let later = Outcome::Retry {
            answer: "451 later".into(),
            at: t + 3600,
        };
        assert!(s.finish_outbound(second.id, w, &later).await.unwrap());
        assert!(
            s.finish_outbound(third.id, w, &Outcome::Failed("550 no".into()))
                .await
                .unwrap()
        );
        assert!(s.claim_outbound("w3", 10, LEASE).await.unwrap().is_empty());
        s.queue_retry_now(second.id).await.unwrap();
        let again = s.claim_outbound("w3", 10, LEASE).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].id, again[0].attempts), (second.id, 2));
        // Given back untried (no room in the worker): the attempt does not count.
        assert!(
            !s.unclaim_outbound(second.id, "w1", t).await.unwrap(),
            "not w1's"
        );
        assert!(s.unclaim_outbound(second.id, "w3", t).await.unwrap());
        let again = s.claim_outbound("w3", 10, LEASE).await.unwrap();
        assert_eq!((again[0].id, again[0].attempts), (second.id, 2));
        assert!(
            s.queue_retry_now(first.id).await.is_err(),
            "a sent message stays sent"
        );

        // A claim that expired (its worker died) is taken again; the old worker loses it.
        outbound::Entity::update_many()
            .col_expr(
                outbound::Column::ClaimedUntil,
                sea_orm::sea_query::Expr::value(t - 1),
            )
            .filter(outbound::Column::Id.eq(second.id))
            .exec(s.db())
            .await
            .unwrap();
        let taken = s.claim_outbound("w4", 10, LEASE).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert!(
            !s.finish_outbound(second.id, "w3", &Outcome::Sent("250".into()))
                .await
                .unwrap()
        );

        // The admin's view and delete.
        let listed = s.queue_list(100).await.unwrap();
        assert_eq!(listed.len(), 6);
        assert!(listed.iter().all(|m| m.raw.is_empty()));
        let f = listed.iter().find(|m| m.id == third.id).unwrap();
        assert_eq!(
            (f.status.as_str(), f.last_answer.as_str()),
            ("failed", "550 no")
        );
        assert!(s.queue_delete(second.id).await.is_err(), "being sent");
        s.queue_delete(third.id).await.unwrap();
        assert_eq!(s.queue_list(100).await.unwrap().len(), 5);
    })
    .await;
}

#[tokio::test]
async fn srs_addresses_of_hosted_domains_lead_back_to_their_sender() {
    use crate::store::delivery::RcptVerdict;
    on_both(|s| async move {
        s.add_domain(&cli(), "votredomaine.com", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let secret = s.srs_secret().await.unwrap().to_vec();
        assert_eq!(secret.len(), 64, "a random key, made once");
        assert_eq!(s.srs_secret().await.unwrap(), secret.as_slice());
        let srs =
            crate::domain::srs::forward(&secret, "alice@example.org", "votredomaine.com", now());
        let ip: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            s.check_recipient(&srs, "", ip, 0).await.unwrap(),
            RcptVerdict::SrsReturn {
                address: "alice@example.org".into()
            }
        );
        let forged = srs.replace("alice", "bob");
        assert!(matches!(
            s.check_recipient(&forged, "", ip, 0).await.unwrap(),
            RcptVerdict::BadSrs { .. }
        ));
        // Of a domain not hosted here, an SRS address is foreign like any other.
        let elsewhere = srs.replace("votredomaine.com", "example.net");
        assert_eq!(
            s.check_recipient(&elsewhere, "", ip, 0).await.unwrap(),
            RcptVerdict::RelayDenied
        );
    })
    .await;
}

#[tokio::test]
async fn old_history_is_purged_and_recent_history_kept() {
    use entities::{outbound, responder_log};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    const DAY: i64 = 86_400;
    on_both(|s| async move {
        let t = now();
        // (status, days since the last change) → kept?
        let rows = [
            ("sent", 8, false),
            ("sent", 6, true),
            ("failed", 31, false),
            ("failed", 29, true),
            ("queued", 60, true),
        ];
        for (i, (status, days, _)) in rows.iter().enumerate() {
            super::queue::enqueue(
                s.db(),
                "relay",
                None,
                "a@x.example",
                "b@y.example",
                &format!("m{i}"),
                Vec::new(),
                t,
            )
            .await
            .unwrap();
            outbound::Entity::update_many()
                .col_expr(outbound::Column::Status, Expr::value(*status))
                .col_expr(outbound::Column::UpdatedAt, Expr::value(t - days * DAY))
                .filter(outbound::Column::MessageId.eq(format!("m{i}")))
                .exec(s.db())
                .await
                .unwrap();
        }
        let (_, wm) = s
            .add_domain(&cli(), "votredomaine.com", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let pmartin = s.account(&wm.unwrap().login).await.unwrap().id;
        for (sender, days) in [("old@x.example", 31), ("recent@x.example", 29)] {
            responder_log::ActiveModel {
                account_id: Set(pmartin),
                sender: Set(sender.into()),
                replied_at: Set(t - days * DAY),
                ..Default::default()
            }
            .insert(s.db())
            .await
            .unwrap();
        }
        let purged = s.purge_history(t).await.unwrap();
        assert_eq!(purged.queue, 2);
        assert_eq!(purged.responder_log, 1);
        let left: Vec<String> = outbound::Entity::find()
            .all(s.db())
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.message_id)
            .collect();
        let expected: Vec<String> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.2)
            .map(|(i, _)| format!("m{i}"))
            .collect();
        assert_eq!(left, expected);
        let log = responder_log::Entity::find().all(s.db()).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].sender, "recent@x.example");
        assert_eq!(s.purge_history(t).await.unwrap(), Default::default());
    })
    .await;
}

#[tokio::test]
async fn claims_are_renewed_only_by_their_worker() {
    use entities::outbound;
    use sea_orm::EntityTrait;
    use std::time::Duration;
    on_both(|s| async move {
        super::queue::enqueue(
            s.db(),
            "relay",
            None,
            "a@x.example",
            "b@y.example",
            "m",
            Vec::new(),
            now(),
        )
        .await
        .unwrap();
        let claimed = s
            .claim_outbound("w1", 8, Duration::from_secs(2))
            .await
            .unwrap();
        let ids: Vec<i64> = claimed.iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), 1);
        let long = Duration::from_secs(600);
        assert_eq!(s.renew_outbound_claims("w2", &ids, long).await.unwrap(), 0);
        assert_eq!(s.renew_outbound_claims("w1", &ids, long).await.unwrap(), 1);
        let m = outbound::Entity::find_by_id(ids[0])
            .one(s.db())
            .await
            .unwrap()
            .unwrap();
        assert!(m.claimed_until.unwrap() >= now() + 590, "{m:?}");
        assert_eq!(s.renew_outbound_claims("w1", &[], long).await.unwrap(), 0);
        // Renewed, the message is nobody else's to take.
        assert!(s.claim_outbound("w2", 8, long).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_pen_updates_names_quota_and_suspension_in_one_audited_change() {
    use crate::store::accounts::Profile;
    on_both(|s| async move {
        s.add_domain(&cli(), "votredomaine.com", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let p = Profile {
            first_name: " Pierre-Yves ".into(),
            last_name: "Martin".into(),
            quota_bytes: Some(50 * 1024 * 1024),
            suspended: true,
        };
        s.update_profile(&cli(), "pmartin", &p).await.unwrap();
        let a = s.account("pmartin").await.unwrap();
        assert_eq!(a.first_name, "Pierre-Yves");
        assert_eq!(a.quota_bytes, Some(50 * 1024 * 1024));
        assert!(a.suspended);
        let log = s.audit_recent(1).await.unwrap();
        assert_eq!(log[0].action, "account.update");
        assert_eq!(
            crate::domain::change::render_detail(&log[0].detail, crate::i18n::Lang::En),
            "name: Pierre-Yves Martin, quota: 50 MB, logins suspended"
        );
        // No change, no entry.
        let p = Profile {
            first_name: "Pierre-Yves".into(),
            ..p
        };
        s.update_profile(&cli(), "pmartin", &p).await.unwrap();
        assert_eq!(s.audit_recent(1).await.unwrap()[0].id, log[0].id);
        let bad = Profile {
            quota_bytes: Some(0),
            ..p
        };
        assert!(matches!(
            s.update_profile(&cli(), "pmartin", &bad).await,
            Err(StoreError::Profile(
                crate::domain::profile::ProfileProblem::Quota
            ))
        ));
    })
    .await;
}

#[tokio::test]
async fn postmaster_of_a_domain_without_webmaster_reaches_the_server_admins() {
    use crate::store::delivery::RcptVerdict;
    on_both(|s| async move {
        let admin = s.ensure_server_admin().await.unwrap().unwrap();
        s.add_domain(&cli(), "sans-webmaster.example", None)
            .await
            .unwrap();
        let ip: std::net::IpAddr = "192.0.2.50".parse().unwrap();
        for rcpt in [
            "postmaster@sans-webmaster.example",
            "abuse@sans-webmaster.example",
            "postmaster",
        ] {
            match s
                .check_recipient(rcpt, "someone@example.org", ip, 100)
                .await
                .unwrap()
            {
                RcptVerdict::Local { account, .. } => {
                    assert_eq!(account.login, admin.login, "{rcpt}")
                }
                other => panic!("{rcpt}: {other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn relay_caps_are_reserved_one_recipient_at_a_time() {
    use crate::store::delivery::RcptVerdict;
    on_both(|s| async move {
        s.add_domain(&cli(), "votredomaine.com", None)
            .await
            .unwrap();
        // Wider than a /24 only when said so.
        assert!(matches!(
            s.add_grant(
                &cli(),
                crate::store::relay::NewGrant {
                    network: "192.0.0.0/16",
                    domain: "votredomaine.com",
                    hourly_cap: Some(2),
                    wide: false,
                    ..Default::default()
                }
            )
            .await,
            Err(StoreError::WideGrant(_))
        ));
        s.add_grant(
            &cli(),
            crate::store::relay::NewGrant {
                network: "192.0.0.0/16",
                domain: "votredomaine.com",
                hourly_cap: Some(2),
                wide: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        s.add_grant(
            &cli(),
            crate::store::relay::NewGrant {
                network: "198.51.100.9",
                domain: "votredomaine.com",
                hourly_cap: Some(3),
                wide: false,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Ten recipients in a row through a cap of 2.
        let ip: std::net::IpAddr = "192.0.2.7".parse().unwrap();
        let mut relayed = 0;
        for i in 0..10 {
            match s
                .check_recipient(&format!("r{i}@example.org"), "a@votredomaine.com", ip, 10)
                .await
                .unwrap()
            {
                RcptVerdict::Relay { .. } => relayed += 1,
                RcptVerdict::RelayCapReached => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(relayed, 2);
        // Ten at once through a cap of 3.
        let ip: std::net::IpAddr = "198.51.100.9".parse().unwrap();
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.check_recipient(&format!("p{i}@example.org"), "a@votredomaine.com", ip, 10)
                        .await
                })
            })
            .collect();
        let mut relayed = 0;
        for t in tasks {
            if let Ok(RcptVerdict::Relay { .. }) = t.await.unwrap() {
                relayed += 1;
            }
        }
        assert_eq!(relayed, 3);
    })
    .await;
}

/// Issue 16: a one-time code's step is taken once and only forward, even by two at once; a
/// recovery code serves once; a repeated sign-in is one row with a count; a reset token is
/// single use and dies after its hour (time given, not slept).
#[tokio::test]
async fn second_factor_app_passwords_history_and_reset_tokens() {
    use crate::domain::security::{Door, Lifetime, Method};
    use crate::store::app_passwords::{NewAppPassword, opens};
    use crate::store::sign_ins::SignInNote;
    on_both(|s| async move {
        s.add_domain(&cli(), "a.example", Some(("Pierre", "Martin")))
            .await
            .unwrap();
        let a = s.account("pmartin").await.unwrap();
        let codes = s
            .enable_second_factor(&cli(), &a, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 100)
            .await
            .unwrap();
        assert_eq!(codes.len(), 10);
        assert!(matches!(
            s.enable_second_factor(&cli(), &a, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 100)
                .await,
            Err(StoreError::Security(_))
        ));
        assert!(
            !s.take_code_step(a.id, 100).await.unwrap(),
            "the enrolment's step"
        );
        assert!(
            !s.take_code_step(a.id, 99).await.unwrap(),
            "never backwards"
        );
        let (x, y) = tokio::join!(s.take_code_step(a.id, 101), s.take_code_step(a.id, 101));
        assert!(x.unwrap() ^ y.unwrap(), "one of two at once");
        // Wrong codes from anywhere: past the cap, the second step waits out the window.
        for n in 1..=crate::domain::security::MAX_CODE_FAILURES {
            assert_eq!(s.note_code_failure(a.id).await.unwrap(), n);
        }
        let f = s.second_factor(a.id).await.unwrap().unwrap();
        let t = super::now();
        assert!(crate::store::second_factor::code_lockout(&f, t).is_some());
        assert!(crate::store::second_factor::code_lockout(&f, t + 15 * 60 + 1).is_none());
        assert!(s.take_code_step(a.id, 102).await.unwrap());
        let f = s.second_factor(a.id).await.unwrap().unwrap();
        assert!(
            crate::store::second_factor::code_lockout(&f, t).is_none(),
            "a right code resets"
        );
        assert!(s.take_recovery_code(a.id, &codes[3]).await.unwrap());
        assert!(!s.take_recovery_code(a.id, &codes[3]).await.unwrap());
        assert_eq!(s.recovery_codes_left(a.id).await.unwrap(), 9);

        let p = s
            .create_app_password(
                &cli(),
                &a,
                &NewAppPassword {
                    name: "Thunderbird".into(),
                    pop3: true,
                    submission: false,
                    lifetime: Lifetime::Days(30),
                },
            )
            .await
            .unwrap();
        let row = s.app_password_of(a.id, &p).await.unwrap().unwrap();
        let now = super::now();
        assert!(opens(&row, Door::Pop3, now));
        assert!(!opens(&row, Door::Submission, now) && !opens(&row, Door::Web, now));
        assert!(!opens(&row, Door::Pop3, now + 31 * 86_400), "expired");
        assert!(s.app_password_of(a.id + 1, &p).await.unwrap().is_none());

        let note = |ok| SignInNote {
            account_id: a.id,
            door: Door::Pop3,
            method: Method::AppPassword,
            app_password: Some("Thunderbird"),
            ip: "192.0.2.1".into(),
            ok,
        };
        for _ in 0..3 {
            s.note_sign_in(&note(true)).await.unwrap();
        }
        s.note_sign_in(&note(false)).await.unwrap();
        s.note_sign_in(&note(true)).await.unwrap();
        let rows = s.sign_ins(a.id, 50).await.unwrap();
        let counts: Vec<(bool, i64)> = rows.iter().map(|r| (r.ok, r.count)).collect();
        assert_eq!(counts, [(true, 1), (false, 1), (true, 3)]);
        assert_eq!(s.purge_sign_ins(now + 91 * 86_400).await.unwrap(), 3);

        // A reset link into the mailbox (the webmaster's, no recovery address).
        let sent = s
            .send_reset_link(&cli(), &a, "https://x", true)
            .await
            .unwrap();
        assert_eq!(sent, Some(crate::store::recovery::SentTo::Mailbox));
        assert_eq!(s.mailbox_count(a.id).await.unwrap(), 1);
        // Not asked on the sign-in page without a confirmed address.
        assert_eq!(
            s.send_reset_link(&cli(), &a, "https://x", false)
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn a_job_turn_is_one_holders_until_it_ends() {
    use entities::job_turn;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    on_both(|s| async move {
        assert!(s.take_turn("housekeeping", "a", 3_600_000).await.unwrap());
        // Held: nobody else, not even its holder, takes it again before it ends.
        assert!(!s.take_turn("housekeeping", "b", 3_600_000).await.unwrap());
        assert!(!s.take_turn("housekeeping", "a", 3_600_000).await.unwrap());
        // Another job is another turn.
        assert!(s.take_turn("acme", "b", 60_000).await.unwrap());
        // Run out (its holder died, or the period passed): the next asker has it.
        job_turn::Entity::update_many()
            .col_expr(
                job_turn::Column::UntilMs,
                sea_orm::sea_query::Expr::value(0),
            )
            .filter(job_turn::Column::Job.eq("housekeeping"))
            .exec(s.db())
            .await
            .unwrap();
        assert!(s.take_turn("housekeeping", "b", 3_600_000).await.unwrap());
        assert!(!s.take_turn("housekeeping", "a", 3_600_000).await.unwrap());
        // Handed back: free at once, and only by its holder.
        s.end_turn("housekeeping", "a").await.unwrap();
        assert!(!s.take_turn("housekeeping", "a", 3_600_000).await.unwrap());
        s.end_turn("housekeeping", "b").await.unwrap();
        assert!(s.take_turn("housekeeping", "a", 3_600_000).await.unwrap());
        let turns = s.job_turns().await.unwrap();
        let holders: Vec<(&str, &str)> = turns
            .iter()
            .map(|t| (t.job.as_str(), t.holder.as_str()))
            .collect();
        assert_eq!(holders, [("acme", "b"), ("housekeeping", "a")]);
    })
    .await;
}

#[tokio::test]
async fn message_bodies_are_compressed_with_lz4_on_postgres() {
    use sea_orm::{ConnectionTrait, Statement};
    on_both(|s| async move {
        if s.engine() != super::Engine::Postgres {
            return;
        }
        let version = s
            .db()
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT current_setting('server_version_num')::int AS v",
            ))
            .await
            .unwrap()
            .unwrap();
        if version.try_get::<i32>("", "v").unwrap() < 140000 {
            return; // No per-column compression: m0018 leaves pglz.
        }
        let row = s
            .db()
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT string_agg(attrelid::regclass::text || '=' || attcompression::text, ',' \
                 ORDER BY attrelid::regclass::text) AS c FROM pg_attribute WHERE attname = 'raw' \
                 AND attrelid IN ('messages'::regclass, 'outbound_queue'::regclass)",
            ))
            .await
            .unwrap()
            .unwrap();
        let c: String = row.try_get("", "c").unwrap();
        assert_eq!(c, "messages=l,outbound_queue=l");
    })
    .await;
}

#[tokio::test]
async fn a_local_verdict_carries_its_domains_filter_choices() {
    use crate::domain::filter::{Filtering, Policy};
    use crate::store::delivery::RcptVerdict;
    on_both(|s| async move {
        s.add_domain(&cli(), "filtre.example", None).await.unwrap();
        s.add_domain(&cli(), "autre.example", None).await.unwrap();
        s.add_domain_alias(&cli(), "ancien-filtre.example", "filtre.example")
            .await
            .unwrap();
        let u = s
            .add_user(
                &cli(),
                "filtre.example",
                &nu("Jean", "Dupont", &["contact"], None),
            )
            .await
            .unwrap();
        let marked = Policy {
            filtering: Filtering::Mark,
            viruses: false,
        };
        s.set_domain_filter(&cli(), "filtre.example", marked)
            .await
            .unwrap();
        let ip: std::net::IpAddr = "192.0.2.9".parse().unwrap();
        // A login (the one-query path), an alias, the same under the domain's other name.
        for rcpt in [
            format!("{}@filtre.example", u.login),
            "contact@filtre.example".to_string(),
            format!("{}@ancien-filtre.example", u.login),
        ] {
            match s
                .check_recipient(&rcpt, "x@example.org", ip, 10)
                .await
                .unwrap()
            {
                RcptVerdict::Local {
                    account, policy, ..
                } => {
                    assert_eq!(account.login, u.login, "{rcpt}");
                    assert_eq!(policy, marked, "{rcpt}");
                }
                other => panic!("{rcpt}: {other:?}"),
            }
        }
        // A domain that chose nothing has the defaults.
        let a = s
            .add_user(&cli(), "autre.example", &nu("Anne", "Autre", &[], None))
            .await
            .unwrap();
        let rcpt = format!("{}@autre.example", a.login);
        match s.check_recipient(&rcpt, "", ip, 10).await.unwrap() {
            RcptVerdict::Local { policy, .. } => assert_eq!(policy, Policy::default()),
            other => panic!("{other:?}"),
        }
        // A domain by its own name or another of its names, in one query; anything else: none.
        let by = |n: &'static str| {
            let s = s.clone();
            async move { s.hosted(n).await.unwrap().map(|d| d.name) }
        };
        assert_eq!(
            by("filtre.example").await.as_deref(),
            Some("filtre.example")
        );
        assert_eq!(
            by("ancien-filtre.example").await.as_deref(),
            Some("filtre.example")
        );
        assert_eq!(by("ailleurs.example").await, None);
    })
    .await;
}

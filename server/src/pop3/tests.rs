//! Session tests without sockets: every rule of the POP3 issue, against a real store (a
//! SQLite file in a temporary directory).

use super::conn::Pump;
use super::session::{Next, Pop3Config, Pop3Context, Session};
use app::auth::check::Gate;
use app::store::delivery::{Inbound, InboundRcpt, RcptVerdict};
use app::store::{Actor, Store};
use base64::Engine;
use std::net::SocketAddr;
use std::sync::Arc;

const PASSWORD: &str = "Correct-Horse-42";

struct Fixture {
    _dir: crate::testing::TempDir,
    store: Store,
    ctx: Arc<Pop3Context>,
}

async fn fixture_with(config: Pop3Config) -> Fixture {
    let (dir, store) = crate::testing::votredomaine(&[], None).await;
    store
        .set_password(&Actor::cli(), "cdupont", Some(PASSWORD.into()))
        .await
        .unwrap();
    let ctx = Arc::new(Pop3Context::new(
        store.clone(),
        config,
        None,
        Arc::new(Gate::default()),
    ));
    Fixture {
        _dir: dir,
        store,
        ctx,
    }
}

async fn fixture() -> Fixture {
    fixture_with(Pop3Config::default()).await
}

/// A message from elsewhere for cdupont, as SMTP would hand it to the store.
async fn for_cdupont(store: &Store, message: &[u8]) -> Inbound {
    let RcptVerdict::Local { account, .. } = store
        .check_recipient(
            "cdupont@votredomaine.com",
            "",
            "127.0.0.1".parse().unwrap(),
            0,
        )
        .await
        .unwrap()
    else {
        panic!("cdupont is local");
    };
    Inbound {
        mail_from: "someone@example.org".into(),
        recipients: vec![InboundRcpt::Local {
            account,
            delivered_to: None,
        }],
        trace: Vec::new(),
        message: message.to_vec(),
        subject: String::new(),
        junk: None,
    }
}

async fn deliver(store: &Store, message: &[u8]) {
    let job = for_cdupont(store, message).await;
    store.deliver_batch(&[job]).await.unwrap();
}

const M1: &[u8] = b"Subject: one\r\n\r\nfirst line\r\n.dotted\r\nlast\r\n";
const M2: &[u8] = b"Subject: two\r\nFrom: b@example.org\r\n\r\nbody\r\n";

fn peer(ip: &str) -> SocketAddr {
    format!("{ip}:40000").parse().unwrap()
}

struct Client {
    session: Session,
}

impl Client {
    fn new(f: &Fixture) -> Client {
        Client::from(f, "127.0.0.1")
    }
    fn from(f: &Fixture, ip: &str) -> Client {
        Client {
            session: Session::new(f.ctx.clone(), peer(ip), false),
        }
    }
    /// Sends one line; returns the whole response and what the connection does next.
    async fn send(&mut self, line: &str) -> (String, Next) {
        let mut out = Vec::new();
        let next = self
            .session
            .handle(format!("{line}\r\n").as_bytes(), &mut out)
            .await;
        (String::from_utf8(out).unwrap(), next)
    }
    async fn text(&mut self, line: &str) -> String {
        self.send(line).await.0
    }
    async fn login(&mut self) -> String {
        assert!(self.text("USER cdupont").await.starts_with("+OK"));
        self.text(&format!("PASS {PASSWORD}")).await
    }
}

fn plain(authz: &str, login: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{authz}\0{login}\0{password}"))
}

#[tokio::test]
async fn capa_shows_what_is_allowed_here() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let capa = c.text("CAPA").await;
    for cap in [
        "TOP",
        "UIDL",
        "USER",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "SASL PLAIN",
        "IMPLEMENTATION courrier",
    ] {
        assert!(capa.contains(&format!("\r\n{cap}\r\n")), "{cap} in {capa}");
    }
    assert!(!capa.contains("STLS"), "no TLS configured in this fixture");
    assert!(capa.ends_with("\r\n.\r\n"));

    // From afar without TLS: no plain-text login offered, and USER says why.
    let mut far = Client::from(&f, "192.0.2.7");
    let capa = far.text("CAPA").await;
    assert!(!capa.contains("USER") && !capa.contains("SASL"), "{capa}");
    let r = far.text("USER cdupont").await;
    assert!(r.starts_with("-ERR") && r.contains("TLS"), "{r}");
    assert!(far.text("AUTH PLAIN").await.starts_with("-ERR"));
}

#[tokio::test]
async fn plaintext_from_afar_when_the_config_allows_it() {
    let f = fixture_with(Pop3Config {
        allow_plaintext_auth: true,
        ..Default::default()
    })
    .await;
    let mut far = Client::from(&f, "192.0.2.7");
    assert!(far.text("CAPA").await.contains("\r\nUSER\r\n"));
    assert!(far.login().await.starts_with("+OK"));
}

#[tokio::test]
async fn transaction_by_rfc_1939() {
    let f = fixture().await;
    deliver(&f.store, M1).await;
    deliver(&f.store, M2).await;
    // As stored: with the Return-Path courrier adds in front.
    let stored = f.store.mailbox("cdupont").await.unwrap();
    let (s1, s2) = (stored[0].raw.clone(), stored[1].raw.clone());
    assert!(s1.ends_with(M1) && s2.ends_with(M2));
    let head1 = String::from_utf8(s1[..s1.len() - M1.len()].to_vec()).unwrap();
    let head2 = String::from_utf8(s2[..s2.len() - M2.len()].to_vec()).unwrap();
    let total = s1.len() + s2.len();
    let mut c = Client::new(&f);
    let r = c.login().await;
    assert_eq!(
        r,
        format!("+OK cdupont has 2 messages ({total} octets)\r\n")
    );
    assert_eq!(c.text("STAT").await, format!("+OK 2 {total}\r\n"));
    assert_eq!(
        c.text("LIST").await,
        format!(
            "+OK 2 messages ({total} octets)\r\n1 {}\r\n2 {}\r\n.\r\n",
            s1.len(),
            s2.len()
        )
    );
    assert_eq!(c.text("LIST 2").await, format!("+OK 2 {}\r\n", s2.len()));
    assert!(c.text("LIST 3").await.starts_with("-ERR"));
    let uidl = c.text("UIDL").await;
    let uids: Vec<String> = uidl
        .lines()
        .skip(1)
        .filter(|l| *l != ".")
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(uids, vec![stored[0].uidl.clone(), stored[1].uidl.clone()]);
    assert_ne!(uids[0], uids[1]);
    assert_eq!(c.text("UIDL 1").await, format!("+OK 1 {}\r\n", uids[0]));

    // RETR: the size LIST gave, byte-stuffed, ended by a dot line.
    let retr = c.text("RETR 1").await;
    assert_eq!(
        retr,
        format!(
            "+OK {} octets\r\n{head1}Subject: one\r\n\r\nfirst line\r\n..dotted\r\nlast\r\n.\r\n",
            s1.len()
        )
    );
    assert_eq!(
        c.text("TOP 2 0").await,
        format!(
            "+OK Top of message follows\r\n{head2}Subject: two\r\nFrom: b@example.org\r\n\r\n.\r\n"
        )
    );
    assert_eq!(
        c.text("TOP 1 1").await,
        format!("+OK Top of message follows\r\n{head1}Subject: one\r\n\r\nfirst line\r\n.\r\n")
    );

    // DELE marks; marked messages vanish from STAT/LIST/UIDL and refuse RETR/TOP/DELE.
    assert!(c.text("DELE 1").await.starts_with("+OK"));
    assert_eq!(c.text("STAT").await, format!("+OK 1 {}\r\n", s2.len()));
    assert!(!c.text("LIST").await.contains("\r\n1 "));
    assert!(!c.text("UIDL").await.contains(&uids[0]));
    for cmd in ["RETR 1", "TOP 1 0", "DELE 1", "LIST 1", "UIDL 1"] {
        let r = c.text(cmd).await;
        assert!(r.starts_with("-ERR") && r.contains("deleted"), "{cmd}: {r}");
    }
    // RSET unmarks.
    assert_eq!(
        c.text("RSET").await,
        format!("+OK Maildrop has 2 messages ({total} octets)\r\n")
    );
    assert_eq!(c.text("STAT").await, format!("+OK 2 {total}\r\n"));
    assert_eq!(c.text("NOOP").await, "+OK \r\n");
    // QUIT deletes what is marked, before +OK.
    assert!(c.text("DELE 1").await.starts_with("+OK"));
    let (r, next) = c.send("QUIT").await;
    assert!(r.starts_with("+OK") && r.contains("1 messages left"), "{r}");
    assert_eq!(next, Next::Close);

    let mut again = Client::new(&f);
    assert!(again.login().await.contains("has 1 messages"));
    assert_eq!(
        again.text("UIDL 1").await,
        format!("+OK 1 {}\r\n", uids[1]),
        "UIDLs are stable"
    );
}

#[tokio::test]
async fn a_dropped_connection_deletes_nothing_and_frees_the_maildrop() {
    let f = fixture().await;
    deliver(&f.store, M1).await;
    let mut c = Client::new(&f);
    c.login().await;
    assert!(c.text("DELE 1").await.starts_with("+OK"));

    // A second session meanwhile: [IN-USE].
    let mut other = Client::new(&f);
    let r = other.login().await;
    assert!(r.starts_with("-ERR [IN-USE]"), "{r}");

    // The first connection drops without QUIT.
    c.session.finish().await;
    let r = other.login().await;
    assert!(r.contains("has 1 messages"), "nothing deleted: {r}");
}

#[tokio::test]
async fn the_snapshot_is_taken_at_login() {
    let f = fixture().await;
    deliver(&f.store, M1).await;
    let mut c = Client::new(&f);
    c.login().await;
    deliver(&f.store, M2).await;
    assert!(c.text("STAT").await.starts_with("+OK 1 "));
    assert!(c.text("RETR 2").await.starts_with("-ERR"));
    c.text("QUIT").await;
    let mut next = Client::new(&f);
    assert!(next.login().await.contains("has 2 messages"));
}

#[tokio::test]
async fn either_login_form_any_case() {
    let f = fixture().await;
    for login in [
        "cdupont",
        "cdupont@votredomaine.com",
        "CDupont@VotreDomaine.com",
    ] {
        let mut c = Client::new(&f);
        c.text(&format!("USER {login}")).await;
        let r = c.text(&format!("PASS {PASSWORD}")).await;
        assert!(r.starts_with("+OK cdupont has"), "{login}: {r}");
        c.text("QUIT").await;
    }
    let mut c = Client::new(&f);
    c.text("USER cdupont@otherdomain.example").await;
    assert!(
        c.text(&format!("PASS {PASSWORD}"))
            .await
            .starts_with("-ERR [AUTH]")
    );
}

#[tokio::test]
async fn wrong_passwords_then_disconnect_after_three() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    for i in 1..=3 {
        c.text("USER cdupont").await;
        let (r, next) = c.send("PASS correct-horse-42").await;
        assert!(r.starts_with("-ERR [AUTH]"), "case matters: {r}");
        assert_eq!(next, if i < 3 { Next::Continue } else { Next::Close });
    }
    // PASS without USER.
    let mut c = Client::new(&f);
    assert!(
        c.text(&format!("PASS {PASSWORD}"))
            .await
            .starts_with("-ERR")
    );
}

#[tokio::test]
async fn suspended_accounts_are_told_so() {
    let f = fixture().await;
    f.store
        .set_suspended(&Actor::cli(), "cdupont", true)
        .await
        .unwrap();
    let mut c = Client::new(&f);
    let r = c.login().await;
    assert!(
        r.starts_with("-ERR [AUTH]") && r.contains("suspended"),
        "{r}"
    );
    let mut c = Client::new(&f);
    c.text("USER cdupont").await;
    let r = c.text("PASS wrong-password-1").await;
    assert!(
        !r.contains("suspended"),
        "only the right password learns it: {r}"
    );
}

#[tokio::test]
async fn auth_plain_initial_continuation_and_cancel() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    let r = c
        .text(&format!("AUTH PLAIN {}", plain("", "cdupont", PASSWORD)))
        .await;
    assert!(r.starts_with("+OK cdupont has"), "{r}");
    c.text("QUIT").await;

    let mut c = Client::new(&f);
    assert_eq!(c.text("AUTH PLAIN").await, "+ \r\n");
    let r = c
        .text(&plain("cdupont", "cdupont@votredomaine.com", PASSWORD))
        .await;
    assert!(
        r.starts_with("-ERR [AUTH]"),
        "authzid differs from the login form: {r}"
    );
    assert_eq!(c.text("AUTH PLAIN").await, "+ \r\n");
    let r = c
        .text(&plain("", "cdupont@votredomaine.com", PASSWORD))
        .await;
    assert!(r.starts_with("+OK"), "{r}");
    c.text("QUIT").await;

    let mut c = Client::new(&f);
    assert_eq!(c.text("AUTH PLAIN").await, "+ \r\n");
    assert_eq!(c.text("*").await, "-ERR Authentication cancelled\r\n");
    assert!(c.text("AUTH PLAIN =").await.starts_with("-ERR"));
    assert!(c.text("AUTH PLAIN !!!").await.starts_with("-ERR"));
    assert!(c.text("AUTH CRAM-MD5").await.starts_with("-ERR"));
    let list = c.text("AUTH").await;
    assert_eq!(list, "+OK Mechanisms follow\r\nPLAIN\r\n.\r\n");
    let r = c
        .text(&format!(
            "AUTH PLAIN {}",
            plain("", "cdupont", "nope-nope-1")
        ))
        .await;
    assert!(r.starts_with("-ERR [AUTH]"), "{r}");
}

#[tokio::test]
async fn a_changed_password_voids_the_auth_cache() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    assert!(c.login().await.starts_with("+OK"));
    c.text("QUIT").await;
    f.store
        .set_password(&Actor::cli(), "cdupont", Some("Another-Pass-77".into()))
        .await
        .unwrap();
    let mut c = Client::new(&f);
    let r = c.login().await;
    assert!(
        r.starts_with("-ERR [AUTH]"),
        "the old password no longer works: {r}"
    );
    c.text("USER cdupont").await;
    assert!(c.text("PASS Another-Pass-77").await.starts_with("+OK"));
}

#[tokio::test]
async fn state_rules_and_error_limit() {
    let f = fixture().await;
    let mut c = Client::new(&f);
    for cmd in ["STAT", "LIST", "RETR 1", "NOOP", "DELE 1", "APOP x y"] {
        assert!(c.text(cmd).await.starts_with("-ERR"), "{cmd} before login");
    }
    assert!(c.text("BOGUS").await.starts_with("-ERR Unknown command"));
    assert!(c.text("RETR x").await.starts_with("-ERR"));
    let mut last = Next::Continue;
    for _ in 0..10 {
        last = c.send("BOGUS").await.1;
    }
    assert_eq!(last, Next::Close, "10 bad commands close the connection");

    let mut c = Client::new(&f);
    c.login().await;
    for cmd in ["USER x", "PASS y", "STLS", "AUTH PLAIN"] {
        assert!(c.text(cmd).await.starts_with("-ERR"), "{cmd} after login");
    }
    assert!(c.text("CAPA").await.starts_with("+OK"));
    assert!(
        !c.text("CAPA").await.contains("USER"),
        "no login mechanism once logged in"
    );
}

#[tokio::test]
async fn pump_pipelines_and_bounds_lines() {
    let f = fixture().await;
    deliver(&f.store, M1).await;
    let mut pump = Pump::new(Session::new(f.ctx.clone(), peer("127.0.0.1"), false));
    pump.out.clear();
    // Pipelined: answered in order, in one go.
    pump.buf.extend_from_slice(
        format!("USER cdupont\r\nPASS {PASSWORD}\r\nSTAT\r\nNOOP\r\n").as_bytes(),
    );
    assert_eq!(pump.run().await, Next::Continue);
    let out = String::from_utf8(std::mem::take(&mut pump.out)).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[2].starts_with("+OK 1 "));
    // An over-long line: -ERR, and the session goes on.
    pump.buf.extend_from_slice(&[b'X'; 300]);
    assert_eq!(pump.run().await, Next::Continue);
    pump.buf.extend_from_slice(b"YY\r\nSTAT\r\n");
    assert_eq!(pump.run().await, Next::Continue);
    let out = String::from_utf8(std::mem::take(&mut pump.out)).unwrap();
    assert!(out.starts_with("-ERR Line too long"), "{out}");
    assert!(out.contains("\r\n+OK 1 "), "{out}");
    // A partial line waits for the rest.
    pump.buf.extend_from_slice(b"NO");
    assert_eq!(pump.run().await, Next::Continue);
    assert!(pump.out.is_empty());
    pump.buf.extend_from_slice(b"OP\r\n");
    pump.run().await;
    assert_eq!(pump.out, b"+OK \r\n");
}

#[tokio::test]
async fn input_never_panics_the_session() {
    let f = fixture().await;
    let mut seed = 0x2545_f491_u64;
    let words: [&[u8]; 12] = [
        b"USER ",
        b"PASS ",
        b"AUTH PLAIN ",
        b"LIST ",
        b"RETR ",
        b"TOP ",
        b"DELE ",
        b"UIDL ",
        b"\r\n",
        b" ",
        b"\xff\x00",
        b"99999999999",
    ];
    for _ in 0..200 {
        let mut pump = Pump::new(Session::new(f.ctx.clone(), peer("127.0.0.1"), false));
        for _ in 0..20 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            pump.buf.extend_from_slice(words[(seed % 12) as usize]);
            if (seed >> 8).is_multiple_of(3) {
                pump.buf
                    .extend_from_slice(&(seed as u32).to_string().into_bytes());
            }
        }
        pump.buf.extend_from_slice(b"\r\nQUIT\r\n");
        let _ = pump.run().await;
        pump.session.finish().await;
    }
}

#[tokio::test]
async fn a_session_ends_when_the_password_changes_or_the_account_is_suspended() {
    let f = fixture().await;
    deliver(&f.store, M1).await;
    for change in ["password", "suspend"] {
        let mut c = Client::new(&f);
        let r = c.login().await;
        assert!(r.starts_with("+OK"), "{change}: {r}");
        assert!(c.text("DELE 1").await.starts_with("+OK"));
        match change {
            "password" => {
                f.store
                    .set_password(&Actor::cli(), "cdupont", Some(PASSWORD.into()))
                    .await
                    .unwrap();
            }
            _ => f
                .store
                .set_suspended(&Actor::cli(), "cdupont", true)
                .await
                .unwrap(),
        }
        let (r, next) = c.send("QUIT").await;
        assert!(r.starts_with("-ERR [AUTH]"), "{change}: {r}");
        assert_eq!(next, Next::Close);
        c.session.finish().await;
        // Nothing was deleted.
        assert_eq!(
            f.store.mailbox("cdupont").await.unwrap().len(),
            1,
            "{change}"
        );
    }
    f.store
        .set_suspended(&Actor::cli(), "cdupont", false)
        .await
        .unwrap();
    let mut c = Client::new(&f);
    assert!(
        c.login().await.starts_with("+OK"),
        "the same password again"
    );
    assert!(c.text("STAT").await.starts_with("+OK 1 "));
}

/// A maildrop of several listing pages: the login reads one row; commands read as far as they
/// reach; numbers stay those of the login's snapshot, later mail stays out of the session.
#[tokio::test]
async fn a_big_maildrop_is_listed_as_far_as_commands_reach() {
    use crate::pop3::maildrop::PAGE;
    let f = fixture().await;
    let total = 2 * PAGE as usize + 100;
    let template = for_cdupont(&f.store, b"").await;
    let job = |i: usize| Inbound {
        message: format!("Subject: {i}\r\n\r\nbody {i}\r\n").into_bytes(),
        ..template.clone()
    };
    let jobs: Vec<Inbound> = (1..=total).map(job).collect();
    for batch in jobs.chunks(250) {
        f.store.deliver_batch(batch).await.unwrap();
    }
    let stored = f.store.mailbox("cdupont").await.unwrap();
    let octets: usize = stored.iter().map(|m| m.raw.len()).sum();
    let mut c = Client::new(&f);
    assert_eq!(
        c.login().await,
        format!("+OK cdupont has {total} messages ({octets} octets)\r\n")
    );
    // Mail after the login is not this session's (RFC 1939 §8: the maildrop as it was).
    f.store.deliver_batch(&[job(0)]).await.unwrap();
    let last = &stored[total - 1];
    let far = total - 50;
    let r = c.text(&format!("RETR {total}")).await;
    assert!(r.ends_with(&format!("body {total}\r\n.\r\n")), "{r}");
    assert!(c.text("RETR 1").await.ends_with("body 1\r\n.\r\n"));
    assert_eq!(
        c.text(&format!("UIDL {total}")).await,
        format!("+OK {total} {}\r\n", last.uidl)
    );
    assert!(
        c.text(&format!("LIST {}", total + 1))
            .await
            .starts_with("-ERR")
    );
    assert!(c.text(&format!("DELE {far}")).await.starts_with("+OK"));
    let gone = stored[far - 1].raw.len();
    assert_eq!(
        c.text("STAT").await,
        format!("+OK {} {}\r\n", total - 1, octets - gone)
    );
    let list = c.text("LIST").await;
    let lines: Vec<&str> = list.lines().skip(1).filter(|l| *l != ".").collect();
    assert_eq!(lines.len(), total - 1);
    assert!(!lines.iter().any(|l| l.starts_with(&format!("{far} "))));
    assert_eq!(lines[0], format!("1 {}", stored[0].raw.len()));
    assert_eq!(
        lines[total - 2],
        format!("{total} {}", last.raw.len()),
        "numbers as at the login"
    );
    assert!(c.text("QUIT").await.starts_with("+OK"));
    let left = f.store.mailbox("cdupont").await.unwrap();
    assert_eq!(left.len(), total, "one deleted, the late one kept");
    assert!(!left.iter().any(|m| m.uidl == stored[far - 1].uidl));
}

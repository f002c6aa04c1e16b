//! Session tests without sockets: every reply code of the SMTP issue, against a real store
//! (a SQLite file in a temporary directory).

use super::body::DataEnd;
use super::session::{Next, Session, SmtpConfig, SmtpContext, Step, SubmissionAuth};
use app::store::Store;
use app::store::delivery::Deliverer;
use std::net::SocketAddr;
use std::sync::Arc;

struct Fixture {
    _dir: crate::testing::TempDir,
    store: Store,
    ctx: Arc<SmtpContext>,
}

async fn fixture(config: SmtpConfig) -> Fixture {
    fixture_for(config, None).await
}

async fn fixture_for(config: SmtpConfig, submission: Option<SubmissionAuth>) -> Fixture {
    let (dir, store) = crate::testing::votredomaine(&["ventes"], Some(2000)).await;
    let ctx = Arc::new(SmtpContext {
        deliverer: Deliverer::start(store.clone()),
        store: store.clone(),
        config,
        tls: None,
        submission,
        filter: Default::default(),
    });
    Fixture {
        _dir: dir,
        store,
        ctx,
    }
}

fn peer(ip: &str) -> SocketAddr {
    format!("{ip}:40000").parse().unwrap()
}

fn codes(step: &Step) -> Vec<String> {
    step.replies
        .iter()
        .map(|r| format!("{} {}", r.code, r.enhanced).trim().to_string())
        .collect()
}

async fn cmd(s: &mut Session, line: &str) -> Step {
    s.command(format!("{line}\r\n").as_bytes()).await
}

async fn code(s: &mut Session, line: &str) -> String {
    codes(&cmd(s, line).await).join(",")
}

/// Sends DATA and the body; returns the final reply code.
async fn data(s: &mut Session, body: &[u8]) -> String {
    let step = cmd(s, "DATA").await;
    let Next::Data(mut reader) = step.next else {
        return codes(&step).join(",");
    };
    let (_, end) = reader.feed(body);
    codes(&s.data_end(end.expect("body ends")).await).join(",")
}

async fn messages(store: &Store, login: &str) -> Vec<Vec<u8>> {
    store
        .mailbox(login)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

#[tokio::test]
async fn a_message_to_a_login_and_an_alias() {
    let f = fixture(SmtpConfig::default()).await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    assert_eq!(s.greeting().code, 220);
    let ehlo = cmd(&mut s, "EHLO client.example").await;
    let text = ehlo.replies[0].to_wire();
    for ext in [
        "PIPELINING",
        "SIZE 26214400",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "SMTPUTF8",
        "CHUNKING",
    ] {
        assert!(text.contains(ext), "{text}");
    }
    assert!(!text.contains("STARTTLS"), "no TLS configured here");
    assert!(!text.contains("AUTH"));
    assert_eq!(
        code(&mut s, "MAIL FROM:<alice@sender.example> SIZE=100").await,
        "250 2.1.0"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<PMartin@VotreDomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<ventes@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<postmaster@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(code(&mut s, "RCPT TO:<Postmaster>").await, "250 2.1.5");
    let reply = data(&mut s, b"Subject: Bonjour\r\n\r\n..point\r\n.\r\n").await;
    assert_eq!(reply, "250 2.0.0");
    // pmartin was named three times (login, postmaster twice): one copy.
    let pm = messages(&f.store, "pmartin").await;
    assert_eq!(pm.len(), 1);
    let text = String::from_utf8_lossy(&pm[0]);
    assert!(text.starts_with("Return-Path: <alice@sender.example>\r\nReceived: from client.example ([192.0.2.10])\r\n"), "{text}");
    assert!(text.contains("with ESMTP id"));
    assert!(
        text.ends_with("Subject: Bonjour\r\n\r\n.point\r\n"),
        "{text}"
    );
    assert_eq!(messages(&f.store, "cdupont").await.len(), 1);
    let m = app::store::entities::message::Entity::find()
        .all(f.store.db())
        .await
        .unwrap();
    assert!(
        m.iter()
            .all(|m| m.subject == "Bonjour" && m.size == m.raw.len() as i64)
    );
    assert_eq!(code(&mut s, "QUIT").await, "221 2.0.0");
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn recipients_are_decided_at_rcpt_time() {
    let f = fixture(SmtpConfig::default()).await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut s, "EHLO c").await;
    cmd(&mut s, "MAIL FROM:<a@b.example>").await;
    for (rcpt, want) in [
        ("nobody@votredomaine.com", "550 5.1.1"),
        ("user@other.example", "554 5.7.1"),
        ("user%other.example@votredomaine.com", "550 5.1.1"),
        ("\"user@other.example\"@votredomaine.com", "550 5.1.1"),
        ("@a.example,@b.example:user@other.example", "554 5.7.1"),
        ("@a.example:pmartin@votredomaine.com", "250 2.1.5"),
        // smtp-proto refuses address literals as recipients outright: refused either way.
        ("user@[127.0.0.1]", "553 5.1.3"),
        ("pmartin@VOTREDOMAINE.COM", "250 2.1.5"),
        ("élise@votredomaine.com", "553 5.6.7"),
    ] {
        assert_eq!(
            code(&mut s, &format!("RCPT TO:<{rcpt}>")).await,
            want,
            "{rcpt}"
        );
    }
    // A grant opens relay for its address only.
    use app::store::entities::relay_grant;
    use sea_orm::{ActiveModelTrait, Set};
    let d = f.store.domain("votredomaine.com").await.unwrap();
    relay_grant::ActiveModel {
        domain_id: Set(d.id),
        network: Set("192.0.2.0/28".into()),
        note: Set(String::new()),
        hourly_cap: Set(100),
        expires_at: Set(None),
        revoked_at: Set(None),
        created_by: Set("test".into()),
        created_at: Set(0),
        ..Default::default()
    }
    .insert(f.store.db())
    .await
    .unwrap();
    assert_eq!(
        code(&mut s, "RCPT TO:<user@other.example>").await,
        "550 5.7.1",
        "relay only for senders of the grant's domain"
    );
    cmd(&mut s, "RSET").await;
    cmd(&mut s, "MAIL FROM:<bureau@votredomaine.com>").await;
    assert_eq!(
        code(&mut s, "RCPT TO:<user@other.example>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<user%other.example@votredomaine.com>").await,
        "550 5.1.1",
        "tricks stay refused"
    );
    assert_eq!(
        data(&mut s, b"Subject: x\r\n\r\nhi\r\n.\r\n").await,
        "250 2.0.0"
    );
    let queued = app::store::entities::outbound::Entity::find()
        .all(f.store.db())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].kind, "relay");
    assert_eq!(queued[0].rcpt_to, "user@other.example");
    // Each use is audited and counts against the grant's hourly cap.
    let uses = app::store::entities::audit_log::Entity::find()
        .all(f.store.db())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "relay.use")
        .count();
    assert_eq!(uses, 1);
    relay_grant::Entity::update_many()
        .col_expr(
            relay_grant::Column::HourlyCap,
            sea_orm::sea_query::Expr::value(1),
        )
        .exec(f.store.db())
        .await
        .unwrap();
    let mut capped = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut capped, "EHLO c").await;
    cmd(&mut capped, "MAIL FROM:<bureau@votredomaine.com>").await;
    assert_eq!(
        code(&mut capped, "RCPT TO:<user@other.example>").await,
        "451 4.7.1",
        "hourly cap"
    );
    let mut other = Session::new(f.ctx.clone(), peer("192.0.2.99"));
    cmd(&mut other, "EHLO c").await;
    cmd(&mut other, "MAIL FROM:<a@b.example>").await;
    assert_eq!(
        code(&mut other, "RCPT TO:<user@other.example>").await,
        "554 5.7.1"
    );
    // An expired grant, and a revoked one, open nothing.
    let now = app::store::now();
    for (network, expires_at, revoked_at) in [
        ("198.51.100.1/32", Some(now - 60), None),
        ("198.51.100.2/32", None, Some(now - 60)),
    ] {
        relay_grant::ActiveModel {
            domain_id: Set(d.id),
            network: Set(network.into()),
            note: Set(String::new()),
            hourly_cap: Set(100),
            expires_at: Set(expires_at),
            revoked_at: Set(revoked_at),
            created_by: Set("test".into()),
            created_at: Set(0),
            ..Default::default()
        }
        .insert(f.store.db())
        .await
        .unwrap();
        let ip = network.trim_end_matches("/32");
        let mut gone = Session::new(f.ctx.clone(), peer(ip));
        cmd(&mut gone, "EHLO c").await;
        cmd(&mut gone, "MAIL FROM:<bureau@votredomaine.com>").await;
        assert_eq!(
            code(&mut gone, "RCPT TO:<user@other.example>").await,
            "554 5.7.1",
            "{network}"
        );
    }
}

#[tokio::test]
async fn sequence_syntax_and_limits() {
    let config = SmtpConfig {
        max_recipients: 2,
        max_message_size: 1000,
        max_errors: 100,
        ..SmtpConfig::default()
    };
    let f = fixture(config).await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    assert_eq!(
        code(&mut s, "MAIL FROM:<a@b.example>").await,
        "503 5.5.1",
        "EHLO first"
    );
    assert_eq!(code(&mut s, "HELO c").await, "250");
    assert_eq!(
        code(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await,
        "503 5.5.1"
    );
    assert_eq!(code(&mut s, "DATA").await, "503 5.5.1");
    assert_eq!(code(&mut s, "FROB").await, "500 5.5.1");
    assert_eq!(code(&mut s, "VRFY pmartin").await, "252 2.5.0");
    assert_eq!(code(&mut s, "NOOP").await, "250 2.0.0");
    assert_eq!(code(&mut s, "AUTH PLAIN dGVzdA==").await, "502 5.5.1");
    assert_eq!(code(&mut s, "STARTTLS").await, "502 5.5.1");
    assert_eq!(
        code(&mut s, "MAIL FROM:<a@b.example> SIZE=5000").await,
        "552 5.3.4"
    );
    assert_eq!(code(&mut s, "MAIL FROM:<ü@b.example>").await, "553 5.6.7");
    assert_eq!(code(&mut s, "MAIL FROM:<a@b.example>").await, "250 2.1.0");
    assert_eq!(
        code(&mut s, "MAIL FROM:<a@b.example>").await,
        "503 5.5.1",
        "no nested MAIL"
    );
    assert_eq!(code(&mut s, "DATA").await, "554 5.5.1", "no recipient yet");
    assert_eq!(
        code(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<ventes@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await,
        "452 4.5.3"
    );
    let big = format!("Subject: x\r\n\r\n{}\r\n.\r\n", "y".repeat(990));
    assert_eq!(data(&mut s, big.as_bytes()).await, "552 5.3.4");
    assert_eq!(code(&mut s, "RSET").await, "250 2.0.0");
    assert_eq!(
        code(&mut s, "MAIL FROM:<>").await,
        "250 2.1.0",
        "null sender is allowed"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await,
        "250 2.1.5"
    );
    let long = format!("Subject: x\r\n\r\n{}\r\n.\r\n", "y".repeat(999));
    let f2 = fixture(SmtpConfig::default()).await;
    let mut t = Session::new(f2.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut t, "EHLO c").await;
    cmd(&mut t, "MAIL FROM:<a@b.example>").await;
    cmd(&mut t, "RCPT TO:<pmartin@votredomaine.com>").await;
    assert_eq!(data(&mut t, long.as_bytes()).await, "554 5.6.0");
    // Loops: more than 30 Received fields.
    cmd(&mut t, "MAIL FROM:<a@b.example>").await;
    cmd(&mut t, "RCPT TO:<pmartin@votredomaine.com>").await;
    let looped = format!(
        "{}Subject: x\r\n\r\nhi\r\n.\r\n",
        "Received: by x\r\n".repeat(31)
    );
    assert_eq!(data(&mut t, looped.as_bytes()).await, "554 5.4.6");
    // Smuggling: refused and the connection closes.
    cmd(&mut t, "MAIL FROM:<a@b.example>").await;
    cmd(&mut t, "RCPT TO:<pmartin@votredomaine.com>").await;
    let step = cmd(&mut t, "DATA").await;
    let Next::Data(mut reader) = step.next else {
        panic!("354 expected")
    };
    let (_, end) = reader.feed(b"Subject: x\r\n\r\nhi\n.\nMAIL FROM:<evil@x>\r\n");
    let end = end.unwrap();
    assert_eq!(end, DataEnd::BareNewline);
    let step = t.data_end(end).await;
    assert_eq!(codes(&step), ["550 5.5.2"]);
    assert!(matches!(step.next, Next::Close));
    assert!(messages(&f2.store, "pmartin").await.is_empty());
}

#[tokio::test]
async fn quota_and_too_many_errors() {
    let f = fixture(SmtpConfig {
        max_errors: 3,
        ..SmtpConfig::default()
    })
    .await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut s, "EHLO c").await;
    // cdupont's quota is 2000 bytes.
    assert_eq!(
        code(&mut s, "MAIL FROM:<a@b.example> SIZE=1500").await,
        "250 2.1.0"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<cdupont@votredomaine.com>").await,
        "250 2.1.5"
    );
    let body = format!(
        "Subject: x\r\n\r\n{}.\r\n",
        format!("{}\r\n", "z".repeat(98)).repeat(14)
    );
    assert_eq!(data(&mut s, body.as_bytes()).await, "250 2.0.0");
    assert_eq!(
        code(&mut s, "MAIL FROM:<a@b.example> SIZE=1000").await,
        "250 2.1.0"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<ventes@votredomaine.com>").await,
        "452 4.2.2"
    );
    assert_eq!(code(&mut s, "FROB").await, "500 5.5.1");
    let last = cmd(&mut s, "FROB").await;
    assert_eq!(codes(&last), ["500 5.5.1", "421 4.7.0"]);
    assert!(matches!(last.next, Next::Close));
}

#[tokio::test]
async fn bdat_chunks() {
    let f = fixture(SmtpConfig {
        max_message_size: 100,
        ..SmtpConfig::default()
    })
    .await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut s, "EHLO c").await;
    // Without a transaction the chunk is still read, then refused.
    let step = cmd(&mut s, "BDAT 5 LAST").await;
    assert!(matches!(step.next, Next::Bdat { size: 5 }));
    s.bdat_data(b"hello");
    assert_eq!(codes(&s.bdat_chunk_done().await), ["503 5.5.1"]);
    cmd(&mut s, "MAIL FROM:<a@b.example>").await;
    cmd(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await;
    let step = cmd(&mut s, "BDAT 12").await;
    assert!(step.replies.is_empty());
    s.bdat_data(b"Subject: x\r\n");
    assert_eq!(codes(&s.bdat_chunk_done().await), ["250 2.0.0"]);
    assert_eq!(
        code(&mut s, "DATA").await,
        "503 5.5.1",
        "no DATA in the middle of BDAT"
    );
    cmd(&mut s, "BDAT 6 LAST").await;
    s.bdat_data(b"\r\nhi\r\n");
    assert_eq!(codes(&s.bdat_chunk_done().await), ["250 2.0.0"]);
    let m = messages(&f.store, "pmartin").await;
    assert!(m[0].ends_with(b"Subject: x\r\n\r\nhi\r\n"));
    // Too big across chunks: refused, transaction over.
    cmd(&mut s, "MAIL FROM:<a@b.example>").await;
    cmd(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await;
    cmd(&mut s, "BDAT 80").await;
    s.bdat_data(&[b'a'; 80]);
    s.bdat_chunk_done().await;
    cmd(&mut s, "BDAT 80 LAST").await;
    s.bdat_data(&[b'a'; 80]);
    assert_eq!(codes(&s.bdat_chunk_done().await), ["552 5.3.4"]);
    assert_eq!(messages(&f.store, "pmartin").await.len(), 1);
    // A bare LF or CR is refused as in DATA (a CR ending one chunk and the LF starting the
    // next are one CRLF); the session goes on.
    for (last, answer) in [
        (&b"\nb\nc"[..], "550 5.6.0"),
        (&b"\nb\r"[..], "550 5.6.0"),
        (&b"\nb\r\n"[..], "250 2.0.0"),
    ] {
        cmd(&mut s, "MAIL FROM:<a@b.example>").await;
        cmd(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await;
        cmd(&mut s, "BDAT 9").await;
        s.bdat_data(b"X: y\r\n\r\na\r");
        s.bdat_chunk_done().await;
        cmd(&mut s, &format!("BDAT {} LAST", last.len())).await;
        s.bdat_data(last);
        assert_eq!(codes(&s.bdat_chunk_done().await), [answer], "{last:?}");
    }
    assert_eq!(messages(&f.store, "pmartin").await.len(), 2);
}

#[tokio::test]
async fn pipelined_commands_without_sockets() {
    use super::conn::{Flow, Pump};
    let f = fixture(SmtpConfig::default()).await;
    let mut p = Pump::new(Session::new(f.ctx.clone(), peer("192.0.2.10")));
    p.buf.extend_from_slice(
        b"EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<pmartin@votredomaine.com>\r\nDATA\r\n\
          Subject: x\r\n\r\nhi\r\n.\r\nNOOP\r\nQUIT\r\nNOOP\r\n",
    );
    assert_eq!(p.run().await, Flow::Close);
    let out = String::from_utf8(p.out.clone()).unwrap();
    let codes: Vec<&str> = out
        .lines()
        .filter(|l| l.as_bytes().get(3) == Some(&b' '))
        .map(|l| &l[..3])
        .collect();
    assert_eq!(
        codes,
        ["220", "250", "250", "250", "354", "250", "250", "221"],
        "{out}"
    );
    assert_eq!(messages(&f.store, "pmartin").await.len(), 1);
    // An over-long line is answered and the session goes on.
    let mut p = Pump::new(Session::new(f.ctx.clone(), peer("192.0.2.10")));
    p.buf.extend_from_slice(&[b'x'; 700]);
    assert_eq!(p.run().await, Flow::NeedInput);
    assert!(p.buf.is_empty(), "the long line is not kept");
    p.buf.extend_from_slice(b"yyy\r\nNOOP\r\n");
    assert_eq!(p.run().await, Flow::NeedInput);
    let out = String::from_utf8(p.out.clone()).unwrap();
    assert!(
        out.contains("500 5.5.2") && out.ends_with("250 2.0.0 Ok\r\n"),
        "{out}"
    );
}

/// A brief fuzz of the whole input path (framing, commands, DATA, BDAT), run in every test
/// pass: random mixes of protocol fragments and noise, cut at random places. Nothing may
/// panic, every answer is a well-formed reply, and the buffer stays bounded.
#[tokio::test]
async fn random_input_never_panics() {
    use super::conn::{Flow, Pump};
    let f = fixture(SmtpConfig {
        max_message_size: 4096,
        ..SmtpConfig::default()
    })
    .await;
    let fragments: &[&[u8]] = &[
        b"EHLO x\r\n",
        b"HELO y\r\n",
        b"MAIL FROM:<a@b.example>\r\n",
        b"MAIL FROM:<> SIZE=99999999999\r\n",
        b"RCPT TO:<pmartin@votredomaine.com>\r\n",
        b"RCPT TO:<ventes@votredomaine.com>\r\n",
        b"RCPT TO:<x@other.example>\r\n",
        b"DATA\r\n",
        b"BDAT 7\r\n",
        b"BDAT 0 LAST\r\n",
        b"BDAT 3 LAST\r\n",
        b".\r\n",
        b"\r\n",
        b"\n",
        b".\n",
        b"\r",
        b"..\r\n",
        b"RSET\r\n",
        b"NOOP\r\n",
        b"VRFY a\r\n",
        b"Subject: s\r\n",
        b"MAIL FROM:<\xff\xfe@x>\r\n",
        b"RCPT TO:<\"a@b\"@votredomaine.com>\r\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _round in 0..150 {
        let mut input = Vec::new();
        for _ in 0..(next() % 40) {
            if next() % 4 == 0 {
                let n = (next() % 700) as usize;
                input.extend((0..n).map(|_| next() as u8));
            } else {
                input.extend_from_slice(fragments[(next() as usize) % fragments.len()]);
            }
        }
        let mut p = Pump::new(Session::new(f.ctx.clone(), peer("192.0.2.10")));
        let mut rest = &input[..];
        while !rest.is_empty() {
            let cut = 1 + (next() as usize) % rest.len().min(300);
            p.buf.extend_from_slice(&rest[..cut]);
            rest = &rest[cut..];
            let flow = p.run().await;
            assert!(p.buf.len() <= 4096, "buffer stays bounded");
            if flow != Flow::NeedInput {
                break;
            }
        }
        let out = String::from_utf8_lossy(&p.out).into_owned();
        for line in out.lines() {
            let b = line.as_bytes();
            assert!(
                b.len() >= 4
                    && b[..3].iter().all(u8::is_ascii_digit)
                    && (b[3] == b' ' || b[3] == b'-'),
                "{line:?}"
            );
        }
    }
}

#[tokio::test]
async fn forward_responder_and_suspension_at_delivery() {
    use app::store::entities::{account, outbound};
    use sea_orm::{ActiveModelTrait, Set};
    let f = fixture(SmtpConfig::default()).await;
    let set = |login: &'static str, edit: fn(&mut account::ActiveModel)| {
        let store = f.store.clone();
        async move {
            let mut m: account::ActiveModel = store.account(login).await.unwrap().into();
            edit(&mut m);
            m.update(store.db()).await.unwrap();
        }
    };
    set("cdupont", |m| {
        m.forward_to = Set("claire@ailleurs.example\nclaire2@ailleurs.example".into());
        m.suspended = Set(true);
    })
    .await;
    set("pmartin", |m| {
        m.responder_enabled = Set(true);
        m.responder_subject = Set("Absent".into());
        m.responder_body = Set("De retour lundi.".into());
    })
    .await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    cmd(&mut s, "EHLO c").await;
    let send = |from: &'static str, to: &'static str, headers: &'static str| (from, to, headers);
    for (from, to, headers) in [
        send(
            "alice@example.org",
            "ventes@votredomaine.com",
            "To: ventes@votredomaine.com",
        ),
        send(
            "alice@example.org",
            "pmartin@votredomaine.com",
            "To: pmartin@votredomaine.com\r\nMessage-ID: <m1@example.org>",
        ),
        send(
            "alice@example.org",
            "pmartin@votredomaine.com",
            "To: pmartin@votredomaine.com",
        ),
        send(
            "news@example.org",
            "pmartin@votredomaine.com",
            "To: pmartin@votredomaine.com\r\nPrecedence: bulk",
        ),
    ] {
        assert_eq!(
            code(&mut s, &format!("MAIL FROM:<{from}>")).await,
            "250 2.1.0"
        );
        assert_eq!(
            code(&mut s, &format!("RCPT TO:<{to}>")).await,
            "250 2.1.5",
            "a suspended login still receives"
        );
        let body = format!("{headers}\r\nSubject: test\r\n\r\nhello\r\n.\r\n");
        assert_eq!(data(&mut s, body.as_bytes()).await, "250 2.0.0");
    }
    assert!(
        messages(&f.store, "cdupont").await.is_empty(),
        "forwarded, not kept"
    );
    assert_eq!(messages(&f.store, "pmartin").await.len(), 3);
    let queued = outbound::Entity::find().all(f.store.db()).await.unwrap();
    let forwards: Vec<_> = queued
        .iter()
        .filter(|q| q.kind == "forward")
        .map(|q| q.rcpt_to.as_str())
        .collect();
    assert_eq!(
        forwards,
        ["claire@ailleurs.example", "claire2@ailleurs.example"]
    );
    let replies: Vec<_> = queued.iter().filter(|q| q.kind == "reply").collect();
    assert_eq!(
        replies.len(),
        1,
        "one answer per sender per interval, none to bulk mail"
    );
    assert_eq!(replies[0].mail_from, "", "null envelope sender");
    assert_eq!(replies[0].rcpt_to, "alice@example.org");
    let text = String::from_utf8_lossy(&replies[0].raw);
    assert!(
        text.contains("Auto-Submitted: auto-replied")
            && text.contains("In-Reply-To: <m1@example.org>"),
        "{text}"
    );
}

const CLAIRE_PASSWORD: &str = "Claire-Pass-2026";

/// The submission port's session, Claire's password set, TLS taken as done.
async fn submission() -> (Fixture, Session) {
    // (These tests make many errors on purpose: the session's error limit is not the subject.)
    let config = SmtpConfig {
        max_errors: 100,
        ..SmtpConfig::default()
    };
    let f = fixture_for(
        config,
        Some(SubmissionAuth {
            gate: Arc::new(app::auth::check::Gate::default()),
        }),
    )
    .await;
    f.store
        .set_password(
            &app::store::Actor::cli(),
            "cdupont",
            Some(CLAIRE_PASSWORD.into()),
        )
        .await
        .unwrap();
    let s = Session::new(f.ctx.clone(), peer("192.0.2.30"));
    (f, s)
}

fn b64(s: &str) -> String {
    crate::login::encode_base64(s.as_bytes())
}

#[tokio::test]
async fn submission_wants_tls_then_a_password_then_your_own_address() {
    let (f, mut s) = submission().await;
    // In clear: no AUTH offered, none accepted, no mail.
    let ehlo = cmd(&mut s, "EHLO phone.example").await.replies[0].to_wire();
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    let plain = b64("\0cdupont\0Claire-Pass-2026");
    assert_eq!(
        code(&mut s, &format!("AUTH PLAIN {plain}")).await,
        "538 5.7.11"
    );
    assert_eq!(
        code(&mut s, "MAIL FROM:<cdupont@votredomaine.com>").await,
        "530 5.7.0"
    );

    s.tls_started("TLSv1.3 (test)".into());
    let ehlo = cmd(&mut s, "EHLO phone.example").await.replies[0].to_wire();
    assert!(ehlo.contains("250-AUTH PLAIN LOGIN\r\n"), "{ehlo}");
    assert_eq!(
        code(&mut s, "MAIL FROM:<cdupont@votredomaine.com>").await,
        "530 5.7.0"
    );
    assert_eq!(code(&mut s, "AUTH CRAM-MD5").await, "504 5.5.4");
    let wrong = b64("\0cdupont\0claire-pass-2026");
    assert_eq!(
        code(&mut s, &format!("AUTH PLAIN {wrong}")).await,
        "535 5.7.8"
    );
    // Someone else's identity is refused even with the right password.
    let other = b64("pmartin\0cdupont\0Claire-Pass-2026");
    assert_eq!(
        code(&mut s, &format!("AUTH PLAIN {other}")).await,
        "535 5.7.8"
    );
    // LOGIN, with the full address as the login.
    let step = cmd(&mut s, "AUTH LOGIN").await;
    assert_eq!(step.replies[0].to_wire(), "334 VXNlcm5hbWU6\r\n");
    let step = cmd(&mut s, &b64("cdupont@votredomaine.com")).await;
    assert_eq!(step.replies[0].to_wire(), "334 UGFzc3dvcmQ6\r\n");
    assert_eq!(code(&mut s, &b64(CLAIRE_PASSWORD)).await, "235 2.7.0");
    assert_eq!(code(&mut s, "AUTH LOGIN").await, "503 5.5.1");
    let ehlo = cmd(&mut s, "EHLO phone.example").await.replies[0].to_wire();
    assert!(!ehlo.contains("AUTH"), "signed in: {ehlo}");

    // Her login address and her alias, not somebody else's, not <>.
    for refused in ["pmartin@votredomaine.com", "claire@example.org", ""] {
        assert_eq!(
            code(&mut s, &format!("MAIL FROM:<{refused}>")).await,
            "553 5.7.1",
            "{refused}"
        );
    }
    assert_eq!(
        code(&mut s, "MAIL FROM:<Ventes@VotreDomaine.com>").await,
        "250 2.1.0"
    );
    // To anywhere: a colleague directly, a foreign address through the queue.
    assert_eq!(
        code(&mut s, "RCPT TO:<pmartin@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<someone@example.net>").await,
        "250 2.1.5"
    );
    assert_eq!(
        code(&mut s, "RCPT TO:<nobody@votredomaine.com>").await,
        "550 5.1.1"
    );
    let reply = data(&mut s, b"Subject: Devis\r\n\r\nCi-joint.\r\n.\r\n").await;
    assert_eq!(reply, "250 2.0.0");
    let pm = messages(&f.store, "pmartin").await;
    assert_eq!(pm.len(), 1);
    let text = String::from_utf8_lossy(&pm[0]);
    assert!(text.contains("with ESMTPSA id"), "{text}");
    let queued = f.store.queue_list(10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].kind, "submission");
    assert_eq!(queued[0].rcpt_to, "someone@example.net");
    assert_eq!(queued[0].mail_from, "Ventes@VotreDomaine.com");
}

#[tokio::test]
async fn submission_auth_exchanges_cancel_and_close_after_failures() {
    let (_f, mut s) = submission().await;
    s.tls_started("TLSv1.3 (test)".into());
    assert_eq!(code(&mut s, "AUTH PLAIN").await, "503 5.5.1", "EHLO first");
    cmd(&mut s, "EHLO phone.example").await;
    // PLAIN with the response on its own line, and "*" to cancel.
    let step = cmd(&mut s, "AUTH PLAIN").await;
    assert_eq!(step.replies[0].to_wire(), "334 \r\n");
    assert_eq!(code(&mut s, "*").await, "501 5.0.0");
    assert_eq!(code(&mut s, "AUTH PLAIN").await, "334");
    assert_eq!(code(&mut s, "not base64 at all!").await, "535 5.7.8");
    assert_eq!(code(&mut s, "AUTH LOGIN").await, "334");
    assert_eq!(code(&mut s, "%%%").await, "501 5.5.2");
    // Three wrong passwords close the session.
    for n in 1..=3 {
        let wrong = b64(&format!("\0cdupont\0wrong-{n}"));
        let step = cmd(&mut s, &format!("AUTH PLAIN {wrong}")).await;
        if n < 3 {
            assert_eq!(codes(&step), ["535 5.7.8"]);
        } else {
            assert_eq!(codes(&step), ["421 4.7.0"]);
            assert!(matches!(step.next, Next::Close));
        }
    }
}

#[tokio::test]
async fn smtp_in_offers_no_auth() {
    let f = fixture(SmtpConfig::default()).await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.31"));
    cmd(&mut s, "EHLO client.example").await;
    assert_eq!(code(&mut s, "AUTH PLAIN AHgAeA==").await, "502 5.5.1");
}

#[tokio::test]
async fn a_greeting_with_control_characters_is_refused_and_never_recorded() {
    let f = fixture(SmtpConfig::default()).await;
    let mut s = Session::new(f.ctx.clone(), peer("192.0.2.10"));
    for bad in ["EHLO evil\0name", "HELO a\tb", "EHLO x\u{7f}y"] {
        assert_eq!(code(&mut s, bad).await, "501 5.5.4", "{bad:?}");
    }
    assert_eq!(code(&mut s, "EHLO client.example").await, "250");
    assert_eq!(code(&mut s, "MAIL FROM:<a@example.org>").await, "250 2.1.0");
    assert_eq!(
        code(&mut s, "RCPT TO:<cdupont@votredomaine.com>").await,
        "250 2.1.5"
    );
    assert_eq!(
        data(&mut s, b"Subject: hi\r\n\r\nhello\r\n.\r\n").await,
        "250 2.0.0"
    );
    let raw = messages(&f.store, "cdupont").await.pop().unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("Received: from client.example ("), "{text}");
    assert!(!raw.contains(&0), "no NUL in the stored message");
}

#[tokio::test]
async fn a_submission_session_ends_when_the_password_changes() {
    let (f, mut s) = submission().await;
    s.tls_started("TLSv1.3 (test)".into());
    assert_eq!(code(&mut s, "EHLO phone.example").await, "250");
    let plain = b64(&format!("\0cdupont\0{CLAIRE_PASSWORD}"));
    assert_eq!(
        code(&mut s, &format!("AUTH PLAIN {plain}")).await,
        "235 2.7.0"
    );
    assert_eq!(
        code(&mut s, "MAIL FROM:<cdupont@votredomaine.com>").await,
        "250 2.1.0"
    );
    f.store
        .set_password(
            &app::store::Actor::cli(),
            "cdupont",
            Some("Another-Pass-2026".into()),
        )
        .await
        .unwrap();
    let step = cmd(&mut s, "RCPT TO:<ami@example.net>").await;
    assert_eq!(codes(&step), ["421 4.7.0"]);
    assert!(matches!(step.next, Next::Close));
}

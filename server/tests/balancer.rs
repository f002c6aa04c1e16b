//! Two `courrier serve` behind Debian's HAProxy on one PostgreSQL (issue 18, item 2): TCP mode
//! with `send-proxy-v2` for SMTP and POP3, HTTP mode with `X-Forwarded-For` for the web, the
//! health check on `/healthz`. Mail through either instance lands once; a POP3 session on one
//! makes the other answer `[IN-USE]`; a web session made through the balancer is valid on
//! both; a password changed on one is refused by the other at once; the outbound queue sends
//! each message once; a relay grant matches the client behind the balancer; killing one
//! instance loses nothing acknowledged and the balancer's health check takes it out.

mod common;

use common::receiver::Receiver;
use common::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PW: &str = "Claire-Pass-2026";
const NEW_PW: &str = "Claire-Neuf-2027";

/// HAProxy (Debian's), in the foreground, with a configuration written for the test.
struct Haproxy {
    child: Child,
    smtp: String,
    pop3: String,
    web: String,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Haproxy {
    fn start(dir: &std::path::Path, instances: &[&Server]) -> Haproxy {
        let (smtp, pop3, web) = (free_port(), free_port(), free_port());
        // Health: each mail backend is checked on its instance's /healthz, every 300 ms; one
        // failure takes it out. A connection that cannot be made goes to the other.
        let mail_backend = |name: &str, addr_of: &dyn Fn(&Server) -> String| {
            let mut b = format!(
                "backend {name}\n    mode tcp\n    balance roundrobin\n    option httpchk\n    \
                 http-check send meth GET uri /healthz\n"
            );
            for (i, s) in instances.iter().enumerate() {
                b += &format!(
                    "    server i{i} {} send-proxy-v2 check port {} inter 300 fall 1 rise 2\n",
                    addr_of(s),
                    port_of(&s.http)
                );
            }
            b
        };
        let mut web_backend = String::from(
            "backend web\n    mode http\n    balance roundrobin\n    option httpchk\n    \
             http-check send meth GET uri /healthz\n",
        );
        for (i, s) in instances.iter().enumerate() {
            web_backend += &format!(
                "    server i{i} {} check inter 300 fall 1 rise 2\n",
                s.http.trim_start_matches("http://")
            );
        }
        let config = format!(
            "global\n    maxconn 256\n\
             defaults\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n    \
             timeout check 2s\n    retries 3\n    option redispatch\n\
             frontend smtp\n    mode tcp\n    bind 127.0.0.1:{smtp}\n    default_backend smtp\n\
             frontend pop3\n    mode tcp\n    bind 127.0.0.1:{pop3}\n    default_backend pop3\n\
             frontend web\n    mode http\n    bind 127.0.0.1:{web}\n    option forwardfor\n    \
             default_backend web\n{}{}{web_backend}",
            mail_backend("smtp", &|s| s.smtp.clone()),
            mail_backend("pop3", &|s| s.pop3.clone()),
        );
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, &config).unwrap();
        let check = Command::new("haproxy")
            .args(["-c", "-f"])
            .arg(&file)
            .output()
            .expect("haproxy is installed (the test command installs Debian's)");
        assert!(
            check.status.success(),
            "{}\n{config}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let h = Haproxy {
            child,
            smtp: format!("127.0.0.1:{smtp}"),
            pop3: format!("127.0.0.1:{pop3}"),
            web: format!("http://127.0.0.1:{web}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(format!("127.0.0.1:{web}")).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "haproxy did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // The first checks pass (rise 2) before anything is sent.
        std::thread::sleep(Duration::from_millis(1000));
        h
    }
}

/// Straight to an instance, as the balancer would (a PROXY v2 header naming `client`):
/// every answer, the greeting first.
fn direct(addr: &str, client: &str, lines: &[&str]) -> Vec<String> {
    proxy_through(addr, &format!("v2:{client}:40000"), lines)
}

/// The mailbox's message count, signed in through the balancer.
fn stat_through(h: &Haproxy, password: &str) -> u64 {
    let r = pop3_client(&h.pop3, "plain_auth", &["cdupont", password]);
    assert_eq!(r["ok"], true, "{r}");
    r["stat"][0].as_u64().unwrap()
}

/// One message to cdupont through the balancer: whether it was taken (250).
fn deliver_through(h: &Haproxy, n: usize) -> bool {
    let (host, port) = h.smtp.rsplit_once(':').unwrap();
    let out = Command::new("python3")
        .arg(SMTP_CLIENT)
        .args(["send", host, port, "cdupont@votredomaine.com"])
        .env("MAIL_FROM", format!("n{n}@sender.example"))
        .output()
        .expect("python3");
    // A connection cut by the instance dying is a failure the client sees (no 250).
    out.status.success()
        && serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .is_ok_and(|v| v["refused"].as_object().is_some_and(|m| m.is_empty()))
}

#[tokio::test]
async fn two_instances_behind_haproxy_share_everything_and_lose_nothing() {
    for db in databases().await {
        let Some(url) = db.url.clone() else {
            continue; // several instances share a PostgreSQL, not a SQLite file
        };
        let label = db.label;
        let other = Db {
            dir: TempDir::new(),
            url: Some(url),
            label,
        };
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PW);
        set_password(&db, "pmartin", PW);
        // The office behind the balancer (127.0.0.2) may relay; the balancer is 127.0.0.1.
        allow_office(&db, "127.0.0.2");
        let receiver = Receiver::start(db.dir.0.join("received"), "accept");
        let config = db.dir.0.join("cluster.toml");
        std::fs::write(
            &config,
            format!(
                "[proxy]\ntrusted = [\"127.0.0.1/32\"]\n\
                 [outbound.routes]\n\"example.net\" = \"127.0.0.1:{}\"\n",
                receiver.port
            ),
        )
        .unwrap();
        let args = ["--config", config.to_str().unwrap()];
        let (one, two) = std::thread::scope(|s| {
            let one = s.spawn(|| Server::start_with(&db, &args));
            let two = s.spawn(|| Server::start_with(&other, &args));
            (one.join().unwrap(), two.join().unwrap())
        });
        let h = Haproxy::start(&db.dir.0, &[&one, &two]);

        // Mail through the balancer (round robin: both instances) lands once each.
        for n in 0..6 {
            assert!(deliver_through(&h, n), "{label}: message {n}");
        }
        assert_eq!(stat_through(&h, PW), 6, "{label}");

        // A POP3 session through the balancer holds the maildrop on both instances.
        let (host, port) = h.pop3.rsplit_once(':').unwrap();
        let mut holder = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/clients/pop3_client.py"
            ))
            .args(["hold", host, port, "cdupont", PW, "4"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        for server in [&one, &two] {
            let a = direct(
                &server.pop3,
                "127.0.0.2",
                &["USER cdupont", &format!("PASS {PW}"), "QUIT"],
            );
            assert!(a[2].starts_with("-ERR [IN-USE]"), "{label}: {a:?}");
        }
        assert!(holder.wait().unwrap().success());

        // A web session made through the balancer is valid on each instance.
        let jar = db.dir.0.join("web.jar");
        let r = curl(
            &jar,
            &[
                "-X",
                "POST",
                "--data-urlencode",
                "login=cdupont",
                "--data-urlencode",
                &format!("password={PW}"),
                &format!("{}/api/session/login", h.web),
            ],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        for server in [&one, &two] {
            let page = curl(&jar, &[&server.url("/personal")]);
            assert_eq!(
                page.status,
                200,
                "{label}: {}",
                page.header("location").unwrap_or_default()
            );
        }
        // A password changed on one instance is refused by the other at once.
        let changed = call(
            &one,
            &jar,
            "personal/password",
            &[
                ("current", PW),
                ("new_password", NEW_PW),
                ("confirm", NEW_PW),
            ],
        );
        assert_eq!(changed.status, 200, "{label}: {}", changed.body);
        let old = direct(
            &two.pop3,
            "127.0.0.2",
            &["USER cdupont", &format!("PASS {PW}"), "QUIT"],
        );
        assert!(old[2].starts_with("-ERR"), "{label}: {old:?}");
        let new = direct(
            &two.pop3,
            "127.0.0.2",
            &["USER cdupont", &format!("PASS {NEW_PW}"), "QUIT"],
        );
        assert!(new[2].starts_with("+OK"), "{label}: {new:?}");

        // Relay: the office behind the balancer may, another address may not.
        for n in 0..4 {
            let r = smtp_client_at(
                &h.smtp,
                Some("127.0.0.2"),
                Some("cdupont@votredomaine.com"),
                "rcpt",
                &[&format!("client{n}@example.net")],
            );
            let answer = r["answer"].to_string();
            assert!(
                answer.contains("250 2.1.5 Recipient ok (relayed"),
                "{label}: {r}"
            );
        }
        let r = smtp_client_at(
            &h.smtp,
            Some("127.0.0.3"),
            Some("cdupont@votredomaine.com"),
            "rcpt",
            &["client@example.net"],
        );
        let answer = r["answer"].to_string();
        assert!(
            answer.contains("554 5.7.1 Relay access denied"),
            "{label}: {r}"
        );
        // The queue sends each relayed message once, whichever instance's worker takes it.
        for n in 0..4 {
            let r = smtp_client_at(
                &h.smtp,
                Some("127.0.0.2"),
                Some("cdupont@votredomaine.com"),
                "send",
                &[&format!("client{n}@example.net")],
            );
            assert!(
                r["refused"].as_object().is_some_and(|m| m.is_empty()),
                "{label}: {r}"
            );
        }
        receiver.wait_for(4);
        std::thread::sleep(Duration::from_secs(3));
        assert_eq!(receiver.received().len(), 4, "{label}: each message once");

        // Many clients through both instances at once, each message for two mailboxes named
        // in either order: no deadlock between the instances' group commits (PostgreSQL would
        // break one after a second and the batch would be redone message by message).
        let pm_before = pop3_client(&h.pop3, "plain_auth", &["pmartin", PW])["stat"][0]
            .as_u64()
            .unwrap();
        let cd_before = stat_through(&h, NEW_PW);
        std::thread::scope(|s| {
            for c in 0..12 {
                let h = &h;
                s.spawn(move || {
                    let (host, port) = h.smtp.rsplit_once(':').unwrap();
                    let mut rcpts = ["cdupont@votredomaine.com", "pmartin@votredomaine.com"];
                    if c % 2 == 1 {
                        rcpts.reverse();
                    }
                    for _ in 0..6 {
                        let out = Command::new("python3")
                            .arg(SMTP_CLIENT)
                            .args(["send", host, port, rcpts[0], rcpts[1]])
                            .output()
                            .unwrap();
                        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                        // Taken: no 451 from a commit that failed.
                        assert!(
                            r["refused"].as_object().is_some_and(|m| m.is_empty()),
                            "{r}"
                        );
                    }
                });
            }
        });
        assert_eq!(stat_through(&h, NEW_PW), cd_before + 72, "{label}");
        let pm_after = pop3_client(&h.pop3, "plain_auth", &["pmartin", PW])["stat"][0]
            .as_u64()
            .unwrap();
        assert_eq!(pm_after, pm_before + 72, "{label}");
        // The server's statistics reach pg_stat_database within a second of a transaction.
        std::thread::sleep(Duration::from_millis(1500));
        let store = app::store::Store::open(db.url.as_deref().unwrap())
            .await
            .unwrap();
        let deadlocks = {
            use sea_orm::{ConnectionTrait, Statement};
            let row = store
                .db()
                .query_one_raw(Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "deadlocks").unwrap()
        };
        store.close().await;
        assert_eq!(deadlocks, 0, "{label}: deadlocks between the instances");

        // Kill one instance in the middle of a stream of deliveries: every message acknowledged
        // is there, and once the health check took it out every delivery succeeds.
        let before = stat_through(&h, NEW_PW);
        let mut one = Some(one);
        let (taken, tried) = std::thread::scope(|s| {
            // Two clients deliver while the instance dies under them.
            let senders: Vec<_> = (0..2)
                .map(|c| {
                    let h = &h;
                    s.spawn(move || {
                        (0..10)
                            .filter(|n| deliver_through(h, 100 + c * 10 + n))
                            .count() as u64
                    })
                })
                .collect();
            std::thread::sleep(Duration::from_millis(700));
            drop(one.take()); // SIGKILL
            let taken: u64 = senders.into_iter().map(|t| t.join().unwrap()).sum();
            (taken, 20)
        });
        std::thread::sleep(Duration::from_millis(1500));
        let mut after_out = 0;
        for n in 0..6 {
            if deliver_through(&h, 200 + n) {
                after_out += 1;
            }
        }
        assert_eq!(
            after_out, 6,
            "{label}: the dead instance is out of the balancer"
        );
        let now = stat_through(&h, NEW_PW);
        let stored = now - before - 6;
        println!("{label}: killed mid-stream: {taken} acknowledged of {tried}, {stored} stored");
        assert!(
            stored >= taken && stored <= tried,
            "{label}: {taken} acknowledged of {tried}, {stored} stored"
        );
        drop(h);
        assert!(two.stop().success());
    }
}

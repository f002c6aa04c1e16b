//! One attacker against the real `courrier` on loopback (issue 12): idle web connections
//! under a low open-files limit, password guessing that must not lock the owner out, parallel
//! guesses, a storm of failed sign-ins and the memory it takes, header injection through the
//! responder, relay caps, redirects, mail sessions after a password change, and the small
//! ones. The attacker's tools are `tests/clients/abuse.py`; every load is bounded.

mod common;

use common::receiver::Receiver;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ABUSE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/abuse.py");
const PASSWORD: &str = "Un-Mot-De-Passe-2026";

fn abuse(args: &[&str]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(ABUSE)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "abuse.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default()).expect("JSON from abuse.py")
}

fn host_port(addr: &str) -> (String, String) {
    let (h, p) = addr.rsplit_once(':').unwrap();
    (h.to_string(), p.to_string())
}

/// A real receiver, and a configuration that routes mail for `domain` to it.
fn routed_to_receiver(db: &Db, domain: &str) -> (Receiver, std::path::PathBuf) {
    let receiver = Receiver::start(db.dir.0.join("out"), "accept");
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(
        &config,
        format!(
            "[outbound.routes]\n\"{domain}\" = \"127.0.0.1:{}\"\n",
            receiver.port
        ),
    )
    .unwrap();
    (receiver, config)
}

/// votredomaine.com with pmartin's password set, served.
fn pmartin_server(db: &Db) -> Server {
    add_votredomaine(db);
    set_password(db, "pmartin", PASSWORD);
    Server::start(db)
}

fn pid(server: &Server) -> u32 {
    server.child.id()
}

/// CPU time (user + system) of a process, in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s.
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

/// Seconds until a mail listener sends its greeting (or None past `limit`).
fn greeting_secs(addr: &str, limit: Duration) -> Option<f64> {
    let start = Instant::now();
    let mut s = TcpStream::connect_timeout(&addr.parse().unwrap(), limit).ok()?;
    s.set_read_timeout(Some(limit)).ok()?;
    let mut line = String::new();
    BufReader::new(&mut s).read_line(&mut line).ok()?;
    (line.starts_with("220") || line.starts_with("+OK")).then(|| start.elapsed().as_secs_f64())
}

/// Seconds until `/healthz` answers 200 (asked again while refused), or None past `limit`.
fn health_secs(server: &Server, limit: Duration) -> Option<f64> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--max-time",
                "5",
            ])
            .arg(server.url("/healthz"))
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout) == "200" {
            return Some(start.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

/// A flood of half-sent requests, running in the background until stopped.
struct Flood {
    child: std::process::Child,
    stop: std::path::PathBuf,
}

impl Flood {
    fn start(server: &Server, sources: &str, n: usize, dir: &std::path::Path) -> (Flood, u64) {
        let stop = dir.join(format!("stop-{}", sources.len()));
        let addr = server.http.trim_start_matches("http://").to_string();
        let (host, port) = host_port(&addr);
        let mut child = Command::new("python3")
            .arg(ABUSE)
            .args(["flood", &host, &port, sources, &n.to_string(), "60"])
            .env("STOP_FILE", &stop)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        (
            Flood { child, stop },
            v["opened"].as_u64().unwrap() + v["failed"].as_u64().unwrap(),
        )
    }

    fn stop(mut self) -> serde_json::Value {
        std::fs::write(&self.stop, b"").unwrap();
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let _ = self.child.wait();
        serde_json::from_str(out.lines().last().unwrap()).unwrap()
    }
}

#[tokio::test]
async fn idle_web_connections_starve_neither_mail_nor_health() {
    let db = Db::sqlite();
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(&config, "[web_limits]\nheader_timeout_secs = 3\n").unwrap();
    let server = Server::start_wrapped(
        &db,
        &["prlimit", "--nofile=1024:1024", "--"],
        &["--config", config.to_str().unwrap()],
    );
    let p = pid(&server);

    // One address holds 1,100 half-sent requests: its per-address cap stops it.
    let (flood, tried) = Flood::start(&server, "127.0.0.2", 1100, &db.dir.0);
    assert_eq!(tried, 1100);
    let cpu = cpu_secs(p);
    let smtp = greeting_secs(&server.smtp, Duration::from_secs(5)).expect("SMTP answers");
    let pop3 = greeting_secs(&server.pop3, Duration::from_secs(5)).expect("POP3 answers");
    let health = health_secs(&server, Duration::from_secs(5)).expect("/healthz answers");
    std::thread::sleep(Duration::from_secs(2));
    let busy = cpu_secs(p) - cpu;
    eprintln!(
        "one address, 1100 idle: SMTP {smtp:.3} s, POP3 {pop3:.3} s, /healthz {health:.3} s, \
         CPU {busy:.2} s over the checks and 2 s"
    );
    assert!(
        busy < 2.0,
        "the server must not spin: {busy:.2} s of CPU in about 2 s"
    );
    let r = flood.stop();
    assert!(
        r["closed_by_server"].as_u64().unwrap() + r["failed"].as_u64().unwrap() > 500,
        "beyond the per-address cap, connections are refused: {r}"
    );

    // 1,100 from forty addresses: the total cap and the header timeout hold them off.
    let sources: Vec<String> = (10..50).map(|i| format!("127.0.0.{i}")).collect();
    let (flood, _) = Flood::start(&server, &sources.join(","), 1100, &db.dir.0);
    let cpu = cpu_secs(p);
    let smtp = greeting_secs(&server.smtp, Duration::from_secs(5)).expect("SMTP answers");
    let pop3 = greeting_secs(&server.pop3, Duration::from_secs(5)).expect("POP3 answers");
    let health = health_secs(&server, Duration::from_secs(15))
        .expect("/healthz answers once the header timeout frees the idle connections");
    let busy = cpu_secs(p) - cpu;
    eprintln!(
        "forty addresses, 1100 idle: SMTP {smtp:.3} s, POP3 {pop3:.3} s, /healthz {health:.3} s, \
         CPU {busy:.2} s"
    );
    let r = flood.stop();
    assert!(
        r["closed_by_server"].as_u64().unwrap() > 100,
        "idle connections are closed by the header timeout: {r}"
    );
    assert!(server.stop().success());
}

/// Ten wrong passwords from one address: that address is refused, the owner elsewhere is not.
#[tokio::test]
async fn lockout_from_one_address_leaves_the_owner_in() {
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        set_password(&db, "pmartin", PASSWORD);
        let server = Server::start(&db);
        let (host, port) = host_port(&server.pop3);
        for i in 0..10 {
            if i % 2 == 0 {
                let r = abuse(&[
                    "pop3-pass",
                    &host,
                    &port,
                    "127.0.0.2",
                    "pmartin",
                    "Faux-1234",
                ]);
                assert!(r.as_str().unwrap().contains("Wrong login"), "{label}: {r}");
            } else {
                let r = abuse(&[
                    "web-login",
                    &server.http,
                    "127.0.0.2",
                    "pmartin@votredomaine.com",
                    "Faux-1234",
                ]);
                // Refused: back to the form (the reason travels in the form flash).
                assert!(
                    r[1].as_str().unwrap().ends_with("/login#form-login"),
                    "{label}: {r}"
                );
            }
        }
        // The guesser's address is refused, even with the right password.
        let r = abuse(&["pop3-pass", &host, &port, "127.0.0.2", "pmartin", PASSWORD]);
        assert!(r.as_str().unwrap().contains("Too many"), "{label}: {r}");
        // The owner from another address gets in, over POP3 and the web (slowed, not refused).
        let r = abuse(&["pop3-pass", &host, &port, "127.0.0.3", "pmartin", PASSWORD]);
        assert!(r.as_str().unwrap().starts_with("+OK"), "{label}: {r}");
        // From a third address, never used: slowed by the account's failures, not refused.
        let r = abuse(&["web-login", &server.http, "127.0.0.6", "pmartin", PASSWORD]);
        assert_eq!(r[1], "/siteadmin", "{label}: {r}");
        assert!(r[2].as_f64().unwrap() > 0.2, "{label}: slowed: {r}");
        assert!(
            r[2].as_f64().unwrap() < 8.0,
            "{label}: slowed at most 4 s (and the check): {r}"
        );
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn parallel_guesses_are_each_counted() {
    let db = Db::sqlite();
    let server = pmartin_server(&db);
    let (host, port) = host_port(&server.pop3);
    let answers = abuse(&["pop3-parallel", &host, &port, "127.0.0.4", "pmartin", "40"]);
    let answers: Vec<&str> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let verified = answers.iter().filter(|a| a.contains("Wrong login")).count();
    eprintln!("40 parallel POP3 PASS: {verified} verified");
    assert!(verified <= 10, "at most the limit is verified: {answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.contains("Wrong login") || a.contains("Too many")),
        "{answers:?}"
    );
    let r = abuse(&["pop3-pass", &host, &port, "127.0.0.4", "pmartin", PASSWORD]);
    assert!(r.as_str().unwrap().contains("Too many"), "{r}");

    let results = abuse(&["web-parallel", &server.http, "127.0.0.5", "60", "pmartin"]);
    let results = results.as_array().unwrap();
    let verified = results
        .iter()
        .filter(|r| r[2].as_str().unwrap().contains("incorrect"))
        .count();
    eprintln!("60 parallel web sign-ins: {verified} verified");
    assert!(verified <= 10, "{results:?}");
    assert!(server.stop().success());
}

#[tokio::test]
async fn a_storm_of_failed_sign_ins_keeps_memory_bounded() {
    let db = Db::sqlite();
    let server = pmartin_server(&db);
    let p = pid(&server);
    let before = status_kb(p, "VmHWM");
    // 120 at once, from 120 addresses (none of them throttled on its own).
    let sources: Vec<String> = (1..=120).map(|i| format!("127.0.1.{i}")).collect();
    let results = abuse(&[
        "web-parallel",
        &server.http,
        &sources.join(","),
        "120",
        "pmartin",
    ]);
    let results = results.as_array().unwrap();
    let peak = status_kb(p, "VmHWM");
    let busy: Vec<_> = results.iter().filter(|r| r[0] == 503).collect();
    let wrong = results
        .iter()
        .filter(|r| r[2].as_str().unwrap().contains("incorrect"))
        .count();
    std::thread::sleep(Duration::from_secs(2));
    let after = status_kb(p, "VmRSS");
    eprintln!(
        "120 parallel failed sign-ins: peak RSS {} MB (before {} MB, {} MB after), {wrong} \
         verified, {} answered 503",
        peak / 1024,
        before / 1024,
        after / 1024,
        busy.len()
    );
    assert!(peak < 300 * 1024, "peak RSS {peak} kB");
    assert!(after < 300 * 1024, "RSS after the storm {after} kB");
    assert_eq!(wrong + busy.len(), 120, "{results:?}");
    for b in busy {
        assert_eq!(b[1], "5", "503 with Retry-After: {b}");
    }
    // The owner still gets in once the storm is over.
    let r = abuse(&["web-login", &server.http, "127.0.0.1", "pmartin", PASSWORD]);
    assert_eq!(r[1], "/siteadmin", "{r}");
    assert!(server.stop().success());
}

#[tokio::test]
async fn the_responder_cannot_write_headers() {
    use sea_orm::{ConnectionTrait, Database};
    for db in databases().await {
        let label = db.label;
        let (receiver, config) = routed_to_receiver(&db, "sender.example");
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "pmartin", PASSWORD);
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let jar = db.dir.0.join("jar");
        sign_in(&server, &jar, "pmartin", PASSWORD);
        let responder = |subject: &str, body: &str| {
            call(
                &server,
                &jar,
                "mailbox/responder",
                &[
                    ("login", "cdupont"),
                    ("enabled", "on"),
                    ("subject", subject),
                    ("body", body),
                    ("start", ""),
                    ("end", ""),
                    ("interval_days", "7"),
                ],
            )
            .body
        };
        let r = responder("Absente\r\nBcc: spy@example.net", "De retour lundi.");
        assert!(r.contains("[subject]"), "{label}: {r}");
        let r = responder("Absente", "Une cloche\u{7} ici");
        assert!(r.contains("[body]"), "{label}: {r}");
        assert_eq!(
            responder("Absente", "Ligne un\nLigne deux\rLigne trois").trim(),
            "null",
            "{label}"
        );
        // A row written before the rule (or by hand) still cannot: the reply is built from
        // typed headers, one line each.
        let url = db
            .url
            .clone()
            .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0));
        let conn = Database::connect(url.as_str()).await.unwrap();
        conn.execute_unprepared(
            "UPDATE accounts SET responder_subject = 'Absente' || char(13) || char(10) || \
             'Bcc: spy@example.net' WHERE login = 'cdupont'"
                .replace("char(", if label == "postgres" { "chr(" } else { "char(" })
                .as_str(),
        )
        .await
        .unwrap();
        conn.close().await.unwrap();
        deliver_file(
            &server,
            &db.dir.0,
            "question.eml",
            "cdupont@votredomaine.com",
            "From: d@sender.example\r\nTo: cdupont@votredomaine.com\r\nSubject: Question\r\n\
             Message-ID: <q1@sender.example>\r\n\r\nBonjour\r\n",
        );
        let got = receiver.wait_for(1);
        let reply = got[0]["content"].as_str().unwrap();
        let head = reply.split("\r\n\r\n").next().unwrap();
        assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["d@sender.example"]));
        assert!(
            !head
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{label}: {reply}"
        );
        assert!(
            head.contains("Subject: Absente  Bcc: spy@example.net"),
            "{label}: {reply}"
        );
        assert!(head.contains("Auto-Submitted: auto-replied"), "{label}");
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn relay_caps_hold_for_many_recipients_and_parallel_sessions() {
    const PMARTIN: &str = "pmartin@votredomaine.com";
    for db in databases().await {
        let label = db.label;
        let (_receiver, config) = routed_to_receiver(&db, "example.net");
        add_votredomaine(&db);
        let out = db.cli(&[
            "relay",
            "allow",
            "127.0.0.0/8",
            "--domain",
            "votredomaine.com",
        ]);
        assert!(!out.status.success(), "{label}: a /8 without --wide");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--wide"));
        for (ip, cap) in [("127.0.0.7", "2"), ("127.0.0.8", "3")] {
            cli_ok(
                &db,
                &[
                    "relay",
                    "allow",
                    ip,
                    "--domain",
                    "votredomaine.com",
                    "--cap",
                    cap,
                ],
            );
        }
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        // Ten recipients in one transaction through a cap of 2.
        let rcpts: Vec<String> = (0..10).map(|i| format!("r{i}@example.net")).collect();
        let rcpts: Vec<&str> = rcpts.iter().map(String::as_str).collect();
        let r = smtp_client_as(&server, Some("127.0.0.7"), Some(PMARTIN), "send", &rcpts);
        let refused = r["refused"].as_object().unwrap();
        assert_eq!(refused.len(), 8, "{label}: {r}");
        assert!(refused.values().all(|v| v[0] == 451), "{label}: {r}");
        // Ten sessions at once through a cap of 3.
        let threads: Vec<_> = (0..10)
            .map(|i| {
                let smtp = server.smtp.clone();
                std::thread::spawn(move || {
                    smtp_client_at(
                        &smtp,
                        Some("127.0.0.8"),
                        Some(PMARTIN),
                        "send",
                        &[&format!("p{i}@example.net")],
                    )
                })
            })
            .collect();
        let accepted = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|r| r["refused"].as_object().is_some_and(|m| m.is_empty()))
            .count();
        assert_eq!(accepted, 3, "{label}");
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn redirect_targets_are_always_local_and_well_formed() {
    let db = Db::sqlite();
    add_votredomaine(&db);
    add_cdupont(&db, &[]);
    set_password(&db, "pmartin", PASSWORD);
    let server = Server::start(&db);
    let jar = db.dir.0.join("jar");
    sign_in(&server, &jar, "pmartin", PASSWORD);
    let r = post_form(
        &server,
        &jar,
        "/siteadmin",
        "siteadmin/delete",
        &[
            ("login", "cdupont"),
            (
                "domain",
                "votredomaine.com\r\nSet-Cookie: evil=1 https://evil.example/",
            ),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some(
            "/siteadmin?domain=votredomaine.com%0D%0ASet-Cookie%3A%20evil%3D1%20https%3A%2F%2Fevil.example%2F"
        )
    );
    assert!(!r.headers.iter().any(|(_, v)| v.contains("evil=1")));
    // The language switch and the backups' "back" take only local paths.
    for next in [
        "https://evil.example/",
        "//evil.example",
        "/a b",
        "/a\r\nX: y",
    ] {
        let url = format!(
            "{}?next={}",
            server.url("/lang/en"),
            app::api::percent_encode(next)
        );
        let r = curl(&jar, &[&url]);
        assert_eq!(r.status, 303);
        assert_eq!(r.header("location"), Some("/"), "{next:?}");
    }
    let made = call(&server, &jar, "backups/make", &[("login", "pmartin")]);
    assert_eq!(made.status, 200, "{}", made.body);
    let list: serde_json::Value =
        serde_json::from_str(&call(&server, &jar, "backups/list", &[("login", "pmartin")]).body)
            .unwrap();
    let id = list["backups"][0]["id"].as_i64().unwrap().to_string();
    for back in ["https://evil.example/", "/x\r\nSet-Cookie: evil=1", "/a b"] {
        let r = post_form(
            &server,
            &jar,
            "/siteadmin",
            "backups/restore",
            &[("login", "pmartin"), ("id", &id), ("back", back)],
        );
        assert_eq!(r.status, 303, "{back:?}: {}", r.body);
        assert_eq!(r.header("location"), Some("/personal/backups"), "{back:?}");
    }
    let h = curl(&jar, &[&server.url("/healthz")]);
    assert_eq!(h.status, 200, "still serving");
    assert!(server.stop().success());
}

/// Sends a POP3 command on an open connection; returns the first line of the answer.
fn pop3_line(s: &mut TcpStream, line: &str) -> String {
    s.write_all(format!("{line}\r\n").as_bytes()).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut out = String::new();
    r.read_line(&mut out).unwrap();
    out
}

#[tokio::test]
async fn mail_sessions_end_when_the_password_changes() {
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "pmartin", PASSWORD);
        set_password(&db, "cdupont", PASSWORD);
        let server = Server::start(&db);
        let mut pop = TcpStream::connect(&server.pop3).unwrap();
        pop.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut greeting = String::new();
        BufReader::new(pop.try_clone().unwrap())
            .read_line(&mut greeting)
            .unwrap();
        assert!(pop3_line(&mut pop, "USER cdupont").starts_with("+OK"));
        assert!(pop3_line(&mut pop, &format!("PASS {PASSWORD}")).starts_with("+OK"));
        assert!(pop3_line(&mut pop, "STAT").starts_with("+OK"));
        // The webmaster gives Claire a new password in the portal.
        let jar = db.dir.0.join("jar");
        sign_in(&server, &jar, "pmartin", PASSWORD);
        let r = call(
            &server,
            &jar,
            "siteadmin/password",
            &[("login", "cdupont"), ("password", "Nouveau-Secret-2026")],
        );
        assert_eq!(r.body.trim(), "null", "{label}");
        let r = pop3_line(&mut pop, "STAT");
        assert!(r.starts_with("-ERR [AUTH]"), "{label}: {r}");
        let mut rest = Vec::new();
        let _ = pop.read_to_end(&mut rest);
        assert!(rest.is_empty(), "{label}: the connection is closed");
        assert!(server.stop().success());
    }
}

#[tokio::test]
async fn the_small_ones() {
    let db = Db::sqlite();
    add_votredomaine(&db);
    set_password(&db, "pmartin", PASSWORD);
    cli_ok(&db, &["domain", "add", "sans-webmaster.example"]);
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(&config, "secure_cookies = true\n").unwrap();
    let server = Server::start_with(
        &db,
        &["--pop3s", "off", "--config", config.to_str().unwrap()],
    );
    assert!(server.pop3s.is_empty(), "--pop3s off: no POP3S listener");
    // Pages and server-function answers are not kept; HTTPS is remembered.
    let jar = db.dir.0.join("jar");
    let page = curl(&jar, &[&server.url("/login")]);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(
        page.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let api = call(&server, &jar, "session/whoami", &[]);
    assert_eq!(api.header("cache-control"), Some("no-store"));
    // A NUL in EHLO is refused; postmaster@ of a domain without webmaster is accepted.
    let r = smtp_client(&server, "raw", &["EHLO evil\\x00name\\r\\nQUIT\\r\\n"]);
    assert!(r["answer"].as_str().unwrap().contains("501 5.5.4"), "{r}");
    let r = smtp_client(&server, "rcpt", &["postmaster@sans-webmaster.example"]);
    assert!(r["answer"].as_str().unwrap().contains("250 2.1.5"), "{r}");
    assert!(server.stop().success());
}

/// Seconds until the server closes `s` (reads until end of stream or error).
fn closed_after(mut s: TcpStream, limit: Duration) -> Option<f64> {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed().as_secs_f64()),
            Ok(_) => continue,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return None;
            }
            Err(_) => return Some(start.elapsed().as_secs_f64()),
        }
    }
}

#[tokio::test]
async fn a_stalled_request_body_frees_its_connection() {
    let db = Db::sqlite();
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(&config, "[web_limits]\nstall_timeout_secs = 2\n").unwrap();
    add_votredomaine(&db);
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    let addr = server.http.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(
        b"POST /api/session/login HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\nlogin=pm",
    )
    .unwrap();
    let after = closed_after(s, Duration::from_secs(20)).expect("the server closes it");
    eprintln!("a request body that stopped arriving: closed after {after:.1} s");
    assert!(after < 10.0, "{after}");
    assert!(server.stop().success());
}

/// Behind a trusted reverse proxy, the throttle sees the clients it names, not the proxy.
#[tokio::test]
async fn behind_a_trusted_proxy_the_guesser_is_not_everyone() {
    let db = Db::sqlite();
    let config = db.dir.0.join("courrier.toml");
    std::fs::write(
        &config,
        "[web_limits]\ntrusted_proxies = [\"127.0.0.1\"]\n[auth]\nmax_delay_secs = 1\n",
    )
    .unwrap();
    add_votredomaine(&db);
    set_password(&db, "pmartin", PASSWORD);
    let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
    let jar = db.dir.0.join("jar");
    let login = |from: &str, password: &str| {
        curl(
            &jar,
            &[
                "-X",
                "POST",
                "-H",
                &format!("X-Forwarded-For: {from}"),
                "-H",
                &format!("Referer: {}", server.url("/login")),
                "--data-urlencode",
                "login=pmartin",
                "--data-urlencode",
                &format!("password={password}"),
                &server.url("/api/session/login"),
            ],
        )
    };
    // A refusal goes back to the form (its reason in the form flash); a success goes on.
    let form = server.url("/login#form-login");
    for _ in 0..10 {
        let r = login("203.0.113.9", "Faux-1234");
        assert_eq!(r.header("location"), Some(form.as_str()));
    }
    let r = login("203.0.113.9", PASSWORD);
    assert_eq!(
        r.header("location"),
        Some(form.as_str()),
        "the guesser is refused"
    );
    let r = login("198.51.100.1", PASSWORD);
    assert_eq!(
        r.header("location"),
        Some("/siteadmin"),
        "the owner gets in"
    );
    assert!(server.stop().success());
}

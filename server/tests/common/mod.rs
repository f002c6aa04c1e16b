//! Test support: the real `courrier` binary on ephemeral loopback ports, on SQLite and on
//! PostgreSQL (a fresh database per test from `COURRIER_TEST_PG_URL`).
#![allow(dead_code)]

pub mod pki;
pub mod receiver;

use sea_orm::{ConnectionTrait, Database};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_courrier");

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        // A counter too: tests run in parallel threads, and two clocks reads can agree (then
        // one test's end removed the other's directory).
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "courrier-it-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where a test's data lives: a data directory, and a database URL when not the default.
pub struct Db {
    pub dir: TempDir,
    pub url: Option<String>,
    pub label: &'static str,
}

impl Db {
    /// A fresh SQLite database only (for what does not depend on the engine).
    pub fn sqlite() -> Db {
        Db {
            dir: TempDir::new(),
            url: None,
            label: "sqlite",
        }
    }

    /// Arguments that point `courrier` at this database.
    pub fn args(&self) -> Vec<String> {
        let mut a = vec!["--data".to_string(), self.dir.0.display().to_string()];
        if let Some(u) = &self.url {
            a.push("--database-url".into());
            a.push(u.clone());
        }
        a
    }

    /// Runs a `courrier` command (global options after the subcommand, as users may write).
    pub fn cli(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .args(self.args())
            .env_remove("COURRIER_DATABASE_URL")
            .env_remove("COURRIER_DATA");
        cmd.output().expect("run courrier")
    }

    /// `courrier ARGS` on this database with `input` on its standard input.
    pub fn cli_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .args(self.args())
            .env_remove("COURRIER_DATABASE_URL")
            .env_remove("COURRIER_DATA")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run courrier");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

/// SQLite always; PostgreSQL when configured (required when `COURRIER_TEST_REQUIRE_PG=1`).
pub async fn databases() -> Vec<Db> {
    let mut out = vec![Db {
        dir: TempDir::new(),
        url: None,
        label: "sqlite",
    }];
    match std::env::var("COURRIER_TEST_PG_URL") {
        Ok(base) => {
            let name = format!(
                "courrier_it_{}_{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            );
            let admin = Database::connect(base.as_str())
                .await
                .expect("connect to test PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            out.push(Db {
                dir: TempDir::new(),
                url: Some(format!("{prefix}/{name}")),
                label: "postgres",
            });
        }
        Err(_) => {
            assert_ne!(
                std::env::var("COURRIER_TEST_REQUIRE_PG").as_deref(),
                Ok("1"),
                "COURRIER_TEST_REQUIRE_PG=1 but COURRIER_TEST_PG_URL is not set"
            );
            eprintln!("note: COURRIER_TEST_PG_URL not set, PostgreSQL half skipped");
        }
    }
    out
}

/// A running `courrier serve`.
pub struct Server {
    pub child: Child,
    pub http: String,
    /// host:port of SMTP-in.
    pub smtp: String,
    /// host:port of POP3 (with STLS) and of POP3S.
    pub pop3: String,
    pub pop3s: String,
    /// host:port of submission with STARTTLS and with implicit TLS (None when switched off).
    pub submission: Option<String>,
    pub submissions: Option<String>,
    /// host:port of the `https` portals, when on.
    pub https: Option<String>,
    /// The first-run admin's login and password, as printed on the console.
    pub admin: Option<(String, String)>,
    pub lines: mpsc::Receiver<String>,
}

impl Server {
    pub fn start(db: &Db) -> Server {
        Server::start_with(db, &[])
    }

    /// Starts with extra arguments (e.g. `--config FILE`). The child is reaped by `stop` or
    /// by `Drop`.
    pub fn start_with(db: &Db, extra: &[&str]) -> Server {
        Server::start_wrapped(db, &[], extra)
    }

    /// Starts under a wrapper command (e.g. `prlimit --nofile=1024:1024 --`).
    #[allow(clippy::zombie_processes)]
    pub fn start_wrapped(db: &Db, wrapper: &[&str], extra: &[&str]) -> Server {
        let mut command = match wrapper {
            [] => Command::new(BIN),
            [first, rest @ ..] => {
                let mut c = Command::new(first);
                c.args(rest).arg(BIN);
                c
            }
        };
        // Every listener on a free loopback port, unless `extra` names its own.
        let listeners = [
            "--http",
            "--smtp",
            "--pop3",
            "--pop3s",
            "--submission",
            "--submissions",
        ];
        command.arg("serve");
        for flag in listeners.iter().filter(|f| !extra.contains(f)) {
            command.args([*flag, "127.0.0.1:0"]);
        }
        let mut child = command
            .args(extra)
            .args(db.args())
            .env_remove("COURRIER_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start courrier serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut admin_login = None;
        let mut admin = None;
        let mut smtp = None;
        let (mut pop3, mut pop3s) = (None, None);
        let (mut submission, mut submissions) = (None, None);
        let mut https = None;
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("courrier serve did not start");
            if let Some(l) = line.trim().strip_prefix("login:") {
                admin_login = Some(l.trim().to_string());
            }
            if let Some(p) = line.trim().strip_prefix("password:") {
                admin = Some((admin_login.clone().unwrap(), p.trim().to_string()));
            }
            if let Some(addr) = line.strip_prefix("smtp: listening on ") {
                smtp = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("pop3: listening on ") {
                pop3 = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("pop3s: listening on ") {
                pop3s = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("submission: listening on ") {
                submission = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("submissions: listening on ") {
                submissions = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("https: listening on ") {
                https = Some(addr.trim().to_string());
            }
            if let Some(addr) = line.strip_prefix("http: listening on ") {
                let smtp = smtp.expect("SMTP starts before HTTP");
                return Server {
                    child,
                    http: format!("http://{}", addr.trim()),
                    smtp,
                    pop3: pop3.unwrap_or_default(),
                    pop3s: pop3s.unwrap_or_default(),
                    submission,
                    submissions,
                    https,
                    admin,
                    lines: rx,
                };
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.http)
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("courrier did not stop on SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// curl's answer: status, headers (lower-case names) and body.
pub struct Curl {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Curl {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Runs curl (the real client) with a cookie jar; never follows redirects.
pub fn curl(jar: &std::path::Path, args: &[&str]) -> Curl {
    // Like a browser: pages are asked for as HTML (Leptos answers redirects with a real 302
    // only then), unless the caller asks for something else.
    let accept = if args
        .iter()
        .any(|a| a.to_ascii_lowercase().starts_with("accept:"))
    {
        Vec::new()
    } else {
        vec!["-H", "Accept: text/html,*/*;q=0.8"]
    };
    let out = Command::new("curl")
        .args(["-sS", "-i", "--max-time", "60"])
        .args(accept)
        .arg("-b")
        .arg(jar)
        .arg("-c")
        .arg(jar)
        .args(args)
        .output()
        .expect("curl is installed");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Curl {
        status,
        headers,
        body: body.to_string(),
    }
}

pub const SMTP_CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/smtp_client.py");

/// Runs server/tests/clients/smtp_client.py CHECK against the server; returns its JSON.
pub fn smtp_client(server: &Server, check: &str, args: &[&str]) -> serde_json::Value {
    smtp_client_from(server, None, check, args)
}

/// The same, from another loopback address (a different client IP for the server).
pub fn smtp_client_from(
    server: &Server,
    source: Option<&str>,
    check: &str,
    args: &[&str],
) -> serde_json::Value {
    smtp_client_as(server, source, None, check, args)
}

/// The same, with another envelope sender for "send" and "rcpt".
pub fn smtp_client_as(
    server: &Server,
    source: Option<&str>,
    mail_from: Option<&str>,
    check: &str,
    args: &[&str],
) -> serde_json::Value {
    smtp_client_at(&server.smtp, source, mail_from, check, args)
}

/// smtp_client.py CHECK against any of the server's SMTP listeners (`host:port`).
pub fn smtp_client_at(
    addr: &str,
    source: Option<&str>,
    mail_from: Option<&str>,
    check: &str,
    args: &[&str],
) -> serde_json::Value {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut cmd = Command::new("python3");
    cmd.arg(SMTP_CLIENT).args([check, host, port]).args(args);
    if let Some(ip) = source {
        cmd.env("SOURCE_IP", ip);
    }
    if let Some(from) = mail_from {
        cmd.env("MAIL_FROM", from);
    }
    client_json(&mut cmd, check)
}

/// Runs one of the Python test clients; asserts that it succeeded (`what` and its errors
/// otherwise) and returns the JSON it printed.
fn client_json(cmd: &mut Command, what: &str) -> serde_json::Value {
    let out = cmd.output().expect("python3");
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the client")
}

/// Hosts votredomaine.com with Pierre Martin (pmartin) as its webmaster.
pub fn add_votredomaine(db: &Db) {
    let out = db.cli(&[
        "domain",
        "add",
        "votredomaine.com",
        "--webmaster-first",
        "Pierre",
        "--webmaster-last",
        "Martin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Adds Claire Dupont (cdupont) with the alias ventes, and any extra `user add` options.
pub fn add_cdupont(db: &Db, extra: &[&str]) {
    let mut args = vec![
        "user",
        "add",
        "votredomaine.com",
        "--first",
        "Claire",
        "--last",
        "Dupont",
        "--alias",
        "ventes",
    ];
    args.extend_from_slice(extra);
    let out = db.cli(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (messages waiting, bytes used) of a login, as `courrier user list --json` reports them.
pub fn mailbox(db: &Db, login: &str) -> (u64, u64) {
    let out = db.cli(&["user", "list", "votredomaine.com", "--json"]);
    assert!(out.status.success());
    let users: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let u = users
        .iter()
        .find(|u| u["login"] == login)
        .expect("login listed");
    (
        u["messages"].as_u64().unwrap(),
        u["used_bytes"].as_u64().unwrap(),
    )
}

/// Sets a login's password through `courrier user passwd` (read from standard input).
pub fn set_password(db: &Db, login: &str, password: &str) {
    use std::io::Write;
    let mut cmd = Command::new(BIN);
    cmd.args(["user", "passwd", login])
        .args(db.args())
        .env_remove("COURRIER_DATABASE_URL")
        .env_remove("COURRIER_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run courrier");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub const POP3_CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pop3_client.py");

/// Runs server/tests/clients/pop3_client.py CHECK HOST PORT ARGS…; returns its JSON.
pub fn pop3_client(addr: &str, check: &str, args: &[&str]) -> serde_json::Value {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut cmd = Command::new("python3");
    cmd.arg(POP3_CLIENT).args([check, host, port]).args(args);
    client_json(&mut cmd, check)
}

/// Sends the bytes of `body` as one message to `rcpt` (smtp_client.py deliver-file) and
/// asserts the 250; returns the server's answer.
pub fn deliver_file(
    server: &Server,
    dir: &std::path::Path,
    name: &str,
    rcpt: &str,
    body: &str,
) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    let r = smtp_client(server, "deliver-file", &[rcpt, path.to_str().unwrap()]);
    let answer = r["answer"].as_str().unwrap().to_string();
    assert!(answer.contains("250 2.0.0"), "{answer}");
    answer
}

/// Switches on `login`'s automatic responder ("Absente", with the text of `body_file`).
pub fn responder_on(db: &Db, login: &str, body_file: &str) {
    cli_ok(
        db,
        &[
            "user",
            "responder",
            login,
            "--subject",
            "Absente",
            "--body-file",
            body_file,
        ],
    );
}

/// Runs a `courrier` command that must succeed; returns its standard output.
pub fn cli_ok(db: &Db, args: &[&str]) -> String {
    let out = db.cli(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Signs in with a plain form post (as a browser without JavaScript); asserts that the server
/// accepted it and returns its answer (the landing is in `location`).
pub fn sign_in(server: &Server, jar: &std::path::Path, login: &str, password: &str) -> Curl {
    let r = curl(
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
    );
    // A refused sign-in without a Referer gets no redirect at all; an accepted one is sent on
    // (303, the form flash's answer to a post).
    assert_eq!(r.status, 303, "{login} could not sign in: {}", r.body);
    r
}

/// The one-time password a welcome page shows (`#new-password`; digits are set apart in
/// spans), if it shows one.
pub fn shown_password(page: &str) -> Option<String> {
    let start = page.find(r#"id="new-password""#)?;
    let rest = &page[start..];
    Some(
        rest[rest.find('>')? + 1..rest.find("</code>")?]
            .replace(r#"<span class="digit">"#, "")
            .replace("</span>", "")
            .replace("<!>", ""),
    )
}

/// votredomaine.com with its webmaster pmartin and Claire Dupont (cdupont), a server on it,
/// and pmartin signed in: the server and pmartin's cookie jar.
pub fn votredomaine_signed_in(db: &Db, password: &str) -> (Server, std::path::PathBuf) {
    let server = Server::start(db);
    add_votredomaine(db);
    add_cdupont(db, &[]);
    set_password(db, "pmartin", password);
    let jar = db.dir.0.join("pm");
    sign_in(&server, &jar, "pmartin", password);
    (server, jar)
}

/// Opens relay for the office at `ip` on behalf of votredomaine.com (a relay grant).
pub fn allow_office(db: &Db, ip: &str) {
    cli_ok(
        db,
        &[
            "relay",
            "allow",
            ip,
            "--domain",
            "votredomaine.com",
            "--note",
            "bureau",
        ],
    );
}

/// The same, signed in as Claire Dupont (cdupont), a mailbox user, with `password`.
pub fn cdupont_signed_in(db: &Db, password: &str) -> (Server, std::path::PathBuf) {
    add_votredomaine(db);
    add_cdupont(db, &[]);
    set_password(db, "cdupont", password);
    let server = Server::start(db);
    let jar = db.dir.0.join("cd");
    sign_in(&server, &jar, "cdupont", password);
    (server, jar)
}

/// Calls a server function that must answer 200; its body.
pub fn call_ok(
    server: &Server,
    jar: &std::path::Path,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> String {
    let r = call(server, jar, endpoint, fields);
    assert_eq!(r.status, 200, "{endpoint}: {}", r.body);
    r.body
}

/// Posts the form of page `from` to `/api/{endpoint}` as a browser without JavaScript does
/// (Leptos sends a plain form post back to its `Referer`).
pub fn post_form(
    server: &Server,
    jar: &std::path::Path,
    from: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Curl {
    post_api(
        server,
        jar,
        &[&format!("Referer: {}", server.url(from))],
        endpoint,
        fields,
    )
}

/// Calls the server function at `/api/{endpoint}` as a program does (JSON answer).
pub fn call(
    server: &Server,
    jar: &std::path::Path,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Curl {
    post_api(server, jar, &["Accept: application/json"], endpoint, fields)
}

/// POSTs `fields` (url-encoded) to `/api/{endpoint}` with these request headers.
pub fn post_api(
    server: &Server,
    jar: &std::path::Path,
    headers: &[&str],
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Curl {
    let mut args = vec!["-X".to_string(), "POST".into()];
    for h in headers {
        args.push("-H".into());
        args.push(h.to_string());
    }
    for (k, v) in fields {
        args.push("--data-urlencode".into());
        args.push(format!("{k}={v}"));
    }
    args.push(server.url(&format!("/api/{endpoint}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    curl(jar, &args)
}

/// Downloads `url` into `to` with the cookie jar; returns the HTTP status.
pub fn download(jar: &std::path::Path, url: &str, to: &std::path::Path) -> u16 {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "60", "-w", "%{http_code}", "-o"])
        .arg(to)
        .arg("-b")
        .arg(jar)
        .arg(url)
        .output()
        .expect("curl is installed");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// A line of `/proc/PID/status` in kB (VmHWM, VmRSS).
pub fn status_kb(pid: u32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Posts `fields` to the server function `endpoint` as a browser without JavaScript does from
/// `page`, in language `lang`, then reads the page again: the refusals shown in it (each
/// `class="error"` paragraph with words). Fails when none is shown, or when one has words of
/// the other language.
pub fn refusals_shown(
    server: &Server,
    jar: &std::path::Path,
    lang: &str,
    page: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> Vec<String> {
    let r = post_api(
        server,
        jar,
        &[
            &format!("Accept-Language: {lang}"),
            &format!("Referer: {}", server.url(page)),
        ],
        endpoint,
        fields,
    );
    assert_eq!(r.status, 303, "{endpoint}: {}", r.body);
    let shown = curl(
        jar,
        &["-H", &format!("Accept-Language: {lang}"), &server.url(page)],
    );
    let refusals = errors_in(&shown.body);
    assert!(
        !refusals.is_empty(),
        "{lang} {endpoint}: a refusal is shown"
    );
    assert_in_language(lang, endpoint, &refusals);
    refusals
}

/// No word of the other language in `texts` (small words each language has and the other
/// does not).
pub fn assert_in_language(lang: &str, what: &str, texts: &[String]) {
    const ENGLISH: [&str; 7] = [
        " the ",
        " is ",
        " must ",
        "already",
        "characters",
        "number of",
        " or ",
    ];
    const FRENCH: [&str; 7] = [
        " le ",
        " la ",
        " est ",
        " une ",
        "déjà",
        "caractères",
        " ou ",
    ];
    let wrong = if lang == "fr" { &ENGLISH } else { &FRENCH };
    for text in texts {
        let padded = format!(" {} ", text.to_lowercase());
        for w in wrong.iter() {
            assert!(!padded.contains(w), "{lang} {what}: {w:?} in {text:?}");
        }
    }
}

/// The words of every paragraph of a page whose class says `error`.
pub fn errors_in(page: &str) -> Vec<String> {
    page.split("<p ")
        .skip(1)
        .filter_map(|p| {
            let (attributes, rest) = p.split_once('>')?;
            let class = attributes.split("class=\"").nth(1)?.split('"').next()?;
            class
                .split(' ')
                .any(|c| c == "error")
                .then(|| rest[..rest.find("</p>").unwrap_or(0)].replace("<!>", ""))
        })
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// The header lines of every message of `login`'s mailbox, read over POP3 (TOP n 0), after
/// deleting the messages numbered in `dele` at the end of the session.
pub fn pop3_tops(addr: &str, login: &str, password: &str, dele: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec![login, password, "plain"];
    args.extend_from_slice(dele);
    let r = pop3_client(addr, "read", &args);
    r["tops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t.as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// The DNS server on loopback with `zone`; killed on drop.
pub struct Dns(std::process::Child, pub u16);

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// server/tests/clients/dns_server.py serving `zone` (its JSON form) on a free loopback port.
pub fn dns(dir: &std::path::Path, zone: &serde_json::Value) -> Dns {
    let path = dir.join("zone.json");
    std::fs::write(&path, zone.to_string()).unwrap();
    let mut command = Command::new("python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/dns_server.py"
        ))
        .arg(&path);
    let (child, port) = spawn_on_port(command);
    Dns(child, port)
}

/// Starts a helper that prints `{"port": N}` once it listens; the child and N.
pub fn spawn_on_port(mut command: Command) -> (Child, u16) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("the helper starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: serde_json::Value = serde_json::from_str(&line).unwrap();
    (child, port["port"].as_u64().unwrap() as u16)
}

/// A free loopback port (bound, then let go for another program to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The port of `host:port`.
pub fn port_of(addr: &str) -> &str {
    addr.rsplit_once(':').unwrap().1
}

pub const PROXY_CLIENT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/proxy_client.py");

/// proxy_client.py against `addr` as a load balancer would speak to it: `header` (none,
/// v1:IP:PORT, v2:IP:PORT, v1-unknown, v2-local, garbage), then `lines`; every answer, the
/// greeting first ("" once the server closed).
pub fn proxy_through(addr: &str, header: &str, lines: &[&str]) -> Vec<String> {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut cmd = Command::new("python3");
    cmd.arg(PROXY_CLIENT).args([host, port, header]).args(lines);
    client_json(&mut cmd, header)["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

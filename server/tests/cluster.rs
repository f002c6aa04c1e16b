//! Several instances on one PostgreSQL (issue 18, item 2): instances started at the same
//! moment on an empty database come up together — the migrations and the first server admin
//! are done once, under a lock; the others wait and go on. Jobs that must run once
//! (housekeeping) run on one instance at a time, and move to another when it dies.

mod common;

use common::*;

#[tokio::test]
async fn instances_started_together_on_an_empty_database_come_up_together() {
    for db in databases().await {
        let Some(url) = db.url.clone() else {
            continue; // one SQLite file is one machine's
        };
        // Each instance its own data directory (TLS material), one database.
        let other = Db {
            dir: TempDir::new(),
            url: Some(url),
            label: db.label,
        };
        let (one, two) = std::thread::scope(|s| {
            let one = s.spawn(|| Server::start(&db));
            let two = s.spawn(|| Server::start(&other));
            (one.join().unwrap(), two.join().unwrap())
        });
        let made: Vec<&(String, String)> = [&one.admin, &two.admin].into_iter().flatten().collect();
        assert_eq!(made.len(), 1, "one first admin: {made:?}");
        // Both serve, and the admin made by one signs in on the other.
        let (login, password) = made[0];
        for (server, name) in [(&one, "one"), (&two, "two")] {
            let jar = db.dir.0.join(format!("jar-{name}"));
            sign_in(server, &jar, login, password);
        }
        assert!(one.stop().success());
        assert!(two.stop().success());
    }
}

/// Housekeeping every 2 s on two instances of one database: the cluster runs it once a
/// period (never both), and when the instance holding the turn is killed the other takes it.
#[tokio::test]
async fn a_job_runs_on_one_instance_at_a_time_and_moves_when_it_dies() {
    const PERIOD: f64 = 2.0;
    for db in databases().await {
        let Some(url) = db.url.clone() else {
            continue;
        };
        let other = Db {
            dir: TempDir::new(),
            url: Some(url.clone()),
            label: db.label,
        };
        let config = db.dir.0.join("jobs.toml");
        std::fs::write(&config, "[housekeeping]\nevery_secs = 2\n").unwrap();
        let args = ["--config", config.to_str().unwrap()];
        // The job's log lines shown (the tests' servers otherwise say only warnings).
        let wrapper = ["env", "RUST_LOG=warn,courrier::jobs=info"];
        let runs = |server: &Server| {
            server
                .lines
                .try_iter()
                .filter(|l| l.contains("this instance's turn") && l.contains("housekeeping"))
                .count()
        };
        let began = std::time::Instant::now();
        let mut one = Server::start_wrapped(&db, &wrapper, &args);
        let mut two = Server::start_wrapped(&other, &wrapper, &args);
        std::thread::sleep(std::time::Duration::from_millis(6500));
        let (a, b) = (runs(&one), runs(&two));
        let most = (began.elapsed().as_secs_f64() / PERIOD).floor() as usize + 1;
        assert!(a + b >= 2, "{a} + {b} rounds");
        assert!(
            a + b <= most,
            "{a} + {b} rounds in a cluster, at most {most}"
        );
        // Kill the instance whose turn it is: the other takes the job over.
        let store = app::store::Store::open(&url).await.unwrap();
        let turns = store.job_turns().await.unwrap();
        store.close().await;
        let holder = &turns
            .iter()
            .find(|t| t.job == "housekeeping")
            .unwrap()
            .holder;
        let pid_of = |s: &Server| format!("/{}/", s.child.id());
        if !holder.contains(&pid_of(&one)) {
            std::mem::swap(&mut one, &mut two);
        }
        assert!(holder.contains(&pid_of(&one)), "{holder}");
        drop(one);
        let mut taken = 0;
        for _ in 0..100 {
            taken += runs(&two);
            if taken > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(taken > 0, "the survivor took the job over");
        assert!(two.stop().success());
    }
}

/// `courrier config check`: a good configuration says ok line by line; a broken one names
/// each thing wrong on its own line and exits 1.
#[tokio::test]
async fn config_check_says_what_is_wrong_one_line_each() {
    let db = Db::sqlite();
    let config = db.dir.0.join("good.toml");
    std::fs::write(
        &config,
        "[proxy]\ntrusted = [\"10.0.0.5/32\"]\n[mta_sts]\nmode = \"testing\"\n",
    )
    .unwrap();
    let free = [
        "--http",
        "127.0.0.1:0",
        "--smtp",
        "127.0.0.1:0",
        "--pop3",
        "127.0.0.1:0",
    ];
    let more = [
        "--pop3s",
        "127.0.0.1:0",
        "--submission",
        "off",
        "--submissions",
        "off",
    ];
    let mut args = vec!["config", "check", "--config", config.to_str().unwrap()];
    args.extend_from_slice(&free);
    args.extend_from_slice(&more);
    let out = db.cli(&args);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("ok     database sqlite://"), "{said}");
    assert!(said.contains("ok     smtp 127.0.0.1:0"), "{said}");
    // Broken: a proxy that is not a network, an unknown MTA-STS mode, a port already taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let broken = db.dir.0.join("broken.toml");
    std::fs::write(
        &broken,
        format!(
            "smtp = \"{port}\"\n[proxy]\ntrusted = [\"pas un réseau\"]\n[mta_sts]\nmode = \"strict\"\n"
        ),
    )
    .unwrap();
    let mut args = vec!["config", "check", "--config", broken.to_str().unwrap()];
    args.extend_from_slice(&["--http", "127.0.0.1:0", "--pop3", "127.0.0.1:0"]);
    args.extend_from_slice(&more);
    let out = db.cli(&args);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    for wrong in [
        "error  [proxy]",
        "error  [mta_sts]",
        &format!("error  smtp {port}"),
    ] {
        assert_eq!(
            said.lines().filter(|l| l.starts_with(wrong)).count(),
            1,
            "{wrong}: {said}"
        );
    }
    assert!(said.contains("ok     [auth]"), "{said}");
    // A file that is not TOML: one line, exit 1.
    std::fs::write(&broken, "smtp = [").unwrap();
    let out = db.cli(&["config", "check", "--config", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.starts_with("error  configuration:"), "{said}");
    drop(taken);
}

const METRICS_PARSE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/metrics_parse.py"
);

/// `GET /metrics` parsed by the Prometheus project's own parser (its Python client): the
/// samples as (name, labels, value).
fn scrape(server: &Server, jar: &std::path::Path) -> Vec<(String, serde_json::Value, f64)> {
    use std::io::Write;
    let page = curl(jar, &[&server.url("/metrics")]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        page.headers
    );
    let mut parser = std::process::Command::new("python3")
        .arg(METRICS_PARSE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    parser
        .stdin
        .take()
        .unwrap()
        .write_all(page.body.as_bytes())
        .unwrap();
    let out = parser.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        page.body
    );
    let samples: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    samples
        .into_iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["labels"].clone(),
                s["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The value of the sample `name` whose labels include `labels` (0 when there is none).
fn sample(
    samples: &[(String, serde_json::Value, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l[*k] == *v))
        .map(|(_, _, v)| v)
        .sum()
}

/// Metrics: off by default (404); on, for loopback only unless other addresses are allowed
/// (403 elsewhere); a delivery, a refused recipient, POP3 sign-ins, the open connections, the
/// queue and the web's latency counted, in a text the Prometheus parser reads.
#[tokio::test]
async fn metrics_count_the_work_for_the_allowed_only() {
    for db in databases().await {
        let label = db.label;
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", "Claire-Pass-2026");
        let jar = db.dir.0.join("metrics.jar");
        let server = Server::start(&db);
        assert_eq!(
            curl(&jar, &[&server.url("/metrics")]).status,
            404,
            "{label}"
        );
        drop(server);

        let config = db.dir.0.join("metrics.toml");
        std::fs::write(&config, "[metrics]\nenabled = true\n").unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let before = scrape(&server, &jar);
        let received = |s: &[_]| {
            sample(
                s,
                "courrier_smtp_messages_received_total",
                &[("listener", "smtp")],
            )
        };
        let r = smtp_client(&server, "send", &["cdupont@votredomaine.com"]);
        assert!(
            r["refused"].as_object().is_some_and(|m| m.is_empty()),
            "{label}: {r}"
        );
        let r = smtp_client(&server, "rcpt", &["personne@votredomaine.com"]);
        assert!(r["answer"].to_string().contains("550"), "{label}: {r}");
        let wrong = pop3_client(&server.pop3, "plain_auth", &["cdupont", "pas-le-bon"]);
        assert_eq!(wrong["ok"], false, "{label}: {wrong}");
        let right = pop3_client(&server.pop3, "plain_auth", &["cdupont", "Claire-Pass-2026"]);
        assert_eq!(right["ok"], true, "{label}: {right}");
        // A connection left open shows in the gauge while it lasts.
        let held = std::net::TcpStream::connect(&server.pop3).unwrap();
        let mut greeting = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(&held), &mut greeting).unwrap();
        assert!(greeting.starts_with("+OK"), "{label}: {greeting}");
        let after = scrape(&server, &jar);
        drop(held);
        assert_eq!(received(&after) - received(&before), 1.0, "{label}");
        let refused = |s: &[_]| {
            sample(
                s,
                "courrier_smtp_refused_total",
                &[
                    ("listener", "smtp"),
                    ("command", "rcpt"),
                    ("status", "5.1.1"),
                ],
            )
        };
        assert_eq!(refused(&after) - refused(&before), 1.0, "{label}");
        let sign_ins = |s: &[_], result| {
            sample(
                s,
                "courrier_sign_ins_total",
                &[("door", "pop3"), ("result", result)],
            )
        };
        assert!(sign_ins(&after, "wrong") >= 1.0, "{label}: {wrong}");
        assert!(sign_ins(&after, "ok") >= 1.0, "{label}: {right}");
        assert!(
            sample(&after, "courrier_connections_open", &[("listener", "pop3")]) >= 1.0,
            "{label}"
        );
        assert_eq!(sample(&after, "courrier_queue_depth", &[]), 0.0, "{label}");
        assert!(
            sample(
                &after,
                "courrier_http_request_duration_seconds_count",
                &[("kind", "other")]
            ) >= 1.0,
            "{label}"
        );
        drop(server);

        // Allowed elsewhere only: loopback is refused.
        std::fs::write(
            &config,
            "[metrics]\nenabled = true\nallow = [\"192.0.2.0/24\"]\n",
        )
        .unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        assert_eq!(
            curl(&jar, &[&server.url("/metrics")]).status,
            403,
            "{label}"
        );
        drop(server);
    }
}

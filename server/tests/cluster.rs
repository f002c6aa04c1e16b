//! Several instances on one PostgreSQL (issue 18, item 2): instances started at the same
//! moment on an empty database come up together — the migrations and the first server admin
//! are done once, under a lock; the others wait and go on.

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

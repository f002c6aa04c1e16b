//! Backups end to end, on both databases, with real clients: mail in over SMTP, a backup made
//! from the portal and downloaded with curl, read by Python's `mailbox.mbox`; everything
//! deleted over POP3 (poplib); the file uploaded back, previewed and restored — every message
//! byte-identical with the same UIDL; a second restore adds nothing. Then the hostile files,
//! each refused in words with nothing changed, and who may touch whose backups.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;

const PASSWORD: &str = "Un-Mot-De-Passe-2026";
const BACKUP_TOOL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/backup_tool.py");

fn backup_tool(args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(BACKUP_TOOL)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the tool")
}

fn json(c: Curl) -> Value {
    assert_eq!(c.status, 200, "{}", c.body);
    serde_json::from_str(&c.body).expect("JSON answer")
}

/// Uploads `file` as the restore form does; returns the answer (a 303).
fn upload(server: &Server, jar: &std::path::Path, login: &str, file: &std::path::Path) -> Curl {
    curl(
        jar,
        &[
            // No "100 Continue" before the answer.
            "-H",
            "Expect:",
            "-F",
            &format!("file=@{}", file.display()),
            "-F",
            "back=/personal/backups",
            &server.url(&format!("/backup-files/{login}")),
        ],
    )
}

/// The messages of a POP3 read: (UIDL listing, base64 of every message).
fn pop3_state(server: &Server, login: &str, dele: &[&str]) -> (Value, Value) {
    let mut args = vec![login, PASSWORD, "plain"];
    args.extend_from_slice(dele);
    let r = pop3_client(&server.pop3, "read", &args);
    (r["uidl"].clone(), r["messages"].clone())
}

#[tokio::test]
async fn a_backup_made_today_restores_tomorrow() {
    for db in databases().await {
        let label = db.label;
        let config = db.dir.0.join("courrier.toml");
        std::fs::write(
            &config,
            "[backups]\nmax_upload_mb = 4\nmax_unpacked_mb = 8\n",
        )
        .unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let jar = db.dir.0.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);

        // Mail that tests the format: "From " lines, dots, 8-bit text, big messages.
        let big = "Ligne de texte assez longue pour remplir la boîte.\r\n".repeat(12_000);
        let messages = [
            "From: a@sender.example\r\nSubject: Devis\r\n\r\nBonjour.\r\n".to_string(),
            "From: b@sender.example\r\nSubject: From lines\r\n\r\nFrom the start\r\n>From quoted\r\n>>From twice\r\n".to_string(),
            "From: c@sender.example\r\nSubject: Dots\r\n\r\n.\r\n..two\r\n.end\r\n".to_string(),
            "From: d@sender.example\r\nSubject: =?utf-8?q?=C3=89t=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nÉté à Noël, ça va ?\r\n\r\n\r\n".to_string(),
            format!("From: e@sender.example\r\nSubject: Big one\r\n\r\n{big}"),
            format!("From: f@sender.example\r\nSubject: Big two\r\n\r\n{big}"),
        ];
        for (i, m) in messages.iter().enumerate() {
            let name = format!("m{i}.eml");
            deliver_file(&server, &db.dir.0, &name, "cdupont@votredomaine.com", m);
        }
        let (uidls, bytes) = pop3_state(&server, "cdupont", &[]);
        assert_eq!(uidls.as_array().unwrap().len(), 6, "{label}");

        // A backup, made from the portal.
        let made = call(&server, &jar, "backups/make", &[("login", "")]);
        assert_eq!(made.body.trim(), "null", "{label}: {}", made.body);
        let list = json(call(&server, &jar, "backups/list", &[("login", "")]));
        assert_eq!(list["backups"][0]["messages"], 6, "{label}");
        assert!(
            list["flash"]["text"]
                .as_str()
                .unwrap()
                .contains("6 messages"),
            "{label}: {list}"
        );
        let id = list["backups"][0]["id"].as_i64().unwrap().to_string();

        // Downloaded, it opens with Python's standard mbox reader.
        let file = db.dir.0.join("backup.tar.gz");
        let url = server.url(&format!("/backup-files/cdupont/{id}"));
        assert_eq!(download(&jar, &url, &file), 200, "{label}");
        let info = backup_tool(&["inspect", file.to_str().unwrap()]);
        assert_eq!(info["count"], 6, "{label}: {info}");
        assert_eq!(
            info["names"],
            serde_json::json!([
                "manifest.json",
                "messages.mbox",
                "messages.json",
                "settings.json"
            ]),
            "{label}"
        );
        assert_eq!(info["manifest"]["account"], "cdupont@votredomaine.com");
        assert_eq!(info["subjects"][1], "From lines", "{label}");

        // Everything collected and deleted over POP3.
        let all: Vec<String> = (1..=6).map(|n| n.to_string()).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        pop3_state(&server, "cdupont", &all);
        assert_eq!(mailbox(&db, "cdupont"), (0, 0), "{label}");

        // Uploaded back: kept, then the preview says what a restore would do.
        let up = upload(&server, &jar, "cdupont", &file);
        assert_eq!(up.status, 303, "{label}: {}", up.body);
        let to = up.header("location").unwrap().to_string();
        let uploaded_id = to.rsplit('/').next().unwrap().to_string();
        assert_eq!(to, format!("/personal/backups/{uploaded_id}"), "{label}");
        let preview = json(call(
            &server,
            &jar,
            "backups/preview",
            &[("login", ""), ("id", &uploaded_id)],
        ));
        assert_eq!(
            (preview["total"].as_u64(), preview["new_messages"].as_u64()),
            (Some(6), Some(6)),
            "{label}: {preview}"
        );
        assert!(preview["refusal"].is_null(), "{label}");
        let restore = |id: &str| {
            call(
                &server,
                &jar,
                "backups/restore",
                &[("login", ""), ("id", id), ("back", "/personal/backups")],
            )
        };
        assert_eq!(restore(&uploaded_id).body.trim(), "null", "{label}");
        let (uidls_after, bytes_after) = pop3_state(&server, "cdupont", &[]);
        assert_eq!(uidls_after, uidls, "{label}: the same UIDLs");
        assert_eq!(bytes_after, bytes, "{label}: byte-identical");

        // A second restore (of the kept one) adds nothing.
        restore(&id);
        let list = json(call(&server, &jar, "backups/list", &[("login", "")]));
        let flash = list["flash"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            flash.contains("0 messages added") || flash.contains("0 message ajouté"),
            "{label}: {flash}"
        );
        assert_eq!(pop3_state(&server, "cdupont", &[]).0, uidls, "{label}");
        // The same as plain HTML forms (no JavaScript yet): back to the page, or to `back`.
        let plain = |endpoint: &str, fields: &[&str]| {
            let mut args = vec![
                "-X".to_string(),
                "POST".into(),
                "-H".into(),
                format!("Referer: {}", server.url("/personal/backups")),
            ];
            for f in fields {
                args.extend(["--data-urlencode".to_string(), f.to_string()]);
            }
            args.push(server.url(&format!("/api/{endpoint}")));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            curl(&jar, &args)
        };
        let r = plain("backups/make", &["login="]);
        assert_eq!(r.status, 303, "{label}");
        let to = r.header("location").unwrap_or_default();
        // Back to the form's page, at the form.
        assert!(to.ends_with("/personal/backups#form-make"), "{label}: {to}");
        let r = plain(
            "backups/restore",
            &["login=", &format!("id={id}"), "back=/personal/backups"],
        );
        assert_eq!(r.status, 303, "{label}");
        assert_eq!(r.header("location"), Some("/personal/backups"), "{label}");
        let list = json(call(&server, &jar, "backups/list", &[("login", "")]));
        let flash = list["flash"]["text"].as_str().unwrap_or_default();
        assert!(flash.contains("0 message ajouté"), "{label}: {flash}");
        assert_eq!(pop3_state(&server, "cdupont", &[]).0, uidls, "{label}");

        // A "back" that cannot be a Location header is replaced, not a crash.
        let odd = call(
            &server,
            &jar,
            "backups/restore",
            &[
                ("login", ""),
                ("id", &id),
                ("back", "/x\r\nSet-Cookie: a=b"),
            ],
        );
        assert_eq!(odd.status, 200, "{label}: {}", odd.body);
        assert!(
            odd.header("set-cookie")
                .is_none_or(|c| !c.starts_with("a=b"))
        );
        let kept = list["backups"].as_array().unwrap().len();
        let used = mailbox(&db, "cdupont");

        // Hostile files: each refused in words, nothing kept, nothing added.
        let hostile = db.dir.0.join("hostile.bin");
        for (kind, words) in [
            ("not-archive", "not a courrier backup"),
            ("truncated", "incomplete"),
            ("bad-checksum", "checksum of messages.mbox"),
            ("bomb", "Unpacked, this file would exceed 8"),
            ("dotdot", "dangerous name (../../etc/cron.d/evil)"),
            ("absolute", "dangerous name (/etc/passwd)"),
            ("big", "over the size allowed (4"),
        ] {
            backup_tool(&[
                "hostile",
                kind,
                file.to_str().unwrap(),
                hostile.to_str().unwrap(),
            ]);
            let r = curl(
                &jar,
                &[
                    "-H",
                    "Accept-Language: en",
                    "-H",
                    "Expect:",
                    "-F",
                    &format!("file=@{}", hostile.display()),
                    "-F",
                    "back=/personal/backups",
                    &server.url("/backup-files/cdupont"),
                ],
            );
            assert_eq!(r.status, 303, "{label} {kind}");
            assert_eq!(
                r.header("location"),
                Some("/personal/backups"),
                "{label} {kind}"
            );
            let list = json(call(&server, &jar, "backups/list", &[("login", "")]));
            let text = list["flash"]["text"].as_str().unwrap_or_default();
            assert_eq!(list["flash"]["ok"], false, "{label} {kind}");
            assert!(text.contains(words), "{label} {kind}: {text}");
            assert_eq!(
                list["backups"].as_array().unwrap().len(),
                kept,
                "{label} {kind}"
            );
            assert_eq!(mailbox(&db, "cdupont"), used, "{label} {kind}");
        }

        // Over quota: a 1 MB mailbox cannot take this backup's 1.2 MB (not even kept).
        add_user(&db, &["--first", "Jean", "--last", "Petit", "--quota", "1"]);
        set_password(&db, "jpetit", PASSWORD);
        let small = db.dir.0.join("jp");
        sign_in(&server, &small, "jpetit", PASSWORD);
        let r = upload(&server, &small, "jpetit", &file);
        assert_eq!(r.header("location"), Some("/personal/backups"), "{label}");
        let list = json(call(&server, &small, "backups/list", &[("login", "")]));
        assert!(
            list["flash"]["text"]
                .as_str()
                .unwrap()
                .contains("whole quota")
                || list["flash"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("tout le quota"),
            "{label}: {list}"
        );
        assert_eq!(list["backups"].as_array().unwrap().len(), 0, "{label}");

        // Whose backups: not another user's; the domain's webmaster may; nobody anonymous.
        let other = db.dir.0.join("other.tar.gz");
        assert_eq!(download(&small, &url, &other), 404, "{label}: not jpetit's");
        let r = call(&server, &small, "backups/list", &[("login", "cdupont")]);
        assert_ne!(r.status, 200, "{label}");
        let r = call(&server, &small, "backups/make", &[("login", "cdupont")]);
        assert_ne!(r.status, 200, "{label}");
        let nobody = db.dir.0.join("nobody");
        let r = curl(&nobody, &[&url]);
        assert_eq!(r.status, 303, "{label}: anonymous is sent to sign in");
        set_password(&db, "pmartin", PASSWORD);
        let wm = db.dir.0.join("wm");
        sign_in(&server, &wm, "pmartin", PASSWORD);
        assert_eq!(
            download(&wm, &url, &other),
            200,
            "{label}: the webmaster may"
        );
        let list = json(call(&server, &wm, "backups/list", &[("login", "cdupont")]));
        assert_eq!(list["backups"].as_array().unwrap().len(), kept, "{label}");
        server.stop();
    }
}

/// Adds a user to votredomaine.com with `courrier user add`.
fn add_user(db: &Db, extra: &[&str]) {
    let mut args = vec!["user", "add", "votredomaine.com"];
    args.extend_from_slice(extra);
    cli_ok(db, &args);
}

/// Starts a new peak-memory measurement of `pid` (VmHWM back to the current RSS, as root).
fn reset_peak(pid: u32) -> u64 {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    status_kb(pid, "VmRSS")
}

/// How much the peak rose (MB) since `reset_peak` gave `base`.
fn growth_mb(pid: u32, base: u64) -> u64 {
    status_kb(pid, "VmHWM").saturating_sub(base) / 1024
}

/// One message of about `kib` KiB of text that does not compress much.
fn big_message(n: u64, kib: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = n
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut body = format!("Subject: gros {n}\r\nFrom: a@example.org\r\n\r\n");
    for _ in 0..kib * 1024 / 78 {
        for _ in 0..76 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            body.push(alphabet[(x >> 58) as usize] as char);
        }
        body.push_str("\r\n");
    }
    body
}

#[tokio::test]
async fn backups_of_a_large_mailbox_and_hostile_uploads_stay_in_bounded_memory() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", PASSWORD);
        let dir = db.dir.0.clone();
        for n in 0..40 {
            deliver_file(
                &server,
                &dir,
                "big.eml",
                "cdupont@votredomaine.com",
                &big_message(n, 1024),
            );
        }
        let jar = dir.join("cd");
        sign_in(&server, &jar, "cdupont", PASSWORD);
        let pid = server.child.id();

        // Making a backup of 40 MB.
        let base = reset_peak(pid);
        let made = call(&server, &jar, "backups/make", &[("login", "cdupont")]);
        assert_eq!(made.status, 200, "{label}: {}", made.body);
        let make_mb = growth_mb(pid, base);
        let list = json(call(&server, &jar, "backups/list", &[("login", "cdupont")]));
        let id = list["backups"][0]["id"].as_i64().unwrap();
        let file = dir.join("big.tar.gz");
        let base = reset_peak(pid);
        let url = server.url(&format!("/backup-files/cdupont/{id}"));
        assert_eq!(download(&jar, &url, &file), 200);
        let download_mb = growth_mb(pid, base);
        assert!(
            std::fs::metadata(&file).unwrap().len() > 30 << 20,
            "{label}"
        );

        // Everything collected and deleted over POP3, then uploaded back and restored.
        let (host, port) = server.pop3.rsplit_once(':').unwrap();
        let out = Command::new("python3")
            .args([
                "-c",
                "import poplib, sys\nc = poplib.POP3(sys.argv[1], int(sys.argv[2]))\n\
                 c.user('cdupont'); c.pass_(sys.argv[3])\n\
                 for i in range(len(c.list()[1])): c.dele(i + 1)\nc.quit()",
                host,
                port,
                PASSWORD,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(mailbox(&db, "cdupont").0, 0, "{label}");
        let base = reset_peak(pid);
        let r = upload(&server, &jar, "cdupont", &file);
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        let to = r.header("location").unwrap().to_string();
        let up_id = to.rsplit('/').next().unwrap().to_string();
        assert!(up_id.parse::<i64>().is_ok(), "{label}: {to}");
        let upload_mb = growth_mb(pid, base);
        let base = reset_peak(pid);
        let r = call(
            &server,
            &jar,
            "backups/restore",
            &[
                ("login", "cdupont"),
                ("id", &up_id),
                ("back", "/personal/backups"),
            ],
        );
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let restore_mb = growth_mb(pid, base);
        assert_eq!(mailbox(&db, "cdupont").0, 40, "{label}: all back");

        // A gzip bomb of 1 MB that unpacks past the 1 GiB limit.
        let bomb = dir.join("bomb.tar.gz");
        let out = Command::new("python3")
            .args([
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/abuse.py"),
                "bomb",
                bomb.to_str().unwrap(),
                "1100",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let base = reset_peak(pid);
        let r = upload(&server, &jar, "cdupont", &bomb);
        assert_eq!(r.status, 303, "{label}");
        let page = curl(&jar, &[&server.url("/personal/backups")]);
        assert!(
            page.body.contains("décompressé") || page.body.contains("Unpacked"),
            "{label}: the bomb is refused in words"
        );
        let bomb_mb = growth_mb(pid, base);

        // Four uploads of 40 MB at once.
        let junk = dir.join("junk.bin");
        std::fs::write(&junk, big_message(99, 40 << 10)).unwrap();
        let base = reset_peak(pid);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (jar, junk, url) = (
                    jar.clone(),
                    junk.clone(),
                    server.url("/backup-files/cdupont"),
                );
                std::thread::spawn(move || {
                    curl(
                        &jar,
                        &[
                            "-H",
                            "Expect:",
                            "-F",
                            &format!("file=@{}", junk.display()),
                            "-F",
                            "back=/personal/backups",
                            &url,
                        ],
                    )
                    .status
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 303, "{label}");
        }
        let parallel_mb = growth_mb(pid, base);
        eprintln!(
            "{label}: peak memory growth (MB) — make 40 MB backup {make_mb}, download \
             {download_mb}, upload {upload_mb}, restore {restore_mb}, 1 MB bomb {bomb_mb}, \
             4 × 40 MB uploads at once {parallel_mb}"
        );
        for (what, mb) in [
            ("make", make_mb),
            ("download", download_mb),
            ("upload", upload_mb),
            ("restore", restore_mb),
            ("bomb", bomb_mb),
            ("parallel uploads", parallel_mb),
        ] {
            // Below the mailbox's own 40 MB: nothing holds it whole.
            assert!(mb < 32, "{label}: {what} grew memory by {mb} MB");
        }
        assert!(server.stop().success());
    }
}

/// A file that is not a backup, or a restore that cannot be done, is refused in the reader's
/// language on the backups page (the upload is a plain multipart form; the restore a post).
#[tokio::test]
async fn backup_refusals_speak_the_readers_language() {
    let db = Db::sqlite();
    let (server, jar) = cdupont_signed_in(&db, PASSWORD);
    let junk = db.dir.0.join("vacances.jpg");
    std::fs::write(&junk, b"not a backup at all, just some bytes").unwrap();
    for lang in ["fr", "en"] {
        let r = curl(
            &jar,
            &[
                "-H",
                "Expect:",
                "-H",
                &format!("Accept-Language: {lang}"),
                "-F",
                &format!("file=@{}", junk.display()),
                "-F",
                "back=/personal/backups",
                &server.url("/backup-files/cdupont"),
            ],
        );
        assert_eq!(r.header("location"), Some("/personal/backups"), "{lang}");
        let page = curl(
            &jar,
            &[
                "-H",
                &format!("Accept-Language: {lang}"),
                &server.url("/personal/backups"),
            ],
        );
        let refusals = errors_in(&page.body);
        assert!(
            !refusals.is_empty(),
            "{lang}: the upload is refused in words"
        );
        assert_in_language(lang, "upload", &refusals);
        // A restore of a backup that is not there.
        refusals_shown(
            &server,
            &jar,
            lang,
            "/personal/backups/999",
            "backups/restore",
            &[("login", ""), ("id", "999"), ("back", "/personal/backups")],
        );
    }
    assert!(server.stop().success());
}

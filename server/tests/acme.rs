//! Certificates by ACME (RFC 8555, issue 15) against Debian's pebble, the Let's Encrypt test
//! server, on loopback: courrier asks for the host's name and the hosted domain's names that
//! point at it (the loopback DNS server says which), answers HTTP-01 on its web listener,
//! and serves the certificates on POP3S, submission and `https` — seen by `openssl
//! s_client`; a short validity forces a renewal, which the same listeners serve without a
//! restart. The portals over plain HTTP send the browser to `https`. Both databases.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HOST: &str = "mail.courrier.test";

/// pebble on loopback; killed on drop.
struct Pebble(std::process::Child);

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// pebble with its API on `api` (TLS by the test CA's certificate), validating HTTP-01 on
/// `http_port` and resolving names with the loopback DNS server; certificates last
/// `validity` seconds.
fn pebble(dir: &Path, api: u16, http_port: u16, dns_port: u16, validity: u64) -> Pebble {
    let config = dir.join("pebble.json");
    std::fs::write(
        &config,
        json!({"pebble": {
            "listenAddress": format!("127.0.0.1:{api}"),
            "managementListenAddress": format!("127.0.0.1:{}", free_port()),
            "certificate": dir.join("good.pem"),
            "privateKey": dir.join("good.key"),
            "httpPort": http_port,
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
            "certificateValidityPeriod": validity,
        }})
        .to_string(),
    )
    .unwrap();
    let mut child = Command::new("pebble")
        .arg("-config")
        .arg(&config)
        .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
        // No pause before validating, and no nonces refused at random.
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("pebble (the test command installs it)");
    let out = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(out).lines();
    for line in lines.by_ref() {
        if line.unwrap_or_default().contains("Listening on") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Pebble(child)
}

/// The certificate a TLS listener gives for `name`: (issuer, serial), by `openssl s_client`.
fn served(addr: &str, name: &str) -> (String, String) {
    let mut client = Command::new("openssl")
        .args(["s_client", "-connect", addr, "-servername", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pem = Vec::new();
    std::io::Read::read_to_end(client.stdout.as_mut().unwrap(), &mut pem).unwrap();
    let _ = client.wait();
    let mut x509 = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-issuer",
            "-serial",
            "-ext",
            "subjectAltName",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(x509.stdin.as_mut().unwrap(), &pem).unwrap();
    let out = x509.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let names = text
        .lines()
        .skip_while(|l| !l.contains("Subject Alternative Name"))
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_string();
    (format!("{} [{names}]", field("issuer=")), field("serial="))
}

/// Waits until `addr` serves `name` a certificate that satisfies `ok`.
fn wait_served(addr: &str, name: &str, ok: impl Fn(&(String, String)) -> bool) -> (String, String) {
    let start = Instant::now();
    loop {
        let s = served(addr, name);
        if ok(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{addr} still serves {s:?} for {name}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test]
async fn certificates_come_from_acme_and_renew_without_a_restart() {
    for db in databases().await {
        let label = db.label;
        let dir = db.dir.0.clone();
        let pki = dir.join("pki");
        std::fs::create_dir_all(&pki).unwrap();
        pki::certificates(&pki, &["localhost"], &["nobody.example"]);
        // The host's name and two of the domain's names point here; autoconfig does not.
        let zone_dir = dir.join("zone");
        std::fs::create_dir_all(&zone_dir).unwrap();
        let dns = dns(
            &zone_dir,
            &json!({
                HOST: {"A": ["127.0.0.1"]},
                "mail.votredomaine.com": {"A": ["127.0.0.1"]},
                "mta-sts.votredomaine.com": {"A": ["127.0.0.1"]},
                "autoconfig.votredomaine.com": {"A": ["192.0.2.99"]},
            }),
        );
        let (http, api) = (free_port(), free_port());
        let _pebble = pebble(&pki, api, http, dns.1, 45);
        let config = dir.join("courrier.toml");
        std::fs::write(
            &config,
            format!(
                "hostname = \"{HOST}\"\n[dns]\nnameserver = \"127.0.0.1:{}\"\naddresses = [\"127.0.0.1\"]\n\
                 [acme]\nenabled = true\ndirectory = \"https://localhost:{api}/dir\"\n\
                 ca_file = \"{}\"\ncontact = [\"postmaster@courrier.test\"]\ncheck_secs = 1\n",
                dns.1,
                pki.join("ca.pem").display()
            ),
        )
        .unwrap();
        add_votredomaine(&db);
        let server = Server::start_with(
            &db,
            &[
                "--config",
                config.to_str().unwrap(),
                "--http",
                &format!("127.0.0.1:{http}"),
                "--https",
                "127.0.0.1:0",
            ],
        );
        let https = server.https.clone().expect("https listener");
        let pebble_issued = |s: &(String, String)| s.0.contains("Pebble");

        // Issued, and served on POP3S, submission (implicit TLS) and https.
        let first = wait_served(&server.pop3s, HOST, pebble_issued);
        assert!(first.0.contains(HOST), "{label}: {first:?}");
        let sub = server.submissions.clone().unwrap();
        assert_eq!(wait_served(&sub, HOST, pebble_issued).1, first.1, "{label}");
        assert_eq!(
            wait_served(&https, HOST, pebble_issued).1,
            first.1,
            "{label}"
        );
        // The domain's own: the names that point here, not the one that does not.
        let domain = wait_served(&server.pop3s, "mail.votredomaine.com", |s| {
            pebble_issued(s) && s.0.contains("mail.votredomaine.com")
        });
        assert!(
            domain.0.contains("mail.votredomaine.com")
                && domain.0.contains("mta-sts.votredomaine.com")
                && !domain.0.contains("autoconfig"),
            "{label}: {domain:?}"
        );
        assert_ne!(domain.1, first.1, "{label}: one certificate per domain");

        // A third of its life left: renewed, and served by the same process.
        let renewed = wait_served(&server.pop3s, HOST, |s| pebble_issued(s) && s.1 != first.1);
        assert_eq!(
            wait_served(&sub, HOST, |s| s.1 == renewed.1).1,
            renewed.1,
            "{label}"
        );

        // Plain HTTP sends the portals to https; the challenges stay on plain HTTP.
        let jar = dir.join("jar");
        let r = curl(&jar, &[&server.url("/login")]);
        assert_eq!(r.status, 301, "{label}");
        let port = https.rsplit_once(':').unwrap().1;
        assert_eq!(
            r.header("location"),
            Some(format!("https://127.0.0.1:{port}/login").as_str()),
            "{label}"
        );
        let r = curl(&jar, &[&server.url("/.well-known/acme-challenge/none")]);
        assert_eq!(r.status, 404, "{label}");
        let r = curl(
            &jar,
            &[
                "--cacert",
                pki.join("ca.pem").to_str().unwrap(),
                "-k",
                &format!("https://{https}/login"),
            ],
        );
        assert_eq!(r.status, 200, "{label}");
        assert!(
            r.header("set-cookie").is_none_or(|c| c.contains("Secure")),
            "{label}: cookies over https are Secure"
        );

        // The state of each certificate, for the server admin (signed in over https).
        let (admin, admin_pw) = server.admin.clone().unwrap();
        let adm = dir.join("adm");
        let base = format!("https://{https}");
        let r = curl(
            &adm,
            &[
                "-k",
                "-X",
                "POST",
                "--data-urlencode",
                &format!("login={admin}"),
                "--data-urlencode",
                &format!("password={admin_pw}"),
                &format!("{base}/api/session/login"),
            ],
        );
        assert_eq!(r.status, 303, "{label}: {}", r.body);
        let r = curl(
            &adm,
            &[
                "-k",
                "-X",
                "POST",
                "-H",
                "Accept: application/json",
                &format!("{base}/api/admin/certificates"),
            ],
        );
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let certs: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(certs["acme"], true, "{label}");
        let list = certs["list"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{label}: {certs}");
        assert!(
            list.iter()
                .all(|c| c["not_after"].as_i64().is_some() && c["last_error"].is_null()),
            "{label}: {certs}"
        );
        assert!(server.stop().success(), "{label}");
    }
}

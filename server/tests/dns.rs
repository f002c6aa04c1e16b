//! The DNS page (issue 15) against the real binary: the records a domain needs, each checked
//! live through the configured resolver (the loopback DNS server) — present, missing and
//! different; the zone file parses with dnspython; the host's records for the admin; who may
//! see what. Both databases.

mod common;

use common::*;
use serde_json::{Value, json};

const HOST: &str = "mail.courrier.test";
const PASSWORD: &str = "Pierre-Pass-2026";

/// A record of the page's data by name and type.
fn record<'a>(v: &'a Value, name: &str, kind: &str) -> &'a Value {
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name && r["kind"] == kind)
        .unwrap_or_else(|| panic!("{name} {kind} in {v}"))
}

#[tokio::test]
async fn the_dns_page_says_what_to_publish_and_checks_it() {
    for db in databases().await {
        let label = db.label;
        let dir = db.dir.0.clone();
        add_votredomaine(&db);
        set_password(&db, "pmartin", PASSWORD);
        let config = dir.join("courrier.toml");
        // What the domain's DNS host has published: the MX and its SPF right, its DKIM key
        // wrong (an old one), no DMARC; the POP3S service.
        let records: Value = serde_json::from_str(&cli_ok(
            &db,
            &["dkim", "records", "votredomaine.com", "--json"],
        ))
        .unwrap();
        let selector = records[0]["name"].as_str().unwrap().to_string();
        let zone_dir = dir.join("zone");
        std::fs::create_dir_all(&zone_dir).unwrap();
        let dns = dns(
            &zone_dir,
            &json!({
                "votredomaine.com": {
                    "MX": [[10, HOST]],
                    "TXT": ["v=spf1 mx -all", "site-verification=abc"],
                    "A": ["192.0.2.25"],
                },
                selector.trim_end_matches('.'): {"TXT": ["v=DKIM1; k=rsa; p=OLDKEY"]},
                "_pop3s._tcp.votredomaine.com": {"SRV": [[0, 1, 995, HOST]]},
                HOST: {"A": ["192.0.2.25"], "AAAA": ["2001:db8::25"], "TXT": ["v=spf1 a -all"]},
            }),
        );
        std::fs::write(
            &config,
            format!(
                "hostname = \"{HOST}\"\n[dns]\nnameserver = \"127.0.0.1:{}\"\naddresses = [\"192.0.2.25\", \"2001:db8::25\"]\n",
                dns.1
            ),
        )
        .unwrap();
        let server = Server::start_with(&db, &["--config", config.to_str().unwrap()]);
        let jar = dir.join("jar");
        sign_in(&server, &jar, "pmartin", PASSWORD);
        let v: Value = serde_json::from_str(&call_ok(&server, &jar, "dns/domain", &[])).unwrap();
        assert!(v["error"].is_null(), "{label}: {v}");
        assert_eq!(v["name"], "votredomaine.com");
        assert_eq!(
            v["warnings"],
            json!([]),
            "{label}: a full name, known addresses"
        );
        let mx = record(&v, "votredomaine.com.", "MX");
        assert_eq!(mx["value"], format!("10 {HOST}."), "{label}");
        assert_eq!(mx["status"], "found", "{label}: {mx}");
        let spf = record(&v, "votredomaine.com.", "TXT");
        assert_eq!(spf["value"], "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 -all");
        assert_eq!(
            spf["status"], "found",
            "{label}: {spf} (mx names this server)"
        );
        let dkim = record(&v, &selector, "TXT");
        assert_eq!(dkim["status"], "different", "{label}: {dkim}");
        assert_eq!(
            dkim["found"],
            json!(["v=DKIM1; k=rsa; p=OLDKEY"]),
            "{label}"
        );
        let dmarc = record(&v, "_dmarc.votredomaine.com.", "TXT");
        assert_eq!(dmarc["status"], "missing", "{label}: {dmarc}");
        assert_eq!(
            record(&v, "votredomaine.com.", "A")["status"],
            "found",
            "{label}"
        );
        let pop3s = record(&v, "_pop3s._tcp.votredomaine.com.", "SRV");
        assert_eq!(pop3s["status"], "found", "{label}: {pop3s}");
        assert_eq!(
            record(&v, "_imaps._tcp.votredomaine.com.", "SRV")["value"],
            "0 0 0 ."
        );
        assert!(
            record(&v, "_mta-sts.votredomaine.com.", "TXT")["value"]
                .as_str()
                .unwrap()
                .starts_with("v=STSv1; id="),
            "{label}"
        );

        // The page itself, in French and English, on a phone's width (plain HTML).
        for (lang, words) in [("fr", "Manquant"), ("en", "Missing")] {
            let page = curl(
                &jar,
                &[
                    "-H",
                    &format!("Accept-Language: {lang}"),
                    &server.url("/siteadmin/dns"),
                ],
            );
            assert!(page.body.contains(words), "{label} {lang}: {}", page.body);
            assert!(page.body.contains("_dmarc.votredomaine.com."), "{label}");
        }

        // The zone file parses (dnspython) and holds every record.
        let zone = dir.join("votredomaine.com.zone");
        assert_eq!(
            download(&jar, &server.url("/dns-zone/votredomaine.com"), &zone),
            200,
            "{label}"
        );
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, dns.zone; z = dns.zone.from_file(sys.argv[1], origin='votredomaine.com.', relativize=False, check_origin=False); \
                 print(sorted(set(r.to_text() for n, ttl, r in z.iterate_rdatas('TXT') if str(n).startswith('_dmarc'))))",
                zone.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("v=DMARC1; p=quarantine"),
            "{label}: {}",
            String::from_utf8_lossy(&out.stdout)
        );

        // The host's own records, for the server admin: its addresses and SPF published,
        // the reverse names (PTR) not; a webmaster may not see them.
        let (admin, admin_pw) = server.admin.clone().unwrap();
        let adm = dir.join("adm");
        sign_in(&server, &adm, &admin, &admin_pw);
        let h: Value = serde_json::from_str(&call_ok(&server, &adm, "dns/host", &[])).unwrap();
        assert_eq!(h["name"], HOST, "{label}");
        assert_eq!(
            record(&h, &format!("{HOST}."), "A")["status"],
            "found",
            "{label}: {h}"
        );
        assert_eq!(
            record(&h, &format!("{HOST}."), "AAAA")["status"],
            "found",
            "{label}"
        );
        assert_eq!(
            record(&h, &format!("{HOST}."), "TXT")["status"],
            "found",
            "{label}"
        );
        let ptr = record(&h, "25.2.0.192.in-addr.arpa.", "PTR");
        assert_eq!(ptr["value"], format!("{HOST}."), "{label}");
        assert_eq!(ptr["status"], "missing", "{label}");
        assert_ne!(call(&server, &jar, "dns/host", &[]).status, 200, "{label}");
        // And any domain's page.
        let any: Value = serde_json::from_str(&call_ok(
            &server,
            &adm,
            "dns/domain",
            &[("domain", "votredomaine.com")],
        ))
        .unwrap();
        assert_eq!(any["records"], v["records"], "{label}");

        // Nobody else's: a mailbox user gets no page and no zone file.
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", "Claire-Pass-2026");
        let other = dir.join("jar2");
        sign_in(&server, &other, "cdupont", "Claire-Pass-2026");
        let refused = call(&server, &other, "dns/domain", &[]);
        assert_ne!(refused.status, 200, "{label}");
        assert_eq!(
            download(
                &other,
                &server.url("/dns-zone/votredomaine.com"),
                &dir.join("no.zone")
            ),
            404,
            "{label}"
        );
        assert!(server.stop().success(), "{label}");
    }
}

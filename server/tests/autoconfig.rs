//! Automatic client setup against the real binary, checked the way clients read it: the
//! Thunderbird autoconfig XML and the Outlook autodiscover answer parsed by Python's XML
//! parser, the Apple profile by Python's plistlib. POP3 comes first. Both databases.

mod common;

use common::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a Python snippet on `input` (standard input); returns what it prints.
fn python(code: &str, input: &str) -> String {
    let mut child = Command::new("python3")
        .args(["-c", code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The first POP3 server of a Thunderbird clientConfig: host port socket username.
const FIRST_POP3: &str = "import sys, xml.etree.ElementTree as E
r = E.fromstring(sys.stdin.read())
assert r.tag == 'clientConfig' and r.get('version') == '1.1'
s = r.find('emailProvider').findall('incomingServer')
assert s[0].get('type') == 'pop3'
print(' '.join(s[0].find(k).text for k in ('hostname', 'port', 'socketType', 'username')))";

#[tokio::test]
async fn mail_clients_set_themselves_up() {
    for db in databases().await {
        let label = db.label;
        let server = Server::start(&db);
        add_votredomaine(&db);
        add_cdupont(&db, &[]);
        set_password(&db, "cdupont", "Un-Mot-De-Passe-2026");
        let jar = db.dir.0.join("jar");

        // Thunderbird, with the address typed: an alias is answered with itself, never
        // with the login it leads to (strangers must not learn who reads sales@).
        let url = server.url(
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=Ventes@votredomaine.com",
        );
        let r = curl(&jar, &[&url]);
        assert_eq!(r.status, 200, "{label}");
        assert!(r.header("content-type").unwrap().contains("xml"));
        assert_eq!(
            python(FIRST_POP3, &r.body),
            "votredomaine.com 995 SSL ventes@votredomaine.com",
            "{label}"
        );
        assert!(!r.body.contains("cdupont"), "{label}: {}", r.body);
        // postmaster@ does not give the webmaster's login away either.
        let r = curl(
            &jar,
            &[&server.url("/mail/config-v1.1.xml?emailaddress=postmaster@votredomaine.com")],
        );
        assert_eq!(
            python(FIRST_POP3, &r.body),
            "votredomaine.com 995 SSL postmaster@votredomaine.com",
            "{label}"
        );
        assert!(!r.body.contains("pmartin"), "{label}: {}", r.body);
        // The address form is a login that works: POP3 over loopback with it.
        let pop = python(
            &format!(
                "import poplib\nh, p = '{}'.rsplit(':', 1)\nc = poplib.POP3(h, int(p))\nc.user('CDupont@VotreDomaine.com')\nprint(c.pass_('Un-Mot-De-Passe-2026').decode())",
                server.pop3
            ),
            "",
        );
        assert!(pop.starts_with("+OK"), "{label}: {pop}");
        // By the host name alone (autoconfig.domain), with the client's placeholder.
        let r = curl(
            &jar,
            &[
                "-H",
                "Host: autoconfig.votredomaine.com",
                &server.url("/mail/config-v1.1.xml"),
            ],
        );
        assert_eq!(
            python(FIRST_POP3, &r.body),
            "votredomaine.com 995 SSL %EMAILLOCALPART%",
            "{label}"
        );
        // In the anti-virus style: mail.domain and the whole address.
        cli_ok(
            &db,
            &[
                "domain",
                "add",
                "atelier.fr",
                "--webmaster-first",
                "Anne",
                "--webmaster-last",
                "Roy",
            ],
        );
        let store = app::store::Store::open(
            &db.url
                .clone()
                .unwrap_or_else(|| app::store::sqlite_url_for(&db.dir.0)),
        )
        .await
        .unwrap();
        store
            .set_domain_style(&app::store::Actor::cli(), "atelier.fr", "antivirus")
            .await
            .unwrap();
        store.close().await;
        let r = curl(
            &jar,
            &[&server.url("/mail/config-v1.1.xml?emailaddress=aroy@atelier.fr")],
        );
        assert_eq!(
            python(FIRST_POP3, &r.body),
            "mail.atelier.fr 995 SSL aroy@atelier.fr",
            "{label}"
        );
        let r = curl(
            &jar,
            &[&server.url("/mail/config-v1.1.xml?emailaddress=x@elsewhere.example")],
        );
        assert_eq!(r.status, 404, "{label}");

        // Outlook's autodiscover (POX).
        let request = "<?xml version=\"1.0\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>cdupont@votredomaine.com</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>";
        let r = curl(
            &jar,
            &[
                "-X",
                "POST",
                "-H",
                "Content-Type: text/xml",
                "--data-binary",
                request,
                &server.url("/autodiscover/autodiscover.xml"),
            ],
        );
        assert_eq!(r.status, 200, "{label}: {}", r.body);
        let first = python(
            "import sys, xml.etree.ElementTree as E
ns = {'a': 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'}
r = E.fromstring(sys.stdin.read())
p = r.find('a:Response/a:Account/a:Protocol', ns)
print(' '.join(p.find('a:' + k, ns).text for k in ('Type', 'Server', 'Port', 'LoginName', 'SSL')))",
            &r.body,
        );
        assert_eq!(
            first, "POP3 votredomaine.com 995 cdupont@votredomaine.com on",
            "{label}"
        );

        // The Apple profile, for the signed-in user only.
        let r = curl(&jar, &[&server.url("/personal/mobileconfig")]);
        assert_eq!(r.status, 401, "{label}");
        let login = curl(
            &jar,
            &[
                "-X",
                "POST",
                "--data-urlencode",
                "login=cdupont",
                "--data-urlencode",
                "password=Un-Mot-De-Passe-2026",
                &server.url("/api/session/login"),
            ],
        );
        assert_eq!(login.status, 303);
        let r = curl(&jar, &[&server.url("/personal/mobileconfig")]);
        assert_eq!(r.status, 200, "{label}");
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains("mobileconfig")
        );
        let account = python(
            "import sys, plistlib
p = plistlib.loads(sys.stdin.read().encode())
assert p['PayloadType'] == 'Configuration'
a = p['PayloadContent'][0]
print(a['EmailAccountType'], a['IncomingMailServerHostName'], a['IncomingMailServerPortNumber'], a['IncomingMailServerUsername'])",
            &r.body,
        );
        assert_eq!(
            account, "EmailTypePOP votredomaine.com 995 cdupont",
            "{label}"
        );
        assert!(server.stop().success());
    }
}

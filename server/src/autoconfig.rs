//! Automatic mail client setup, POP3 first (the product's way to read mail): Thunderbird's
//! autoconfig (`/.well-known/autoconfig/mail/config-v1.1.xml`, `/mail/config-v1.1.xml`),
//! Outlook's autodiscover (POX, `/autodiscover/autodiscover.xml`) and an Apple
//! `.mobileconfig` for a signed-in user. The documents are pure functions of the settings.

use app::model::ConnectionSettings;

pub use app::model::ClientPorts;

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Thunderbird's clientConfig 1.1: POP3 over TLS first, then POP3 with STARTTLS, then the
/// submission port when it is on; its `documentation` says where app passwords are made
/// (`security_url`): once two-step sign-in is on, the main password is refused (issue 16).
pub fn thunderbird(
    domain: &str,
    s: &ConnectionSettings,
    ports: &ClientPorts,
    security_url: &str,
) -> String {
    let (d, host, user) = (
        xml_escape(domain),
        xml_escape(&s.pop_server),
        xml_escape(&s.login),
    );
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <clientConfig version=\"1.1\">\n\
         \x20 <emailProvider id=\"{d}\">\n\
         \x20   <domain>{d}</domain>\n\
         \x20   <displayName>{d}</displayName>\n\
         \x20   <displayShortName>{d}</displayShortName>\n"
    );
    for (port, socket) in [(ports.pop3s, "SSL"), (ports.pop3, "STARTTLS")] {
        x.push_str(&format!(
            "    <incomingServer type=\"pop3\">\n\
             \x20     <hostname>{host}</hostname>\n\
             \x20     <port>{port}</port>\n\
             \x20     <socketType>{socket}</socketType>\n\
             \x20     <username>{user}</username>\n\
             \x20     <authentication>password-cleartext</authentication>\n\
             \x20     <pop3>\n\
             \x20       <leaveMessagesOnServer>false</leaveMessagesOnServer>\n\
             \x20     </pop3>\n\
             \x20   </incomingServer>\n"
        ));
    }
    if let Some(port) = ports.submission {
        x.push_str(&format!(
            "    <outgoingServer type=\"smtp\">\n\
             \x20     <hostname>{host}</hostname>\n\
             \x20     <port>{port}</port>\n\
             \x20     <socketType>STARTTLS</socketType>\n\
             \x20     <username>{user}</username>\n\
             \x20     <authentication>password-cleartext</authentication>\n\
             \x20   </outgoingServer>\n"
        ));
    }
    x.push_str(&format!(
        "    <documentation url=\"{}\">\n\
         \x20     <descr lang=\"fr\">Validation en deux étapes activée : utilisez un mot de passe d'application créé dans « Sécurité », pas votre mot de passe principal.</descr>\n\
         \x20     <descr lang=\"en\">With two-step sign-in on, use an app password made under \"Security\", not your main password.</descr>\n\
         \x20   </documentation>\n",
        xml_escape(security_url)
    ));
    x.push_str("  </emailProvider>\n</clientConfig>\n");
    x
}

/// Outlook's autodiscover answer (POX, the "outlook" response schema), POP3 over TLS.
pub fn autodiscover(s: &ConnectionSettings, ports: &ClientPorts) -> String {
    let (host, user, address) = (
        xml_escape(&s.pop_server),
        xml_escape(&s.login),
        xml_escape(&s.address),
    );
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n\
         \x20 <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n\
         \x20   <User><DisplayName>{address}</DisplayName></User>\n\
         \x20   <Account>\n\
         \x20     <AccountType>email</AccountType>\n\
         \x20     <Action>settings</Action>\n\
         \x20     <Protocol>\n\
         \x20       <Type>POP3</Type>\n\
         \x20       <Server>{host}</Server>\n\
         \x20       <Port>{pop3s}</Port>\n\
         \x20       <LoginName>{user}</LoginName>\n\
         \x20       <DomainRequired>off</DomainRequired>\n\
         \x20       <SPA>off</SPA>\n\
         \x20       <SSL>on</SSL>\n\
         \x20       <AuthRequired>on</AuthRequired>\n\
         \x20     </Protocol>\n",
        pop3s = ports.pop3s
    );
    if let Some(port) = ports.submission {
        x.push_str(&format!(
            "      <Protocol>\n\
             \x20       <Type>SMTP</Type>\n\
             \x20       <Server>{host}</Server>\n\
             \x20       <Port>{port}</Port>\n\
             \x20       <LoginName>{user}</LoginName>\n\
             \x20       <DomainRequired>off</DomainRequired>\n\
             \x20       <SPA>off</SPA>\n\
             \x20       <Encryption>TLS</Encryption>\n\
             \x20       <AuthRequired>on</AuthRequired>\n\
             \x20     </Protocol>\n"
        ));
    }
    x.push_str("    </Account>\n  </Response>\n</Autodiscover>\n");
    x
}

/// The e-mail address in an autodiscover request body (`<EMailAddress>…</EMailAddress>`).
pub fn requested_address(body: &str) -> Option<String> {
    let start = body.find("<EMailAddress>")? + "<EMailAddress>".len();
    let end = body[start..].find("</EMailAddress>")? + start;
    let a = body[start..end].trim();
    (a.contains('@') && a.len() <= 320).then(|| a.to_string())
}

/// An Apple configuration profile with one POP account (no password: the device asks).
pub fn mobileconfig(s: &ConnectionSettings, name: &str, ports: &ClientPorts, uuid: &str) -> String {
    let (host, user, address, name) = (
        xml_escape(&s.pop_server),
        xml_escape(&s.login),
        xml_escape(&s.address),
        xml_escape(name),
    );
    let outgoing = match ports.submission {
        Some(port) => format!(
            "      <key>OutgoingMailServerHostName</key><string>{host}</string>\n\
             \x20     <key>OutgoingMailServerPortNumber</key><integer>{port}</integer>\n\
             \x20     <key>OutgoingMailServerUseSSL</key><true/>\n\
             \x20     <key>OutgoingMailServerAuthentication</key><string>EmailAuthPassword</string>\n\
             \x20     <key>OutgoingMailServerUsername</key><string>{user}</string>\n"
        ),
        None => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \x20 <key>PayloadContent</key>\n\
         \x20 <array>\n\
         \x20   <dict>\n\
         \x20     <key>EmailAccountDescription</key><string>{address}</string>\n\
         \x20     <key>EmailAccountName</key><string>{name}</string>\n\
         \x20     <key>EmailAccountType</key><string>EmailTypePOP</string>\n\
         \x20     <key>EmailAddress</key><string>{address}</string>\n\
         \x20     <key>IncomingMailServerAuthentication</key><string>EmailAuthPassword</string>\n\
         \x20     <key>IncomingMailServerHostName</key><string>{host}</string>\n\
         \x20     <key>IncomingMailServerPortNumber</key><integer>{pop3s}</integer>\n\
         \x20     <key>IncomingMailServerUseSSL</key><true/>\n\
         \x20     <key>IncomingMailServerUsername</key><string>{user}</string>\n\
         {outgoing}\
         \x20     <key>PayloadDisplayName</key><string>{address}</string>\n\
         \x20     <key>PayloadIdentifier</key><string>courrier.mail.{uuid}</string>\n\
         \x20     <key>PayloadType</key><string>com.apple.mail.managed</string>\n\
         \x20     <key>PayloadUUID</key><string>{uuid}-0001</string>\n\
         \x20     <key>PayloadVersion</key><integer>1</integer>\n\
         \x20   </dict>\n\
         \x20 </array>\n\
         \x20 <key>PayloadDisplayName</key><string>{address}</string>\n\
         \x20 <key>PayloadIdentifier</key><string>courrier.{uuid}</string>\n\
         \x20 <key>PayloadType</key><string>Configuration</string>\n\
         \x20 <key>PayloadUUID</key><string>{uuid}</string>\n\
         \x20 <key>PayloadVersion</key><integer>1</integer>\n\
         </dict>\n\
         </plist>\n",
        pop3s = ports.pop3s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claire() -> ConnectionSettings {
        ConnectionSettings::for_user("cdupont", "votredomaine.com", "antivirus")
    }

    #[test]
    fn thunderbird_lists_pop3_first() {
        let x = thunderbird(
            "votredomaine.com",
            &claire(),
            &ClientPorts::default(),
            "https://www.votredomaine.com/personal/security",
        );
        let pop = x.find("type=\"pop3\"").unwrap();
        let smtp = x.find("type=\"smtp\"").unwrap();
        assert!(pop < smtp);
        assert!(x.contains("<hostname>mail.votredomaine.com</hostname>"));
        assert!(x.contains("<port>995</port>\n      <socketType>SSL</socketType>"));
        assert!(x.contains("<username>cdupont@votredomaine.com</username>"));
        assert!(
            x.contains("<documentation url=\"https://www.votredomaine.com/personal/security\">")
        );
        let off = ClientPorts {
            submission: None,
            ..ClientPorts::default()
        };
        assert!(
            !thunderbird(
                "votredomaine.com",
                &claire(),
                &off,
                "https://x/personal/security"
            )
            .contains("smtp")
        );
    }

    #[test]
    fn autodiscover_and_its_request() {
        let x = autodiscover(&claire(), &ClientPorts::default());
        assert!(x.contains("<Type>POP3</Type>") && x.contains("<SSL>on</SSL>"));
        let body = "<Autodiscover><Request><EMailAddress> cdupont@votredomaine.com </EMailAddress></Request></Autodiscover>";
        assert_eq!(
            requested_address(body).as_deref(),
            Some("cdupont@votredomaine.com")
        );
        assert_eq!(requested_address("<EMailAddress>nope</EMailAddress>"), None);
        assert_eq!(requested_address("garbage"), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
        let m = mobileconfig(&claire(), "Claire <Dupont>", &ClientPorts::default(), "ABC");
        assert!(m.contains("Claire &lt;Dupont&gt;"));
        assert!(m.contains("<string>EmailTypePOP</string>"));
    }
}

// ---- HTTP handlers ------------------------------------------------------------------------

use app::state::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct EmailQuery {
    emailaddress: Option<String>,
}

/// The settings for an address of a domain hosted here. Anonymous callers learn nothing
/// about accounts: the login given is the address that was asked, in the "anti-virus" form
/// that every door accepts — never the login an alias leads to (that would tell a stranger
/// who reads `sales@` and what to guess a password for). Without an address, the client's
/// own placeholder.
async fn settings_for(
    state: &AppState,
    domain: &str,
    local: Option<&str>,
) -> Option<ConnectionSettings> {
    let d = state.store.domain(domain).await.ok()?;
    Some(match local {
        Some(l) => {
            let local = l.trim().to_ascii_lowercase();
            let mut s = ConnectionSettings::for_user(&local, &d.name, &d.style);
            s.login = s.address.clone();
            s
        }
        None => {
            let mut s = ConnectionSettings::for_user("%EMAILLOCALPART%", &d.name, &d.style);
            s.login = if d.style == "antivirus" {
                "%EMAILADDRESS%".into()
            } else {
                "%EMAILLOCALPART%".into()
            };
            s
        }
    })
}

fn xml(body: String, content_type: &'static str) -> Response {
    let mut res = Response::new(Body::from(body));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn not_hosted() -> Response {
    (
        StatusCode::NOT_FOUND,
        "no mail domain hosted here by that name",
    )
        .into_response()
}

/// The host name of the request, without the port and an `autoconfig.` prefix.
fn host_domain(headers: &HeaderMap) -> Option<String> {
    let host = crate::http::request_host(headers)?;
    Some(host.trim_start_matches("autoconfig.").to_string())
}

pub async fn thunderbird_handler(
    State(state): State<AppState>,
    Extension(ports): Extension<Arc<ClientPorts>>,
    https: Option<Extension<app::state::Https>>,
    Query(q): Query<EmailQuery>,
    headers: HeaderMap,
) -> Response {
    let (local, domain) = match q.emailaddress.as_deref().and_then(|a| a.rsplit_once('@')) {
        Some((l, d)) => (Some(l.to_string()), d.to_ascii_lowercase()),
        None => match host_domain(&headers) {
            Some(d) => (None, d),
            None => return not_hosted(),
        },
    };
    match settings_for(&state, &domain, local.as_deref()).await {
        Some(s) => {
            let base = state.public_url.clone().unwrap_or_else(|| {
                let scheme = if https.is_some_and(|Extension(h)| h.0) || state.secure_cookies {
                    "https"
                } else {
                    "http"
                };
                let host = headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| app::api::context::plain_host(h))
                    .map_or_else(|| state.mail_host.name.clone(), str::to_string);
                format!("{scheme}://{host}")
            });
            xml(
                thunderbird(&domain, &s, &ports, &format!("{base}/personal/security")),
                "application/xml; charset=utf-8",
            )
        }
        None => not_hosted(),
    }
}

pub async fn autodiscover_handler(
    State(state): State<AppState>,
    Extension(ports): Extension<Arc<ClientPorts>>,
    body: String,
) -> Response {
    let Some(address) = requested_address(&body) else {
        return (StatusCode::BAD_REQUEST, "no EMailAddress in the request").into_response();
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return not_hosted();
    };
    match settings_for(&state, &domain.to_ascii_lowercase(), Some(local)).await {
        Some(mut s) => {
            s.address = address.clone();
            xml(autodiscover(&s, &ports), "application/xml; charset=utf-8")
        }
        None => not_hosted(),
    }
}

/// The signed-in user's profile for an iPhone or a Mac.
pub async fn mobileconfig_handler(
    State(state): State<AppState>,
    Extension(ports): Extension<Arc<ClientPorts>>,
    session: tower_sessions::Session,
) -> Response {
    let Ok(Some(a)) = app::api::context::signed_in(&state.store, &session).await else {
        return (StatusCode::UNAUTHORIZED, Json("sign in first")).into_response();
    };
    let Ok(Some(d)) = state.store.domain_of(&a).await else {
        return not_hosted();
    };
    let s = ConnectionSettings::for_user(&a.login, &d.name, &d.style);
    let name = format!("{} {}", a.first_name, a.last_name)
        .trim()
        .to_string();
    let uuid = uuid_like(&a.login, &d.name);
    let mut res = xml(
        mobileconfig(&s, &name, &ports, &uuid),
        "application/x-apple-aspen-config",
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"courrier.mobileconfig\""),
    );
    res
}

/// A stable UUID-shaped identifier for a mailbox's profile (installing it again replaces it).
fn uuid_like(login: &str, domain: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{login}@{domain}").as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

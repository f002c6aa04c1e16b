//! Settings: command line and environment first, then the TOML file, then defaults.

use crate::cli::Cli;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The TOML configuration file. Unknown keys are an error (a typo must not be ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub http: Option<String>,
    pub smtp: Option<String>,
    pub pop3: Option<String>,
    pub pop3s: Option<String>,
    /// Submission with STARTTLS (port 587) and with implicit TLS (465); "off" switches one off.
    pub submission: Option<String>,
    pub submissions: Option<String>,
    pub https: Option<String>,
    /// The name this server gives itself in SMTP greetings and trace fields.
    pub hostname: Option<String>,
    /// PEM certificate chain and key for STARTTLS; a self-signed pair is generated otherwise.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Serve the web portals with the cookie's `Secure` flag (behind a TLS proxy).
    pub secure_cookies: Option<bool>,
    /// The portals' public address (`https://mail.example.net`), for links made on the server
    /// such as the settings page's QR code; otherwise taken from the request's Host.
    pub public_url: Option<String>,
    /// The time zone the pages show times in (an IANA name); Europe/Paris when absent.
    pub timezone: Option<String>,
    #[serde(default)]
    pub smtp_limits: SmtpLimits,
    #[serde(default)]
    pub pop3_settings: Pop3Settings,
    #[serde(default)]
    pub outbound: OutboundSettings,
    #[serde(default)]
    pub client_ports: ClientPortsSettings,
    #[serde(default)]
    pub backups: BackupFileSettings,
    #[serde(default)]
    pub dns: DnsSettings,
    #[serde(default)]
    pub auth: AuthSettings,
    #[serde(default)]
    pub web_limits: WebLimitsSettings,
    #[serde(default)]
    pub antivirus: AntivirusSettings,
    #[serde(default)]
    pub antispam: AntispamSettings,
    #[serde(default)]
    pub filter: FilterSettings,
    #[serde(default)]
    pub mta_sts: MtaStsSettings,
    #[serde(default)]
    pub security: SecuritySettings,
    #[serde(default)]
    pub delivery: DeliverySettings,
    #[serde(default)]
    pub acme: AcmeSettings,
    #[serde(default)]
    pub import: ImportSettings,
    #[serde(default)]
    pub proxy: ProxySettings,
    #[serde(default)]
    pub housekeeping: HousekeepingSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// `[metrics]`: `GET /metrics` in the Prometheus text format, off unless `enabled`, and then
/// only for the `allow`ed client addresses (loopback when none are named).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    pub enabled: Option<bool>,
    #[serde(default)]
    pub allow: Vec<String>,
}

impl MetricsSettings {
    pub fn access(&self) -> Result<crate::http::MetricsAccess> {
        if self.enabled != Some(true) {
            if !self.allow.is_empty() {
                bail!("[metrics] allow is set but enabled is not true");
            }
            return Ok(None);
        }
        let named: Vec<String> = if self.allow.is_empty() {
            vec!["127.0.0.0/8".into(), "::1/128".into()]
        } else {
            self.allow.clone()
        };
        let allow = named
            .iter()
            .map(|n| {
                app::domain::network::Network::parse(n)
                    .map_err(|e| anyhow::anyhow!("[metrics] allow: {e}"))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(std::sync::Arc::new(allow)))
    }
}

/// `[housekeeping]`: expired sessions and old history removed, on one instance at a time.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HousekeepingSettings {
    /// Seconds between two rounds across all instances (default 3600).
    pub every_secs: Option<u64>,
}

impl HousekeepingSettings {
    pub fn every(&self) -> Result<std::time::Duration> {
        match self.every_secs {
            Some(0) => bail!("[housekeeping] every_secs: at least 1"),
            s => Ok(std::time::Duration::from_secs(s.unwrap_or(3600))),
        }
    }
}

/// `[proxy]`: the load balancers in front (issue 18). From their addresses only, the mail
/// listeners require a PROXY header (v1 or v2) naming the client, and the web takes the
/// client from `X-Forwarded-For` / `Forwarded`; from any other address those are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    /// Addresses or CIDR blocks of the balancers.
    #[serde(default)]
    pub trusted: Vec<String>,
}

impl ProxySettings {
    pub fn trusted(&self) -> Result<Vec<app::domain::network::Network>> {
        self.trusted
            .iter()
            .map(|p| {
                app::domain::network::Network::parse(p)
                    .map_err(|e| anyhow::anyhow!("[proxy] trusted: {e}"))
            })
            .collect()
    }
}

/// `[import]`: bringing the mail of the previous host (issue 17). The old servers'
/// certificates are checked against the system's roots and `[outbound] ca_file`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSettings {
    /// A pause after each message, to be gentle with the old server (default 0).
    pub pause_ms: Option<u64>,
    /// Seconds before another process takes over the job of one that died (default 60).
    pub lease_secs: Option<u64>,
    /// How often waiting imports are looked for (default 2000 ms).
    pub poll_ms: Option<u64>,
    /// Seconds an old server has to answer each command (default 60).
    pub timeout_secs: Option<u64>,
}

impl ImportSettings {
    /// The import's settings, with the trusted roots and the largest message taken.
    pub fn config(
        &self,
        outbound: &OutboundSettings,
        max_message: usize,
    ) -> Result<crate::import::ImportConfig> {
        use std::time::Duration;
        let tls = crate::outbound::mta_sts::verifying_tls(outbound.ca_file.as_deref())?;
        Ok(crate::import::ImportConfig {
            tls: std::sync::Arc::new(tls),
            deadline: Duration::from_secs(self.timeout_secs.unwrap_or(60).max(1)),
            lease: Duration::from_secs(self.lease_secs.unwrap_or(60).max(2)),
            poll: Duration::from_millis(self.poll_ms.unwrap_or(2000).max(50)),
            pause: Duration::from_millis(self.pause_ms.unwrap_or(0)),
            max_message: max_message as u64,
        })
    }
}

/// `[acme]`: certificates by ACME (RFC 8555) for the host's name and the hosted domains'
/// `mail.`, `autoconfig.` and `mta-sts.` names that point at this server.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcmeSettings {
    /// On or off (default off: the configured or self-signed pair).
    pub enabled: Option<bool>,
    /// The CA's directory (default Let's Encrypt's).
    pub directory: Option<String>,
    /// Addresses the CA may write to about the certificates.
    #[serde(default)]
    pub contact: Vec<String>,
    /// The root to trust for the directory's HTTPS instead of the system's (a test CA).
    pub ca_file: Option<PathBuf>,
    /// Seconds between two looks at the certificates (default 3600).
    pub check_secs: Option<u64>,
}

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

impl AcmeSettings {
    /// The task's settings, when ACME is on.
    pub fn config(
        &self,
        hostname: &str,
        addresses: Vec<String>,
    ) -> Option<crate::acme::AcmeConfig> {
        if self.enabled != Some(true) {
            return None;
        }
        Some(crate::acme::AcmeConfig {
            directory: self
                .directory
                .clone()
                .unwrap_or_else(|| LETS_ENCRYPT.into()),
            contact: self
                .contact
                .iter()
                .map(|c| {
                    if c.starts_with("mailto:") {
                        c.clone()
                    } else {
                        format!("mailto:{c}")
                    }
                })
                .collect(),
            ca_file: self.ca_file.clone(),
            check: std::time::Duration::from_secs(self.check_secs.unwrap_or(3600).max(1)),
            hostname: hostname.to_string(),
            addresses,
        })
    }
}

/// `[mta_sts]`: the policy served to other servers for every hosted domain (RFC 8461).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MtaStsSettings {
    /// "testing" (the default: other servers only report) or "enforce" (they deliver only
    /// with verified TLS: set it once the host's certificates are ones they trust).
    pub mode: Option<String>,
}

impl MtaStsSettings {
    /// Whether the policy enforces.
    pub fn enforce(&self) -> Result<bool> {
        match self.mode.as_deref() {
            None | Some("testing") => Ok(false),
            Some("enforce") => Ok(true),
            Some(other) => bail!("[mta_sts] mode = {other:?}: expected \"testing\" or \"enforce\""),
        }
    }
}

/// `[delivery]`: how local addresses are read (issue 17).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// The sub-address separator: `pmartin+news@…` reaches `pmartin` ("+" when absent; ""
    /// turns sub-addressing off).
    pub subaddress_separator: Option<String>,
}

impl DeliverySettings {
    pub fn separator(&self) -> Result<Option<char>> {
        match self.subaddress_separator.as_deref() {
            None => Ok(Some(app::domain::recipient::DEFAULT_SEPARATOR)),
            Some("") => Ok(None),
            Some(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    // Never a character of logins and aliases: a name is itself first.
                    (Some(c), None) if "+=".contains(c) => Ok(Some(c)),
                    _ => bail!(
                        "[delivery] subaddress_separator = {s:?}: \"+\", \"=\", or \"\" (off)"
                    ),
                }
            }
        }
    }
}

/// `[security]`: what accounts must do to sign in (issue 16).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Roles that must sign in to the web in two steps ("webmaster", "admin", "user"): one
    /// without a second factor sets it up at their next sign-in.
    #[serde(default)]
    pub require_2fa_for: Vec<String>,
}

impl SecuritySettings {
    pub fn required_roles(&self) -> Result<Vec<app::domain::Role>> {
        self.require_2fa_for
            .iter()
            .map(|r| {
                app::domain::Role::parse(r).ok_or_else(|| {
                    anyhow::anyhow!(
                        "[security] require_2fa_for: {r:?} is not a role (\"user\", \"webmaster\" or \"admin\")"
                    )
                })
            })
            .collect()
    }
}

/// `[antivirus]`: ClamAV's clamd, asked about every message for a local mailbox.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AntivirusSettings {
    /// clamd's socket: a path (`/run/clamav/clamd.ctl`, Debian's) or `HOST:PORT`.
    pub clamd: Option<String>,
    /// Off without removing the address (on when `clamd` is given).
    pub enabled: Option<bool>,
    /// When clamd does not answer: "defer" (451, the default) or "accept" (with
    /// `X-Virus-Scan: unavailable`).
    pub on_failure: Option<crate::filter::OnFailure>,
}

/// `[antispam]`: rspamd, asked about every message for a local mailbox.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AntispamSettings {
    /// rspamd's normal worker: `http://127.0.0.1:11333`.
    pub rspamd: Option<String>,
    pub enabled: Option<bool>,
    /// When rspamd does not answer: "defer" (451, the default) or "accept".
    pub on_failure: Option<crate::filter::OnFailure>,
}

/// `[filter]`: the stage as a whole.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSettings {
    /// Seconds the checks of one message may take (they run at the same time): 20.
    pub budget_secs: Option<u64>,
    /// SPF, DKIM, DMARC and ARC on SMTP-in, with the hosted-sender rule: on unless false.
    pub sender: Option<bool>,
}

impl FileConfig {
    /// The filter stage the configuration asks for (no check configured: an empty stage).
    pub fn filter_stage(
        &self,
        hostname: &str,
        store: &app::store::Store,
        resolver: Option<&hickory_resolver::TokioResolver>,
    ) -> Result<crate::filter::Stage> {
        use crate::filter::{Check, clamav::Clamav, rspamd::Rspamd, sender::SenderCheck};
        let mut checks: Vec<std::sync::Arc<dyn Check>> = Vec::new();
        match (self.filter.sender, resolver) {
            (Some(false), _) => {}
            (_, Some(r)) => checks.push(std::sync::Arc::new(SenderCheck {
                auth: mail_auth::MessageAuthenticator(r.clone()),
                hostname: hostname.to_string(),
                store: store.clone(),
            })),
            (_, None) => tracing::warn!("no DNS resolver: SPF, DKIM and DMARC are not checked"),
        }
        let av = &self.antivirus;
        if let Some(address) = av.clamd.as_deref()
            && av.enabled != Some(false)
        {
            checks.push(std::sync::Arc::new(Clamav {
                address: crate::filter::clamav::Address::parse(address),
                on_failure: av.on_failure.unwrap_or_default(),
            }));
        }
        let spam = &self.antispam;
        if let Some(url) = spam.rspamd.as_deref()
            && spam.enabled != Some(false)
        {
            let address =
                Rspamd::address_of(url).map_err(|e| anyhow::anyhow!("[antispam] rspamd: {e}"))?;
            checks.push(std::sync::Arc::new(Rspamd {
                address,
                on_failure: spam.on_failure.unwrap_or_default(),
            }));
        }
        let budget = match self.filter.budget_secs {
            Some(0) => bail!("[filter] budget_secs: at least 1"),
            Some(n) => std::time::Duration::from_secs(n),
            None => crate::filter::DEFAULT_BUDGET,
        };
        Ok(crate::filter::Stage::new(checks, budget))
    }
}

/// `[web_limits]`: the web listener's timeout and caps (defaults in
/// `web_listener::WebLimits`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebLimitsSettings {
    /// Seconds to send a request's headers, also the longest idle keep-alive (10).
    pub header_timeout_secs: Option<u64>,
    /// Seconds a request body may pause, or a client stop reading a response (30).
    pub stall_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_connections_per_ip: Option<usize>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

impl WebLimitsSettings {
    pub fn trusted_proxies(&self) -> Result<Vec<app::domain::network::Network>> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                app::domain::network::Network::parse(p)
                    .map_err(|e| anyhow::anyhow!("[web_limits] trusted_proxies: {e}"))
            })
            .collect()
    }

    pub fn limits(&self) -> Result<crate::web_listener::WebLimits> {
        let mut l = crate::web_listener::WebLimits::default();
        if let Some(s) = self.header_timeout_secs {
            if s == 0 {
                bail!("[web_limits] header_timeout_secs must be at least 1");
            }
            l.header_timeout = std::time::Duration::from_secs(s);
        }
        if let Some(s) = self.stall_timeout_secs {
            if s == 0 {
                bail!("[web_limits] stall_timeout_secs must be at least 1");
            }
            l.stall_timeout = std::time::Duration::from_secs(s);
        }
        if let Some(n) = self.max_connections {
            l.max_connections = n.max(1);
        }
        if let Some(n) = self.max_connections_per_ip {
            l.max_connections_per_ip = n.max(1);
        }
        Ok(l)
    }
}

/// `[auth]`: the password-guessing throttle and the hashing pool (defaults in
/// `app::auth::throttle::Limits` and `app::auth::pool::PoolSize`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Failures of one address on one account before that pair is refused (10).
    pub max_failures_per_account_and_address: Option<u32>,
    /// Failures of one address (an IPv6 /64) on any accounts before it is refused (30).
    pub max_failures_per_address: Option<u32>,
    /// Minutes failures are remembered (15).
    pub window_minutes: Option<u64>,
    /// Days an address that signed in stays trusted for that account (30).
    pub trust_days: Option<u64>,
    /// The longest delay, in seconds, before a password is checked (4).
    pub max_delay_secs: Option<u64>,
    /// Threads verifying passwords at once (the number of cores).
    pub verify_threads: Option<usize>,
    /// Verifications that may wait for a thread before more are refused (16 per core).
    pub verify_queue: Option<usize>,
}

impl AuthSettings {
    pub fn limits(&self) -> Result<app::auth::throttle::Limits> {
        use std::time::Duration;
        let mut l = app::auth::throttle::Limits::default();
        let positive = |v: u64, key: &str| {
            if v == 0 {
                bail!("[auth] {key} must be at least 1");
            }
            Ok(v)
        };
        if let Some(n) = self.max_failures_per_account_and_address {
            l.per_pair = positive(n.into(), "max_failures_per_account_and_address")? as u32;
        }
        if let Some(n) = self.max_failures_per_address {
            l.per_network = positive(n.into(), "max_failures_per_address")? as u32;
        }
        if let Some(m) = self.window_minutes {
            l.window = Duration::from_secs(positive(m, "window_minutes")?.saturating_mul(60));
        }
        if let Some(d) = self.trust_days {
            l.trust = Duration::from_secs(d.saturating_mul(86_400));
        }
        if let Some(s) = self.max_delay_secs {
            l.max_delay = Duration::from_secs(s);
        }
        Ok(l)
    }

    pub fn pool(&self) -> Result<app::auth::pool::PoolSize> {
        let mut p = app::auth::pool::PoolSize::default();
        if let Some(n) = self.verify_threads {
            if n == 0 {
                bail!("[auth] verify_threads must be at least 1");
            }
            p.threads = n;
        }
        if let Some(n) = self.verify_queue {
            p.queue = n;
        }
        Ok(p)
    }
}

/// `[dns]`: the resolver to ask instead of the system's (`/etc/resolv.conf`), and the host's
/// public addresses (what the DNS pages ask to publish: A/AAAA, PTR, SPF).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSettings {
    /// `IP:PORT` of a recursive resolver.
    pub nameserver: Option<String>,
    /// The host's public IPv4 and IPv6 addresses; without them the pages use what DNS says
    /// of the host's name, and SPF names `mx`.
    #[serde(default)]
    pub addresses: Vec<String>,
}

impl DnsSettings {
    /// The public addresses, checked.
    pub fn addresses(&self) -> Result<Vec<String>> {
        self.addresses
            .iter()
            .map(|a| {
                a.trim()
                    .parse::<std::net::IpAddr>()
                    .map(|ip| ip.to_string())
                    .map_err(|_| anyhow::anyhow!("[dns] addresses: \"{a}\" is not an IP address"))
            })
            .collect()
    }

    pub fn nameserver(&self) -> Result<Option<std::net::SocketAddr>> {
        match &self.nameserver {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| anyhow::anyhow!("[dns] nameserver: \"{s}\" is not IP:PORT")),
        }
    }
}

/// `[backups]`: limits on a backup file given to restore (defaults in `app::backup::Limits`:
/// 200 MiB uploaded, 1 GiB unpacked).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupFileSettings {
    pub max_upload_mb: Option<u64>,
    /// Beyond this, once unpacked, a file is refused as a decompression bomb.
    pub max_unpacked_mb: Option<u64>,
    /// The largest message a backup may hold (a restore holds one at a time in memory).
    pub max_message_mb: Option<u64>,
}

impl BackupFileSettings {
    pub fn limits(&self) -> app::backup::Limits {
        let mut l = app::backup::Limits::default();
        if let Some(mb) = self.max_upload_mb {
            l.max_file = mb.max(1).saturating_mul(1 << 20);
        }
        if let Some(mb) = self.max_unpacked_mb {
            l.max_unpacked = mb.max(1).saturating_mul(1 << 20);
        }
        if let Some(mb) = self.max_message_mb {
            l.max_message = mb.max(1).saturating_mul(1 << 20);
        }
        l
    }
}

/// `[client_ports]`: the ports mail clients are told to use in automatic setup (the public
/// ones, when the host maps them to the listeners): pop3 (110), pop3s (995), submission (587;
/// 0 to tell clients to send through their provider, the default when submission is off).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPortsSettings {
    pub pop3: Option<u16>,
    pub pop3s: Option<u16>,
    pub submission: Option<u16>,
}

impl ClientPortsSettings {
    pub fn resolve(&self, submission_on: bool) -> crate::autoconfig::ClientPorts {
        let d = crate::autoconfig::ClientPorts::default();
        crate::autoconfig::ClientPorts {
            pop3: self.pop3.unwrap_or(d.pop3),
            pop3s: self.pop3s.unwrap_or(d.pop3s),
            submission: match self.submission {
                Some(0) => None,
                Some(p) => Some(p),
                None => d.submission.filter(|_| submission_on),
            },
        }
    }
}

/// `[outbound]` and `[outbound.routes]`: how mail leaves (forwards, replies, relay, bounces).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSettings {
    /// Send everything through this host ("host:port") instead of the recipients' MX.
    pub smarthost: Option<String>,
    /// Days a message keeps being retried before it bounces (default 5).
    pub lifetime_days: Option<u32>,
    /// Deliveries in progress to one domain at most (default 4).
    pub per_domain: Option<usize>,
    /// Seconds before the messages of a worker that died are taken by another (default 60).
    pub claim_secs: Option<u64>,
    /// Domain → "host:port", ahead of the smarthost and of DNS.
    #[serde(default)]
    pub routes: std::collections::HashMap<String, String>,
    /// Whether the MTA-STS policies of the domains mail goes to are honoured (default true).
    pub mta_sts: Option<bool>,
    /// More trusted roots (PEM) beside the system's, for MTA-STS policies and the verified
    /// TLS they ask for (a private CA).
    pub ca_file: Option<PathBuf>,
    /// The port MTA-STS policies are fetched from (443; another only for tests).
    pub policy_port: Option<u16>,
}

impl OutboundSettings {
    pub fn apply(&self, c: &mut crate::outbound::OutboundConfig) -> Result<()> {
        use crate::outbound::route::parse_hop;
        for (domain, hop) in &self.routes {
            if parse_hop(hop).is_none() {
                bail!("[outbound.routes] {domain} = {hop:?}: expected \"host:port\"");
            }
            c.routes
                .static_routes
                .insert(domain.to_ascii_lowercase(), hop.clone());
        }
        if let Some(h) = &self.smarthost {
            if parse_hop(h).is_none() {
                bail!("[outbound] smarthost = {h:?}: expected \"host:port\"");
            }
            c.routes.smarthost = Some(h.clone());
        }
        if let Some(d) = self.lifetime_days {
            c.lifetime = i64::from(d.max(1)) * 24 * 3600;
        }
        if let Some(n) = self.per_domain {
            c.per_domain = n.max(1);
        }
        if let Some(s) = self.claim_secs {
            c.lease = std::time::Duration::from_secs(s.max(3));
        }
        if self.mta_sts != Some(false) {
            c.policies = Some(std::sync::Arc::new(
                crate::outbound::mta_sts::Policies::new(
                    self.ca_file.as_deref(),
                    self.policy_port.unwrap_or(443),
                )?,
            ));
        }
        Ok(())
    }
}

/// `[pop3_settings]`: each one optional, defaults in `Pop3Config`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pop3Settings {
    /// Accept USER/PASS and AUTH PLAIN without TLS from any address (default false: only
    /// over TLS or from loopback).
    pub allow_plaintext_auth: Option<bool>,
    pub idle_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_connections_per_ip: Option<usize>,
    /// How long a maildrop stays locked after its holder died (default 60 s).
    pub lease_ttl_secs: Option<u64>,
}

impl Pop3Settings {
    pub fn apply(&self, c: &mut crate::pop3::Pop3Config) {
        use std::time::Duration;
        if let Some(v) = self.allow_plaintext_auth {
            c.allow_plaintext_auth = v;
        }
        if let Some(v) = self.idle_timeout_secs {
            c.idle_timeout = Duration::from_secs(v.max(1));
        }
        if let Some(v) = self.max_connections {
            c.max_connections = v;
        }
        if let Some(v) = self.max_connections_per_ip {
            c.max_connections_per_ip = v;
        }
        if let Some(v) = self.lease_ttl_secs {
            c.lease_ttl = Duration::from_secs(v.max(4));
        }
    }
}

/// `[smtp_limits]`: each one optional, defaults in `SmtpConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpLimits {
    /// Largest message accepted, in octets (default 25 MiB).
    pub max_message_size: Option<usize>,
    pub max_recipients: Option<usize>,
    pub max_errors: Option<u32>,
    pub idle_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_connections_per_ip: Option<usize>,
    pub shutdown_grace_secs: Option<u64>,
}

impl SmtpLimits {
    pub fn apply(&self, c: &mut crate::smtp::SmtpConfig) {
        use std::time::Duration;
        if let Some(v) = self.max_message_size {
            c.max_message_size = v;
        }
        if let Some(v) = self.max_recipients {
            c.max_recipients = v;
        }
        if let Some(v) = self.max_errors {
            c.max_errors = v;
        }
        if let Some(v) = self.idle_timeout_secs {
            c.idle_timeout = Duration::from_secs(v);
        }
        if let Some(v) = self.max_connections {
            c.max_connections = v;
        }
        if let Some(v) = self.max_connections_per_ip {
            c.max_connections_per_ip = v;
        }
        if let Some(v) = self.shutdown_grace_secs {
            c.shutdown_grace = Duration::from_secs(v);
        }
    }
}

#[derive(Debug)]
pub struct Settings {
    pub data: PathBuf,
    pub database_url: String,
    pub file: FileConfig,
}

pub const DEFAULT_HTTP: &str = "127.0.0.1:3000";
pub const DEFAULT_SMTP: &str = "127.0.0.1:2525";
pub const DEFAULT_POP3: &str = "127.0.0.1:1110";
pub const DEFAULT_POP3S: &str = "127.0.0.1:1995";
pub const DEFAULT_SUBMISSION: &str = "127.0.0.1:1587";
pub const DEFAULT_SUBMISSIONS: &str = "127.0.0.1:1465";
/// A listening address of "off" switches that listener off.
pub const OFF: &str = "off";
/// The `https` listener is off unless configured.
pub const DEFAULT_HTTPS: &str = OFF;

impl Settings {
    pub fn resolve(cli: &Cli) -> Result<Settings> {
        let mut file = match &cli.config {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        // An empty environment variable counts as unset.
        let data = cli
            .data
            .clone()
            .filter(|d| !d.as_os_str().is_empty())
            .or(file.data.take())
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match cli
            .database_url
            .clone()
            .filter(|u| !u.is_empty())
            .or(file.database_url.take())
        {
            Some(url) => url,
            None => app::store::sqlite_url_for(&data),
        };
        app::store::connect::engine_of(&database_url).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Settings {
            data,
            database_url,
            file,
        })
    }

    /// A listening address: flag or environment, else the file, else the default.
    pub fn listen(&self, flag: Option<&str>, file: Option<&str>, default: &str) -> String {
        flag.filter(|f| !f.is_empty())
            .or(file)
            .unwrap_or(default)
            .to_string()
    }

    /// Each listener's name and address as `serve` takes it (the flag, else the file, else
    /// the default; "off" for none): http, smtp, pop3, pop3s, submission, submissions, https.
    pub fn listeners(&self, args: &crate::cli::ServeArgs) -> [(&'static str, String); 7] {
        let f = &self.file;
        [
            (
                "http",
                args.http.as_deref(),
                f.http.as_deref(),
                DEFAULT_HTTP,
            ),
            (
                "smtp",
                args.smtp.as_deref(),
                f.smtp.as_deref(),
                DEFAULT_SMTP,
            ),
            (
                "pop3",
                args.pop3.as_deref(),
                f.pop3.as_deref(),
                DEFAULT_POP3,
            ),
            (
                "pop3s",
                args.pop3s.as_deref(),
                f.pop3s.as_deref(),
                DEFAULT_POP3S,
            ),
            (
                "submission",
                args.submission.as_deref(),
                f.submission.as_deref(),
                DEFAULT_SUBMISSION,
            ),
            (
                "submissions",
                args.submissions.as_deref(),
                f.submissions.as_deref(),
                DEFAULT_SUBMISSIONS,
            ),
            (
                "https",
                args.https.as_deref(),
                f.https.as_deref(),
                DEFAULT_HTTPS,
            ),
        ]
        .map(|(name, flag, file, default)| (name, self.listen(flag, file, default)))
    }

    /// The configured host name, else the system's, else "localhost".
    pub fn hostname(&self) -> String {
        self.file
            .hostname
            .clone()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into())
    }
}

fn load_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    match toml::from_str(&text) {
        Ok(c) => Ok(c),
        Err(e) => bail!("{}: {}", path.display(), e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<FileConfig>("htp = '1'").unwrap_err();
        assert!(e.message().contains("unknown field"));
        let c: FileConfig =
            toml::from_str("http = '0.0.0.0:80'\nsmtp = '0.0.0.0:25'\ndata = '/var/lib/courrier'")
                .unwrap();
        assert_eq!(c.http.as_deref(), Some("0.0.0.0:80"));
        assert_eq!(c.smtp.as_deref(), Some("0.0.0.0:25"));
    }
}

//! What every request handler and server function can reach (server side only).

use crate::store::Store;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The password check shared by every door (throttle and auth cache).
    pub gate: Arc<crate::auth::check::Gate>,
    pub leptos_options: LeptosOptions,
    /// The stylesheet's address, named by its content hash (`/pkg/courrier.<hash>.css`).
    pub stylesheet: String,
    /// Whether the web portal is served over TLS (sets the cookie's `Secure` flag).
    pub secure_cookies: bool,
    /// The portals' public address when configured (links made on the server use it).
    pub public_url: Option<String>,
    /// Limits on backup files given to restore.
    pub backup_limits: crate::backup::Limits,
    /// The ports mail clients are told to use.
    pub client_ports: crate::model::ClientPorts,
    /// DNS lookups for the help page.
    pub dns: Arc<dyn DnsLookup>,
    /// The domains' DKIM keys, made by the server (which holds the cryptography).
    pub signing: Arc<dyn Signing>,
    /// The host as DNS should know it (the DNS pages).
    pub mail_host: MailHost,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`[web_limits]`).
    pub trusted_proxies: Arc<Vec<crate::domain::network::Network>>,
    /// Roles that must sign in to the web in two steps (`[security] require_2fa_for`).
    pub require_2fa_for: Vec<crate::domain::Role>,
    /// Looks at old mailboxes for the import (the server holds the POP3 client).
    pub importer: Arc<dyn Importer>,
    /// The mail listeners, for `/healthz` (a balancer takes an instance out when one is down).
    pub listeners: Arc<Vec<Listener>>,
}

/// Whether this request reached the site over HTTPS: the portal's own TLS, `secure_cookies`
/// (a TLS proxy in front), or a trusted balancer's `X-Forwarded-Proto: https` (or `Forwarded:
/// proto=https`). Put on every request by the web's outermost layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Https(pub bool);

/// A listener as `/healthz` reports it: its name and whether its accept loop still runs.
#[derive(Debug)]
pub struct Listener {
    pub name: String,
    pub up: Arc<std::sync::atomic::AtomicBool>,
}

/// A look at an old mailbox before importing it (issue 17), made on the server's side.
#[async_trait::async_trait]
pub trait Importer: Send + Sync + std::fmt::Debug {
    /// Signs in to the old mailbox of `source` for the account `account_id`, counts what it
    /// holds and signs out (nothing changed there). Throttled per account: the old server
    /// must not become a target for guessing through this one.
    async fn survey(
        &self,
        account_id: i64,
        source: &crate::domain::import::Source,
        login: &str,
        password: &str,
    ) -> Result<crate::domain::import::Survey, crate::domain::import::ImportProblem>;
}

/// What the help page learns from DNS about a domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsRecords {
    /// MX hosts, best first.
    pub mx: Vec<String>,
    /// Addresses (A and AAAA) of the domain itself and of its mail host.
    pub domain_addresses: Vec<String>,
    pub host_addresses: Vec<String>,
}

/// DNS lookups, by the server's resolver (the app crate has none of its own).
#[async_trait::async_trait]
pub trait DnsLookup: Send + Sync + std::fmt::Debug {
    /// The MX records and addresses of `domain`, and the addresses of `host` (its POP3
    /// server); Err (in words) when DNS cannot be reached.
    async fn mail_records(&self, domain: &str, host: &str) -> Result<DnsRecords, String>;

    /// The records of one type at `name`, in the forms `domain::dns_plan::normalize` gives;
    /// empty when there are none (or the name does not exist); Err (in words) when DNS
    /// cannot answer.
    async fn records(
        &self,
        name: &str,
        kind: crate::domain::dns_plan::Kind,
    ) -> Result<Vec<String>, String>;
}

/// The DKIM keys of the hosted domains (issue 15), made on the server's side.
#[async_trait::async_trait]
pub trait Signing: Send + Sync + std::fmt::Debug {
    /// Every key of `domain_id` (None: the host's own), retired ones too; a pair is made now
    /// if it has none in service. Err (in words) when they cannot be read or made.
    async fn dkim_keys(
        &self,
        domain_id: Option<i64>,
    ) -> Result<Vec<crate::store::entities::dkim_key::Model>, String>;
}

/// The host's name (its SMTP greeting and MX target) and its public addresses when
/// configured (`[dns] addresses`).
#[derive(Clone, Debug, Default)]
pub struct MailHost {
    pub name: String,
    pub addresses: Vec<String>,
    /// The MTA-STS policy served enforces (`[mta_sts] mode = "enforce"`).
    pub mta_sts_enforce: bool,
    /// Certificates come by ACME (`[acme] enabled`).
    pub acme: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

/// The Content-Security-Policy nonce of one response, put in the request's extensions by the
/// server's security middleware and read by the page shell.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

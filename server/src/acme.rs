//! Certificates by ACME (RFC 8555, issue 15) with `instant-acme`: for the host's name, and
//! for each hosted domain its `mail.`, `autoconfig.` and `mta-sts.` names that point at this
//! server, by HTTP-01 on the web listener (`/.well-known/acme-challenge/TOKEN`, answered from
//! the database so any process behind a load balancer can answer); renewed when a third of
//! its life or 30 days are left, whichever comes first; installed in the running TLS
//! (`certs::Certs`) for STARTTLS, submission, POP3S and `https` without a restart. Kept in
//! the database, so a restart (or another process) does not ask again.

use crate::certs::{Certs, certified};
use app::store::Store;
use app::store::certificates::Issued;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// `[acme]` as the task needs it.
#[derive(Clone, Debug)]
pub struct AcmeConfig {
    pub directory: String,
    /// `mailto:` addresses given to the CA.
    pub contact: Vec<String>,
    /// Trusted root for the directory's HTTPS (a test CA such as pebble's), instead of the
    /// system's.
    pub ca_file: Option<std::path::PathBuf>,
    /// How often certificates are looked at.
    pub check: Duration,
    /// The host's name and public addresses (names that point elsewhere are left out).
    pub hostname: String,
    pub addresses: Vec<String>,
}

/// A group of names with one certificate: `host`, or a hosted domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub label: String,
    pub names: Vec<String>,
}

/// The most a certificate is given before renewal: 30 days (RFC 8555 leaves it to the
/// client; Let's Encrypt's certificates last 90).
const RENEW_BEFORE: i64 = 30 * 86_400;

/// Whether a certificate from `issued` to `not_after` is due for renewal at `now`: a third of
/// its life left, or 30 days, whichever comes first.
pub fn due(issued: i64, not_after: i64, now: i64) -> bool {
    let life = (not_after - issued).max(0);
    let margin = RENEW_BEFORE.min(life / 3);
    now >= not_after - margin
}

/// `GET /.well-known/acme-challenge/TOKEN` (RFC 8555 §8.3): the key authorization of a
/// challenge being answered, from the database (any process may be asked).
pub async fn challenge(
    axum::extract::State(state): axum::extract::State<app::state::AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.store.acme_challenge(&token).await {
        Ok(Some(answer)) => (
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            answer,
        )
            .into_response(),
        Ok(None) => (axum::http::StatusCode::NOT_FOUND, "no such challenge").into_response(),
        Err(e) => {
            tracing::error!("ACME challenge: {e}");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "try again shortly",
            )
                .into_response()
        }
    }
}

/// The certificates' task: at start the kept ones are installed, then every `check` the
/// missing or due ones are asked for.
pub async fn run(
    store: Store,
    holder: String,
    certs: Arc<Certs>,
    config: AcmeConfig,
    resolver: Option<Arc<hickory_resolver::TokioResolver>>,
    mut shutdown: watch::Receiver<bool>,
) {
    install_kept(&store, &certs).await;
    let mut account = None;
    loop {
        // One instance at a time speaks to the CA (issue 18); the others serve what it keeps.
        if crate::jobs::my_turn(&store, "acme", &holder, config.check).await {
            if let Err(e) = round(&store, &certs, &config, resolver.as_deref(), &mut account).await
            {
                tracing::warn!("ACME: {e}");
            }
        } else {
            install_kept(&store, &certs).await;
        }
        tokio::select! {
            _ = tokio::time::sleep(config.check) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// The certificates kept in the database, into the running TLS.
pub async fn install_kept(store: &Store, certs: &Certs) {
    match store.certificates().await {
        Ok(list) => {
            for c in list {
                if let (Some(cert), Some(key)) = (&c.cert_pem, &c.key_pem) {
                    match certified(cert, key) {
                        Ok(k) => certs.install(&names_of(&c.names), k),
                        Err(e) => tracing::warn!(label = %c.label, "kept certificate: {e}"),
                    }
                }
            }
        }
        Err(e) => tracing::warn!("certificates: {e}"),
    }
}

fn names_of(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect()
}

/// One look at every group: what is missing, due, or for other names is asked for.
async fn round(
    store: &Store,
    certs: &Certs,
    config: &AcmeConfig,
    resolver: Option<&hickory_resolver::TokioResolver>,
    account: &mut Option<Account>,
) -> Result<(), String> {
    let wanted = groups(store, config, resolver).await?;
    let kept = store.certificates().await.map_err(|e| e.to_string())?;
    let now = app::store::now();
    for g in &wanted {
        let current = kept.iter().find(|c| c.label == g.label);
        let fresh = current.is_some_and(|c| {
            names_of(&c.names) == g.names
                && c.cert_pem.is_some()
                && match (c.issued_at, c.not_after) {
                    (Some(i), Some(n)) => !due(i, n, now),
                    _ => false,
                }
        });
        if fresh {
            // Perhaps renewed by another process on this database: serve what is kept.
            if let Some(c) = current
                && let (Some(cert), Some(key)) = (&c.cert_pem, &c.key_pem)
                && let Ok(k) = certified(cert, key)
            {
                certs.install(&g.names, k);
            }
            continue;
        }
        // A group that failed lately waits a while before it is tried again (the CA's rate
        // limits), unless its names changed.
        if let Some(c) = current
            && c.last_error.is_some()
            && names_of(&c.names) == g.names
            && c.last_attempt_at
                .is_some_and(|t| now - t < retry_wait(config.check))
        {
            continue;
        }
        if account.is_none() {
            *account = Some(account_for(store, config).await?);
        }
        let Some(acct) = account.as_ref() else {
            continue;
        };
        match issue(store, acct, &g.names).await {
            Ok(issued) => {
                let key =
                    certified(&issued.cert_pem, &issued.key_pem).map_err(|e| e.to_string())?;
                store
                    .keep_certificate(&g.label, &issued, app::store::now())
                    .await
                    .map_err(|e| e.to_string())?;
                certs.install(&g.names, key);
                tracing::info!(label = %g.label, names = ?g.names, not_after = issued.not_after, "certificate obtained");
            }
            Err(e) => {
                tracing::warn!(label = %g.label, names = ?g.names, "certificate not obtained: {e}");
                store
                    .certificate_failed(&g.label, &g.names, &e, app::store::now())
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let labels: Vec<String> = wanted.iter().map(|g| g.label.clone()).collect();
    store
        .drop_certificates_except(&labels)
        .await
        .map_err(|e| e.to_string())
}

/// How long a failed group waits: an hour, or ten checks when they are frequent (tests).
fn retry_wait(check: Duration) -> i64 {
    (check.as_secs() as i64 * 10).min(3600)
}

/// The groups of names wanted now: the host's name, and each hosted domain's names that
/// point at this server.
pub async fn groups(
    store: &Store,
    config: &AcmeConfig,
    resolver: Option<&hickory_resolver::TokioResolver>,
) -> Result<Vec<Group>, String> {
    let mut out = vec![Group {
        label: "host".into(),
        names: vec![config.hostname.to_ascii_lowercase()],
    }];
    // Ours: the configured addresses, else what DNS says of the host's name.
    let ours = if config.addresses.is_empty() {
        match resolver {
            Some(r) => r
                .lookup_ip(format!("{}.", config.hostname))
                .await
                .map(|ips| ips.iter().map(|ip| ip.to_string()).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    } else {
        config.addresses.clone()
    };
    let domains = store.list_domains().await.map_err(|e| e.to_string())?;
    for d in domains {
        let mut names = Vec::new();
        for prefix in ["mail", "autoconfig", "mta-sts"] {
            let name = format!("{prefix}.{}", d.name);
            if points_here(resolver, &name, &ours).await {
                names.push(name);
            }
        }
        if !names.is_empty() {
            out.push(Group {
                label: d.name.clone(),
                names,
            });
        }
        // Its other names (domain aliases) serve only their MTA-STS policy.
        for alias in &d.aliases {
            let name = format!("mta-sts.{alias}");
            if points_here(resolver, &name, &ours).await {
                out.push(Group {
                    label: alias.clone(),
                    names: vec![name],
                });
            }
        }
    }
    Ok(out)
}

/// Whether every address of `name` is one of ours (a name that points elsewhere would fail
/// its challenge and hold back the others).
async fn points_here(
    resolver: Option<&hickory_resolver::TokioResolver>,
    name: &str,
    ours: &[String],
) -> bool {
    let Some(r) = resolver else { return false };
    match r.lookup_ip(format!("{name}.")).await {
        Ok(ips) => {
            let found: Vec<String> = ips.iter().map(|ip| ip.to_string()).collect();
            !found.is_empty() && found.iter().all(|a| ours.contains(a))
        }
        Err(_) => false,
    }
}

/// The ACME account: kept in the database (one per directory), or made now.
async fn account_for(store: &Store, config: &AcmeConfig) -> Result<Account, String> {
    let builder = || match &config.ca_file {
        Some(path) => Account::builder_with_root(path),
        None => Account::builder(),
    };
    if let Some(kept) = store
        .acme_account(&config.directory)
        .await
        .map_err(|e| e.to_string())?
    {
        let credentials: AccountCredentials =
            serde_json::from_str(&kept).map_err(|e| e.to_string())?;
        return builder()
            .map_err(|e| e.to_string())?
            .from_credentials(credentials)
            .await
            .map_err(|e| e.to_string());
    }
    let contact: Vec<&str> = config.contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder()
        .map_err(|e| e.to_string())?
        .create(
            &NewAccount {
                contact: &contact,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            config.directory.clone(),
            None,
        )
        .await
        .map_err(|e| e.to_string())?;
    store
        .keep_acme_account(
            &config.directory,
            &serde_json::to_string(&credentials).map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(directory = %config.directory, "ACME account created");
    Ok(account)
}

/// One order for `names`, answered by HTTP-01.
async fn issue(store: &Store, account: &Account, names: &[String]) -> Result<Issued, String> {
    let identifiers: Vec<Identifier> = names.iter().map(|n| Identifier::Dns(n.clone())).collect();
    let mut order = account
        .new_order(&NewOrder::new(&identifiers))
        .await
        .map_err(|e| e.to_string())?;
    let mut tokens = Vec::new();
    let mut authorizations = order.authorizations();
    let mut outcome = Ok(());
    while let Some(result) = authorizations.next().await {
        let mut authz = match result {
            Ok(a) => a,
            Err(e) => {
                outcome = Err(e.to_string());
                break;
            }
        };
        if authz.status == AuthorizationStatus::Valid {
            continue;
        }
        let Some(mut challenge) = authz.challenge(ChallengeType::Http01) else {
            outcome = Err("the CA offers no HTTP-01 challenge".into());
            break;
        };
        let token = challenge.token.clone();
        let answer = challenge.key_authorization().as_str().to_string();
        if let Err(e) = store.add_acme_challenge(&token, &answer).await {
            outcome = Err(e.to_string());
            break;
        }
        tokens.push(token);
        if let Err(e) = challenge.set_ready().await {
            outcome = Err(e.to_string());
            break;
        }
    }
    let result = match outcome {
        Ok(()) => finish(&mut order, names).await,
        Err(e) => Err(e),
    };
    for t in tokens {
        let _ = store.remove_acme_challenge(&t).await;
    }
    result
}

/// Waits for the order, sends the request, fetches the certificate.
async fn finish(order: &mut instant_acme::Order, names: &[String]) -> Result<Issued, String> {
    let retries = RetryPolicy::default().timeout(Duration::from_secs(90));
    let status = order
        .poll_ready(&retries)
        .await
        .map_err(|e| e.to_string())?;
    if status != OrderStatus::Ready {
        return Err(format!("the order is {status:?}"));
    }
    let key_pem = order.finalize().await.map_err(|e| e.to_string())?;
    let cert_pem = order
        .poll_certificate(&retries)
        .await
        .map_err(|e| e.to_string())?;
    let not_after = not_after(&cert_pem).ok_or("cannot read the certificate's expiry")?;
    Ok(Issued {
        names: names.to_vec(),
        cert_pem,
        key_pem,
        not_after,
    })
}

/// The first certificate's notAfter (RFC 5280 §4.1.2.5), as a Unix time.
pub fn not_after(pem: &str) -> Option<i64> {
    use tokio_rustls::rustls::pki_types::{CertificateDer, pem::PemObject};
    let der = CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()?
        .ok()?;
    let (_, cert) = der_item(&der, 0x30)?; // Certificate
    let (_, tbs) = der_item(cert, 0x30)?; // TBSCertificate
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = der_skip(rest)?; // [0] version
    }
    rest = der_skip(rest)?; // serialNumber
    rest = der_skip(rest)?; // signature
    rest = der_skip(rest)?; // issuer
    let (_, validity) = der_item(rest, 0x30)?;
    let after = der_skip(validity)?; // notBefore
    let tag = *after.first()?;
    let (_, time) = der_item(after, tag)?;
    let text = std::str::from_utf8(time).ok()?;
    let full = match tag {
        0x17 => {
            // UTCTime: YY < 50 is 20YY (§4.1.2.5.1).
            let yy: i64 = text.get(..2)?.parse().ok()?;
            let century = if yy < 50 { "20" } else { "19" };
            format!("{century}{text}")
        }
        0x18 => text.to_string(),
        _ => return None,
    };
    let n = |r: std::ops::Range<usize>| full.get(r).and_then(|s| s.parse::<i64>().ok());
    let days = days_from_civil(n(0..4)?, n(4..6)?, n(6..8)?);
    Some(days * 86_400 + n(8..10)? * 3600 + n(10..12)? * 60 + n(12..14)?)
}

/// A DER item of `tag` at the start of `data`: (what follows it, its content).
fn der_item(data: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *data.first()? != tag {
        return None;
    }
    let first = *data.get(1)? as usize;
    let (len, start) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let content = data.get(start..start + len)?;
    Some((&data[start + len..], content))
}

/// `data` after its first DER item.
fn der_skip(data: &[u8]) -> Option<&[u8]> {
    der_item(data, *data.first()?).map(|(rest, _)| rest)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_comes_at_thirty_days_or_a_third_of_the_life() {
        let day = 86_400;
        // Let's Encrypt's 90 days: renewed from day 60.
        assert!(!due(0, 90 * day, 59 * day));
        assert!(due(0, 90 * day, 60 * day));
        // A year: 30 days before.
        assert!(!due(0, 365 * day, 334 * day));
        assert!(due(0, 365 * day, 335 * day));
        // A minute (tests): after 40 seconds.
        assert!(!due(0, 60, 39));
        assert!(due(0, 60, 40));
    }

    #[test]
    fn the_expiry_is_read_from_the_certificate() {
        let mut params =
            rcgen::CertificateParams::new(vec!["mail.votredomaine.com".into()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2027, 3, 1);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(
            not_after(&cert.pem()),
            Some(1_803_859_200),
            "2027-03-01T00:00:00Z"
        );
        params.not_after = rcgen::date_time_ymd(2051, 1, 1);
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(
            not_after(&cert.pem()),
            Some(2_556_144_000),
            "GeneralizedTime after 2049"
        );
        assert_eq!(not_after("not a certificate"), None);
    }
}

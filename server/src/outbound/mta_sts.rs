//! MTA-STS when sending (RFC 8461 §5): the recipient domain's `_mta-sts` TXT record through
//! the configured resolver, its policy fetched over HTTPS with a verified certificate and no
//! redirect (§3.3), kept by id for its `max_age` in the database (§5.1: an unchanged id is not
//! fetched again, and a policy still valid stays in force even if the TXT record disappears,
//! across restarts too — so that an attacker who strips it gains nothing). What the policy
//! asks of a hop is the pure rule `app::domain::mta_sts::requirement`.

use super::route::{Hop, addresses};
use app::domain::mta_sts::{Policy, parse};
use app::store::Store;
use hickory_resolver::TokioResolver;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

/// The largest policy file read (§3.3: senders may refuse larger than 64 KiB).
const MAX_POLICY: usize = 64 * 1024;
/// A fetch is given this long (§3.3 suggests a short timeout).
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// How the policies of the domains mail goes to are fetched, and the TLS that verifies.
#[derive(Debug)]
pub struct Policies {
    /// Verifying client TLS: the system's roots and `[outbound] ca_file`.
    pub tls: Arc<rustls::ClientConfig>,
    /// Where policies are fetched (443; `[outbound] policy_port` for tests).
    pub port: u16,
}

impl Policies {
    pub fn new(extra_ca: Option<&std::path::Path>, port: u16) -> anyhow::Result<Policies> {
        Ok(Policies {
            tls: Arc::new(verifying_tls(extra_ca)?),
            port,
        })
    }

    /// The policy in force for `domain`, if any. Failures to look up or fetch are logged
    /// and count as no (new) policy: opportunistic TLS stays the default.
    pub async fn of(
        &self,
        store: &Store,
        resolver: Option<&TokioResolver>,
        domain: &str,
    ) -> Option<Policy> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let now = app::store::now();
        let kept = match store.mta_sts_policy(&domain, now).await {
            Ok(k) => k.and_then(|k| parse(&k.policy).ok().map(|p| (k.policy_id, p))),
            Err(e) => {
                tracing::warn!(%domain, "MTA-STS policy kept: {e}");
                None
            }
        };
        let id = match record_id(resolver?, &domain).await {
            Ok(Some(id)) => id,
            // §5.1: no record (or no answer) — a policy still valid stays in force.
            Ok(None) => return kept.map(|k| k.1),
            Err(e) => {
                tracing::warn!(%domain, "MTA-STS record: {e}");
                return kept.map(|k| k.1);
            }
        };
        if let Some((kept_id, policy)) = &kept
            && *kept_id == id
        {
            return Some(policy.clone());
        }
        match self.fetch(resolver, &domain).await {
            Ok((text, policy)) => {
                let row = app::store::entities::mta_sts_policy::Model {
                    domain: domain.clone(),
                    policy_id: id,
                    policy: text,
                    fetched_at: now,
                    expires_at: now + policy.max_age as i64,
                };
                if let Err(e) = store.keep_mta_sts_policy(row).await {
                    tracing::warn!(%domain, "MTA-STS policy not kept: {e}");
                }
                Some(policy)
            }
            Err(e) => {
                tracing::warn!(%domain, "MTA-STS policy not fetched: {e}");
                kept.map(|k| k.1)
            }
        }
    }

    /// `GET https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (§3.3).
    async fn fetch(
        &self,
        resolver: Option<&TokioResolver>,
        domain: &str,
    ) -> Result<(String, Policy), String> {
        let host = format!("mta-sts.{domain}");
        let hop = Hop {
            host: host.clone(),
            port: self.port,
        };
        let work = async {
            let address = addresses(resolver, &hop)
                .await?
                .into_iter()
                .next()
                .ok_or("no address")?;
            let tcp = match address {
                Some(a) => tokio::net::TcpStream::connect(a).await,
                None => tokio::net::TcpStream::connect((host.as_str(), self.port)).await,
            }
            .map_err(|e| e.to_string())?;
            let name =
                rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
            let mut tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            let request = format!(
                "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nAccept: text/plain\r\nConnection: close\r\nUser-Agent: courrier\r\n\r\n"
            );
            tls.write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let mut response = Vec::new();
            match (&mut tls)
                .take((MAX_POLICY + 16 * 1024) as u64)
                .read_to_end(&mut response)
                .await
            {
                Ok(_) => {}
                // Many servers close without TLS's close_notify; the HTTP framing (length
                // or chunks) says whether the answer is whole.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
                Err(e) => return Err(e.to_string()),
            }
            let body = http_body(&response)?;
            parse(&body).map(|p| (body, p))
        };
        tokio::time::timeout(FETCH_TIMEOUT, work)
            .await
            .unwrap_or_else(|_| Err("no answer in time".into()))
    }
}

/// The id of `_mta-sts.DOMAIN` (`v=STSv1; id=…`, §3.1); None when there is no such record.
async fn record_id(resolver: &TokioResolver, domain: &str) -> Result<Option<String>, String> {
    let found = match resolver.txt_lookup(format!("_mta-sts.{domain}.")).await {
        Ok(f) => f,
        Err(e) if e.is_no_records_found() => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let records: Vec<String> = found
        .iter()
        .map(|t| {
            t.txt_data()
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect::<String>()
        })
        .filter(|t| t.trim_start().starts_with("v=STSv1"))
        .collect();
    // §3.1: more than one record is as none.
    let [record] = records.as_slice() else {
        return Ok(None);
    };
    Ok(record
        .split(';')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim() == "id")
        .map(|(_, v)| v.trim().to_string())
        .filter(|id| !id.is_empty()))
}

/// The body of an HTTP/1.1 response: 200 only (§3.3: no redirects), `text/plain`, chunked
/// or not.
fn http_body(response: &[u8]) -> Result<String, String> {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP answer")?;
    let head = String::from_utf8_lossy(&response[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("HTTP answer {status:?}"));
    }
    let mut chunked = false;
    let mut plain = false;
    let mut length = None;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
        if k == "transfer-encoding" && v.contains("chunked") {
            chunked = true;
        }
        if k == "content-type" && v.starts_with("text/plain") {
            plain = true;
        }
        if k == "content-length" {
            length = v.parse::<usize>().ok();
        }
    }
    if !plain {
        return Err("not text/plain".into());
    }
    let mut body = response[end + 4..].to_vec();
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(n) = length {
        if body.len() < n {
            return Err("policy cut short".into());
        }
        body.truncate(n);
    }
    if body.len() > MAX_POLICY {
        return Err("policy larger than 64 KiB".into());
    }
    String::from_utf8(body).map_err(|_| "policy not UTF-8".into())
}

/// Chunked transfer coding (RFC 9112 §7.1).
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "bad chunk size")?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 || out.len() + size > MAX_POLICY {
            return Err("bad chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Client TLS that verifies: the system's trusted roots, and those of `extra` (PEM).
pub(crate) fn verifying_tls(
    extra: Option<&std::path::Path>,
) -> anyhow::Result<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!("system certificates: {e}");
    }
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| anyhow::anyhow!("[outbound] ca_file {}: {e}", path.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("[outbound] ca_file {}: {e}", path.display()))?;
        if certs.is_empty() {
            anyhow::bail!(
                "[outbound] ca_file {}: no certificate in it",
                path.display()
            );
        }
        roots.add_parsable_certificates(certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_plain_or_chunked_and_only_when_200() {
        let plain =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nversion: STSv1\r\n";
        assert_eq!(http_body(plain).unwrap(), "version: STSv1\r\n");
        let chunked = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nversion\r\n9\r\n: STSv1\r\n\r\n0\r\n\r\n";
        assert_eq!(http_body(chunked).unwrap(), "version: STSv1\r\n");
        let moved = b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere/\r\nContent-Type: text/plain\r\n\r\n";
        assert!(http_body(moved).is_err(), "no redirects (RFC 8461 3.3)");
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
        assert!(http_body(html).is_err());
        assert!(http_body(b"garbage").is_err());
        let short =
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 99\r\n\r\nversion";
        assert!(http_body(short).is_err(), "cut short");
        assert!(dechunk(b"zz\r\n").is_err());
    }
}

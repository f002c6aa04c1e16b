//! The DNS resolver: the system's (`/etc/resolv.conf`), or the one `[dns] nameserver` names.
//! Outbound delivery asks it for MX records; the help page for the MX and addresses of a
//! user's domain, to tell whether the domain points at the right servers.

use app::domain::dns_plan::{Kind, normalize};
use app::state::{DnsLookup, DnsRecords};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A resolver, or None (with a warning) when the system has no usable configuration.
pub fn resolver(nameserver: Option<SocketAddr>) -> Option<Arc<TokioResolver>> {
    let mut builder = match nameserver {
        Some(ns) => {
            let group = NameServerConfigGroup::from_ips_clear(&[ns.ip()], ns.port(), true);
            TokioResolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], group),
                TokioConnectionProvider::default(),
            )
        }
        None => match TokioResolver::builder_tokio() {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("no DNS resolver ({e}): only configured routes are used");
                return None;
            }
        },
    };
    // A person is waiting on the help page; delivery retries anyway.
    builder.options_mut().timeout = Duration::from_secs(3);
    builder.options_mut().attempts = 2;
    Some(Arc::new(builder.build()))
}

/// The help page's lookups.
#[derive(Debug)]
pub struct HelpLookup(pub Option<Arc<TokioResolver>>);

#[async_trait::async_trait]
impl DnsLookup for HelpLookup {
    async fn mail_records(&self, domain: &str, host: &str) -> Result<DnsRecords, String> {
        let Some(r) = &self.0 else {
            return Err("no DNS resolver is configured on this server".into());
        };
        let fqdn = |n: &str| format!("{}.", n.trim_end_matches('.'));
        let work = async {
            let mx = match r.mx_lookup(fqdn(domain)).await {
                Ok(found) => {
                    let mut v: Vec<(u16, String)> = found
                        .iter()
                        .map(|m| {
                            let host = m.exchange().to_utf8();
                            (m.preference(), host.trim_end_matches('.').to_string())
                        })
                        .collect();
                    v.sort();
                    v.into_iter().map(|(_, h)| h).collect()
                }
                Err(e) if e.is_no_records_found() => Vec::new(),
                Err(e) => return Err(e.to_string()),
            };
            let addresses = |name: String| async move {
                match r.lookup_ip(name).await {
                    Ok(ips) => Ok(ips.iter().map(|ip| ip.to_string()).collect::<Vec<_>>()),
                    Err(e) if e.is_no_records_found() => Ok(Vec::new()),
                    Err(e) => Err(e.to_string()),
                }
            };
            Ok(DnsRecords {
                mx,
                domain_addresses: addresses(fqdn(domain)).await?,
                host_addresses: addresses(fqdn(host)).await?,
            })
        };
        tokio::time::timeout(Duration::from_secs(8), work)
            .await
            .unwrap_or_else(|_| Err("no answer in time".into()))
    }

    async fn records(&self, name: &str, kind: Kind) -> Result<Vec<String>, String> {
        let Some(r) = &self.0 else {
            return Err("no DNS resolver is configured on this server".into());
        };
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let record_type = match kind {
            Kind::A => RecordType::A,
            Kind::Aaaa => RecordType::AAAA,
            Kind::Cname => RecordType::CNAME,
            Kind::Mx => RecordType::MX,
            Kind::Txt => RecordType::TXT,
            Kind::Srv => RecordType::SRV,
            Kind::Ptr => RecordType::PTR,
        };
        let found =
            match tokio::time::timeout(Duration::from_secs(8), r.lookup(fqdn, record_type)).await {
                Err(_) => return Err("no answer in time".into()),
                Ok(Err(e)) if e.is_no_records_found() => return Ok(Vec::new()),
                Ok(Err(e)) => return Err(e.to_string()),
                Ok(Ok(found)) => found,
            };
        // Only the asked type: an A lookup also answers the CNAMEs on its way.
        Ok(found
            .iter()
            .filter_map(|data| {
                let text = match (kind, data) {
                    (Kind::A, RData::A(a)) => a.0.to_string(),
                    (Kind::Aaaa, RData::AAAA(a)) => a.0.to_string(),
                    (Kind::Cname, RData::CNAME(n)) => n.0.to_utf8(),
                    (Kind::Ptr, RData::PTR(n)) => n.0.to_utf8(),
                    (Kind::Mx, RData::MX(mx)) => {
                        format!("{} {}", mx.preference(), mx.exchange().to_utf8())
                    }
                    (Kind::Srv, RData::SRV(s)) => format!(
                        "{} {} {} {}",
                        s.priority(),
                        s.weight(),
                        s.port(),
                        s.target().to_utf8()
                    ),
                    // A TXT record's strings are one value (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
                    (Kind::Txt, RData::TXT(t)) => t
                        .txt_data()
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect(),
                    _ => return None,
                };
                Some(normalize(kind, &text))
            })
            .collect())
    }
}

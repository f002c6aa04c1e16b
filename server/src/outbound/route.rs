//! Where a message for a domain goes next: a static route for that domain (config
//! `[outbound.routes]`), else the smarthost (`[outbound] smarthost`), else the domain's MX
//! hosts by preference, else (RFC 5321 §5.1, implicit MX) the domain itself.

use hickory_resolver::TokioResolver;
use std::collections::HashMap;

pub const SMTP_PORT: u16 = 25;

/// The configured ways out.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    /// Domain (lower case) → "host:port".
    pub static_routes: HashMap<String, String>,
    pub smarthost: Option<String>,
}

/// A next hop: host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub host: String,
    pub port: u16,
}

/// "host:port" or "host" (port 25); "[v6]:port" too.
pub fn parse_hop(s: &str) -> Option<Hop> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => SMTP_PORT,
            None => return None,
        };
        return Some(Hop {
            host: host.to_string(),
            port,
        });
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !host.contains(':') => Some(Hop {
            host: host.to_string(),
            port: port.parse().ok()?,
        }),
        None if !s.is_empty() => Some(Hop {
            host: s.to_string(),
            port: SMTP_PORT,
        }),
        _ => None,
    }
}

impl Routes {
    /// The configured hop for `domain`, if the configuration decides it.
    pub fn configured(&self, domain: &str) -> Option<Option<Hop>> {
        let domain = domain.to_ascii_lowercase();
        self.static_routes
            .get(&domain)
            .or(self.smarthost.as_ref())
            .map(|s| parse_hop(s))
    }
}

/// The hops for `domain`, best first. Err is a temporary failure (DNS trouble); an empty
/// list means the domain cannot receive mail (a permanent failure).
pub async fn hops(
    routes: &Routes,
    resolver: Option<&TokioResolver>,
    domain: &str,
) -> Result<Vec<Hop>, String> {
    if let Some(hop) = routes.configured(domain) {
        return Ok(hop.into_iter().collect());
    }
    let Some(resolver) = resolver else {
        return Err("no DNS resolver available".into());
    };
    match resolver.mx_lookup(format!("{domain}.")).await {
        Ok(mx) => {
            let mut records: Vec<(u16, String)> = mx
                .iter()
                .map(|r| (r.preference(), r.exchange().to_utf8()))
                .collect();
            records.sort();
            // RFC 7505: a single "." MX means the domain accepts no mail.
            if records.len() == 1 && (records[0].1 == "." || records[0].1.is_empty()) {
                return Ok(Vec::new());
            }
            Ok(records
                .into_iter()
                .map(|(_, host)| Hop {
                    host: host.trim_end_matches('.').to_string(),
                    port: SMTP_PORT,
                })
                .collect())
        }
        Err(e) if e.is_no_records_found() => Ok(vec![Hop {
            host: domain.to_string(),
            port: SMTP_PORT,
        }]),
        Err(e) => Err(format!("DNS lookup of {domain} failed: {e}")),
    }
}

/// Where to connect for `hop`: its host as an address, or the addresses the resolver finds
/// for it (IPv6 and IPv4); `[None]` when there is no resolver (the system's then, when
/// connecting). Err is a temporary failure.
pub async fn addresses(
    resolver: Option<&TokioResolver>,
    hop: &Hop,
) -> Result<Vec<Option<std::net::SocketAddr>>, String> {
    use std::net::{IpAddr, SocketAddr};
    if let Ok(ip) = hop.host.parse::<IpAddr>() {
        return Ok(vec![Some(SocketAddr::new(ip, hop.port))]);
    }
    let Some(resolver) = resolver else {
        return Ok(vec![None]);
    };
    match resolver.lookup_ip(format!("{}.", hop.host)).await {
        Ok(ips) => Ok(ips
            .iter()
            .map(|ip| Some(SocketAddr::new(ip, hop.port)))
            .collect()),
        Err(e) => Err(format!("DNS lookup of {} failed: {e}", hop.host)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_from_config() {
        assert_eq!(
            parse_hop("127.0.0.1:2626"),
            Some(Hop {
                host: "127.0.0.1".into(),
                port: 2626
            })
        );
        assert_eq!(parse_hop("mx.example.net").unwrap().port, 25);
        assert_eq!(parse_hop("[::1]:2626").unwrap().host, "::1");
        assert_eq!(parse_hop("[::1]").unwrap().port, 25);
        assert_eq!(parse_hop("host:notaport"), None);
        assert_eq!(parse_hop(""), None);
        let routes = Routes {
            static_routes: [("example.org".to_string(), "127.0.0.1:2626".to_string())].into(),
            smarthost: None,
        };
        assert_eq!(
            routes.configured("EXAMPLE.org").unwrap().unwrap().port,
            2626
        );
        assert!(routes.configured("example.net").is_none());
        let smart = Routes {
            smarthost: Some("relay.isp.example:587".into()),
            ..routes
        };
        assert_eq!(
            smart.configured("example.net").unwrap().unwrap().host,
            "relay.isp.example"
        );
    }
}

//! The certificates TLS hands out, changeable while the server runs: every listener (SMTP's
//! STARTTLS, submission, POP3S, the `https` portals) shares one rustls `ServerConfig` whose
//! certificate resolver is this map, so a certificate obtained or renewed by ACME is used by
//! the next handshake, without a restart. The name a client asks for (SNI) picks the
//! certificate; without one that names it, the host's (or the configured / self-signed pair).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio_rustls::rustls::{self, pki_types, server::ClientHello, sign::CertifiedKey};

#[derive(Debug)]
pub struct Certs {
    /// The configured or self-signed pair: what a name without a certificate gets.
    fallback: Arc<CertifiedKey>,
    /// Name (lower case) → certificate; `host` for the host's own when obtained.
    by_name: RwLock<HashMap<String, Arc<CertifiedKey>>>,
    /// The host's own name: its certificate replaces the fallback once it exists.
    host: String,
}

/// A certificate and its key from PEM.
pub fn certified(cert_pem: &str, key_pem: &str) -> anyhow::Result<Arc<CertifiedKey>> {
    use pki_types::pem::PemObject;
    let certs: Vec<pki_types::CertificateDer<'static>> =
        pki_types::CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("bad certificate PEM: {e}"))?;
    if certs.is_empty() {
        anyhow::bail!("no certificate in the PEM");
    }
    let key = pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("bad key PEM: {e}"))?;
    let key = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| anyhow::anyhow!("unusable key: {e}"))?;
    Ok(Arc::new(CertifiedKey::new(certs, key)))
}

impl Certs {
    pub fn new(fallback: Arc<CertifiedKey>, host: &str) -> Certs {
        Certs {
            fallback,
            by_name: RwLock::default(),
            host: host.to_ascii_lowercase(),
        }
    }

    /// From now on, `names` are answered with this certificate.
    pub fn install(&self, names: &[String], key: Arc<CertifiedKey>) {
        if let Ok(mut map) = self.by_name.write() {
            for n in names {
                map.insert(n.to_ascii_lowercase(), key.clone());
            }
        }
    }

    /// The certificate a name gets now (what a handshake asking for it would be given).
    pub fn for_name(&self, name: Option<&str>) -> Arc<CertifiedKey> {
        let map = match self.by_name.read() {
            Ok(m) => m,
            Err(_) => return self.fallback.clone(),
        };
        name.map(str::to_ascii_lowercase)
            .and_then(|n| map.get(&n).cloned())
            .or_else(|| map.get(&self.host).cloned())
            .unwrap_or_else(|| self.fallback.clone())
    }
}

impl rustls::server::ResolvesServerCert for Certs {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.for_name(hello.server_name()))
    }
}

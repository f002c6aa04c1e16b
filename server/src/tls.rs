//! TLS for the mail protocols and the `https` portals: the certificate and key from the
//! configuration, or a self-signed pair generated on first run into DATA/tls/ (rcgen) — and,
//! beside them, the certificates ACME obtains (`certs::Certs`, changed while running). rustls
//! with the ring provider; PEM through rustls-pki-types.

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::{self, ServerConfig, ServerConnection};

/// The TLS of every listener: one certificate resolver for all.
#[derive(Clone, Debug)]
pub struct Tls {
    /// SMTP's STARTTLS, submission, POP3 and POP3S.
    pub mail: Arc<ServerConfig>,
    /// The `https` portals (ALPN `http/1.1`).
    pub web: Arc<ServerConfig>,
    pub certs: Arc<crate::certs::Certs>,
}

/// Loads `cert`/`key`, or (both None) the pair in `data/tls/`, generating it when missing:
/// what every name gets until ACME gives it its own.
pub fn server_config(
    data: &Path,
    cert: Option<&Path>,
    key: Option<&Path>,
    hostname: &str,
) -> Result<Tls> {
    let (cert_path, key_path) = match (cert, key) {
        (Some(c), Some(k)) => (c.to_path_buf(), k.to_path_buf()),
        (None, None) => {
            let dir = data.join("tls");
            let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
            if !c.exists() || !k.exists() {
                generate(&dir, &c, &k, hostname)?;
            }
            (c, k)
        }
        _ => anyhow::bail!("tls_cert and tls_key go together: give both or neither"),
    };
    let cert_pem = std::fs::read_to_string(&cert_path)
        .with_context(|| format!("cannot read the certificate {}", cert_path.display()))?;
    let key_pem = std::fs::read_to_string(&key_path)
        .with_context(|| format!("cannot read the private key {}", key_path.display()))?;
    let fallback = crate::certs::certified(&cert_pem, &key_pem)
        .with_context(|| format!("{} and {}", cert_path.display(), key_path.display()))?;
    fallback
        .keys_match()
        .context("the certificate and the key do not match")?;
    let certs = Arc::new(crate::certs::Certs::new(fallback, hostname));
    let build = |alpn: Vec<Vec<u8>>| -> Result<Arc<ServerConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_cert_resolver(certs.clone());
        config.alpn_protocols = alpn;
        Ok(Arc::new(config))
    };
    Ok(Tls {
        mail: build(Vec::new())?,
        web: build(vec![b"http/1.1".to_vec()])?,
        certs: certs.clone(),
    })
}

fn generate(dir: &Path, cert: &Path, key: &Path, hostname: &str) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let names = vec![hostname.to_string(), "localhost".to_string()];
    let pair = rcgen::generate_simple_self_signed(names).context("generating a certificate")?;
    std::fs::write(cert, pair.cert.pem())?;
    write_private(key, pair.signing_key.serialize_pem().as_bytes())?;
    tracing::info!(path = %cert.display(), "generated a self-signed TLS certificate");
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)?;
    Ok(())
}

/// "TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384", for trace fields and logs.
pub fn describe(conn: &ServerConnection) -> String {
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(v) => format!("{v:?}"),
        None => "TLS".to_string(),
    };
    match conn.negotiated_cipher_suite() {
        Some(cs) => format!("{version} with cipher {:?}", cs.suite()),
        None => version,
    }
}

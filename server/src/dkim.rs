//! DKIM signing (RFC 6376; issue 15): each hosted domain has an Ed25519 key and an RSA-2048
//! one (for receivers without Ed25519), with dated selectors, made the first time they are
//! needed (a new domain, or one from before keys existed: at start, or when it first sends);
//! the host's own name has a pair too, for its bounces. Mail that leaves is signed by the
//! domain of its author (From) when that domain is hosted, and courrier's own bounces and
//! replies by the host's name. Forwards keep their original signatures untouched.

use app::store::Store;
use app::store::dkim::NewKey;
use app::store::entities::dkim_key;
use base64::Engine;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;

/// The header fields signed, when present (RFC 6376 §5.4.1).
const SIGNED: [&str; 11] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
];

/// A dated selector: `c20261130e` (Ed25519) or `c20261130r` (RSA).
pub fn selector(now: i64, algorithm: &str) -> String {
    let date = app::i18n::iso_date(now).replace('-', "");
    let tag = if algorithm == "ed25519" { 'e' } else { 'r' };
    format!("c{date}{tag}")
}

/// A new Ed25519 key and a new RSA-2048 key.
pub fn generate(now: i64) -> Result<Vec<NewKey>, String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let pkcs8 = Ed25519Key::generate_pkcs8().map_err(|e| e.to_string())?;
    let ed = Ed25519Key::from_pkcs8_der(&pkcs8).map_err(|e| e.to_string())?;
    let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
    let rsa_der = rsa.to_pkcs1_der().map_err(|e| e.to_string())?;
    let rsa_public = rsa
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| e.to_string())?;
    Ok(vec![
        NewKey {
            selector: selector(now, "ed25519"),
            algorithm: "ed25519",
            private_der: pkcs8,
            public_key: b64(&ed.public_key()),
        },
        NewKey {
            selector: selector(now, "rsa"),
            algorithm: "rsa",
            private_der: rsa_der.as_bytes().to_vec(),
            public_key: b64(rsa_public.as_bytes()),
        },
    ])
}

/// The keys of `domain_id` (None: the host's), made now if it has none.
pub async fn keys_for(
    store: &Store,
    domain_id: Option<i64>,
) -> Result<Vec<dkim_key::Model>, String> {
    // One maker at a time in this process, so that two deliveries do not make two pairs.
    static MAKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let keys = store
        .dkim_keys(domain_id)
        .await
        .map_err(|e| e.to_string())?;
    if !keys.is_empty() {
        return Ok(keys);
    }
    let _making = MAKING.lock().await;
    let keys = store
        .dkim_keys(domain_id)
        .await
        .map_err(|e| e.to_string())?;
    if !keys.is_empty() {
        return Ok(keys);
    }
    let now = app::store::now();
    let made = tokio::task::spawn_blocking(move || generate(now))
        .await
        .map_err(|e| e.to_string())??;
    store
        .add_dkim_keys(domain_id, &made, now)
        .await
        .map_err(|e| e.to_string())?;
    store.dkim_keys(domain_id).await.map_err(|e| e.to_string())
}

/// The TXT record a key needs at `SELECTOR._domainkey.DOMAIN`.
pub fn txt(k: &dkim_key::Model) -> String {
    let kind = if k.algorithm == "ed25519" {
        "ed25519"
    } else {
        "rsa"
    };
    format!("v=DKIM1; k={kind}; p={}", k.public_key)
}

/// `raw` with one DKIM-Signature per key (the newest of each algorithm), by `domain`.
pub fn sign(keys: &[dkim_key::Model], domain: &str, raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut head = String::new();
    let mut done = Vec::new();
    for k in keys {
        if done.contains(&k.algorithm) {
            continue;
        }
        let signature = if k.algorithm == "ed25519" {
            let key = Ed25519Key::from_pkcs8_der(&k.private_der).map_err(|e| e.to_string())?;
            DkimSigner::from_key(key)
                .domain(domain)
                .selector(&k.selector)
                .headers(SIGNED)
                .sign(raw)
        } else {
            let key = RsaKey::<Sha256>::from_der(&k.private_der).map_err(|e| e.to_string())?;
            DkimSigner::from_key(key)
                .domain(domain)
                .selector(&k.selector)
                .headers(SIGNED)
                .sign(raw)
        }
        .map_err(|e| e.to_string())?;
        head.push_str(&signature.to_header());
        done.push(k.algorithm.clone());
    }
    let mut out = head.into_bytes();
    out.extend_from_slice(raw);
    Ok(out)
}

/// A message of the queue as it leaves: signed by its author's hosted domain, or by the
/// host's name for courrier's own bounces and replies; forwards as they came. A failure to
/// sign is logged and the message leaves unsigned (mail is never held back for it).
pub async fn outgoing(
    store: &Store,
    hostname: &str,
    m: &app::store::entities::outbound::Model,
) -> Vec<u8> {
    if m.kind == "forward" {
        return m.raw.clone();
    }
    let fields = app::domain::headers::fields(&m.raw);
    let author = app::domain::headers::first(&fields, "from")
        .and_then(|f| app::domain::headers::addresses(&f).into_iter().next())
        .and_then(|a| app::domain::address::domain_of(&a));
    let signer = match &author {
        Some(d) => match store.hosted(d).await {
            Ok(Some(hosted)) => Some((Some(hosted.id), hosted.name)),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(id = m.id, "DKIM: {e}");
                None
            }
        },
        None => None,
    };
    let signer = signer.or_else(|| {
        (m.mail_from.is_empty() || matches!(m.kind.as_str(), "bounce" | "reply"))
            .then(|| (None, hostname.to_string()))
    });
    let Some((domain_id, domain)) = signer else {
        return m.raw.clone();
    };
    let signed = match keys_for(store, domain_id).await {
        Ok(keys) => sign(&keys, &domain, &m.raw),
        Err(e) => Err(e),
    };
    signed.unwrap_or_else(|e| {
        tracing::warn!(id = m.id, %domain, "DKIM signing failed, sent unsigned: {e}");
        m.raw.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_dated_labels() {
        assert_eq!(selector(1_796_000_000, "ed25519"), "c20261130e");
        assert_eq!(selector(1_796_000_000, "rsa"), "c20261130r");
    }
}

//! DKIM signing (RFC 6376; issue 15): each hosted domain has an Ed25519 key and an RSA-2048
//! one (for receivers without Ed25519), with dated selectors, made the first time they are
//! needed (a new domain, or one from before keys existed: at start, or when it first sends);
//! the host's own name has a pair too, for its bounces. Mail that leaves is signed by the
//! domain of its author (From) when that domain is hosted, and courrier's own bounces and
//! replies by the host's name. Forwards keep their original signatures untouched and get an
//! ARC set of the forwarding domain instead (RFC 8617). Which key signs, and what a rotation
//! does, are the pure rules of `app::domain::dkim`.

use app::domain::dkim::{Dated, Rotation};
use app::store::Store;
use app::store::dkim::NewKey;
use app::store::entities::dkim_key;
use base64::Engine;
use mail_auth::arc::ArcSealer;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mail_auth::{ArcOutput, AuthenticatedMessage, AuthenticationResults, MessageAuthenticator};

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

/// A new Ed25519 key and a new RSA-2048 key, with dated selectors not among `taken`.
pub fn generate(now: i64, taken: &[String]) -> Result<Vec<NewKey>, String> {
    let date = app::i18n::iso_date(now);
    let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
    let selector = |algorithm| app::domain::dkim::selector(&date, algorithm, &taken);
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
            selector: selector("ed25519"),
            algorithm: "ed25519",
            private_der: pkcs8,
            public_key: b64(&ed.public_key()),
        },
        NewKey {
            selector: selector("rsa"),
            algorithm: "rsa",
            private_der: rsa_der.as_bytes().to_vec(),
            public_key: b64(rsa_public.as_bytes()),
        },
    ])
}

/// Every key of `domain_id` (None: the host's), a new pair made now if it has none in
/// service.
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
    if !app::domain::dkim::needs_keys(&keys, app::store::now()) {
        return Ok(keys);
    }
    let _making = MAKING.lock().await;
    // And one maker across every process on the database (issue 18): the others wait for
    // its keys.
    let holder = process_holder();
    let mut waits = 0;
    loop {
        let keys = store
            .dkim_keys(domain_id)
            .await
            .map_err(|e| e.to_string())?;
        if !app::domain::dkim::needs_keys(&keys, app::store::now()) {
            return Ok(keys);
        }
        if store
            .take_turn(MAKING_JOB, holder, 60_000)
            .await
            .map_err(|e| e.to_string())?
        {
            break;
        }
        waits += 1;
        if waits > 60 {
            return Err("another instance is making the DKIM keys: not ready yet".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let made = async {
        let keys = store
            .dkim_keys(domain_id)
            .await
            .map_err(|e| e.to_string())?;
        let now = app::store::now();
        if app::domain::dkim::needs_keys(&keys, now) {
            let made = make(now, &keys).await?;
            store
                .add_dkim_keys(domain_id, &made, now)
                .await
                .map_err(|e| e.to_string())?;
        }
        store.dkim_keys(domain_id).await.map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = store.end_turn(MAKING_JOB, holder).await {
        tracing::warn!("cannot end the DKIM keys' turn: {e}");
    }
    made
}

/// The turn of the one process that makes keys.
const MAKING_JOB: &str = "dkim-keys";

/// This process as the holder of that turn.
fn process_holder() -> &'static str {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER.get_or_init(|| crate::jobs::holder("dkim"))
}

/// A new pair (off the async threads: an RSA key takes a while), beside `keys`.
async fn make(now: i64, keys: &[dkim_key::Model]) -> Result<Vec<NewKey>, String> {
    let taken: Vec<String> = keys.iter().map(|k| k.selector.clone()).collect();
    tokio::task::spawn_blocking(move || generate(now, &taken))
        .await
        .map_err(|e| e.to_string())?
}

/// The portals' way to the keys (`AppState::signing`).
#[derive(Debug)]
pub struct Keys(pub Store);

#[async_trait::async_trait]
impl app::state::Signing for Keys {
    async fn dkim_keys(&self, domain_id: Option<i64>) -> Result<Vec<dkim_key::Model>, String> {
        keys_for(&self.0, domain_id).await
    }
}

/// Every hosted domain, and the host's name, with its keys: made at start for the domains
/// that have none yet (those from before DKIM, or added while the server was stopped).
pub async fn keep_keys(store: &Store) {
    let domains = match store.list_domains().await {
        Ok(d) => d,
        Err(e) => return tracing::warn!("DKIM keys: cannot list the domains: {e}"),
    };
    let mut ids = vec![None];
    for d in domains {
        match store.domain(&d.name).await {
            Ok(d) => ids.push(Some(d.id)),
            Err(e) => tracing::warn!("DKIM keys of {}: {e}", d.name),
        }
    }
    for id in ids {
        if let Err(e) = keys_for(store, id).await {
            tracing::warn!(domain = ?id, "cannot make DKIM keys: {e}");
        }
    }
}

/// `courrier dkim rotate`: a new pair beside the current one, which keeps signing for
/// `grace` seconds (the time to publish the new records), then retires.
pub async fn rotate(
    store: &Store,
    domain_id: Option<i64>,
    grace: i64,
) -> Result<Result<Rotation, app::domain::dkim::RotateProblem>, String> {
    let keys = keys_for(store, domain_id).await?;
    let now = app::store::now();
    let rotation = match app::domain::dkim::rotate(&keys, now, grace) {
        Ok(r) => r,
        Err(problem) => return Ok(Err(problem)),
    };
    let made = make(now, &keys).await?;
    store
        .rotate_dkim_keys(domain_id, &rotation, &made, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Ok(rotation))
}

/// `raw` with one DKIM-Signature per key that signs now (one per algorithm), by `domain`.
pub fn sign(keys: &[dkim_key::Model], domain: &str, raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut head = String::new();
    for k in app::domain::dkim::signing(keys, app::store::now()) {
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
    }
    let mut out = head.into_bytes();
    out.extend_from_slice(raw);
    Ok(out)
}

/// A message of the queue as it leaves: signed by its author's hosted domain, else by its
/// envelope sender's (relayed mail whose From is another's), else by the host's name for
/// courrier's own bounces and replies and other null-sender mail; forwards as they came, with
/// an ARC set. A failure to sign is logged and the message leaves unsigned (mail is never
/// held back for it).
pub async fn outgoing(
    store: &Store,
    hostname: &str,
    resolver: Option<&hickory_resolver::TokioResolver>,
    m: &app::store::entities::outbound::Model,
) -> Vec<u8> {
    if m.kind == "forward" {
        return forwarded(store, hostname, resolver, m).await;
    }
    let fields = app::domain::headers::fields(&m.raw);
    let author = app::domain::headers::first(&fields, "from")
        .and_then(|f| app::domain::headers::addresses(&f).into_iter().next())
        .and_then(|a| app::domain::address::domain_of(&a));
    let mut signer = None;
    for d in author
        .into_iter()
        .chain(app::domain::address::domain_of(&m.mail_from))
    {
        match store.hosted(&d).await {
            // Signed by the name used (a domain alias signs as itself, with its domain's
            // keys: DMARC aligns on the From domain, RFC 7489 §3.1).
            Ok(Some(hosted)) => {
                signer = Some((Some(hosted.id), d));
                break;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(id = m.id, "DKIM: {e}"),
        }
    }
    let signer = signer.or_else(|| {
        (m.mail_from.is_empty() || matches!(m.kind.as_str(), "bounce" | "reply" | "notice"))
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

/// A forward as it leaves: the message untouched (its own DKIM signatures still verify),
/// with an ARC set of the forwarding domain on top (RFC 8617 §5.1), so that a receiver can see
/// that it passed its checks here before it was forwarded. The forwarding domain is the one
/// of the SRS envelope sender. Left unsealed (logged) when the chain that came with it had
/// already failed (§5.1.2: a failed chain is not sealed further) or sealing fails.
async fn forwarded(
    store: &Store,
    hostname: &str,
    resolver: Option<&hickory_resolver::TokioResolver>,
    m: &app::store::entities::outbound::Model,
) -> Vec<u8> {
    let Some(domain) = app::domain::address::domain_of(&m.mail_from) else {
        return m.raw.clone();
    };
    let hosted = match store.hosted(&domain).await {
        Ok(Some(h)) => h,
        Ok(None) => return m.raw.clone(),
        Err(e) => {
            tracing::warn!(id = m.id, "ARC: {e}");
            return m.raw.clone();
        }
    };
    let keys = match keys_for(store, Some(hosted.id)).await {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(id = m.id, "ARC: {e}");
            return m.raw.clone();
        }
    };
    match seal(&keys, &hosted.name, hostname, resolver, &m.raw).await {
        Ok(sealed) => sealed,
        Err(e) => {
            tracing::warn!(id = m.id, domain = %hosted.name, "forward left without ARC: {e}");
            m.raw.clone()
        }
    }
}

/// `raw` with an ARC set by `domain` (its RSA key: RFC 8617 §4.1.3 names rsa-sha256 only).
pub async fn seal(
    keys: &[dkim_key::Model],
    domain: &str,
    hostname: &str,
    resolver: Option<&hickory_resolver::TokioResolver>,
    raw: &[u8],
) -> Result<Vec<u8>, String> {
    let key = app::domain::dkim::signing(keys, app::store::now())
        .into_iter()
        .find(|k| k.algorithm() == "rsa")
        .ok_or("no RSA key")?;
    let message = AuthenticatedMessage::parse(raw).ok_or("not a message that can be read")?;
    // The chain that came with it; without one, nothing to look up.
    let chain = match resolver {
        _ if message.ams_headers.is_empty() => ArcOutput::default(),
        Some(r) => MessageAuthenticator(r.clone()).verify_arc(&message).await,
        None => return Err("no resolver to check the ARC chain it came with".into()),
    };
    // ARC-Authentication-Results: our own verdict from the inbound checks, unfolded on one
    // line (the seal hashes it in relaxed form, §5.1.1; one line reads the same both ways).
    let verdict = arc_results(raw, hostname);
    let results = AuthenticationResults::new(&verdict);
    let rsa = RsaKey::<Sha256>::from_der(&key.private_der).map_err(|e| e.to_string())?;
    let mut headers: Vec<&str> = SIGNED.to_vec();
    headers.push("DKIM-Signature");
    let set = ArcSealer::from_key(rsa)
        .domain(domain)
        .selector(&key.selector)
        .headers(headers)
        .seal(&message, &results, &chain)
        .map_err(|e| e.to_string())?;
    let mut out = set.to_header().into_bytes();
    out.extend_from_slice(raw);
    Ok(out)
}

/// The value of our own Authentication-Results field (authserv-id `hostname`), whitespace
/// folded to single spaces; `hostname; none` when the inbound checks wrote none.
fn arc_results(raw: &[u8], hostname: &str) -> String {
    app::domain::headers::fields(raw)
        .into_iter()
        .filter(|(name, _)| name == "authentication-results")
        .map(|(_, value)| value.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|v| {
            v.split(';')
                .next()
                .is_some_and(|id| id.trim().eq_ignore_ascii_case(hostname))
        })
        .unwrap_or_else(|| format!("{hostname}; none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_pair_has_dated_selectors_beside_the_taken_ones() {
        let keys = generate(1_796_000_000, &["c20261130e".to_string()]).unwrap();
        let selectors: Vec<&str> = keys.iter().map(|k| k.selector.as_str()).collect();
        assert_eq!(selectors, ["c20261130e2", "c20261130r"]);
    }

    #[test]
    fn the_arc_results_are_our_verdict_on_one_line() {
        let raw = b"Delivered-To: c@votredomaine.com\r\nAuthentication-Results: other.example; spf=pass\r\nAuthentication-Results: mail.courrier.test;\r\n\tspf=pass smtp.mailfrom=a@sender.example;\r\n\tdkim=pass  header.d=sender.example\r\nSubject: x\r\n\r\nbody\r\n";
        assert_eq!(
            arc_results(raw, "mail.courrier.test"),
            "mail.courrier.test; spf=pass smtp.mailfrom=a@sender.example; dkim=pass header.d=sender.example"
        );
        assert_eq!(
            arc_results(b"Subject: x\r\n\r\n", "mail.courrier.test"),
            "mail.courrier.test; none"
        );
    }
}

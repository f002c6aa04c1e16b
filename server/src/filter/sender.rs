//! Who sent it: SPF (RFC 7208) for HELO and MAIL FROM, DKIM (RFC 6376), DMARC (RFC 7489) and
//! ARC (RFC 8617), with the `mail-auth` crate through the server's resolver (`[dns]`), written
//! down in an `Authentication-Results` field (RFC 8601) under this server's name. Acted on:
//! a DMARC `p=reject` failure is refused (`550 5.7.1`), `p=quarantine` is marked as junk; and a
//! message whose envelope sender or From is a hosted domain, from a client that is neither
//! signed in nor inside a relay grant of that domain, must pass SPF or carry a valid DKIM
//! signature of that domain — otherwise it is a forgery and is refused. DNS failures
//! (temperror) never refuse mail: at worst it is held back (`451`) and tried again.

use super::{Check, Envelope, Found};
use app::domain::address::domain_of;
use app::domain::filter::{Answer, CheckKind, Finding, Report};
use app::store::Store;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimResult, DmarcResult, MessageAuthenticator,
    SpfOutput, SpfResult,
};
use std::net::IpAddr;

/// The sender check.
pub struct SenderCheck {
    pub auth: MessageAuthenticator,
    /// This server's name: the authserv-id of Authentication-Results, and SPF's `%{r}`.
    pub hostname: String,
    pub store: Store,
}

impl std::fmt::Debug for SenderCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderCheck")
            .field("hostname", &self.hostname)
            .finish()
    }
}

/// The domain SPF speaks for: MAIL FROM's, or HELO's for the null sender (RFC 7208 §2.4).
fn spf_domain(m: &Envelope<'_>) -> String {
    domain_of(m.mail_from).unwrap_or_else(|| m.helo.to_ascii_lowercase())
}

/// What the checks found, before they are acted on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Findings {
    /// SPF of MAIL FROM, and the domain it speaks for (MAIL FROM's, or HELO's for `<>`).
    pub spf: SpfResult,
    pub spf_domain: String,
    /// Domains whose DKIM signature verified.
    pub dkim_pass: Vec<String>,
    /// Some DKIM lookup failed for a DNS reason.
    pub dkim_temperror: bool,
    /// DMARC: the policy domain's record exists and neither aligned SPF nor DKIM passed.
    pub dmarc_failed: Option<(String, Policy)>,
}

/// The hosted-sender rule and DMARC, as a finding (pure: the table is tested without DNS).
/// `hosted` is the hosted domain the message claims to come from, when it does and the
/// client is neither signed in nor inside that domain's relay grant.
pub fn finding(f: &Findings, hosted: Option<&str>) -> Finding {
    if let Some(domain) = hosted {
        // Its own: a valid signature of the domain, or SPF passing for that very domain (an
        // SPF pass for another envelope domain says nothing of a hosted From).
        let signed = f.dkim_pass.iter().any(|d| d == domain);
        let spf_own = f.spf_domain == domain;
        if !(signed || spf_own && f.spf == SpfResult::Pass) {
            // RFC 7208 §8.6 and RFC 6376 §6.1.2: a DNS failure proves nothing either way.
            if spf_own && f.spf == SpfResult::TempError || f.dkim_temperror {
                return Finding::Defer {
                    answer: Answer::new(
                        451,
                        "4.7.0",
                        format!("Cannot check the sender of {domain} now, please try again later"),
                    ),
                    reason: format!("sender @{domain} not verifiable now (DNS)"),
                };
            }
            return Finding::Refuse {
                answer: Answer::new(
                    550,
                    "5.7.1",
                    format!(
                        "Sender address at {domain} is hosted here: its mail is sent through this server (submission), not from outside"
                    ),
                ),
                reason: format!("forged sender @{domain} (SPF {}, no DKIM)", spf_word(f.spf)),
            };
        }
    }
    match &f.dmarc_failed {
        Some((domain, Policy::Reject)) => Finding::Refuse {
            answer: Answer::new(
                550,
                "5.7.1",
                format!(
                    "Message refused by the DMARC policy of {domain} (SPF and DKIM do not match)"
                ),
            ),
            reason: format!("DMARC p=reject of {domain}"),
        },
        Some((domain, Policy::Quarantine)) => Finding::Junk {
            reason: format!("DMARC p=quarantine of {domain}"),
        },
        _ => Finding::Clean,
    }
}

fn spf_word(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// What the envelope alone tells: SPF of HELO and of MAIL FROM, and the hosted domain MAIL
/// FROM claims when its client has no right to it.
struct EnvelopeFindings {
    spf_helo: SpfOutput,
    spf: SpfOutput,
    hosted: Option<String>,
}

/// `d` when it is a hosted domain and `client` is not inside one of its relay grants (the
/// office's fixed address: its own).
async fn claimed(store: &Store, client: IpAddr, d: &str) -> Option<String> {
    let found = async {
        let Some(hosted) = store.hosted(d).await? else {
            return Ok(None);
        };
        let granted = store
            .active_grant(client)
            .await?
            .is_some_and(|g| g.domain_id == hosted.id);
        Ok::<_, app::store::StoreError>((!granted).then(|| d.to_string()))
    };
    found.await.unwrap_or_else(|e| {
        tracing::error!(domain = d, "sender check: {e}");
        None
    })
}

impl SenderCheck {
    /// The envelope's findings, as a task of its own (it owns what it needs).
    fn envelope(
        &self,
        ip: IpAddr,
        helo: &str,
        mail_from: &str,
    ) -> impl std::future::Future<Output = EnvelopeFindings> + Send + 'static {
        let (auth, store, host) = (self.auth.clone(), self.store.clone(), self.hostname.clone());
        let (helo, mail_from) = (helo.to_string(), mail_from.to_string());
        async move {
            // They wait on different things (DNS, the database): at the same time.
            let (spf_helo, spf, hosted) = tokio::join!(
                auth.verify_spf(SpfParameters::verify_ehlo(ip, &helo, &host)),
                auth.verify_spf(SpfParameters::verify_mail_from(
                    ip, &helo, &host, &mail_from
                )),
                async {
                    match domain_of(&mail_from) {
                        Some(d) => claimed(&store, ip, &d).await,
                        None => None,
                    }
                },
            );
            EnvelopeFindings {
                spf_helo,
                spf,
                hosted,
            }
        }
    }
}

#[async_trait::async_trait]
impl Check for SenderCheck {
    fn kind(&self) -> CheckKind {
        CheckKind::Sender
    }

    async fn check(&self, m: &Envelope<'_>) -> Report {
        // Mail made here or sent by a signed-in user: nothing to verify.
        let (Some(ip), false) = (m.client, m.trusted) else {
            return Report::clean(CheckKind::Sender);
        };
        let helo = m.helo;
        let host = self.hostname.as_str();
        // Started as the message began, or now.
        let early = match m.started.and_then(|s| s.take(CheckKind::Sender)) {
            Some(work) => work.await.ok().and_then(|f| f.downcast().ok()).map(|f| *f),
            None => None,
        };
        let EnvelopeFindings {
            spf_helo,
            spf,
            hosted,
        } = match early {
            Some(found) => found,
            None => self.envelope(ip, helo, m.mail_from).await,
        };
        let message = AuthenticatedMessage::parse(m.message);
        let from_domain = message.as_ref().and_then(|msg| domain_of(msg.from()));
        // MAIL FROM's domain first, then the From field's when it is another.
        let hosted = match (hosted, from_domain) {
            (Some(d), _) => Some(d),
            (None, Some(from)) if domain_of(m.mail_from).as_deref() != Some(from.as_str()) => {
                claimed(&self.store, ip, &from).await
            }
            _ => None,
        };
        let mut results = AuthenticationResults::new(host)
            .with_spf_ehlo_result(&spf_helo, ip, helo)
            .with_spf_mailfrom_result(&spf, ip, m.mail_from, helo);
        let Some(message) = message else {
            // Not a message mail-auth can read: SPF only.
            let f = Findings {
                spf: spf.result(),
                spf_domain: spf_domain(m),
                dkim_pass: Vec::new(),
                dkim_temperror: false,
                dmarc_failed: None,
            };
            return Report {
                kind: CheckKind::Sender,
                finding: finding(&f, hosted.as_deref()),
                headers: vec![field(&results)],
            };
        };
        let (dkim, arc) = tokio::join!(
            self.auth.verify_dkim(&message),
            self.auth.verify_arc(&message)
        );
        // DMARC's policy domain is the From domain; SPF is aligned against MAIL FROM's (or
        // HELO's for `<>`).
        let spf_domain = spf_domain(m);
        let dmarc = self
            .auth
            .verify_dmarc(DmarcParameters::new(&message, &dkim, &spf_domain, &spf))
            .await;
        results = results
            .with_dkim_results(&dkim, message.from())
            .with_dmarc_result(&dmarc)
            .with_arc_result(&arc, ip);
        let passed = matches!(dmarc.spf_result(), DmarcResult::Pass)
            || matches!(dmarc.dkim_result(), DmarcResult::Pass);
        let dmarc_failed = match (dmarc.dmarc_record(), passed) {
            (Some(record), false) => {
                // RFC 7489 §6.6.4: outside the sampled percentage, the next lower policy.
                let sampled = record.pct() >= 100 || (rand_percent() as u8) < record.pct();
                let policy = match (dmarc.policy(), sampled) {
                    (p, true) => p,
                    (Policy::Reject, false) => Policy::Quarantine,
                    _ => Policy::None,
                };
                Some((dmarc.domain().to_string(), policy))
            }
            _ => None,
        };
        let f = Findings {
            spf: spf.result(),
            spf_domain,
            dkim_pass: dkim
                .iter()
                .filter(|d| matches!(d.result(), DkimResult::Pass))
                .filter_map(|d| d.signature().map(|s| s.d.to_ascii_lowercase()))
                .collect(),
            dkim_temperror: dkim
                .iter()
                .any(|d| matches!(d.result(), DkimResult::TempError(_))),
            dmarc_failed,
        };
        Report {
            kind: CheckKind::Sender,
            finding: finding(&f, hosted.as_deref()),
            headers: vec![field(&results)],
        }
    }

    fn late(&self) -> Report {
        Report::clean(CheckKind::Sender)
    }

    fn start(&self, e: &super::Early) -> Option<futures_util::future::BoxFuture<'static, Found>> {
        if e.trusted {
            return None;
        }
        let work = self.envelope(e.client, &e.helo, &e.mail_from);
        Some(Box::pin(async move { Box::new(work.await) as Found }))
    }
}

/// The Authentication-Results field, without its final CRLF.
fn field(r: &AuthenticationResults<'_>) -> String {
    use mail_auth::common::headers::HeaderWriter;
    r.to_header().trim_end_matches(['\r', '\n']).to_string()
}

/// A number in 0..100 for DMARC's sampling.
fn rand_percent() -> u32 {
    let bytes = app::auth::random_hex(4);
    u32::from_str_radix(&bytes, 16).unwrap_or(0) % 100
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(spf: SpfResult, dkim: &[&str], dmarc: Option<Policy>) -> Findings {
        Findings {
            spf,
            spf_domain: "votredomaine.com".into(),
            dkim_pass: dkim.iter().map(|d| d.to_string()).collect(),
            dkim_temperror: false,
            dmarc_failed: dmarc.map(|p| ("sender.example".to_string(), p)),
        }
    }

    fn word(f: Finding) -> String {
        match f {
            Finding::Clean => "clean".into(),
            Finding::Junk { reason } => format!("junk: {reason}"),
            Finding::Refuse { answer, .. } => format!("{} {}", answer.code, answer.status),
            Finding::Defer { answer, .. } => format!("{} {}", answer.code, answer.status),
        }
    }

    #[test]
    fn the_table() {
        use SpfResult::{Fail, Pass, SoftFail, TempError};
        let nothing = SpfResult::None;
        let hosted = Some("votredomaine.com");
        let table = [
            (found(Pass, &[], None), None, "clean"),
            (found(Fail, &[], Some(Policy::Reject)), None, "550 5.7.1"),
            (
                found(SoftFail, &[], Some(Policy::Quarantine)),
                None,
                "junk: DMARC p=quarantine of sender.example",
            ),
            (found(Fail, &[], Some(Policy::None)), None, "clean"),
            // A hosted sender from outside: SPF or its own DKIM, else refused.
            (found(Fail, &[], None), hosted, "550 5.7.1"),
            (
                found(nothing, &["sender.example"], None),
                hosted,
                "550 5.7.1",
            ),
            (found(nothing, &["votredomaine.com"], None), hosted, "clean"),
            (found(Pass, &[], None), hosted, "clean"),
            // SPF passing for another envelope domain does not make a hosted From its own.
            (
                Findings {
                    spf_domain: "sender.example".into(),
                    ..found(Pass, &[], None)
                },
                hosted,
                "550 5.7.1",
            ),
            // DNS failures hold back, never refuse.
            (found(TempError, &[], None), hosted, "451 4.7.0"),
        ];
        for (f, hosted, want) in table {
            assert_eq!(word(finding(&f, hosted)), want, "{f:?} {hosted:?}");
        }
        let mut dns = found(SpfResult::None, &[], None);
        dns.dkim_temperror = true;
        assert_eq!(word(finding(&dns, hosted)), "451 4.7.0");
    }

    #[test]
    fn domains_of_addresses() {
        assert_eq!(domain_of("a@Sender.Example"), Some("sender.example".into()));
        assert_eq!(domain_of(""), None);
        assert_eq!(domain_of("postmaster"), None);
    }
}

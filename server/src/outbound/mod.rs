//! The outbound worker inside `courrier serve`: it claims due messages from the queue in the
//! database (`app::store::queue`), sends each to its next hop (`route`) with mail-send
//! (`client`), and records the outcome: sent, retry later (`app::domain::retry`), or failed
//! with a bounce to the sender (`app::domain::dsn`, RFC 3464).
//! Several workers, in one process or several sharing a PostgreSQL, never send one message
//! twice at the same time; a worker that dies leaves its claims to expire.

pub mod client;
pub mod mta_sts;
pub mod route;

use app::domain::dsn;
use app::domain::mta_sts::Requirement;
use app::domain::retry::{AfterTempFailure, after_temp_failure};
use app::store::Store;
use app::store::entities::outbound;
use app::store::queue::{Bounce, Outcome};
use client::Attempt;
use route::Routes;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

#[derive(Clone, Debug)]
pub struct OutboundConfig {
    /// The name given in EHLO.
    pub hostname: String,
    pub routes: Routes,
    /// Seconds before a message that keeps failing temporarily is given up (default 5 days).
    pub lifetime: i64,
    /// Messages claimed at once.
    pub batch: u64,
    /// Deliveries in progress to one destination domain at most.
    pub per_domain: usize,
    /// How long a claim lasts unless renewed; deliveries in progress renew theirs every
    /// third of it, so a worker that dies leaves its messages to others after at most this.
    pub lease: Duration,
    /// One SMTP conversation at most this long.
    pub timeout: Duration,
    /// How often the queue is looked at when idle.
    pub poll: Duration,
    /// The checks of SMTP-in, also passed by what reaches a local mailbox from the queue (a
    /// forward to a colleague, a bounce to a local sender).
    pub filter: crate::filter::Stage,
    /// MTA-STS of the domains mail goes to (RFC 8461); None: not looked at.
    pub policies: Option<Arc<mta_sts::Policies>>,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        OutboundConfig {
            hostname: "localhost".into(),
            routes: Routes::default(),
            lifetime: app::domain::retry::DEFAULT_LIFETIME,
            batch: 32,
            per_domain: 4,
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(5 * 60),
            poll: Duration::from_secs(1),
            filter: Default::default(),
            policies: None,
        }
    }
}

/// Domain → deliveries in progress, for the per-domain cap.
#[derive(Default)]
struct InFlight(Mutex<HashMap<String, usize>>);

impl InFlight {
    fn try_take(&self, domain: &str, cap: usize) -> bool {
        let mut m = lock(&self.0);
        let n = m.entry(domain.to_string()).or_insert(0);
        if *n >= cap {
            return false;
        }
        *n += 1;
        true
    }
    fn give_back(&self, domain: &str) {
        let mut m = lock(&self.0);
        if let Some(n) = m.get_mut(domain) {
            *n -= 1;
            if *n == 0 {
                m.remove(domain);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn domain_of(address: &str) -> String {
    app::domain::address::domain_of(address).unwrap_or_default()
}

/// Runs the worker until `shutdown`; deliveries in progress finish first.
pub async fn run(
    store: Store,
    config: OutboundConfig,
    resolver: Option<Arc<hickory_resolver::TokioResolver>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let worker = format!(
        "{}/{}/{}",
        config.hostname,
        std::process::id(),
        app::auth::random_hex(4)
    );
    let config = Arc::new(config);
    let in_flight = Arc::new(InFlight::default());
    let mut running = JoinSet::new();
    // The ids being delivered, whose claims are renewed while they last.
    let sending: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let mut renew = tokio::time::interval(config.lease / 3);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let claimed = if running.len() < config.batch as usize {
            match store
                .claim_outbound(&worker, config.batch - running.len() as u64, config.lease)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("outbound: cannot read the queue: {e}");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        for m in claimed {
            let domain = domain_of(&m.rcpt_to);
            if !in_flight.try_take(&domain, config.per_domain) {
                // Over the domain's cap: back to the queue untried, due again in a moment.
                let _ = store
                    .unclaim_outbound(m.id, &worker, app::store::now() + 1)
                    .await;
                continue;
            }
            let (store, config, worker, resolver, in_flight, sending) = (
                store.clone(),
                config.clone(),
                worker.clone(),
                resolver.clone(),
                in_flight.clone(),
                sending.clone(),
            );
            lock(&sending).insert(m.id);
            running.spawn(async move {
                let outcome = deliver(&store, &config, resolver.as_deref(), &m).await;
                log_outcome(&m, &outcome);
                let recorded = match (&outcome, bounce_for(&config, &m, &outcome)) {
                    (Outcome::Failed(answer), Some(bounce)) => {
                        store
                            .fail_outbound_with_bounce(m.id, &worker, answer, bounce)
                            .await
                    }
                    _ => store.finish_outbound(m.id, &worker, &outcome).await,
                };
                match recorded {
                    Ok(true) => {
                        let said = match outcome {
                            Outcome::Sent(_) => "delivered",
                            Outcome::Retry { .. } => "deferred",
                            Outcome::Failed(_) => "bounced",
                        };
                        app::metrics::inc(app::metrics::QUEUE_OUTCOMES, &[("outcome", said)]);
                    }
                    Ok(false) => {
                        tracing::warn!(id = m.id, "outbound: the claim expired during delivery")
                    }
                    Err(e) => {
                        tracing::error!(id = m.id, "outbound: cannot record the outcome: {e}")
                    }
                }
                in_flight.give_back(&domain);
                lock(&sending).remove(&m.id);
            });
        }
        // Look again at the next poll, or as soon as a delivery ends (room for more); a slow
        // delivery never holds back mail queued meanwhile.
        tokio::select! {
            _ = tokio::time::sleep(config.poll) => {}
            _ = renew.tick() => {
                let ids: Vec<i64> = lock(&sending).iter().copied().collect();
                if let Err(e) = store.renew_outbound_claims(&worker, &ids, config.lease).await {
                    tracing::warn!("outbound: cannot renew claims: {e}");
                }
            }
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    while running.join_next().await.is_some() {}
}

/// The bounce for a failed message, to its envelope sender — none when that is `<>`
/// (auto-replies and bounces themselves are never bounced, RFC 3834 §3 and RFC 5321 §4.5.5).
fn bounce_for(config: &OutboundConfig, m: &outbound::Model, outcome: &Outcome) -> Option<Bounce> {
    let Outcome::Failed(answer) = outcome else {
        return None;
    };
    if m.mail_from.is_empty() || m.kind == "bounce" {
        return None;
    }
    let message_id = format!("{}@{}", app::auth::random_hex(12), config.hostname);
    let failure = dsn::Failure {
        reporting_mta: &config.hostname,
        to: &m.mail_from,
        recipient: &m.rcpt_to,
        answer,
        arrival: m.created_at,
        original: &m.raw,
    };
    let boundary = format!("=_courrier_{}", app::auth::random_hex(8));
    Some(Bounce {
        to: m.mail_from.clone(),
        raw: dsn::compose(&failure, &message_id, &boundary, app::store::now()),
        message_id,
    })
}

/// What the queue does with a message for one of the hosted domains.
enum Local {
    /// Delivered into a mailbox, or refused; Err is a temporary failure.
    Done(Result<Outcome, String>),
    /// One of this server's own SRS addresses: the message goes on to this original sender.
    Reversed(String),
    /// Not for a hosted domain.
    Foreign,
}

/// Delivers `m` into a local mailbox when its recipient is one.
async fn deliver_locally(
    store: &Store,
    filter: &crate::filter::Stage,
    m: &outbound::Model,
) -> Local {
    use app::store::delivery::{Inbound, InboundRcpt, RcptVerdict};
    // The unspecified address matches no relay grant: foreign stays foreign.
    let nowhere = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    let verdict = match store
        .check_recipient(&m.rcpt_to, &m.mail_from, nowhere, m.raw.len() as u64)
        .await
    {
        Ok(v) => v,
        Err(e) => return Local::Done(Err(format!("local lookup failed: {e}"))),
    };
    Local::Done(match verdict {
        RcptVerdict::Local {
            account,
            delivered_to,
            policy,
        } => {
            let (trace, junk) = match filtered(filter, store, m, &account, policy).await {
                Ok(marks) => marks,
                Err(outcome) => return Local::Done(outcome),
            };
            let job = Inbound {
                mail_from: m.mail_from.clone(),
                recipients: vec![InboundRcpt::Local {
                    account,
                    delivered_to,
                }],
                trace,
                message: m.raw.clone(),
                subject: String::new(),
                junk,
            };
            match store.deliver_batch(std::slice::from_ref(&job)).await {
                Ok(()) => Ok(Outcome::Sent(
                    "250 2.0.0 delivered to a local mailbox".into(),
                )),
                Err(e) => Err(format!("local delivery failed: {e}")),
            }
        }
        RcptVerdict::UnknownUser => Ok(Outcome::Failed(format!(
            "550 5.1.1 {}: no such user here",
            m.rcpt_to
        ))),
        RcptVerdict::OverQuota => Err(format!("452 4.2.2 {}: mailbox full", m.rcpt_to)),
        RcptVerdict::BadSrs { reason } => Ok(Outcome::Failed(format!(
            "550 5.1.1 {}: {reason}",
            m.rcpt_to
        ))),
        // A bounce of a forward, addressed to the SRS address this server made: reversed
        // here, not sent out to the domain's MX and back in.
        RcptVerdict::SrsReturn { address } => return Local::Reversed(address),
        RcptVerdict::Relay { .. }
        | RcptVerdict::Outbound
        | RcptVerdict::RelayDenied
        | RcptVerdict::RelaySenderRefused { .. }
        | RcptVerdict::RelayCapReached => return Local::Foreign,
    })
}

/// Passes a message for a local mailbox through the filter stage, as SMTP-in would (made on
/// this server: no client, no sender checks to make): the trace fields and junk mark to
/// deliver it with, or the outcome that refuses (a bounce) or defers it.
async fn filtered(
    filter: &crate::filter::Stage,
    store: &Store,
    m: &outbound::Model,
    account: &app::store::entities::account::Model,
    policy: app::domain::filter::Policy,
) -> Result<(Vec<u8>, Option<String>), Result<Outcome, String>> {
    // courrier's own bounces and automatic replies are not checked by courrier: a bounce
    // quoting a refused message must still reach its sender.
    if filter.is_empty() || matches!(m.kind.as_str(), "bounce" | "reply" | "notice") {
        return Ok((Vec::new(), None));
    }
    let id = m.id.to_string();
    let recipients = [m.rcpt_to.clone()];
    let envelope = crate::filter::Envelope {
        client: None,
        helo: "",
        mail_from: &m.mail_from,
        recipients: &recipients,
        message: &m.raw,
        trusted: true,
        id: &id,
        started: None,
    };
    let answer = |a: app::domain::filter::Answer| format!("{} {} {}", a.code, a.status, a.text);
    match filter
        .pass(store, &envelope, &[(&m.rcpt_to, account)], policy)
        .await
    {
        Ok(passed) => Ok((passed.fields.into_bytes(), passed.junk)),
        Err(crate::filter::Held::Refused(a)) => Err(Ok(Outcome::Failed(answer(a)))),
        Err(crate::filter::Held::Deferred(a)) => Err(Err(answer(a))),
    }
}

fn log_outcome(m: &outbound::Model, outcome: &Outcome) {
    match outcome {
        Outcome::Sent(a) => {
            tracing::info!(id = m.id, kind = %m.kind, to = %m.rcpt_to, "outbound: sent ({a})")
        }
        Outcome::Retry { answer, .. } => {
            tracing::info!(id = m.id, to = %m.rcpt_to, attempts = m.attempts, "outbound: will retry ({answer})")
        }
        Outcome::Failed(a) => tracing::warn!(id = m.id, to = %m.rcpt_to, "outbound: failed ({a})"),
    }
}

/// One attempt at one message: each hop in turn until one answers for good.
async fn deliver(
    store: &Store,
    config: &OutboundConfig,
    resolver: Option<&hickory_resolver::TokioResolver>,
    m: &outbound::Model,
) -> Outcome {
    let temporary = |answer: String| match after_temp_failure(
        m.attempts,
        m.created_at,
        app::store::now(),
        config.lifetime,
    ) {
        AfterTempFailure::RetryAt(at) => Outcome::Retry { answer, at },
        AfterTempFailure::GiveUp => {
            Outcome::Failed(format!("gave up after {} attempts: {answer}", m.attempts))
        }
    };
    // A hosted domain's mailbox (a bounce to a local sender, a forward to a colleague): into
    // the mailbox directly, by the rules of SMTP-in, not out and back in through DNS. An SRS
    // address of ours is reversed once (an SRS address inside it is not reversed again).
    let mut reversed = None;
    for _ in 0..2 {
        let target = reversed.as_ref().unwrap_or(m);
        match deliver_locally(store, &config.filter, target).await {
            Local::Done(Err(answer)) => return temporary(answer),
            Local::Done(Ok(outcome)) => return outcome,
            Local::Reversed(original) if reversed.is_none() => {
                reversed = Some(outbound::Model {
                    rcpt_to: original,
                    ..m.clone()
                });
            }
            Local::Reversed(_) => {
                return Outcome::Failed(format!(
                    "550 5.1.1 {}: an SRS address inside an SRS address",
                    m.rcpt_to
                ));
            }
            Local::Foreign => break,
        }
    }
    let m = reversed.as_ref().unwrap_or(m);
    let domain = domain_of(&m.rcpt_to);
    let hops = match route::hops(&config.routes, resolver, &domain).await {
        Ok(h) if h.is_empty() => {
            return Outcome::Failed(format!(
                "550 5.1.2 {domain} accepts no mail (no valid route)"
            ));
        }
        Ok(h) => h,
        Err(e) => return temporary(e),
    };
    // Signed by its author's domain (DKIM), once for every hop.
    let raw = crate::dkim::outgoing(store, &config.hostname, resolver, m).await;
    // The domain's MTA-STS policy (not through a smarthost: that hop is the host's choice).
    let policy = match &config.policies {
        Some(p) if config.routes.smarthost.is_none() => p.of(store, resolver, &domain).await,
        _ => None,
    };
    let mut last = String::new();
    for hop in hops.iter().take(5) {
        let verified = match app::domain::mta_sts::requirement(policy.as_ref(), &hop.host) {
            Requirement::Opportunistic => None,
            Requirement::VerifiedTls => config.policies.as_ref().map(|p| p.tls.clone()),
            Requirement::Refused(why) => {
                last = format!("MTA-STS: {why}");
                continue;
            }
        };
        if verified.is_none()
            && let Some(p) = &policy
            && p.mode == app::domain::mta_sts::Mode::Testing
            && !app::domain::mta_sts::mx_matches(p, &hop.host)
        {
            // `testing`: what enforce would refuse is reported, and the mail goes (§5).
            tracing::info!(%domain, hop = %hop.host, "MTA-STS testing: hop not among the policy's MX");
        }
        // The hop's addresses from the same resolver as its MX record ([dns]), not the
        // system's; without a resolver, the system finds them when connecting.
        let addresses = match route::addresses(resolver, hop).await {
            Ok(a) => a,
            Err(e) => {
                last = e;
                continue;
            }
        };
        for address in addresses.iter().take(3) {
            let letter = client::Letter {
                mail_from: &m.mail_from,
                rcpt_to: &m.rcpt_to,
                raw: &raw,
            };
            match client::send(
                hop,
                *address,
                &config.hostname,
                letter,
                config.timeout,
                verified.clone(),
            )
            .await
            {
                Attempt::Sent(a) => return Outcome::Sent(a),
                Attempt::Permanent(a) => return Outcome::Failed(a),
                Attempt::Temporary(a) => last = a,
            }
        }
    }
    temporary(last)
}

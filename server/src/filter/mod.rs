//! The filter stage (issue 14; docs/design.md "Inbound checks"): every message for a local
//! mailbox passes here after DATA/BDAT and before the `250`, so that what is refused is
//! refused in the SMTP dialogue (never bounced to a forged sender). Each check reports a
//! finding; the checks run at the same time, each within one time budget; the rules that
//! combine their findings with the domain's choices are `app::domain::filter::decide`.

pub mod clamav;
pub mod rspamd;
pub mod sender;

use app::domain::filter::{Answer, CheckKind, Decision, Policy, Report, decide, wanted};
use app::store::Store;
use app::store::entities::account;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// A message as the checks see it.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    /// The client's address; None for mail made on this server (a bounce, a forward).
    pub client: Option<IpAddr>,
    pub helo: &'a str,
    /// Empty for the null sender `<>`.
    pub mail_from: &'a str,
    pub recipients: &'a [String],
    pub message: &'a [u8],
    /// Sent by a signed-in user (submission) or inside a relay grant: who sends is known.
    pub trusted: bool,
    /// The queue id of the trace field, for the logs of the scanners.
    pub id: &'a str,
    /// What the checks started on the envelope alone, when it came (`Stage::start`).
    pub started: Option<&'a Started>,
}

/// The envelope alone, as the message begins (DATA, or the first BDAT chunk).
#[derive(Clone, Debug)]
pub struct Early {
    pub client: IpAddr,
    pub helo: String,
    pub mail_from: String,
    /// As in `Envelope`.
    pub trusted: bool,
}

/// What a check found on the envelope alone; only that check reads it back.
pub type Found = Box<dyn std::any::Any + Send>;

/// The envelope work of the checks of one message, running while its body arrives; stopped
/// if the message never comes (the transaction is dropped).
#[derive(Debug, Default)]
pub struct Started(
    Vec<(
        CheckKind,
        std::sync::Mutex<Option<tokio::task::JoinHandle<Found>>>,
    )>,
);

impl Started {
    /// What the check of `kind` started, for it to await (once).
    pub fn take(&self, kind: CheckKind) -> Option<tokio::task::JoinHandle<Found>> {
        self.0
            .iter()
            .find(|(k, _)| *k == kind)
            .and_then(|(_, h)| h.lock().ok()?.take())
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        for (_, h) in &self.0 {
            if let Ok(Some(h)) = h.lock().map(|mut h| h.take()) {
                h.abort();
            }
        }
    }
}

/// One check of the stage.
#[async_trait::async_trait]
pub trait Check: Send + Sync {
    fn kind(&self) -> CheckKind;
    async fn check(&self, m: &Envelope<'_>) -> Report;
    /// The report when the check did not answer within the budget.
    fn late(&self) -> Report;
    /// Work on the envelope alone, started as the message begins so that it runs while the
    /// body arrives (DNS, the database); `check` finds it in `Envelope::started`.
    fn start(&self, _e: &Early) -> Option<futures_util::future::BoxFuture<'static, Found>> {
        None
    }
}

/// The checks this server runs, and how long a message may wait for them.
#[derive(Clone, Default)]
pub struct Stage {
    checks: Vec<Arc<dyn Check>>,
    budget: Duration,
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds: Vec<&str> = self.checks.iter().map(|c| c.kind().name()).collect();
        f.debug_struct("Stage")
            .field("checks", &kinds)
            .field("budget", &self.budget)
            .finish()
    }
}

/// How long the checks of one message may take together (they run at the same time).
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(20);

impl Stage {
    pub fn new(checks: Vec<Arc<dyn Check>>, budget: Duration) -> Stage {
        Stage { checks, budget }
    }

    /// Starts the envelope work of the checks `policy` wants (each on its own task).
    pub fn start(&self, e: &Early, policy: Policy) -> Started {
        Started(
            self.checks
                .iter()
                .filter(|c| wanted(c.kind(), policy))
                .filter_map(|c| {
                    let work = c.start(e)?;
                    Some((c.kind(), std::sync::Mutex::new(Some(tokio::spawn(work)))))
                })
                .collect(),
        )
    }

    /// No check configured: nothing to run.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Runs the checks `policy` wants, at the same time, each cut at the budget, and decides.
    pub async fn run(&self, m: &Envelope<'_>, policy: Policy) -> Decision {
        let runs = self
            .checks
            .iter()
            .filter(|c| wanted(c.kind(), policy))
            .map(|c| async move {
                match tokio::time::timeout(self.budget, c.check(m)).await {
                    Ok(r) => r,
                    Err(_) => {
                        tracing::warn!(id = m.id, check = c.kind().name(), "check out of time");
                        c.late()
                    }
                }
            });
        let reports = futures_util::future::join_all(runs).await;
        decide(&reports, policy)
    }
}

/// A local mailbox a message is for: the address it was sent to, and its account.
pub type Mailbox<'a> = (&'a str, &'a account::Model);

/// What the stage lets through: the header fields to put on top (each ended by CRLF) and the
/// junk mark.
#[derive(Debug, Default)]
pub struct Passed {
    pub fields: String,
    pub junk: Option<String>,
}

/// What the stage holds back, and its answer.
#[derive(Debug)]
pub enum Held {
    /// For good (a 5xx); already in the filter log.
    Refused(Answer),
    /// For now (a 4xx).
    Deferred(Answer),
}

impl Stage {
    /// The one way through the stage, for SMTP-in and for the queue: runs the checks for a
    /// message to `mailboxes` under `policy`, logs a refusal for each of them, and says what
    /// to deliver it with or why it is held back.
    pub async fn pass(
        &self,
        store: &Store,
        m: &Envelope<'_>,
        mailboxes: &[Mailbox<'_>],
        policy: Policy,
    ) -> Result<Passed, Held> {
        match self.run(m, policy).await {
            Decision::Deliver { headers, junk } => Ok(Passed {
                fields: headers.iter().map(|h| format!("{h}\r\n")).collect(),
                junk,
            }),
            Decision::Refuse {
                answer,
                reason,
                kind,
            } => {
                tracing::info!(id = m.id, from = %m.mail_from, peer = ?m.client, check = kind.name(), "message refused: {reason}");
                app::metrics::inc(
                    app::metrics::HELD,
                    &[("check", kind.name()), ("action", "refused")],
                );
                log(
                    store,
                    m.mail_from,
                    mailboxes,
                    app::store::filter::REFUSED,
                    &reason,
                )
                .await;
                Err(Held::Refused(answer))
            }
            Decision::Defer {
                answer,
                reason,
                kind,
            } => {
                tracing::info!(id = m.id, from = %m.mail_from, peer = ?m.client, check = kind.name(), "message deferred: {reason}");
                app::metrics::inc(
                    app::metrics::HELD,
                    &[("check", kind.name()), ("action", "deferred")],
                );
                Err(Held::Deferred(answer))
            }
        }
    }
}

/// One line of the filter log per mailbox (a failure to write it is logged and changes
/// nothing for the message).
pub async fn log(
    store: &Store,
    sender: &str,
    mailboxes: &[Mailbox<'_>],
    action: &'static str,
    reason: &str,
) {
    let lines: Vec<app::store::filter::Filtered> = mailboxes
        .iter()
        .map(|(address, account)| app::store::filter::Filtered {
            domain_id: account.domain_id.unwrap_or_default(),
            account_id: Some(account.id),
            sender,
            recipient: address,
            action,
            reason,
        })
        .collect();
    if let Err(e) = store.log_filtered(&lines, app::store::now()).await {
        tracing::error!("filter log: {e}");
    }
}

/// `From` and friends that a scanner is told: the address, or nothing for `<>`.
pub fn sender_or_none(mail_from: &str) -> Option<&str> {
    (!mail_from.is_empty()).then_some(mail_from)
}

/// What to do when a scanner does not answer: hold the message back (451, the sender's
/// server tries again), or take it with a header saying it was not scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    #[default]
    Defer,
    Accept,
}

impl OnFailure {
    /// The report of a scanner of `kind` that could not say (`why`): held back with
    /// `status` and `text`, or taken with the `header` that says it was not checked.
    pub fn report(
        self,
        kind: CheckKind,
        status: &'static str,
        text: &str,
        why: String,
        header: &str,
    ) -> Report {
        match self {
            OnFailure::Defer => Report {
                kind,
                finding: app::domain::filter::Finding::Defer {
                    answer: app::domain::filter::Answer::new(451, status, text),
                    reason: why,
                },
                headers: Vec::new(),
            },
            OnFailure::Accept => Report {
                kind,
                finding: app::domain::filter::Finding::Clean,
                headers: vec![header.to_string()],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check whose envelope work says which MAIL FROM it saw.
    struct Seen(CheckKind);

    #[async_trait::async_trait]
    impl Check for Seen {
        fn kind(&self) -> CheckKind {
            self.0
        }
        async fn check(&self, _m: &Envelope<'_>) -> Report {
            Report::clean(self.0)
        }
        fn late(&self) -> Report {
            Report::clean(self.0)
        }
        fn start(&self, e: &Early) -> Option<futures_util::future::BoxFuture<'static, Found>> {
            let from = e.mail_from.clone();
            Some(Box::pin(async move { Box::new(from) as Found }))
        }
    }

    fn early() -> Early {
        Early {
            client: "192.0.2.1".parse().unwrap(),
            helo: "mx.example".into(),
            mail_from: "a@example.org".into(),
            trusted: false,
        }
    }

    #[tokio::test]
    async fn envelope_work_is_started_for_the_wanted_checks_and_taken_once() {
        let stage = Stage::new(
            vec![
                Arc::new(Seen(CheckKind::Sender)),
                Arc::new(Seen(CheckKind::Virus)),
            ],
            DEFAULT_BUDGET,
        );
        let all = Policy::default();
        let started = stage.start(&early(), all);
        let work = started.take(CheckKind::Sender).expect("started");
        let found = work.await.unwrap().downcast::<String>().unwrap();
        assert_eq!(*found, "a@example.org");
        assert!(started.take(CheckKind::Sender).is_none(), "taken once");
        assert!(started.take(CheckKind::Virus).is_some());
        assert!(started.take(CheckKind::Spam).is_none(), "no such check");
        // A check the domain does not want starts nothing.
        let no_viruses = Policy {
            viruses: false,
            ..Policy::default()
        };
        let started = stage.start(&early(), no_viruses);
        assert!(started.take(CheckKind::Virus).is_none());
        assert!(started.take(CheckKind::Sender).is_some());
    }
}

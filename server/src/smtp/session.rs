//! The SMTP session as a state machine, without sockets: it takes command lines and message
//! data and answers replies plus what the connection must do next. One handler per command
//! lives in `commands/`. The store is real (tests use a SQLite file), nothing is mocked.

use super::body::{DataEnd, DataReader};
use super::reply::{self, Reply};
use app::auth::check::Gate;
use app::domain::headers::{count_received, fields, first};
use app::store::Store;
use app::store::delivery::{Deliverer, Inbound, InboundRcpt};
use app::store::entities::account;
use smtp_proto::{Error as ParseError, Request};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Limits and names; defaults follow the issue and common practice (Postfix).
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub hostname: String,
    pub max_message_size: usize,
    pub max_recipients: usize,
    pub max_errors: u32,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// How long sessions in the middle of a message may take to finish at shutdown.
    pub shutdown_grace: Duration,
    /// Load balancers whose connections start with a PROXY header (`[proxy] trusted`).
    pub proxies: Arc<Vec<app::domain::network::Network>>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            hostname: "localhost".into(),
            max_message_size: 25 * 1024 * 1024,
            max_recipients: 100,
            max_errors: 10,
            idle_timeout: Duration::from_secs(300),
            max_connections: 500,
            max_connections_per_ip: 50,
            shutdown_grace: Duration::from_secs(30),
            proxies: Arc::default(),
        }
    }
}

/// What a session shares with the others.
pub struct SmtpContext {
    pub store: Store,
    pub deliverer: Deliverer,
    pub config: SmtpConfig,
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// Set on the submission ports (RFC 6409): AUTH is offered once TLS is on, and mail is
    /// taken only from signed-in users. None on SMTP-in.
    pub submission: Option<SubmissionAuth>,
    /// The checks every message for a local mailbox passes before the `250` (issue 14).
    pub filter: crate::filter::Stage,
}

/// How submission checks passwords: the throttle shared with POP3 and the web sign-in.
pub struct SubmissionAuth {
    pub gate: Arc<Gate>,
}

/// A user signed in on the submission port, and the addresses they may send from.
#[derive(Debug)]
pub struct Submitter {
    pub account: Box<account::Model>,
    pub addresses: Vec<String>,
    /// Whether the password is still the one it signed in with.
    pub standing: app::auth::standing::Standing,
}

/// An AUTH exchange waiting for the client's next line (RFC 4954 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sasl {
    Plain,
    LoginUser,
    LoginPassword { user: String },
}

/// What the connection does after the replies are sent.
#[derive(Debug)]
pub enum Next {
    Command,
    /// Read message data until `<CRLF>.<CRLF>`.
    Data(Box<DataReader>),
    /// Read exactly `size` octets of a BDAT chunk (RFC 3030), feeding `bdat_data`.
    Bdat {
        size: usize,
    },
    StartTls,
    Close,
}

#[derive(Debug)]
pub struct Step {
    pub replies: Vec<Reply>,
    pub next: Next,
}

impl Step {
    pub fn reply(r: Reply) -> Step {
        let next = if r.closes() {
            Next::Close
        } else {
            Next::Command
        };
        Step {
            replies: vec![r],
            next,
        }
    }
    pub fn then(r: Reply, next: Next) -> Step {
        Step {
            replies: vec![r],
            next,
        }
    }
}

/// One mail transaction: MAIL, RCPT…, then DATA or BDAT.
#[derive(Debug, Default)]
pub struct Transaction {
    pub mail_from: String,
    pub smtputf8: bool,
    /// The SIZE the client announced (RFC 1870), 0 when none.
    pub size_hint: usize,
    pub rcpts: Vec<(String, InboundRcpt)>,
    /// The filter choices of the local recipients' domains: one per transaction (a recipient
    /// whose domain chose otherwise is asked to come in another one, `commands::rcpt`).
    pub policy: Option<app::domain::filter::Policy>,
    /// The filter stage's work on the envelope, started as the message began.
    pub started: Option<crate::filter::Started>,
}

/// A BDAT message being assembled.
#[derive(Debug, Default)]
pub struct BdatState {
    pub message: Vec<u8>,
    pub too_big: bool,
    /// Set when this chunk is refused (no transaction, …): read and discard it, then answer this.
    pub refusal: Option<Reply>,
    pub last: bool,
}

pub struct Session {
    pub ctx: Arc<SmtpContext>,
    pub peer: SocketAddr,
    pub helo: Option<String>,
    pub esmtp: bool,
    /// "TLSv1.3 with cipher …" once STARTTLS is done.
    pub tls: Option<String>,
    pub tx: Option<Transaction>,
    pub bdat: Option<BdatState>,
    pub errors: u32,
    /// Submission: who signed in, the exchange in progress, failed attempts.
    pub user: Option<Submitter>,
    pub sasl: Option<Sasl>,
    pub auth_failures: u32,
}

impl Session {
    pub fn new(ctx: Arc<SmtpContext>, peer: SocketAddr) -> Session {
        Session {
            ctx,
            peer,
            helo: None,
            esmtp: false,
            tls: None,
            tx: None,
            bdat: None,
            errors: 0,
            user: None,
            sasl: None,
            auth_failures: 0,
        }
    }

    pub fn is_submission(&self) -> bool {
        self.ctx.submission.is_some()
    }

    pub fn greeting(&self) -> Reply {
        Reply::new(
            220,
            "",
            format!("{} ESMTP courrier", self.ctx.config.hostname),
        )
    }

    pub fn tls_available(&self) -> bool {
        self.ctx.tls.is_some() && self.tls.is_none()
    }

    /// RFC 3207 §4.2: after the handshake the session starts afresh (EHLO again).
    pub fn tls_started(&mut self, description: String) {
        self.tls = Some(description);
        self.helo = None;
        self.esmtp = false;
        self.tx = None;
        self.bdat = None;
        self.sasl = None;
    }

    /// Counts an error reply; past the limit the session ends with 421.
    pub(crate) fn count_errors(&mut self, mut step: Step) -> Step {
        if step
            .replies
            .iter()
            .any(|r| r.code >= 500 || r.code == 452 || r.code == 451)
        {
            self.errors += 1;
            if self.errors >= self.ctx.config.max_errors {
                step.replies.push(reply::too_many_errors());
                step.next = Next::Close;
            }
        }
        step
    }

    /// A command line, with its CRLF (the connection keeps lines ≤ 512 octets).
    pub async fn command(&mut self, line: &[u8]) -> Step {
        // In the middle of AUTH, the line is the client's response, not a command.
        if let Some(sasl) = self.sasl.take() {
            let step = super::commands::auth::response(self, sasl, line).await;
            return self.count_errors(step);
        }
        // A password changed or a suspension since AUTH ends the session at its next command.
        if let Some(user) = self.user.as_mut()
            && !user.standing.holds(&self.ctx.store).await
        {
            self.tx = None;
            self.bdat = None;
            return Step::then(
                Reply::new(
                    421,
                    "4.7.0",
                    "The password of this account changed or it was suspended: sign in again",
                ),
                Next::Close,
            );
        }
        let step = match Request::parse(&mut line.iter()) {
            Ok(req) => {
                let counted = match &req {
                    Request::Mail { .. } => Some("mail"),
                    Request::Rcpt { .. } => Some("rcpt"),
                    Request::Data => Some("data"),
                    Request::Bdat { .. } => Some("bdat"),
                    _ => None,
                };
                let step = self.dispatch(req).await;
                if let Some(command) = counted {
                    self.count_refusals(command, &step);
                }
                step
            }
            Err(e) => Step::reply(parse_error(e)),
        };
        self.count_errors(step)
    }

    /// The listener's name in the metrics.
    fn listener(&self) -> &'static str {
        if self.is_submission() {
            "submission"
        } else {
            "smtp"
        }
    }

    /// Counts the refusals (4xx, 5xx) `step` gives to `command`, by enhanced status code.
    fn count_refusals(&self, command: &'static str, step: &Step) {
        for r in step.replies.iter().filter(|r| r.code >= 400) {
            let code = r.code.to_string();
            let status = if r.enhanced.is_empty() {
                code.as_str()
            } else {
                r.enhanced
            };
            app::metrics::inc(
                app::metrics::REFUSED,
                &[
                    ("listener", self.listener()),
                    ("command", command),
                    ("status", status),
                ],
            );
        }
    }

    async fn dispatch(&mut self, req: Request<std::borrow::Cow<'_, str>>) -> Step {
        use super::commands::*;
        match req {
            Request::Ehlo { host } => ehlo::ehlo(self, &host),
            Request::Helo { host } => ehlo::helo(self, &host),
            Request::Mail { from } => mail::mail(self, from),
            Request::Rcpt { to } => rcpt::rcpt(self, to).await,
            Request::Data => data::data(self),
            Request::Bdat {
                chunk_size,
                is_last,
            } => bdat::bdat(self, chunk_size, is_last),
            Request::Rset => simple::rset(self),
            Request::Noop { .. } => simple::noop(),
            Request::Quit => simple::quit(),
            Request::Vrfy { .. } => simple::vrfy(),
            Request::Help { .. } => simple::help(),
            Request::StartTls => starttls::starttls(self),
            Request::Auth {
                mechanism,
                initial_response,
            } => auth::auth(self, mechanism, &initial_response).await,
            other => Step::reply(reply::not_implemented(other.name())),
        }
    }

    /// The end of a DATA body.
    pub async fn data_end(&mut self, end: DataEnd) -> Step {
        let step = match end {
            DataEnd::BareNewline => {
                self.tx = None;
                Step::then(
                    Reply::new(
                        550,
                        "5.5.2",
                        "Bare LF or CR in the message data: refused (CRLF line ends only)",
                    ),
                    Next::Close,
                )
            }
            DataEnd::TooBig => {
                self.tx = None;
                Step::reply(too_big(self.ctx.config.max_message_size))
            }
            DataEnd::LineTooLong => {
                self.tx = None;
                Step::reply(Reply::new(
                    554,
                    "5.6.0",
                    "A line of the message is longer than 998 characters (RFC 5322 §2.1.1)",
                ))
            }
            DataEnd::Message(m) => self.finish(m).await,
        };
        self.count_refusals("data", &step);
        self.count_errors(step)
    }

    /// Bytes of the current BDAT chunk.
    pub fn bdat_data(&mut self, bytes: &[u8]) {
        let max = self.ctx.config.max_message_size;
        if let Some(b) = self.bdat.as_mut()
            && b.refusal.is_none()
            && !b.too_big
        {
            if b.message.len() + bytes.len() > max {
                b.too_big = true;
                b.message = Vec::new();
            } else {
                b.message.extend_from_slice(bytes);
            }
        }
    }

    /// The current BDAT chunk has been read in full.
    pub async fn bdat_chunk_done(&mut self) -> Step {
        let Some(mut b) = self.bdat.take() else {
            return Step::reply(reply::bad_sequence("no BDAT in progress"));
        };
        let step = if let Some(refusal) = b.refusal.take() {
            Step::reply(refusal)
        } else if b.too_big {
            // RFC 3030 §2: after a failed chunk the transaction is over.
            self.tx = None;
            Step::reply(too_big(self.ctx.config.max_message_size))
        } else if b.last {
            let message = std::mem::take(&mut b.message);
            // The same rule as DATA: CRLF line ends only (no BINARYMIME is offered, so BDAT
            // carries text; RFC 3030 §3, RFC 5321 §2.3.8). The chunk sizes keep the stream in
            // step, so the session goes on.
            if app::domain::line_ends::crlf_only(&message) {
                self.finish(message).await
            } else {
                self.tx = None;
                Step::reply(Reply::new(
                    550,
                    "5.6.0",
                    "Bare LF or CR in the message: refused (CRLF line ends only)",
                ))
            }
        } else {
            let n = b.message.len();
            self.bdat = Some(b);
            Step::reply(reply::ok(format!("{n} octets received")))
        };
        self.count_refusals("bdat", &step);
        self.count_errors(step)
    }

    /// Delivers a complete message; 250 only once it is committed.
    async fn finish(&mut self, message: Vec<u8>) -> Step {
        let Some(tx) = self.tx.take() else {
            return Step::reply(reply::bad_sequence("no transaction"));
        };
        // RFC 5321 §6.3: a message that went round too often is a loop.
        if count_received(&message) > 30 {
            return Step::reply(Reply::new(
                554,
                "5.4.6",
                "Mail loop detected: too many Received headers",
            ));
        }
        // RFC 8601 §5: results claiming this server's name are not the sender's to give.
        let message =
            match app::domain::headers::without_results_of(&message, &self.ctx.config.hostname) {
                Some(stripped) => stripped,
                None => message,
            };
        let id = app::auth::random_hex(8);
        let mut trace = self.received_header(&tx, &id);
        let passed = match self.filter(&tx, &message, &id).await {
            Ok(passed) => passed,
            Err(refusal) => return Step::reply(refusal),
        };
        trace.push_str(&passed.fields);
        let junk = passed.junk;
        let job = Inbound {
            mail_from: tx.mail_from.clone(),
            recipients: tx.rcpts.iter().map(|(_, r)| r.clone()).collect(),
            trace: trace.into_bytes(),
            subject: first(&fields(&message), "subject").unwrap_or_default(),
            message,
            junk: junk.clone(),
        };
        let count = job.recipients.len();
        match self.ctx.deliverer.deliver(job).await {
            Ok(()) => {
                tracing::info!(id, from = %tx.mail_from, recipients = count, peer = %self.peer.ip(), "message accepted");
                app::metrics::inc(app::metrics::RECEIVED, &[("listener", self.listener())]);
                if let Some(reason) = &junk {
                    let mailboxes = Self::mailboxes(&tx);
                    let (store, mark) = (&self.ctx.store, app::store::filter::JUNK);
                    crate::filter::log(store, &tx.mail_from, &mailboxes, mark, reason).await;
                }
                Step::reply(reply::ok(format!("Ok: queued as {id}")))
            }
            Err(e) => {
                tracing::error!(id, "delivery failed: {e}");
                Step::reply(reply::storage_trouble())
            }
        }
    }

    /// The transaction's local mailboxes: the address named and its account.
    fn mailboxes(tx: &Transaction) -> Vec<crate::filter::Mailbox<'_>> {
        tx.rcpts
            .iter()
            .filter_map(|(address, r)| match r {
                InboundRcpt::Local { account, .. } => Some((address.as_str(), &**account)),
                _ => None,
            })
            .collect()
    }

    /// As the message begins (DATA, the first BDAT chunk): starts what the filter stage can
    /// do on the envelope alone, so that it runs while the body arrives.
    pub fn start_checks(&mut self) {
        let Some(tx) = self.tx.as_ref() else {
            return;
        };
        if tx.started.is_some() || self.ctx.filter.is_empty() || Self::mailboxes(tx).is_empty() {
            return;
        }
        let early = crate::filter::Early {
            client: self.peer.ip(),
            helo: self.helo.clone().unwrap_or_default(),
            mail_from: tx.mail_from.clone(),
            trusted: self.user.is_some(),
        };
        let started = self.ctx.filter.start(&early, tx.policy.unwrap_or_default());
        if let Some(tx) = self.tx.as_mut() {
            tx.started = Some(started);
        }
    }

    /// Passes a message with local recipients through the filter stage: the header fields to
    /// add and the junk mark when it is delivered, or the reply that refuses or defers it.
    async fn filter(
        &self,
        tx: &Transaction,
        message: &[u8],
        id: &str,
    ) -> Result<crate::filter::Passed, Reply> {
        let mailboxes = Self::mailboxes(tx);
        if mailboxes.is_empty() || self.ctx.filter.is_empty() {
            return Ok(Default::default());
        }
        let local: Vec<String> = mailboxes.iter().map(|(a, _)| a.to_string()).collect();
        let envelope = crate::filter::Envelope {
            client: Some(self.peer.ip()),
            helo: self.helo.as_deref().unwrap_or(""),
            mail_from: &tx.mail_from,
            recipients: &local,
            message,
            trusted: self.user.is_some(),
            id,
            started: tx.started.as_ref(),
        };
        let policy = tx.policy.unwrap_or_default();
        match self
            .ctx
            .filter
            .pass(&self.ctx.store, &envelope, &mailboxes, policy)
            .await
        {
            Ok(passed) => Ok(passed),
            Err(crate::filter::Held::Refused(a) | crate::filter::Held::Deferred(a)) => {
                Err(Reply::new(a.code, a.status, a.text))
            }
        }
    }

    /// The trace field of RFC 5321 §4.4, with TLS details when used and the protocol name of
    /// RFC 3848 / RFC 6531 §4.3.
    fn received_header(&self, tx: &Transaction, id: &str) -> String {
        let helo = self.helo.as_deref().unwrap_or("unknown");
        let ip = self.peer.ip();
        let mut protocol = String::from(if tx.smtputf8 {
            "UTF8SMTP"
        } else if self.esmtp {
            "ESMTP"
        } else {
            "SMTP"
        });
        // RFC 3848: S for TLS, A for an authenticated client.
        if self.tls.is_some() {
            protocol.push('S');
        }
        if self.user.is_some() {
            protocol.push('A');
        }
        let tls = self
            .tls
            .as_ref()
            .map(|t| format!("\r\n\t(using {t})"))
            .unwrap_or_default();
        let rcpt = match tx.rcpts.as_slice() {
            [(one, _)] => format!("\r\n\tfor <{one}>"),
            _ => String::new(),
        };
        format!(
            "Received: from {helo} ([{ip}])\r\n\tby {host} (courrier) with {protocol} id {id}{tls}{rcpt};\r\n\t{date}\r\n",
            host = self.ctx.config.hostname,
            date = app::domain::mailtime::rfc5322(app::store::now()),
        )
    }
}

pub fn too_big(max: usize) -> Reply {
    Reply::new(
        552,
        "5.3.4",
        format!("Message too big: {max} octets at most"),
    )
}

fn parse_error(e: ParseError) -> Reply {
    match e {
        ParseError::UnknownCommand => reply::unknown_command(),
        ParseError::InvalidSenderAddress => Reply::new(553, "5.1.7", "Invalid sender address"),
        ParseError::InvalidRecipientAddress => {
            Reply::new(553, "5.1.3", "Invalid recipient address")
        }
        ParseError::SyntaxError { syntax } => reply::syntax(syntax),
        ParseError::InvalidParameter { param } => {
            Reply::new(501, "5.5.4", format!("Invalid parameter {param}"))
        }
        ParseError::UnsupportedParameter { param } => {
            Reply::new(555, "5.5.4", format!("Unsupported parameter {param}"))
        }
        _ => reply::syntax("incomplete command"),
    }
}

/// Starts a DATA body reader for this session's limit.
pub fn data_reader(s: &Session) -> Box<DataReader> {
    let expected = s.tx.as_ref().map(|t| t.size_hint).unwrap_or(0);
    Box::new(DataReader::with_capacity(
        s.ctx.config.max_message_size,
        expected,
    ))
}

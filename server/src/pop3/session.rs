//! The POP3 session as a state machine without sockets (RFC 1939 §3): AUTHORIZATION, then
//! TRANSACTION once the maildrop is open, then UPDATE at QUIT. It takes command lines and
//! writes responses; one handler per command lives in `commands/`. The store is real.

use super::commands;
use super::maildrop::Maildrop;
use super::parser::{self, Command, ParseError};
use super::reply;
use app::auth::check::Gate;
use app::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Limits and choices; defaults follow the issue and Dovecot's.
#[derive(Clone, Debug)]
pub struct Pop3Config {
    pub hostname: String,
    /// Accept USER/PASS and AUTH PLAIN without TLS from any address (old clients need it);
    /// otherwise only over TLS or from loopback.
    pub allow_plaintext_auth: bool,
    /// Bad commands before the connection is closed.
    pub max_errors: u32,
    /// Failed logins before the connection is closed.
    pub max_auth_failures: u32,
    /// RFC 1939 §3: the autologout timer is at least 10 minutes.
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// How long a maildrop lease lasts without renewal (a dead process frees it then).
    pub lease_ttl: Duration,
    /// Load balancers whose connections start with a PROXY header (`[proxy] trusted`).
    pub proxies: std::sync::Arc<Vec<app::domain::network::Network>>,
}

impl Default for Pop3Config {
    fn default() -> Self {
        Pop3Config {
            hostname: "localhost".into(),
            allow_plaintext_auth: false,
            max_errors: 10,
            max_auth_failures: 3,
            idle_timeout: Duration::from_secs(600),
            max_connections: 1000,
            max_connections_per_ip: 50,
            lease_ttl: Duration::from_secs(60),
            proxies: Default::default(),
        }
    }
}

/// What every POP3 session shares.
pub struct Pop3Context {
    pub store: Store,
    pub config: Pop3Config,
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// Shared with the web sign-in: guessing is counted at every door together.
    pub gate: Arc<Gate>,
    /// This process, in lease holder names (random, so two processes never collide).
    instance: String,
    sessions: AtomicU64,
}

impl Pop3Context {
    pub fn new(
        store: Store,
        config: Pop3Config,
        tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
        gate: Arc<Gate>,
    ) -> Pop3Context {
        Pop3Context {
            store,
            instance: crate::jobs::holder(&config.hostname),
            config,
            tls,
            gate,
            sessions: AtomicU64::new(0),
        }
    }

    fn holder(&self) -> String {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        format!("{}/{n}", self.instance)
    }
}

#[derive(Debug)]
pub enum State {
    Authorization {
        /// The name given by USER, waiting for PASS.
        user: Option<String>,
        /// AUTH PLAIN sent `+ ` and waits for the client's response line (RFC 5034 §4).
        sasl_pending: bool,
    },
    Transaction(Maildrop),
    /// After QUIT or a fatal error: nothing more is read.
    Closed,
}

/// What the connection does after the responses are sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Close,
    /// Send the responses, drop buffered input (RFC 2595 §4), then the TLS handshake.
    StartTls,
}

pub struct Session {
    pub ctx: Arc<Pop3Context>,
    pub peer: SocketAddr,
    pub tls: bool,
    pub state: State,
    pub errors: u32,
    pub auth_failures: u32,
    /// This session's name on the maildrop lease.
    pub holder: String,
    /// Once logged in: whether the password is still the one it logged in with.
    pub standing: Option<app::auth::standing::Standing>,
}

impl Session {
    pub fn new(ctx: Arc<Pop3Context>, peer: SocketAddr, tls: bool) -> Session {
        let holder = ctx.holder();
        Session {
            ctx,
            peer,
            tls,
            state: State::Authorization {
                user: None,
                sasl_pending: false,
            },
            errors: 0,
            auth_failures: 0,
            holder,
            standing: None,
        }
    }

    pub fn greeting(&self, out: &mut Vec<u8>) {
        reply::ok(
            out,
            &format!("{} POP3 server (courrier) ready", self.ctx.config.hostname),
        );
    }

    /// USER/PASS and AUTH PLAIN are offered over TLS, from loopback, or when configured.
    pub fn plaintext_allowed(&self) -> bool {
        self.tls || self.peer.ip().is_loopback() || self.ctx.config.allow_plaintext_auth
    }

    /// Longest acceptable line now: commands are short (RFC 2449 §4), a SASL response may be
    /// longer (RFC 5034 §4 leaves it to the mechanism).
    pub fn line_limit(&self) -> usize {
        match self.state {
            State::Authorization {
                sasl_pending: true, ..
            } => 4096,
            _ => parser::MAX_COMMAND_LINE,
        }
    }

    pub fn tls_started(&mut self) {
        self.tls = true;
        self.state = State::Authorization {
            user: None,
            sasl_pending: false,
        };
    }

    /// Handles one line (with its line end) and writes the response to `out`.
    pub async fn handle(&mut self, line: &[u8], out: &mut Vec<u8>) -> Next {
        if let State::Authorization {
            sasl_pending: true, ..
        } = self.state
        {
            return commands::auth::sasl_response(self, line, out).await;
        }
        let command = match parser::parse(line) {
            Ok(c) => c,
            Err(ParseError::Unknown) => return self.bad(out, "Unknown command"),
            Err(ParseError::BadNumber) => return self.bad(out, "Invalid message number"),
            Err(ParseError::Syntax(why)) => return self.bad(out, &format!("Syntax: {why}")),
        };
        let transaction = matches!(self.state, State::Transaction(_));
        // A password changed or a suspension since the login ends the session before anything
        // else happens, QUIT included: nothing marked is deleted (RFC 1939 §6: no UPDATE).
        if let (true, Some(standing)) = (transaction, self.standing.as_mut())
            && !standing.holds(&self.ctx.store).await
        {
            reply::err_code(
                out,
                reply::Code::Auth,
                "The password of this mailbox changed or it was suspended: log in again",
            );
            // Nothing deleted; the lease given back.
            self.finish().await;
            return Next::Close;
        }
        match command {
            Command::Capa => commands::capa::capa(self, out),
            Command::Quit => commands::quit::quit(self, out).await,
            Command::Noop if transaction => {
                reply::ok(out, "");
                Next::Continue
            }
            Command::Stls if !transaction => commands::capa::stls(self, out),
            Command::User(name) if !transaction => commands::auth::user(self, name, out),
            Command::Pass(password) if !transaction => {
                commands::auth::pass(self, password, out).await
            }
            Command::Auth { mechanism, initial } if !transaction => {
                commands::auth::auth(self, mechanism, initial, out).await
            }
            Command::Apop if !transaction => self.bad(
                out,
                "APOP is not offered (it needs clear-text passwords on the server); use USER/PASS or AUTH PLAIN over TLS",
            ),
            Command::Stat if transaction => commands::listing::stat(self, out),
            Command::List(n) if transaction => commands::listing::list(self, n, out).await,
            Command::Uidl(n) if transaction => commands::listing::uidl(self, n, out).await,
            Command::Retr(n) if transaction => commands::retrieve::retr(self, n, out).await,
            Command::Top(n, lines) if transaction => {
                commands::retrieve::top(self, n, lines, out).await
            }
            Command::Dele(n) if transaction => commands::marks::dele(self, n, out).await,
            Command::Rset if transaction => commands::marks::rset(self, out),
            _ if transaction => self.bad(out, "Not allowed once logged in"),
            _ => self.bad(out, "Log in first (USER and PASS, or AUTH PLAIN)"),
        }
    }

    /// A bad command: `-ERR`, counted; too many close the connection.
    pub fn bad(&mut self, out: &mut Vec<u8>, text: &str) -> Next {
        self.errors += 1;
        if self.errors >= self.ctx.config.max_errors {
            reply::err(
                out,
                &format!("{text}. Too many errors, closing the connection"),
            );
            self.close_without_update();
            return Next::Close;
        }
        reply::err(out, text);
        Next::Continue
    }

    /// A command line longer than the limit (already skipped by the connection).
    pub fn line_too_long(&mut self, out: &mut Vec<u8>) -> Next {
        if let State::Authorization { sasl_pending, .. } = &mut self.state {
            *sasl_pending = false;
        }
        self.bad(out, "Line too long (at most 255 octets)")
    }

    /// Leaves the session without entering UPDATE (RFC 1939 §6: nothing is deleted); the
    /// lease is released by `finish`.
    fn close_without_update(&mut self) {
        if !matches!(self.state, State::Transaction(_)) {
            self.state = State::Closed;
        }
    }

    /// The maildrop open in this session, if any.
    pub fn maildrop(&mut self) -> Option<&mut Maildrop> {
        match &mut self.state {
            State::Transaction(m) => Some(m),
            _ => None,
        }
    }

    /// Keeps the lease alive; false when it was lost (the session must end, deleting nothing).
    pub async fn renew(&mut self) -> bool {
        let State::Transaction(m) = &self.state else {
            return true;
        };
        match self
            .ctx
            .store
            .renew_maildrop(m.account_id, &self.holder, self.ctx.config.lease_ttl)
            .await
        {
            Ok(held) => held,
            // A passing database hiccup: the lease has time left, try again next tick.
            Err(e) => {
                tracing::warn!("pop3: cannot renew the maildrop lease: {e}");
                true
            }
        }
    }

    /// The connection is gone (dropped, timed out, shut down) without QUIT: nothing is
    /// deleted, the lease is given back.
    pub async fn finish(&mut self) {
        if let State::Transaction(m) = std::mem::replace(&mut self.state, State::Closed)
            && let Err(e) = self
                .ctx
                .store
                .release_maildrop(m.account_id, &self.holder)
                .await
        {
            tracing::warn!(login = %m.login, "pop3: cannot release the maildrop lease: {e}");
        }
    }
}

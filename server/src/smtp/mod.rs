//! SMTP-in (RFC 5321): receives mail for the hosted domains on port 25 (127.0.0.1:2525 by
//! default), durably, and never relays for strangers. The same code serves submission
//! (RFC 6409) on 587 with STARTTLS and 465 with implicit TLS (127.0.0.1:1587 and :1465):
//! signed-in users only (AUTH after TLS), from their own addresses, to anywhere.
//!
//! `session` is the state machine (no sockets), `commands/` one handler per command, `body`
//! the DATA reader, `conn` the socket side, this module the listener with its connection caps.

pub mod body;
pub mod commands;
pub mod conn;
pub mod reply;
pub mod session;

pub use session::{SmtpConfig, SmtpContext};

use crate::net::{Caps, Slots, accept_loop};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Accepts connections until `shutdown` turns true, then lets sessions finish (those in the
/// middle of a message get `shutdown_grace`; the others are told 421) and returns. Listeners
/// that share `slots` share the connection caps (submission on 587 and 465).
pub async fn run(
    listener: TcpListener,
    ctx: Arc<SmtpContext>,
    implicit_tls: bool,
    slots: Slots,
    shutdown: watch::Receiver<bool>,
) {
    // A refusal in clear text is no use to a client that starts with TLS.
    let refusal = (!implicit_tls).then(|| {
        let mut out = Vec::new();
        reply::too_many_connections().render(&mut out);
        out
    });
    let caps = Caps {
        slots,
        max_total: ctx.config.max_connections,
        max_per_ip: ctx.config.max_connections_per_ip,
        refusal,
        proxies: ctx.config.proxies.clone(),
        protocol: if ctx.submission.is_some() {
            "submission"
        } else {
            "SMTP"
        },
        listener: match (ctx.submission.is_some(), implicit_tls) {
            (false, _) => "smtp",
            (true, false) => "submission",
            (true, true) => "submissions",
        },
    };
    let sessions = shutdown.clone();
    accept_loop(listener, caps, shutdown, move |stream, peer| {
        conn::serve(ctx.clone(), stream, peer, implicit_tls, sessions.clone())
    })
    .await;
}

/// Where the listener is, for the console.
pub fn describe(addr: SocketAddr) -> String {
    format!("smtp: listening on {addr}")
}

#[cfg(test)]
mod tests;

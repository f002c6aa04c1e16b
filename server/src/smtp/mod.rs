//! SMTP-in (RFC 5321): receives mail for the hosted domains on port 25 (127.0.0.1:2525 by
//! default), durably, and never relays for strangers.
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
/// middle of a message get `shutdown_grace`; the others are told 421) and returns.
pub async fn run(listener: TcpListener, ctx: Arc<SmtpContext>, shutdown: watch::Receiver<bool>) {
    let mut refusal = Vec::new();
    reply::too_many_connections().render(&mut refusal);
    let caps = Caps {
        slots: Slots::default(),
        max_total: ctx.config.max_connections,
        max_per_ip: ctx.config.max_connections_per_ip,
        refusal: Some(refusal),
        protocol: "SMTP",
    };
    let sessions = shutdown.clone();
    accept_loop(listener, caps, shutdown, move |stream, peer| {
        conn::serve(ctx.clone(), stream, peer, sessions.clone())
    })
    .await;
}

/// Where the listener is, for the console.
pub fn describe(addr: SocketAddr) -> String {
    format!("smtp: listening on {addr}")
}

#[cfg(test)]
mod tests;

//! POP3 (RFC 1939, 2449, 2595, 3206, 5034): serves the mailboxes on port 110 (127.0.0.1:1110 by
//! default) with STLS, and POP3S with implicit TLS on port 995 (127.0.0.1:1995).
//!
//! `parser` reads command lines, `session` is the state machine (no sockets), `commands/` one
//! handler per command, `maildrop` the session's numbered view, `reply` the response format,
//! `conn` the socket side, this module the listeners with their connection caps.

pub mod commands;
pub mod conn;
pub mod maildrop;
pub mod parser;
pub mod reply;
pub mod session;

pub use session::{Pop3Config, Pop3Context};

use crate::net::{Caps, Io, Slots, accept_loop};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Accepts connections until `shutdown` turns true, then waits for the sessions (each one
/// answers `-ERR [SYS/TEMP]` and closes without deleting anything).
pub async fn run(
    listener: TcpListener,
    ctx: Arc<Pop3Context>,
    implicit_tls: bool,
    slots: Slots,
    shutdown: watch::Receiver<bool>,
) {
    let refusal = (!implicit_tls).then(|| {
        let mut out = Vec::new();
        reply::err_code(
            &mut out,
            reply::Code::SysTemp,
            "Too many connections; try again later",
        );
        out
    });
    let caps = Caps {
        slots,
        max_total: ctx.config.max_connections,
        max_per_ip: ctx.config.max_connections_per_ip,
        refusal,
        proxies: ctx.config.proxies.clone(),
        protocol: "POP3",
        listener: if implicit_tls { "pop3s" } else { "pop3" },
    };
    let sessions = shutdown.clone();
    accept_loop(listener, caps, shutdown, move |stream, peer| {
        conn::serve(
            ctx.clone(),
            Io::Plain(stream),
            peer,
            implicit_tls,
            sessions.clone(),
        )
    })
    .await;
}

#[cfg(test)]
mod tests;

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

use crate::net::Slots;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Accepts connections until `shutdown` turns true, then lets sessions finish (those in the
/// middle of a message get `shutdown_grace`; the others are told 421) and returns.
pub async fn run(
    listener: TcpListener,
    ctx: Arc<SmtpContext>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Slots::default();
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                match slots.take(peer.ip(), ctx.config.max_connections, ctx.config.max_connections_per_ip) {
                    Some(guard) => {
                        let ctx = ctx.clone();
                        let shutdown = shutdown.clone();
                        sessions.spawn(async move {
                            conn::serve(ctx, stream, peer, shutdown).await;
                            drop(guard);
                        });
                    }
                    None => {
                        tracing::warn!(peer = %peer.ip(), "SMTP connection refused: too many connections");
                        let mut out = Vec::new();
                        reply::too_many_connections().render(&mut out);
                        tokio::spawn(async move {
                            let _ = stream.write_all(&out).await;
                            let _ = stream.shutdown().await;
                        });
                    }
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
}

/// Where the listener is, for the console.
pub fn describe(addr: SocketAddr) -> String {
    format!("smtp: listening on {addr}")
}

#[cfg(test)]
mod tests;

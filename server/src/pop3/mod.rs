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

use crate::net::{Io, Slots};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Accepts connections until `shutdown` turns true, then waits for the sessions (each one
/// answers `-ERR [SYS/TEMP]` and closes without deleting anything).
pub async fn run(
    listener: TcpListener,
    ctx: Arc<Pop3Context>,
    implicit_tls: bool,
    slots: Slots,
    mut shutdown: watch::Receiver<bool>,
) {
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
                            conn::serve(ctx, Io::Plain(stream), peer, implicit_tls, shutdown).await;
                            drop(guard);
                        });
                    }
                    None => {
                        tracing::warn!(peer = %peer.ip(), "POP3 connection refused: too many connections");
                        if !implicit_tls {
                            tokio::spawn(async move {
                                let mut out = Vec::new();
                                reply::err_code(&mut out, reply::Code::SysTemp, "Too many connections; try again later");
                                let _ = stream.write_all(&out).await;
                                let _ = stream.shutdown().await;
                            });
                        }
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

#[cfg(test)]
mod tests;

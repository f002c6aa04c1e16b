//! One POP3 connection on a socket: framing of command lines (RFC 2449 §4: 255 octets),
//! pipelined commands answered in order and flushed in groups (RFC 2449 §6.6), STLS, the
//! autologout timer, the lease renewal, and shutdown.

use super::reply::{self, Code};
use super::session::{Next, Pop3Context, Session};
use crate::net::{Io, READ_CHUNK, write_all};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

/// Responses are sent once this much is pending, so pipelined RETRs never pile up in memory.
const FLUSH_AT: usize = 256 * 1024;

/// The session with its input buffer and pending output: everything of a connection but the
/// socket, so framing and pipelining are tested without one.
pub struct Pump {
    pub session: Session,
    /// Received, not yet processed.
    pub buf: Vec<u8>,
    /// Skipping the rest of an over-long line, up to its LF.
    skipping: bool,
    pub out: Vec<u8>,
}

impl Pump {
    pub fn new(session: Session) -> Pump {
        let mut out = Vec::with_capacity(1024);
        session.greeting(&mut out);
        Pump {
            session,
            buf: Vec::with_capacity(4096),
            skipping: false,
            out,
        }
    }

    /// Processes buffered lines until the input runs out, the output is worth sending, or
    /// the connection must close or start TLS.
    pub async fn run(&mut self) -> Next {
        let mut pos = 0;
        let mut next = Next::Continue;
        while self.out.len() < FLUSH_AT {
            let input = &self.buf[pos..];
            let limit = self.session.line_limit();
            match input.iter().position(|&b| b == b'\n') {
                Some(lf) if self.skipping => {
                    pos += lf + 1;
                    self.skipping = false;
                    next = self.session.line_too_long(&mut self.out);
                }
                Some(lf) if lf < limit => {
                    let line = &self.buf[pos..pos + lf + 1];
                    pos += lf + 1;
                    next = self.session.handle(line, &mut self.out).await;
                }
                Some(lf) => {
                    pos += lf + 1;
                    next = self.session.line_too_long(&mut self.out);
                }
                None => {
                    // Too long already: drop it and skip up to its LF; else wait for more.
                    if input.len() >= limit || self.skipping {
                        pos = self.buf.len();
                        self.skipping = true;
                    }
                    break;
                }
            }
            if next != Next::Continue {
                break;
            }
        }
        self.buf.drain(..pos);
        next
    }

    /// Whether complete lines are still waiting (the output filled up first).
    pub fn has_line(&self) -> bool {
        self.buf.contains(&b'\n')
    }
}

/// Runs a session until QUIT, an error, the autologout timer or shutdown. `tls` when the
/// connection is POP3S (the handshake is done here).
pub async fn serve(
    ctx: Arc<Pop3Context>,
    mut io: Io,
    peer: SocketAddr,
    implicit_tls: bool,
    mut shutdown: watch::Receiver<bool>,
) {
    if implicit_tls {
        let Some(config) = ctx.tls.clone() else {
            return;
        };
        if io
            .start_tls(config, ctx.config.idle_timeout)
            .await
            .is_none()
        {
            return;
        }
    }
    let mut pump = Pump::new(Session::new(ctx.clone(), peer, implicit_tls));
    let renew_every = ctx.config.lease_ttl / 4;
    let mut renew =
        tokio::time::interval_at(tokio::time::Instant::now() + renew_every, renew_every);
    'session: loop {
        loop {
            let next = pump.run().await;
            match next {
                Next::Continue => {}
                Next::Close => {
                    let _ = write_all(&mut io, &mut pump.out).await;
                    let _ = io.shutdown().await;
                    break 'session;
                }
                Next::StartTls => {
                    if write_all(&mut io, &mut pump.out).await.is_err() {
                        break 'session;
                    }
                    // RFC 2595 §4: whatever the client pipelined after STLS is discarded.
                    pump.buf.clear();
                    let Some(config) = ctx.tls.clone() else {
                        break 'session;
                    };
                    if io
                        .start_tls(config, ctx.config.idle_timeout)
                        .await
                        .is_none()
                    {
                        break 'session;
                    }
                    pump.session.tls_started();
                    continue;
                }
            }
            if write_all(&mut io, &mut pump.out).await.is_err() {
                break 'session;
            }
            if !pump.has_line() {
                break;
            }
        }

        let deadline = tokio::time::Instant::now() + ctx.config.idle_timeout;
        loop {
            let buf = &mut pump.buf;
            let old_len = buf.len();
            buf.resize(old_len + READ_CHUNK.min(16 * 1024), 0);
            tokio::select! {
                read = tokio::time::timeout_at(deadline, io.read(&mut buf[old_len..])) => {
                    match read {
                        Ok(Ok(0)) | Ok(Err(_)) => break 'session,
                        Ok(Ok(n)) => {
                            buf.truncate(old_len + n);
                            break;
                        }
                        Err(_) => {
                            // RFC 1939 §3: the autologout timer closes without UPDATE.
                            buf.truncate(old_len);
                            let mut out = Vec::new();
                            reply::err(&mut out, "Idle for too long, closing the connection");
                            let _ = write_all(&mut io, &mut out).await;
                            break 'session;
                        }
                    }
                }
                _ = renew.tick() => {
                    buf.truncate(old_len);
                    if !pump.session.renew().await {
                        let mut out = Vec::new();
                        reply::err_code(&mut out, Code::SysTemp, "The mailbox lock was lost; closing without deleting anything");
                        let _ = write_all(&mut io, &mut out).await;
                        break 'session;
                    }
                }
                _ = shutdown.changed() => {
                    buf.truncate(old_len);
                    let mut out = Vec::new();
                    reply::err_code(&mut out, Code::SysTemp, "The server is shutting down; nothing was deleted, connect again shortly");
                    let _ = write_all(&mut io, &mut out).await;
                    break 'session;
                }
            }
        }
    }
    let _ = io.shutdown().await;
    pump.session.finish().await;
}

//! One SMTP connection on a socket: framing of command lines (≤ 512 octets, RFC 5321
//! §4.5.3.1.4), the DATA and BDAT bodies, pipelined replies flushed in groups (RFC 2920),
//! STARTTLS or implicit TLS (submission on 465), the idle timeout and shutdown.

use super::reply::{self, Reply};
use super::session::{Next, Session, SmtpContext, Step};
use crate::net::{Io, write_all};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF.
pub const MAX_COMMAND_LINE: usize = 512;
use crate::net::READ_CHUNK;

/// How the connection is reading.
enum Mode {
    Command,
    /// Discarding an over-long command line up to its LF.
    SkipLine,
    Data(Box<super::body::DataReader>),
    Bdat {
        left: usize,
    },
}

/// What the connection does once the buffered input is processed.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Send `out`, then read more.
    NeedInput,
    /// Send `out`, then close.
    Close,
    /// Send `out`, discard `buf` (RFC 3207 §4.2), then do the TLS handshake.
    StartTls,
}

/// The session with its input buffer and pending replies: everything of a connection but the
/// socket, so pipelining and framing are tested without one.
pub struct Pump {
    pub session: Session,
    mode: Mode,
    /// Received, not yet processed.
    pub buf: Vec<u8>,
    /// Replies not yet sent (flushed in groups, RFC 2920).
    pub out: Vec<u8>,
}

impl Pump {
    pub fn new(session: Session) -> Pump {
        let mut out = Vec::with_capacity(1024);
        session.greeting().render(&mut out);
        Pump {
            session,
            mode: Mode::Command,
            buf: Vec::with_capacity(4096),
            out,
        }
    }

    /// Whether a message is being received (it may finish during shutdown).
    pub fn in_message(&self) -> bool {
        matches!(self.mode, Mode::Data(_) | Mode::Bdat { .. })
    }

    /// Processes everything buffered: commands (pipelined ones included), message data.
    pub async fn run(&mut self) -> Flow {
        let mut pos = 0;
        let flow = loop {
            let input = &self.buf[pos..];
            let step: Option<Step> = match &mut self.mode {
                Mode::Command => match input.iter().position(|&b| b == b'\n') {
                    Some(lf) if lf < MAX_COMMAND_LINE => {
                        let line = &self.buf[pos..pos + lf + 1];
                        pos += lf + 1;
                        Some(self.session.command(line).await)
                    }
                    Some(lf) => {
                        pos += lf + 1;
                        Some(
                            self.session
                                .count_errors(Step::reply(reply::line_too_long())),
                        )
                    }
                    None if input.len() >= MAX_COMMAND_LINE => {
                        pos = self.buf.len();
                        self.mode = Mode::SkipLine;
                        continue;
                    }
                    None => None,
                },
                Mode::SkipLine => match input.iter().position(|&b| b == b'\n') {
                    Some(lf) => {
                        pos += lf + 1;
                        self.mode = Mode::Command;
                        Some(
                            self.session
                                .count_errors(Step::reply(reply::line_too_long())),
                        )
                    }
                    None => {
                        pos = self.buf.len();
                        None
                    }
                },
                Mode::Data(reader) => {
                    let (used, end) = reader.feed(input);
                    pos += used;
                    match end {
                        Some(end) => Some(self.session.data_end(end).await),
                        None => None,
                    }
                }
                Mode::Bdat { left } => {
                    let take = (*left).min(input.len());
                    self.session.bdat_data(&input[..take]);
                    pos += take;
                    *left -= take;
                    if *left == 0 {
                        Some(self.session.bdat_chunk_done().await)
                    } else {
                        None
                    }
                }
            };
            let Some(mut step) = step else {
                break Flow::NeedInput;
            };
            // An empty chunk (BDAT 0 LAST) completes at once.
            if matches!(step.next, Next::Bdat { size: 0 }) {
                let done = self.session.bdat_chunk_done().await;
                step.replies.extend(done.replies);
                step.next = done.next;
            }
            for r in &step.replies {
                r.render(&mut self.out);
            }
            self.mode = match step.next {
                Next::Command | Next::Bdat { size: 0 } => Mode::Command,
                Next::Data(reader) => Mode::Data(reader),
                Next::Bdat { size } => Mode::Bdat { left: size },
                Next::Close => break Flow::Close,
                Next::StartTls => {
                    self.mode = Mode::Command;
                    break Flow::StartTls;
                }
            };
        };
        self.buf.drain(..pos.min(self.buf.len()));
        flow
    }
}

/// Runs a session until QUIT, an error, the idle timeout or shutdown.
pub async fn serve(
    ctx: Arc<SmtpContext>,
    stream: TcpStream,
    peer: SocketAddr,
    implicit_tls: bool,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut io = Io::Plain(stream);
    let mut session = Session::new(ctx.clone(), peer);
    // Port 465 (RFC 8314 §3.3): TLS from the first byte, the greeting inside it.
    if implicit_tls {
        match start_tls(&ctx, &mut io).await {
            Some(description) => session.tls_started(description),
            None => return,
        }
    }
    let mut pump = Pump::new(session);
    let mut grace: Option<tokio::time::Instant> = None;

    loop {
        match pump.run().await {
            Flow::NeedInput => {}
            Flow::Close => {
                let _ = write_all(&mut io, &mut pump.out).await;
                let _ = io.shutdown().await;
                return;
            }
            Flow::StartTls => {
                if write_all(&mut io, &mut pump.out).await.is_err() {
                    return;
                }
                pump.buf.clear();
                match start_tls(&ctx, &mut io).await {
                    Some(description) => pump.session.tls_started(description),
                    None => return,
                }
                continue;
            }
        }
        if write_all(&mut io, &mut pump.out).await.is_err() {
            return;
        }

        // Wait for more input, the idle timeout, or shutdown.
        let deadline = match grace {
            Some(g) if pump.in_message() => g,
            Some(_) => {
                let _ = write_reply(&mut io, reply::shutting_down()).await;
                return;
            }
            None => tokio::time::Instant::now() + ctx.config.idle_timeout,
        };
        let buf = &mut pump.buf;
        let old_len = buf.len();
        buf.resize(old_len + READ_CHUNK, 0);
        tokio::select! {
            read = tokio::time::timeout_at(deadline, io.read(&mut buf[old_len..])) => {
                match read {
                    Ok(Ok(0)) | Ok(Err(_)) => return,
                    Ok(Ok(n)) => buf.truncate(old_len + n),
                    Err(_) => {
                        let r = if grace.is_some() { reply::shutting_down() } else { reply::idle_timeout() };
                        let _ = write_reply(&mut io, r).await;
                        return;
                    }
                }
            }
            _ = shutdown.changed(), if grace.is_none() => {
                buf.truncate(old_len);
                // Sessions in the middle of a message get a bounded time to finish.
                grace = Some(tokio::time::Instant::now() + ctx.config.shutdown_grace);
            }
        }
    }
}

async fn write_reply(io: &mut Io, r: Reply) -> io::Result<()> {
    let mut out = Vec::new();
    r.render(&mut out);
    write_all(io, &mut out).await?;
    io.shutdown().await
}

/// The TLS handshake; returns "TLSv1.3 with cipher …" for the Received field.
async fn start_tls(ctx: &SmtpContext, io: &mut Io) -> Option<String> {
    io.start_tls(ctx.tls.clone()?, ctx.config.idle_timeout)
        .await
}

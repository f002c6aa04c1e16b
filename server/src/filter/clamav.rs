//! Viruses, with ClamAV's `clamd` (Debian's `clamav-daemon`): the message is streamed to it
//! with INSTREAM over its socket (a Unix socket or TCP), in chunks each prefixed by its length
//! as 4 bytes in network order, ended by a zero-length chunk; clamd answers one line,
//! `stream: OK` or `stream: <name> FOUND`. Mail attachments are unpacked by clamd itself
//! (base64, MIME parts). An infected message is refused `554 5.7.0` naming the virus; a clamd
//! that does not answer holds the message back (`451 4.7.0`) unless `[antivirus] on_failure =
//! "accept"`, which takes it with `X-Virus-Scan: unavailable`.

use super::{Check, Envelope, OnFailure};
use app::domain::filter::{Answer, CheckKind, Finding, Report};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Where clamd listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(String),
}

impl Address {
    /// A path (`/run/clamav/clamd.ctl`) or `HOST:PORT`.
    pub fn parse(s: &str) -> Address {
        if s.starts_with('/') || s.starts_with('.') {
            Address::Unix(PathBuf::from(s))
        } else {
            Address::Tcp(s.to_string())
        }
    }
}

/// The clamd check.
#[derive(Clone, Debug)]
pub struct Clamav {
    pub address: Address,
    pub on_failure: OnFailure,
}

/// What clamd said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Found(String),
    /// An error line of clamd's (a size limit, a broken stream) or no answer.
    Error(String),
}

/// Reads clamd's answer to INSTREAM: `stream: OK`, `stream: Eicar-Test-Signature FOUND`, or
/// `… ERROR` (each ended by a NUL with the `z` command form).
pub fn parse_answer(answer: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(answer);
    let line = text.trim_end_matches(['\0', '\n', '\r']).trim();
    let body = line.strip_prefix("stream:").map(str::trim).unwrap_or(line);
    if body == "OK" {
        Verdict::Clean
    } else if let Some(name) = body.strip_suffix(" FOUND") {
        Verdict::Found(name.trim().to_string())
    } else if body.is_empty() {
        Verdict::Error("no answer".into())
    } else {
        Verdict::Error(body.to_string())
    }
}

/// The chunks clamd is sent (it refuses chunks larger than its StreamMaxLength anyway).
const CHUNK: usize = 64 * 1024;
/// The longest answer read: a virus name is short.
const MAX_ANSWER: usize = 4096;
/// How long connecting may take before the scanner counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

async fn instream<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    message: &[u8],
) -> std::io::Result<Verdict> {
    s.write_all(b"zINSTREAM\0").await?;
    for chunk in message.chunks(CHUNK) {
        s.write_all(&(chunk.len() as u32).to_be_bytes()).await?;
        s.write_all(chunk).await?;
    }
    s.write_all(&0u32.to_be_bytes()).await?;
    s.flush().await?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = s.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.contains(&0) || answer.len() >= MAX_ANSWER {
            break;
        }
    }
    Ok(parse_answer(&answer))
}

impl Clamav {
    /// Streams `message` to clamd and returns its verdict; Err when clamd cannot be reached.
    pub async fn scan(&self, message: &[u8]) -> std::io::Result<Verdict> {
        let timed_out = || std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timeout");
        match &self.address {
            Address::Unix(path) => {
                let s =
                    tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::UnixStream::connect(path))
                        .await
                        .map_err(|_| timed_out())??;
                instream(s, message).await
            }
            Address::Tcp(addr) => {
                let s = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr))
                    .await
                    .map_err(|_| timed_out())??;
                instream(s, message).await
            }
        }
    }

    /// The report when the scanner could not say (`why`): deferred, or taken unscanned.
    fn unavailable(&self, why: &str) -> Report {
        self.on_failure.report(
            CheckKind::Virus,
            "4.7.0",
            "Virus scanner unavailable, please try again later",
            format!("virus scanner unavailable: {why}"),
            "X-Virus-Scan: unavailable",
        )
    }
}

#[async_trait::async_trait]
impl Check for Clamav {
    fn kind(&self) -> CheckKind {
        CheckKind::Virus
    }

    async fn check(&self, m: &Envelope<'_>) -> Report {
        match self.scan(m.message).await {
            Ok(Verdict::Clean) => Report {
                kind: CheckKind::Virus,
                finding: Finding::Clean,
                headers: vec!["X-Virus-Scan: clean (ClamAV)".into()],
            },
            Ok(Verdict::Found(name)) => {
                tracing::warn!(id = m.id, from = %m.mail_from, virus = %name, "virus found");
                Report {
                    kind: CheckKind::Virus,
                    finding: Finding::Refuse {
                        answer: Answer::new(554, "5.7.0", format!("Virus found: {name}")),
                        reason: format!("virus {name}"),
                    },
                    headers: Vec::new(),
                }
            }
            Ok(Verdict::Error(e)) => {
                tracing::warn!(id = m.id, "clamd: {e}");
                self.unavailable(&e)
            }
            Err(e) => {
                tracing::warn!(id = m.id, "clamd unreachable: {e}");
                self.unavailable(&e.to_string())
            }
        }
    }

    fn late(&self) -> Report {
        self.unavailable("no answer in time")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers() {
        assert_eq!(parse_answer(b"stream: OK\0"), Verdict::Clean);
        assert_eq!(
            parse_answer(b"stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0"),
            Verdict::Found("Eicar-Test-Signature.UNOFFICIAL".into())
        );
        assert_eq!(
            parse_answer(b"INSTREAM size limit exceeded. ERROR\0"),
            Verdict::Error("INSTREAM size limit exceeded. ERROR".into())
        );
        assert_eq!(parse_answer(b""), Verdict::Error("no answer".into()));
    }

    #[test]
    fn addresses() {
        assert_eq!(
            Address::parse("/run/clamav/clamd.ctl"),
            Address::Unix("/run/clamav/clamd.ctl".into())
        );
        assert_eq!(
            Address::parse("127.0.0.1:3310"),
            Address::Tcp("127.0.0.1:3310".into())
        );
    }
}

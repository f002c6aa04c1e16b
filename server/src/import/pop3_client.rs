//! The POP3 client of the import (issue 17): RFC 1939 (USER/PASS, STAT, UIDL, LIST, RETR,
//! DELE, QUIT), STLS (RFC 2595 §4) or TLS from the first byte (RFC 8314). The reply rules are
//! pure functions (tested without sockets); `Client` drives a connection with a deadline on
//! every exchange and bounds on every line and message, so a hostile or broken old server
//! can neither hang the job nor fill memory.

use app::domain::import::{Security, Source};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// The longest line read: RFC 2449 §4 bounds replies at 512 octets, RFC 5322 message lines
/// at 998; old servers are given room beyond both.
const MAX_LINE: usize = 64 * 1024;
/// The longest listing (UIDL, LIST) read: a mailbox of a million messages.
const MAX_LISTING: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pop3Error {
    /// The connection failed or timed out.
    Io(String),
    /// The server answered `-ERR`, with its words.
    Refused(String),
    /// The server broke the protocol.
    Protocol(String),
    /// A message larger than the import takes.
    TooBig(u64),
}

impl std::fmt::Display for Pop3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pop3Error::Io(e) => write!(f, "{e}"),
            Pop3Error::Refused(e) => write!(f, "-ERR {e}"),
            Pop3Error::Protocol(e) => write!(f, "not a POP3 answer ({e})"),
            Pop3Error::TooBig(max) => write!(f, "a message is larger than {max} bytes"),
        }
    }
}

/// A status line (RFC 1939 §3): `+OK text` is Ok(text), `-ERR text` the refusal.
pub fn status(line: &str) -> Result<String, Pop3Error> {
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some(rest) = line.strip_prefix("+OK") {
        Ok(rest.trim_start().to_string())
    } else if let Some(rest) = line.strip_prefix("-ERR") {
        Err(Pop3Error::Refused(
            rest.trim_start().chars().take(300).collect(),
        ))
    } else {
        Err(Pop3Error::Protocol(line.chars().take(80).collect()))
    }
}

/// A line of a UIDL or LIST listing: the message number and the rest (RFC 1939 §7, §5).
pub fn listing(line: &str) -> Option<(u32, String)> {
    let mut parts = line.split_ascii_whitespace();
    let n = parts.next()?.parse().ok().filter(|n| *n > 0)?;
    let rest = parts.next()?;
    // RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
    (rest.len() <= 70 && rest.bytes().all(|b| (0x21..=0x7e).contains(&b)))
        .then(|| (n, rest.to_string()))
}

/// STAT's answer (RFC 1939 §5): the number of messages and their size.
pub fn stat(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.split_ascii_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// One line of a multi-line answer (RFC 1939 §3), its line end taken off: None at the
/// terminating ".", else the line with its byte-stuffing undone.
pub fn unstuffed(line: &[u8]) -> Option<&[u8]> {
    let line = line
        .strip_suffix(b"\n")
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .unwrap_or(line);
    if line == b"." {
        return None;
    }
    Some(line.strip_prefix(b".").unwrap_or(line))
}

pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A connection to an old server, signed in or not.
pub struct Client {
    io: BufReader<Box<dyn Stream>>,
    deadline: Duration,
}

impl Client {
    /// Connects and reads the greeting; with STLS, upgrades before anything else is sent.
    /// `tls` verifies the server's certificate (never skipped: the old password follows).
    pub async fn connect(
        source: &Source,
        tls: Arc<tokio_rustls::rustls::ClientConfig>,
        deadline: Duration,
    ) -> Result<Client, Pop3Error> {
        let io_err = |e: std::io::Error| Pop3Error::Io(e.to_string());
        let tcp = tokio::time::timeout(
            deadline,
            tokio::net::TcpStream::connect((source.host.as_str(), source.port)),
        )
        .await
        .map_err(|_| Pop3Error::Io(format!("no answer from {}:{}", source.host, source.port)))?
        .map_err(|e| Pop3Error::Io(format!("{}:{}: {e}", source.host, source.port)))?;
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(source.host.clone())
            .map_err(|e| Pop3Error::Io(e.to_string()))?;
        let connector = tokio_rustls::TlsConnector::from(tls);
        let stream: Box<dyn Stream> = match source.security {
            Security::Tls => Box::new(
                tokio::time::timeout(deadline, connector.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| Pop3Error::Io("TLS: no answer".into()))?
                    .map_err(|e| Pop3Error::Io(format!("TLS: {e}")))?,
            ),
            _ => Box::new(tcp),
        };
        let mut c = Client {
            io: BufReader::new(stream),
            deadline,
        };
        c.reply().await?;
        if source.security == Security::StartTls {
            c.command("STLS").await?;
            if !c.io.buffer().is_empty() {
                // Bytes after the answer to STLS would be read as if they came under TLS.
                return Err(Pop3Error::Protocol("data sent before TLS".into()));
            }
            let plain = c.io.into_inner();
            let tls = tokio::time::timeout(deadline, connector.connect(name, plain))
                .await
                .map_err(|_| Pop3Error::Io("TLS: no answer".into()))?
                .map_err(io_err)?;
            c = Client {
                io: BufReader::new(Box::new(tls)),
                deadline,
            };
        }
        Ok(c)
    }

    /// USER and PASS (RFC 1939 §7).
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), Pop3Error> {
        if user.contains(['\r', '\n']) || password.contains(['\r', '\n']) {
            return Err(Pop3Error::Refused(
                "line breaks in the login or password".into(),
            ));
        }
        self.command(&format!("USER {user}")).await?;
        self.command(&format!("PASS {password}")).await?;
        Ok(())
    }

    pub async fn stat(&mut self) -> Result<(u64, u64), Pop3Error> {
        let text = self.command("STAT").await?;
        stat(&text).ok_or_else(|| Pop3Error::Protocol(format!("STAT {text}")))
    }

    /// Every message's number and unique-id.
    pub async fn uidl(&mut self) -> Result<Vec<(u32, String)>, Pop3Error> {
        self.listing("UIDL").await
    }

    /// Every message's number and size.
    pub async fn list(&mut self) -> Result<Vec<(u32, u64)>, Pop3Error> {
        Ok(self
            .listing("LIST")
            .await?
            .into_iter()
            .filter_map(|(n, size)| size.parse().ok().map(|s| (n, s)))
            .collect())
    }

    /// Message `n`, with CRLF line ends, at most `max` bytes.
    pub async fn retr(&mut self, n: u32, max: u64) -> Result<Vec<u8>, Pop3Error> {
        self.command(&format!("RETR {n}")).await?;
        let mut out = Vec::new();
        loop {
            let line = self.raw_line().await?;
            let Some(content) = unstuffed(&line) else {
                return Ok(out);
            };
            if (out.len() + content.len() + 2) as u64 > max {
                return Err(Pop3Error::TooBig(max));
            }
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
    }

    pub async fn dele(&mut self, n: u32) -> Result<(), Pop3Error> {
        self.command(&format!("DELE {n}")).await.map(|_| ())
    }

    /// QUIT: the deletions asked take effect now (RFC 1939 §6).
    pub async fn quit(mut self) -> Result<(), Pop3Error> {
        self.command("QUIT").await.map(|_| ())
    }

    async fn listing(&mut self, cmd: &str) -> Result<Vec<(u32, String)>, Pop3Error> {
        self.command(cmd).await?;
        let mut out = Vec::new();
        loop {
            let line = self.raw_line().await?;
            let Some(content) = unstuffed(&line) else {
                return Ok(out);
            };
            if out.len() >= MAX_LISTING {
                return Err(Pop3Error::Protocol(format!("{cmd}: too long")));
            }
            let text = String::from_utf8_lossy(content);
            let item = listing(&text).ok_or_else(|| {
                Pop3Error::Protocol(format!(
                    "{cmd}: {}",
                    text.chars().take(80).collect::<String>()
                ))
            })?;
            out.push(item);
        }
    }

    async fn command(&mut self, cmd: &str) -> Result<String, Pop3Error> {
        let line = format!("{cmd}\r\n");
        tokio::time::timeout(self.deadline, async {
            self.io.get_mut().write_all(line.as_bytes()).await?;
            self.io.get_mut().flush().await
        })
        .await
        .map_err(|_| Pop3Error::Io("the old server stopped answering".into()))?
        .map_err(|e| Pop3Error::Io(e.to_string()))?;
        self.reply().await
    }

    async fn reply(&mut self) -> Result<String, Pop3Error> {
        let line = self.raw_line().await?;
        status(&String::from_utf8_lossy(&line))
    }

    /// One line, its line end included; bounded in length and in time.
    async fn raw_line(&mut self) -> Result<Vec<u8>, Pop3Error> {
        let mut line = Vec::new();
        let read = async {
            loop {
                let available = self.io.fill_buf().await?;
                if available.is_empty() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the old server closed the connection",
                    ));
                }
                let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
                    Some(i) => (&available[..=i], true),
                    None => (available, false),
                };
                if line.len() + chunk.len() > MAX_LINE {
                    return Err(std::io::Error::other("a line too long"));
                }
                line.extend_from_slice(chunk);
                let used = chunk.len();
                self.io.consume(used);
                if done {
                    return Ok(());
                }
            }
        };
        tokio::time::timeout(self.deadline, read)
            .await
            .map_err(|_| Pop3Error::Io("the old server stopped answering".into()))?
            .map_err(|e| Pop3Error::Io(e.to_string()))?;
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_and_listings() {
        assert_eq!(status("+OK 2 320\r\n"), Ok("2 320".into()));
        assert_eq!(status("+OK\r\n"), Ok(String::new()));
        assert_eq!(
            status("-ERR [AUTH] invalid password\r\n"),
            Err(Pop3Error::Refused("[AUTH] invalid password".into()))
        );
        assert!(matches!(status("* OK IMAP"), Err(Pop3Error::Protocol(_))));
        assert_eq!(
            listing("1 whqtswO00WBw418f9t5JxYwZ"),
            Some((1, "whqtswO00WBw418f9t5JxYwZ".into()))
        );
        assert_eq!(listing("2 120"), Some((2, "120".into())));
        assert_eq!(listing("0 x"), None);
        assert_eq!(listing("x y"), None);
        assert_eq!(listing(&format!("1 {}", "a".repeat(71))), None);
        assert_eq!(stat("2 320"), Some((2, 320)));
        assert_eq!(stat("two"), None);
    }

    #[test]
    fn multi_line_answers_are_unstuffed() {
        assert_eq!(unstuffed(b".\r\n"), None);
        assert_eq!(unstuffed(b"..\r\n"), Some(&b"."[..]));
        assert_eq!(unstuffed(b"..leading dot\r\n"), Some(&b".leading dot"[..]));
        assert_eq!(unstuffed(b"plain\n"), Some(&b"plain"[..]));
        assert_eq!(unstuffed(b"\r\n"), Some(&b""[..]));
    }

    /// A scripted server on a socket pair: the client's exchanges and bounds.
    #[tokio::test]
    async fn a_session_against_a_scripted_server() {
        use tokio::io::AsyncReadExt;
        let (client_side, mut server_side) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(async move {
            server_side.write_all(b"+OK ready\r\n").await.unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 512];
            let answers: [&[u8]; 4] = [
                b"+OK\r\n",
                b"+OK signed in\r\n",
                b"+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n",
                b"+OK 30 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n",
            ];
            for answer in answers {
                let n = server_side.read(&mut buf).await.unwrap();
                seen.push(String::from_utf8_lossy(&buf[..n]).to_string());
                server_side.write_all(answer).await.unwrap();
            }
            seen
        });
        let mut c = Client {
            io: BufReader::new(Box::new(client_side)),
            deadline: Duration::from_secs(5),
        };
        c.reply().await.unwrap();
        c.login("jean", "secret").await.unwrap();
        assert_eq!(
            c.uidl().await.unwrap(),
            vec![(1, "aaa".into()), (2, "bbb".into())]
        );
        assert_eq!(
            c.retr(1, 1000).await.unwrap(),
            b"Subject: x\r\n\r\n.dot\r\n"
        );
        assert_eq!(
            server.await.unwrap(),
            ["USER jean\r\n", "PASS secret\r\n", "UIDL\r\n", "RETR 1\r\n"]
        );
        assert!(matches!(
            c.login("a\r\nDELE 1", "x").await,
            Err(Pop3Error::Refused(_))
        ));
    }
}

//! Spam, with rspamd (Debian's `rspamd`): the message is posted to its normal worker's
//! `/checkv2` with the envelope in request headers (`IP`, `Helo`, `From`, one `Rcpt` per
//! recipient, `Queue-Id`, and `User` for a signed-in sender), and rspamd's `action` is applied:
//! `reject` → `550 5.7.1`; `soft reject` and `greylist` → `451 4.7.1`; `add header` and
//! `rewrite subject` → delivered marked as junk; `no action` → delivered. Scores only go into
//! the `X-Spam-Status` header: the actions are rspamd's configuration.

use super::{Check, Envelope, OnFailure};
use app::domain::filter::{Answer, CheckKind, Finding, Report};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The rspamd check.
#[derive(Clone, Debug)]
pub struct Rspamd {
    /// `HOST:PORT` of the normal worker.
    pub address: String,
    pub on_failure: OnFailure,
}

impl Rspamd {
    /// From `http://HOST:PORT` (or `HOST:PORT`).
    pub fn address_of(url: &str) -> Result<String, String> {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') || !rest.contains(':') || url.starts_with("https://") {
            return Err(format!(
                "\"{url}\" is not http://HOST:PORT (rspamd's normal worker, port 11333)"
            ));
        }
        Ok(rest.to_string())
    }
}

/// rspamd's answer, the parts used.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Answered {
    pub action: String,
    #[serde(default)]
    pub score: f64,
    #[serde(default)]
    pub required_score: f64,
    #[serde(default)]
    pub messages: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The longest answer read (rspamd lists every symbol that matched).
const MAX_ANSWER: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The request: `/checkv2` with the envelope as headers, then the message.
pub fn request(address: &str, m: &Envelope<'_>) -> Vec<u8> {
    // Header values must stay on one line: an address with a line break in it is not sent.
    let clean = |v: &str| v.replace(['\r', '\n'], "");
    let mut head = format!(
        "POST /checkv2 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\nQueue-Id: {}\r\n",
        m.message.len(),
        clean(m.id)
    );
    if let Some(ip) = m.client {
        head.push_str(&format!("IP: {ip}\r\n"));
    }
    if !m.helo.is_empty() {
        head.push_str(&format!("Helo: {}\r\n", clean(m.helo)));
    }
    if let Some(from) = super::sender_or_none(m.mail_from) {
        head.push_str(&format!("From: {}\r\n", clean(from)));
    }
    for r in m.recipients {
        head.push_str(&format!("Rcpt: {}\r\n", clean(r)));
    }
    if m.trusted {
        // rspamd treats authenticated senders as outbound mail (its own rule set).
        head.push_str("User: authenticated\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(m.message);
    out
}

/// Reads an HTTP/1.1 response: its status code and body (rspamd sends a Content-Length and
/// closes, as asked).
pub fn parse_response(raw: &[u8]) -> Result<(u16, &[u8]), String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete answer")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "answer not text")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    let body = &raw[end + 4..];
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    match length {
        Some(n) if body.len() >= n => Ok((status, &body[..n])),
        Some(_) => Err("answer cut short".into()),
        None => Ok((status, body)),
    }
}

/// rspamd's action as a finding, with the header telling the score.
pub fn report_of(a: &Answered) -> Report {
    let said = a
        .messages
        .as_ref()
        .and_then(|m| m.get("smtp_message"))
        .and_then(|v| v.as_str())
        .map(|s| s.replace(['\r', '\n'], " "));
    let spam = !matches!(a.action.as_str(), "no action");
    let status = format!(
        "X-Spam-Status: {}, score={:.2} required={:.2} action=\"{}\"",
        if spam { "Yes" } else { "No" },
        a.score,
        a.required_score,
        a.action.replace(['\r', '\n', '"'], "")
    );
    let reason = format!("spam score {:.2}, rspamd: {}", a.score, a.action);
    let finding = match a.action.as_str() {
        "reject" => Finding::Refuse {
            answer: Answer::new(
                550,
                "5.7.1",
                match &said {
                    Some(s) => format!("Message refused as spam ({s})"),
                    None => "Message refused as spam".into(),
                },
            ),
            reason,
        },
        "soft reject" | "greylist" => Finding::Defer {
            answer: Answer::new(451, "4.7.1", "Please try again later"),
            reason,
        },
        "add header" | "rewrite subject" => Finding::Junk { reason },
        _ => Finding::Clean,
    };
    Report {
        kind: CheckKind::Spam,
        finding,
        headers: vec![status],
    }
}

impl Rspamd {
    /// Asks rspamd; Err when it cannot be reached or answers no verdict.
    pub async fn ask(&self, m: &Envelope<'_>) -> Result<Answered, String> {
        let mut s = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect(&self.address),
        )
        .await
        .map_err(|_| "connect timeout".to_string())?
        .map_err(|e| e.to_string())?;
        s.write_all(&request(&self.address, m))
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        (&mut s)
            .take(MAX_ANSWER as u64)
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        let (status, body) = parse_response(&raw)?;
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        serde_json::from_slice(body).map_err(|e| format!("answer not understood: {e}"))
    }

    fn unavailable(&self, why: &str) -> Report {
        self.on_failure.report(
            CheckKind::Spam,
            "4.7.1",
            "Spam filter unavailable, please try again later",
            format!("spam filter unavailable: {why}"),
            "X-Spam-Status: unavailable",
        )
    }
}

#[async_trait::async_trait]
impl Check for Rspamd {
    fn kind(&self) -> CheckKind {
        CheckKind::Spam
    }

    async fn check(&self, m: &Envelope<'_>) -> Report {
        match self.ask(m).await {
            Ok(a) => report_of(&a),
            Err(e) => {
                tracing::warn!(id = m.id, "rspamd: {e}");
                self.unavailable(&e)
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

    fn answered(action: &str) -> Answered {
        Answered {
            action: action.into(),
            score: 16.0,
            required_score: 15.0,
            messages: None,
        }
    }

    #[test]
    fn actions_become_findings() {
        let kind = |a: &str| match report_of(&answered(a)).finding {
            Finding::Clean => "clean".to_string(),
            Finding::Junk { .. } => "junk".into(),
            Finding::Refuse { answer, .. } => format!("{} {}", answer.code, answer.status),
            Finding::Defer { answer, .. } => format!("{} {}", answer.code, answer.status),
        };
        assert_eq!(kind("reject"), "550 5.7.1");
        assert_eq!(kind("soft reject"), "451 4.7.1");
        assert_eq!(kind("greylist"), "451 4.7.1");
        assert_eq!(kind("add header"), "junk");
        assert_eq!(kind("rewrite subject"), "junk");
        assert_eq!(kind("no action"), "clean");
        assert_eq!(
            report_of(&answered("no action")).headers,
            ["X-Spam-Status: No, score=16.00 required=15.00 action=\"no action\""]
        );
    }

    #[test]
    fn the_answer_is_read() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}extra";
        assert_eq!(parse_response(raw), Ok((200, &b"{}"[..])));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}").is_err());
        assert!(parse_response(b"garbage").is_err());
        let json = br#"{"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject","messages":{"smtp_message":"Gtube pattern"}}"#;
        let a: Answered = serde_json::from_slice(json).unwrap();
        let Finding::Refuse { answer, .. } = report_of(&a).finding else {
            panic!()
        };
        assert_eq!(answer.text, "Message refused as spam (Gtube pattern)");
    }

    #[test]
    fn the_envelope_goes_in_headers_on_one_line_each() {
        let rcpts = [
            "a@votredomaine.com".to_string(),
            "b@votredomaine.com".into(),
        ];
        let m = Envelope {
            client: Some("192.0.2.1".parse().unwrap()),
            helo: "mx.example.org\r\nX: y",
            mail_from: "",
            recipients: &rcpts,
            message: b"Subject: x\r\n\r\nhi\r\n",
            trusted: false,
            id: "abc",
            started: None,
        };
        let r = String::from_utf8(request("127.0.0.1:11333", &m)).unwrap();
        assert!(r.starts_with("POST /checkv2 HTTP/1.1\r\n"));
        assert!(r.contains("\r\nIP: 192.0.2.1\r\n"));
        assert!(r.contains("\r\nHelo: mx.example.orgX: y\r\n"));
        assert!(!r.contains("\r\nFrom:"), "the null sender is not sent");
        assert!(r.contains("\r\nRcpt: a@votredomaine.com\r\nRcpt: b@votredomaine.com\r\n"));
        assert!(r.contains("Content-Length: 18\r\n"));
        assert!(r.ends_with("\r\n\r\nSubject: x\r\n\r\nhi\r\n"));
    }

    #[test]
    fn urls() {
        assert_eq!(
            Rspamd::address_of("http://127.0.0.1:11333/"),
            Ok("127.0.0.1:11333".into())
        );
        assert!(Rspamd::address_of("https://r:1").is_err());
        assert!(Rspamd::address_of("http://r/checkv2").is_err());
    }
}

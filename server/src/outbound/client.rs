//! One delivery attempt to one hop with mail-send: STARTTLS when the hop offers it
//! (opportunistic: certificates are not checked, and a hop without STARTTLS or with a broken
//! TLS gets the message in clear, like Postfix's `smtp_tls_security_level = may`) — unless
//! the domain's MTA-STS policy enforces verified TLS: then a certificate that does not
//! verify for the hop's name, or no STARTTLS, is a temporary failure and nothing goes in
//! clear (RFC 8461 §4.2, like Postfix's `secure`). The
//! answer is classified by RFC 5321 §4.2.1: 2xx sent, 4xx and connection trouble temporary,
//! 5xx permanent.

use super::route::Hop;
use mail_send::SmtpClientBuilder;
use mail_send::smtp::message::Message;
use std::time::Duration;

#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    Sent(String),
    Temporary(String),
    Permanent(String),
}

/// "550 5.7.1 text", as the hop answered (the enhanced code when it gave one).
fn answer(r: &smtp_proto::Response<String>) -> String {
    match r.esc {
        [0, 0, 0] => format!("{} {}", r.code, r.message),
        [a, b, c] => format!("{} {a}.{b}.{c} {}", r.code, r.message),
    }
}

fn classify(hop: &Hop, e: mail_send::Error) -> Attempt {
    let at = format!("{}:{}", hop.host, hop.port);
    match e {
        mail_send::Error::UnexpectedReply(r) if (500..600).contains(&r.code) => {
            Attempt::Permanent(format!("{} (from {at})", answer(&r)))
        }
        mail_send::Error::UnexpectedReply(r) => {
            Attempt::Temporary(format!("{} (from {at})", answer(&r)))
        }
        other => Attempt::Temporary(format!("{other} ({at})")),
    }
}

/// One message for one recipient: `mail_from` empty for `<>`.
#[derive(Clone, Copy, Debug)]
pub struct Letter<'a> {
    pub mail_from: &'a str,
    pub rcpt_to: &'a str,
    pub raw: &'a [u8],
}

/// Sends the letter through `hop` (at `address` when found), with verified TLS when
/// `verified` is given.
pub async fn send(
    hop: &Hop,
    address: Option<std::net::SocketAddr>,
    helo: &str,
    letter: Letter<'_>,
    timeout: Duration,
    verified: Option<std::sync::Arc<tokio_rustls::rustls::ClientConfig>>,
) -> Attempt {
    let builder = match SmtpClientBuilder::new(hop.host.as_str(), hop.port) {
        Ok(b) => b,
        Err(e) => return Attempt::Temporary(format!("TLS setup: {e}")),
    };
    let mut builder = builder;
    // Connect to the address found, and speak TLS to the host by its name.
    if let Some(a) = address {
        builder.addr = a.to_string();
    }
    let message = Message::new(letter.mail_from, [letter.rcpt_to], letter.raw);
    if let Some(tls) = verified {
        builder.tls_connector = tokio_rustls::TlsConnector::from(tls);
        let builder = builder.implicit_tls(false).helo_host(helo).timeout(timeout);
        let result = match builder.connect().await {
            Ok(mut client) => {
                let r = client.send(message).await;
                let _ = client.quit().await;
                r
            }
            Err(e @ (mail_send::Error::MissingStartTls | mail_send::Error::Tls(_))) => {
                return Attempt::Temporary(format!(
                    "MTA-STS enforce: no verified TLS to {}:{} ({e}); not sent in clear",
                    hop.host, hop.port
                ));
            }
            Err(e) => Err(e),
        };
        return match result {
            Ok(()) => Attempt::Sent(format!(
                "250 accepted by {}:{} (verified TLS)",
                hop.host, hop.port
            )),
            Err(e) => classify(hop, e),
        };
    }
    let builder = builder
        .implicit_tls(false)
        .allow_invalid_certs()
        .helo_host(helo)
        .timeout(timeout);
    let result = match builder.connect().await {
        Ok(mut client) => {
            let r = client.send(message).await;
            let _ = client.quit().await;
            r
        }
        // No STARTTLS offered, or TLS failed: the same in clear, on a new connection.
        Err(
            mail_send::Error::MissingStartTls | mail_send::Error::Tls(_) | mail_send::Error::Io(_),
        ) => match builder.connect_plain().await {
            Ok(mut client) => {
                let r = client.send(message).await;
                let _ = client.quit().await;
                r
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Attempt::Sent(format!("250 accepted by {}:{}", hop.host, hop.port)),
        Err(e) => classify(hop, e),
    }
}

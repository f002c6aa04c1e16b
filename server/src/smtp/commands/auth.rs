//! AUTH (RFC 4954) on the submission ports: PLAIN (RFC 4616) and LOGIN, only once TLS is on,
//! with the password, the throttle and the cache of POP3 (one password for everything, the
//! seed says). SMTP-in offers no AUTH at all.

use crate::login::{APP_PASSWORD_NEEDED, Checked, Door, decode_base64, decode_plain, minutes};
use crate::smtp::reply::Reply;
use crate::smtp::session::{Next, Sasl, Session, Step, Submitter};
use smtp_proto::{AUTH_LOGIN, AUTH_PLAIN};

/// Wrong passwords in one session before it is closed (the throttle counts across sessions).
const MAX_AUTH_FAILURES: u32 = 3;
/// RFC 4954 §4: "=" is an empty initial response; nothing at all asks for a challenge.
const EMPTY_RESPONSE: &str = "=";

fn bad_sequence(text: &str) -> Step {
    Step::reply(Reply::new(503, "5.5.1", text))
}

pub async fn auth(s: &mut Session, mechanism: u64, initial: &str) -> Step {
    if !s.is_submission() {
        return Step::reply(Reply::new(
            502,
            "5.5.1",
            "AUTH is not offered on this port (it receives mail for hosted domains); send through the submission port",
        ));
    }
    if !s.esmtp {
        return bad_sequence("send EHLO first");
    }
    if s.user.is_some() {
        return bad_sequence("already authenticated");
    }
    if s.tx.is_some() {
        return bad_sequence("AUTH is not allowed during a mail transaction");
    }
    // RFC 4954 §4 and §6: the password never crosses the network in clear.
    if s.tls.is_none() {
        return Step::reply(Reply::new(
            538,
            "5.7.11",
            "Encryption required for requested authentication mechanism: use STARTTLS first",
        ));
    }
    match mechanism {
        AUTH_PLAIN if initial.is_empty() => challenge(s, Sasl::Plain, ""),
        AUTH_PLAIN if initial == EMPTY_RESPONSE => plain(s, "").await,
        AUTH_PLAIN => plain(s, initial).await,
        AUTH_LOGIN if initial.is_empty() => challenge(s, Sasl::LoginUser, "Username:"),
        AUTH_LOGIN => login_user(s, initial),
        _ => Step::reply(Reply::new(
            504,
            "5.5.4",
            "Unrecognized authentication type: use PLAIN or LOGIN",
        )),
    }
}

/// A 334 challenge (base64 text), then the next line is the client's response.
fn challenge(s: &mut Session, state: Sasl, text: &str) -> Step {
    s.sasl = Some(state);
    Step::reply(Reply::new(
        334,
        "",
        crate::login::encode_base64(text.as_bytes()),
    ))
}

/// The client's line after a 334: a response, or `*` to cancel (RFC 4954 §4).
pub async fn response(s: &mut Session, state: Sasl, line: &[u8]) -> Step {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line == b"*" {
        return Step::reply(Reply::new(501, "5.0.0", "Authentication cancelled"));
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return not_base64();
    };
    match state {
        Sasl::Plain => plain(s, text).await,
        Sasl::LoginUser => login_user(s, text),
        Sasl::LoginPassword { user } => match decode_text(text) {
            Some(password) => sign_in(s, &user, &password).await,
            None => not_base64(),
        },
    }
}

fn not_base64() -> Step {
    Step::reply(Reply::new(501, "5.5.2", "The response is not valid base64"))
}

fn decode_text(text: &str) -> Option<String> {
    String::from_utf8(decode_base64(text)?).ok()
}

fn login_user(s: &mut Session, encoded: &str) -> Step {
    match decode_text(encoded) {
        Some(user) => challenge(s, Sasl::LoginPassword { user }, "Password:"),
        None => not_base64(),
    }
}

async fn plain(s: &mut Session, encoded: &str) -> Step {
    match decode_plain(encoded) {
        Ok((login, password)) => sign_in(s, &login, &password).await,
        Err(e) => Step::reply(Reply::new(535, "5.7.8", e.to_string())),
    }
}

/// Checks the password; on success the session's user may send from their own addresses.
async fn sign_in(s: &mut Session, typed: &str, password: &str) -> Step {
    let ctx = s.ctx.clone();
    let Some(sub) = ctx.submission.as_ref() else {
        return bad_sequence("AUTH is not offered on this port");
    };
    let ip = s.peer.ip();
    let checked = sub
        .gate
        .check(&ctx.store, ip, typed, password, Door::Submission)
        .await;
    match checked {
        Checked::Ok(account, credential) => match ctx.store.sending_addresses(&account).await {
            Ok(addresses) => {
                tracing::info!(login = %account.login, %ip, "submission: signed in");
                let standing = app::auth::standing::Standing::new(
                    &ctx.store,
                    account.id,
                    account.auth_epoch,
                    credential,
                    Door::Submission,
                );
                s.user = Some(Submitter {
                    account,
                    addresses,
                    standing,
                });
                Step::reply(Reply::new(235, "2.7.0", "Authentication successful"))
            }
            Err(e) => unavailable(&e.to_string()),
        },
        Checked::Throttled(wait) => Step::then(
            Reply::new(
                421,
                "4.7.0",
                format!(
                    "Too many failed logins; try again in {} minute(s)",
                    minutes(wait)
                ),
            ),
            Next::Close,
        ),
        Checked::Suspended => Step::reply(Reply::new(
            535,
            "5.7.8",
            "This account is suspended: the password is right but logins are blocked; contact your webmaster",
        )),
        // RFC 4954 §6: 535 5.7.8, the credentials are not accepted.
        Checked::AppPasswordNeeded => Step::reply(Reply::new(535, "5.7.8", APP_PASSWORD_NEEDED)),
        Checked::Wrong => {
            s.auth_failures += 1;
            tracing::info!(login = %typed, %ip, "submission: login refused");
            if s.auth_failures >= MAX_AUTH_FAILURES {
                return Step::then(
                    Reply::new(
                        421,
                        "4.7.0",
                        "Wrong login or password. Too many failures, closing the connection",
                    ),
                    Next::Close,
                );
            }
            Step::reply(Reply::new(
                535,
                "5.7.8",
                "Wrong login or password (passwords are case-sensitive)",
            ))
        }
        // RFC 4954 §6: 454 4.7.0, temporary authentication failure.
        Checked::Busy => Step::reply(Reply::new(
            454,
            "4.7.0",
            "Too many logins are being checked right now; try again in a few seconds",
        )),
        Checked::Unavailable(e) => unavailable(&e),
    }
}

fn unavailable(e: &str) -> Step {
    tracing::error!("submission: the database did not answer at login: {e}");
    Step::reply(Reply::new(
        454,
        "4.7.0",
        "Temporary authentication failure; try again later",
    ))
}

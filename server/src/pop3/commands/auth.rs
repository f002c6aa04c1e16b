//! Logging in: USER and PASS (RFC 1939 §7), AUTH PLAIN (RFC 5034, RFC 4616), with either
//! login form, the throttle shared with the web sign-in, the auth cache, and the maildrop
//! lease taken at the end (RFC 3206 `[AUTH]`, `[IN-USE]`, `[SYS/TEMP]`).

use crate::login::{APP_PASSWORD_NEEDED, Checked, Door, PlainError, decode_plain, minutes};
use crate::pop3::maildrop::Maildrop;
use crate::pop3::reply::{self, Code};
use crate::pop3::session::{Next, Session, State};
use app::store::maildrop::Opened;

const NEEDS_TLS: &str = "Logging in needs TLS: use STLS first (or POP3S, port 995)";

pub fn user(s: &mut Session, name: String, out: &mut Vec<u8>) -> Next {
    if !s.plaintext_allowed() {
        reply::err(out, NEEDS_TLS);
        return Next::Continue;
    }
    // The same answer whether the login exists or not.
    reply::ok(out, "Send your password");
    s.state = State::Authorization {
        user: Some(name),
        sasl_pending: false,
    };
    Next::Continue
}

pub async fn pass(s: &mut Session, password: String, out: &mut Vec<u8>) -> Next {
    let State::Authorization { user, .. } = &mut s.state else {
        return Next::Continue;
    };
    let Some(login) = user.take() else {
        return s.bad(out, "Give USER first");
    };
    login_with(s, &login, &password, out).await
}

pub async fn auth(
    s: &mut Session,
    mechanism: Option<String>,
    initial: Option<String>,
    out: &mut Vec<u8>,
) -> Next {
    let Some(mechanism) = mechanism else {
        // The list, for clients that ask before choosing.
        reply::ok(out, "Mechanisms follow");
        if s.plaintext_allowed() {
            reply::line(out, "PLAIN");
        }
        reply::end(out);
        return Next::Continue;
    };
    if mechanism != "PLAIN" {
        reply::err(out, "Unsupported mechanism: use PLAIN");
        return Next::Continue;
    }
    if !s.plaintext_allowed() {
        reply::err(out, NEEDS_TLS);
        return Next::Continue;
    }
    match initial {
        // RFC 5034 §4: "=" is an empty initial response.
        Some(i) => plain(s, if i == "=" { "" } else { &i }, out).await,
        None => {
            out.extend_from_slice(b"+ \r\n");
            s.state = State::Authorization {
                user: None,
                sasl_pending: true,
            };
            Next::Continue
        }
    }
}

/// The client's line after `+ `: the PLAIN response, or `*` to cancel (RFC 5034 §4).
pub async fn sasl_response(s: &mut Session, line: &[u8], out: &mut Vec<u8>) -> Next {
    s.state = State::Authorization {
        user: None,
        sasl_pending: false,
    };
    let line = crate::pop3::parser::strip_line_end(line);
    if line == b"*" {
        reply::err(out, "Authentication cancelled");
        return Next::Continue;
    }
    match std::str::from_utf8(line) {
        Ok(text) => plain(s, text, out).await,
        Err(_) => s.bad(out, "The response is not base64"),
    }
}

/// RFC 4616: base64 of `authzid NUL authcid NUL password`.
async fn plain(s: &mut Session, encoded: &str, out: &mut Vec<u8>) -> Next {
    match decode_plain(encoded) {
        Ok((login, password)) => login_with(s, &login, &password, out).await,
        Err(e @ PlainError::OtherUser) => {
            reply::err_code(out, Code::Auth, &e.to_string());
            Next::Continue
        }
        Err(e) => s.bad(out, &e.to_string()),
    }
}

/// Checks the password (throttled, cached), then opens the maildrop.
async fn login_with(s: &mut Session, typed: &str, password: &str, out: &mut Vec<u8>) -> Next {
    let ctx = s.ctx.clone();
    let ip = s.peer.ip();
    let checked = ctx
        .gate
        .check(&ctx.store, ip, typed, password, Door::Pop3)
        .await;
    let (account, credential) = match checked {
        Checked::Ok(a, credential) => (a, credential),
        Checked::Throttled(retry_after) => {
            reply::err_code(
                out,
                Code::Auth,
                &format!(
                    "Too many failed logins; try again in {} minute(s)",
                    minutes(retry_after)
                ),
            );
            s.state = State::Closed;
            return Next::Close;
        }
        Checked::Suspended => {
            reply::err_code(
                out,
                Code::Auth,
                "This account is suspended: the password is right but logins are blocked; contact your webmaster",
            );
            return Next::Continue;
        }
        Checked::AppPasswordNeeded => {
            // RFC 3206 §4: [AUTH], the credentials are not accepted (and trying again with
            // them will not help).
            reply::err_code(out, Code::Auth, APP_PASSWORD_NEEDED);
            return Next::Continue;
        }
        Checked::Wrong => {
            s.auth_failures += 1;
            tracing::info!(login = %typed, %ip, "pop3: login refused");
            if s.auth_failures >= ctx.config.max_auth_failures {
                reply::err_code(
                    out,
                    Code::Auth,
                    "Wrong login or password. Too many failures, closing the connection",
                );
                s.state = State::Closed;
                return Next::Close;
            }
            reply::err_code(
                out,
                Code::Auth,
                "Wrong login or password (passwords are case-sensitive)",
            );
            return Next::Continue;
        }
        Checked::Busy => {
            // RFC 3206 §4: SYS/TEMP, a temporary problem; the client may retry soon.
            reply::err_code(
                out,
                Code::SysTemp,
                "Too many logins are being checked right now; try again in a few seconds",
            );
            return Next::Continue;
        }
        Checked::Unavailable(e) => {
            tracing::error!("pop3: the database did not answer at login: {e}");
            reply::err_code(
                out,
                Code::SysTemp,
                "The server cannot check logins right now; try again later",
            );
            return Next::Continue;
        }
    };
    match ctx
        .store
        .open_maildrop(account.id, &s.holder, ctx.config.lease_ttl)
        .await
    {
        Ok(Opened::Snapshot(snapshot)) => {
            s.standing = Some(app::auth::standing::Standing::new(
                &ctx.store,
                account.id,
                account.auth_epoch,
                credential,
                Door::Pop3,
            ));
            let m = Maildrop::new(account.id, account.login, snapshot);
            let (n, octets) = m.stat();
            tracing::info!(login = %m.login, %ip, tls = s.tls, "pop3: login");
            reply::ok(
                out,
                &format!("{} has {n} messages ({octets} octets)", m.login),
            );
            s.state = State::Transaction(m);
        }
        Ok(Opened::InUse) => reply::err_code(
            out,
            Code::InUse,
            "This mailbox is open in another session (another program or phone is collecting it); try again in a minute",
        ),
        Err(e) => {
            tracing::error!(login = %account.login, "pop3: cannot open the maildrop: {e}");
            reply::err_code(
                out,
                Code::SysTemp,
                "The mailbox cannot be opened right now; try again later",
            );
        }
    }
    Next::Continue
}

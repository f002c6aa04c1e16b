//! The mail doors' side of logging in (POP3, submission): the password check shared with the
//! web (`app::auth::check`), and the SASL PLAIN response both doors accept (RFC 4616).

pub use app::auth::check::{Checked, minutes};
pub use app::domain::security::Door;
use base64::Engine;

/// What both mail doors say to the main password of an account that signs in to the web in
/// two steps (issue 16): where to get the password a mail program needs.
pub const APP_PASSWORD_NEEDED: &str = "Two-step sign-in is on for this account: use an app password made for this program in /personal (Security), not the main password";

/// Why a PLAIN response was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PlainError {
    NotBase64,
    Shape,
    NotUtf8,
    /// An authorization identity other than the login: acting as someone else.
    OtherUser,
}

impl std::fmt::Display for PlainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlainError::NotBase64 => "The response is not valid base64",
            PlainError::Shape => "PLAIN expects authorization id, login and password",
            PlainError::NotUtf8 => "The login and password must be UTF-8",
            PlainError::OtherUser => "Logging in as another user is not allowed",
        })
    }
}

/// RFC 4616: base64 of `authzid NUL authcid NUL password` → (login, password).
pub fn decode_plain(encoded: &str) -> Result<(String, String), PlainError> {
    let decoded = decode_base64(encoded).ok_or(PlainError::NotBase64)?;
    let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
    let [authzid, authcid, password] = parts.as_slice() else {
        return Err(PlainError::Shape);
    };
    let (Ok(authzid), Ok(login), Ok(password)) = (
        std::str::from_utf8(authzid),
        std::str::from_utf8(authcid),
        std::str::from_utf8(password),
    ) else {
        return Err(PlainError::NotUtf8);
    };
    if !authzid.is_empty() && !authzid.eq_ignore_ascii_case(login) {
        return Err(PlainError::OtherUser);
    }
    Ok((login.to_string(), password.to_string()))
}

pub fn decode_base64(encoded: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
}

pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn plain_responses() {
        let enc = |s: &[u8]| encode_base64(s);
        assert_eq!(
            decode_plain(&enc(b"\0pmartin\0mot de passe")),
            Ok(("pmartin".into(), "mot de passe".into()))
        );
        assert_eq!(
            decode_plain(&enc(b"PMartin\0pmartin\0x")).map(|p| p.0),
            Ok("pmartin".into())
        );
        assert_eq!(
            decode_plain(&enc(b"cdupont\0pmartin\0x")),
            Err(PlainError::OtherUser)
        );
        assert_eq!(decode_plain("%%%"), Err(PlainError::NotBase64));
        assert_eq!(decode_plain(&enc(b"pmartin\0x")), Err(PlainError::Shape));
        assert_eq!(
            decode_plain(&enc(b"\0pm\xffartin\0x")),
            Err(PlainError::NotUtf8)
        );
        assert_eq!(minutes(Duration::from_secs(61)), 2);
        assert_eq!(minutes(Duration::ZERO), 1);
    }
}

//! The rules of a relay grant (DESIGN §2: the host opens relay for an office's fixed address):
//! a network, a cap of recipients per hour, an expiry in the future.

use crate::i18n::Lang;

/// Recipients per hour when none is given.
pub const DEFAULT_HOURLY_CAP: i32 = 200;
/// The largest cap a grant may have.
pub const MAX_HOURLY_CAP: i32 = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantProblem {
    /// Not an address or a network (the text typed).
    Network(String),
    Cap,
    ExpiryPast,
    NotFound(i64),
    AlreadyRevoked(i64),
}

impl GrantProblem {
    pub fn field(&self) -> &'static str {
        match self {
            GrantProblem::Network(_) => "network",
            GrantProblem::Cap => "cap",
            GrantProblem::ExpiryPast => "expires",
            GrantProblem::NotFound(_) | GrantProblem::AlreadyRevoked(_) => "grant",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (GrantProblem::Network(n), Lang::Fr) => format!(
                "« {n} » n'est ni une adresse IP ni un réseau (par exemple 192.0.2.10 ou 192.0.2.0/28)."
            ),
            (GrantProblem::Network(n), Lang::En) => format!(
                "\"{n}\" is neither an IP address nor a network (for example 192.0.2.10 or 192.0.2.0/28)."
            ),
            (GrantProblem::Cap, Lang::Fr) => {
                format!("Le plafond est un nombre de messages par heure, de 1 à {MAX_HOURLY_CAP}.")
            }
            (GrantProblem::Cap, Lang::En) => {
                format!("The cap is a number of messages an hour, 1 to {MAX_HOURLY_CAP}.")
            }
            (GrantProblem::ExpiryPast, l) => l
                .pick(
                    "La date de fin est déjà passée.",
                    "The expiry date is already past.",
                )
                .to_string(),
            (GrantProblem::NotFound(id), Lang::Fr) => format!("Aucun relais n° {id}."),
            (GrantProblem::NotFound(id), Lang::En) => format!("No relay grant #{id}."),
            (GrantProblem::AlreadyRevoked(id), Lang::Fr) => {
                format!("Le relais n° {id} est déjà fermé.")
            }
            (GrantProblem::AlreadyRevoked(id), Lang::En) => {
                format!("Relay grant #{id} is already closed.")
            }
        }
    }
}

/// The cap as given (None: the default), within bounds.
pub fn check_cap(cap: Option<i32>) -> Result<i32, GrantProblem> {
    let cap = cap.unwrap_or(DEFAULT_HOURLY_CAP);
    if (1..=MAX_HOURLY_CAP).contains(&cap) {
        Ok(cap)
    } else {
        Err(GrantProblem::Cap)
    }
}

/// An expiry (unix seconds) must be after `now`.
pub fn check_expiry(expires_at: Option<i64>, now: i64) -> Result<(), GrantProblem> {
    match expires_at {
        Some(e) if e <= now => Err(GrantProblem::ExpiryPast),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_expiry() {
        assert_eq!(check_cap(None), Ok(DEFAULT_HOURLY_CAP));
        assert_eq!(check_cap(Some(0)), Err(GrantProblem::Cap));
        assert_eq!(check_cap(Some(MAX_HOURLY_CAP + 1)), Err(GrantProblem::Cap));
        assert_eq!(check_expiry(Some(10), 10), Err(GrantProblem::ExpiryPast));
        assert_eq!(check_expiry(Some(11), 10), Ok(()));
        assert_eq!(check_expiry(None, 10), Ok(()));
    }

    #[test]
    fn every_problem_speaks_both_languages() {
        for p in [
            GrantProblem::Network("x".into()),
            GrantProblem::Cap,
            GrantProblem::ExpiryPast,
            GrantProblem::NotFound(3),
            GrantProblem::AlreadyRevoked(3),
        ] {
            assert_ne!(p.message(Lang::Fr), p.message(Lang::En), "{p:?}");
        }
    }
}

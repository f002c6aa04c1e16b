//! "Forward email to" (DESIGN §2 rule 6): which addresses a user may forward to. Checked when
//! the setting is saved, whatever the client: real addresses, at most a few, none of the
//! user's own (the mail would come straight back). Cycles through other local users need the
//! store and are checked there.

use super::address::DomainName;
use crate::i18n::Lang;

pub const MAX_FORWARDS: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardError {
    Invalid(String),
    ToSelf(String),
    TooMany,
}

impl ForwardError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ForwardError::Invalid(a), Lang::Fr) => {
                format!("« {a} » n'est pas une adresse électronique valable.")
            }
            (ForwardError::Invalid(a), Lang::En) => {
                format!("\"{a}\" is not a valid e-mail address.")
            }
            (ForwardError::ToSelf(a), Lang::Fr) => format!(
                "« {a} » est l'une de vos propres adresses : le courrier reviendrait aussitôt."
            ),
            (ForwardError::ToSelf(a), Lang::En) => {
                format!("\"{a}\" is one of your own addresses: the mail would come straight back.")
            }
            (ForwardError::TooMany, Lang::Fr) => {
                format!("Au plus {MAX_FORWARDS} adresses de renvoi.")
            }
            (ForwardError::TooMany, Lang::En) => {
                format!("At most {MAX_FORWARDS} forward addresses.")
            }
        }
    }
}

/// RFC 5321 §4.1.2 dot-atom local part (the quoted form is not accepted for forwards).
fn local_ok(local: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || SPECIALS.contains(&b))
}

/// One address in its stored form (`local@domain`, the domain in lower-case ASCII).
pub fn normalise_address(input: &str) -> Result<String, ForwardError> {
    let trimmed = input.trim().trim_start_matches('<').trim_end_matches('>');
    let invalid = || ForwardError::Invalid(input.trim().to_string());
    let (local, domain) = trimmed.rsplit_once('@').ok_or_else(invalid)?;
    if !local_ok(local) {
        return Err(invalid());
    }
    let domain = DomainName::parse(domain).map_err(|_| invalid())?;
    Ok(format!("{local}@{}", domain.as_str()))
}

/// Checks and normalises a forward list; `own` are the user's addresses (login and aliases).
pub fn check_forward(addresses: &[String], own: &[String]) -> Result<Vec<String>, ForwardError> {
    let mut out: Vec<String> = Vec::new();
    for a in addresses.iter().filter(|a| !a.trim().is_empty()) {
        let a = normalise_address(a)?;
        if own.iter().any(|o| o.eq_ignore_ascii_case(&a)) {
            return Err(ForwardError::ToSelf(a));
        }
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            out.push(a);
        }
    }
    if out.len() > MAX_FORWARDS {
        return Err(ForwardError::TooMany);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn forward_lists() {
        let own = s(&["pmartin@votredomaine.com", "ventes@votredomaine.com"]);
        assert_eq!(
            check_forward(
                &s(&[
                    " Pierre.Martin@Gmail.COM ",
                    "<p@example.org>",
                    "pierre.martin@gmail.com"
                ]),
                &own
            ),
            Ok(s(&["Pierre.Martin@gmail.com", "p@example.org"]))
        );
        assert_eq!(check_forward(&s(&["", "  "]), &own), Ok(vec![]));
        assert_eq!(
            check_forward(&s(&["PMartin@VotreDomaine.com"]), &own),
            Err(ForwardError::ToSelf("PMartin@votredomaine.com".into()))
        );
        assert_eq!(
            check_forward(&s(&["ventes@votredomaine.com"]), &own),
            Err(ForwardError::ToSelf("ventes@votredomaine.com".into()))
        );
        for bad in [
            "nobody",
            "a@",
            "@b.example",
            "a b@c.example",
            "a..b@c.example",
            "a@b@c.example",
            "a@-x.example",
        ] {
            assert!(
                matches!(
                    check_forward(&s(&[bad]), &own),
                    Err(ForwardError::Invalid(_))
                ),
                "{bad}"
            );
        }
        let many: Vec<String> = (0..6).map(|i| format!("u{i}@example.org")).collect();
        assert_eq!(check_forward(&many, &own), Err(ForwardError::TooMany));
        assert_eq!(
            normalise_address("jean@bücher.example").unwrap(),
            "jean@xn--bcher-kva.example"
        );
    }
}

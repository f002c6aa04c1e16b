//! Domain names, local parts and the two login forms (DESIGN §2 rules 1 and 4).

use crate::i18n::Lang;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    DomainInvalid(String),
    LocalPartEmpty,
    LocalPartTooLong,
    LocalPartCharacters(String),
    LocalPartDots,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for AddressError {}

impl AddressError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AddressError::DomainInvalid(d), Lang::Fr) => format!(
                "« {d} » n'est pas un nom de domaine valide (exemple : votredomaine.com)."
            ),
            (AddressError::DomainInvalid(d), Lang::En) => {
                format!("\"{d}\" is not a valid domain name (example: yourdomain.com).")
            }
            (AddressError::LocalPartEmpty, l) => l
                .pick("L'alias est vide.", "The alias is empty.")
                .to_string(),
            (AddressError::LocalPartTooLong, l) => l
                .pick(
                    "L'alias est trop long (64 caractères au plus).",
                    "The alias is too long (64 characters at most).",
                )
                .to_string(),
            (AddressError::LocalPartCharacters(a), Lang::Fr) => format!(
                "« {a} » contient un caractère non permis : utilisez des lettres sans accent, \
                 des chiffres, le point, le tiret et le souligné."
            ),
            (AddressError::LocalPartCharacters(a), Lang::En) => format!(
                "\"{a}\" contains a character that is not allowed: use letters without accents, \
                 digits, dot, hyphen and underscore."
            ),
            (AddressError::LocalPartDots, l) => l
                .pick(
                    "Un alias ne peut ni commencer ni finir par un point, ni en contenir deux à la suite.",
                    "An alias cannot start or end with a dot, nor contain two dots in a row.",
                )
                .to_string(),
        }
    }
}

/// A hosted domain's name in its canonical form: lower case, IDN labels in their ASCII
/// (punycode) form, no trailing dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

/// The domain of an address as written (lower case), or None for `<>` or a name without
/// `@`: for routing and for the sender checks, which take the address as it came.
pub fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

impl DomainName {
    pub fn parse(input: &str) -> Result<DomainName, AddressError> {
        let trimmed = input.trim().trim_end_matches('.');
        let invalid = || AddressError::DomainInvalid(input.trim().to_string());
        if trimmed.is_empty() || trimmed.starts_with('[') {
            return Err(invalid());
        }
        // UTS 46 processing: case folding and the IDNA mapping, then punycode.
        let ascii = idna::domain_to_ascii(trimmed).map_err(|_| invalid())?;
        if ascii.len() > 253 || !ascii.contains('.') {
            return Err(invalid());
        }
        for label in ascii.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(invalid());
            }
        }
        // A top-level label of digits only would make it an IP address.
        if ascii
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid());
        }
        Ok(DomainName(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An alias (a local part under which a user receives mail), lower case.
///
/// RFC 5321 §4.1.2 allows much more in a local part (any `atext`, quoted strings); courrier
/// keeps to letters, digits, `.`, `-` and `_`, because `%`, `!`, `@`, quotes and `+` are what
/// relay tricks and sub-addressing are made of, and a webmaster never needs them in an alias.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalPart(String);

impl LocalPart {
    pub fn parse(input: &str) -> Result<LocalPart, AddressError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(AddressError::LocalPartEmpty);
        }
        // RFC 5321 §4.5.3.1.1: a local part is at most 64 octets.
        if s.len() > 64 {
            return Err(AddressError::LocalPartTooLong);
        }
        if !s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        }) {
            return Err(AddressError::LocalPartCharacters(input.trim().to_string()));
        }
        // dot-atom (RFC 5322 §3.2.3): no leading, trailing or doubled dot.
        if s.starts_with('.') || s.ends_with('.') || s.contains("..") {
            return Err(AddressError::LocalPartDots);
        }
        Ok(LocalPart(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The local parts every domain has (RFC 5321 §4.5.1, RFC 2142): they reach the domain's
/// webmaster unless an alias gives them to someone else.
pub const ALWAYS_PRESENT: [&str; 2] = ["postmaster", "abuse"];

/// What a person typed in a login field: the "Cobalt" form `pmartin` or the "anti-virus" form
/// `pmartin@votredomaine.com` (DESIGN §2 rule 1). Case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginInput {
    pub login: String,
    pub domain: Option<String>,
}

impl LoginInput {
    pub fn parse(input: &str) -> Option<LoginInput> {
        let s = super::login::normalise_login(input);
        if s.is_empty() || s.len() > 320 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return None;
        }
        match s.rsplit_once('@') {
            Some((local, domain)) => {
                if local.is_empty() || domain.is_empty() {
                    return None;
                }
                let domain = DomainName::parse(domain).ok()?;
                Some(LoginInput {
                    login: local.to_string(),
                    domain: Some(domain.0),
                })
            }
            None => Some(LoginInput {
                login: s,
                domain: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(
            DomainName::parse("VotreDomaine.COM.").unwrap().as_str(),
            "votredomaine.com"
        );
        assert_eq!(
            DomainName::parse(" exemple.fr ").unwrap().as_str(),
            "exemple.fr"
        );
        assert_eq!(
            DomainName::parse("café.fr").unwrap().as_str(),
            "xn--caf-dma.fr"
        );
        assert_eq!(
            DomainName::parse("CAFÉ.fr").unwrap().as_str(),
            "xn--caf-dma.fr"
        );
        assert_eq!(
            DomainName::parse("xn--caf-dma.fr").unwrap().as_str(),
            "xn--caf-dma.fr"
        );
        for bad in [
            "",
            "localhost",
            "-a.com",
            "a-.com",
            "a..com",
            "a_b.com",
            "[127.0.0.1]",
            "1.2.3.4",
            "a b.com",
            "a@b.com",
            &format!("{}.com", "a".repeat(64)),
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn aliases() {
        for ok in [
            "webmaster",
            "info",
            "Pierre.Martin",
            "ventes",
            "jean_paul",
            "a-b",
            "x1",
        ] {
            assert!(LocalPart::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            LocalPart::parse("Pierre.Martin").unwrap().as_str(),
            "pierre.martin"
        );
        assert_eq!(LocalPart::parse(""), Err(AddressError::LocalPartEmpty));
        assert_eq!(
            LocalPart::parse(&"a".repeat(65)),
            Err(AddressError::LocalPartTooLong)
        );
        assert!(LocalPart::parse(&"a".repeat(64)).is_ok());
        for bad in [
            "user%other.example",
            "\"a@b\"",
            "a@b",
            "a+b",
            "a!b",
            "é",
            "a b",
            "a/b",
        ] {
            assert!(
                matches!(
                    LocalPart::parse(bad),
                    Err(AddressError::LocalPartCharacters(_))
                ),
                "{bad}"
            );
        }
        for bad in [".a", "a.", "a..b"] {
            assert_eq!(
                LocalPart::parse(bad),
                Err(AddressError::LocalPartDots),
                "{bad}"
            );
        }
        assert!(
            AddressError::LocalPartDots
                .message(Lang::Fr)
                .contains("point")
        );
    }

    #[test]
    fn login_forms() {
        assert_eq!(
            LoginInput::parse(" PMartin "),
            Some(LoginInput {
                login: "pmartin".into(),
                domain: None
            })
        );
        assert_eq!(
            LoginInput::parse("PMartin@VotreDomaine.com"),
            Some(LoginInput {
                login: "pmartin".into(),
                domain: Some("votredomaine.com".into())
            })
        );
        for bad in ["", "@x.com", "a@", "a b", "a@nodot", "a\u{0}b"] {
            assert_eq!(LoginInput::parse(bad), None, "{bad:?}");
        }
    }
}

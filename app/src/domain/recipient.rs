//! Where an SMTP recipient goes, decided from the address alone (RFC 5321 §3.6, §4.1.2,
//! §4.5.1): a local part of a hosted domain, the bare postmaster, a foreign domain, or
//! nothing valid. Relay tricks are never local: `user%other@hosted`,
//! `"user@other"@hosted` and `user!other@hosted` are invalid here, IP literals are foreign.

use super::address::{DomainName, LocalPart};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// `local@domain` where `domain` is hosted here; `local` is lower case and may or may not
    /// exist (the store decides).
    Local { local: String, domain: String },
    /// `<postmaster>` without a domain (RFC 5321 §4.5.1): must always be accepted.
    Postmaster,
    /// A domain not hosted here (or an address literal): relaying.
    Foreign { domain: String },
    /// Refused outright: a hosted domain with a local part that can name nobody here, or an
    /// address without a usable domain.
    Invalid,
}

/// Classifies `address` as the SMTP parser gave it (source route removed, quotes removed, ""
/// for a bare `<postmaster>`). `is_hosted` tells whether a canonical domain name is hosted.
pub fn classify(address: &str, is_hosted: impl Fn(&str) -> bool) -> Recipient {
    if address.is_empty() {
        return Recipient::Postmaster;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return if address.eq_ignore_ascii_case("postmaster") {
            Recipient::Postmaster
        } else {
            Recipient::Invalid
        };
    };
    if local.is_empty() || domain.is_empty() {
        return Recipient::Invalid;
    }
    // An address literal ([192.0.2.1], [IPv6:…]) is never one of ours: no relay through it.
    if domain.starts_with('[') {
        return Recipient::Foreign {
            domain: domain.to_ascii_lowercase(),
        };
    }
    let Ok(domain) = DomainName::parse(domain) else {
        return Recipient::Invalid;
    };
    if !is_hosted(domain.as_str()) {
        return Recipient::Foreign {
            domain: domain.to_string(),
        };
    }
    // Hosted domain: only a plain local part can name an account or an alias. `%`, `!`, an
    // inner `@` (from a quoted local part) or anything else is a routing trick: invalid.
    match LocalPart::parse(local) {
        Ok(l) if local.len() == local.trim().len() => Recipient::Local {
            local: l.to_string(),
            domain: domain.to_string(),
        },
        _ => Recipient::Invalid,
    }
}

/// The default sub-address separator (`pmartin+news@…` reaches `pmartin`).
pub const DEFAULT_SEPARATOR: char = '+';

/// Classifies `address` with sub-addressing (issue 17): when the local part names nobody as
/// it is, the part before the first `separator` does, provided what follows is plain
/// (letters, digits, `.-_+=`): `pmartin+news@votredomaine.com` is `pmartin`'s. Relay tricks
/// stay invalid (`user%other+x@…`, `user+x%y@…`). The flag says the address was a
/// sub-address (delivery keeps it in `Delivered-To`).
pub fn classify_with(
    address: &str,
    is_hosted: impl Fn(&str) -> bool,
    separator: Option<char>,
) -> (Recipient, bool) {
    let plain = classify(address, &is_hosted);
    let (Recipient::Invalid, Some(sep)) = (&plain, separator) else {
        return (plain, false);
    };
    let base = address.rsplit_once('@').and_then(|(local, domain)| {
        let (base, detail) = local.split_once(sep)?;
        let plain_detail = detail
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+=".contains(&b));
        (!base.is_empty() && plain_detail).then(|| format!("{base}@{domain}"))
    });
    match base.map(|b| classify(&b, &is_hosted)) {
        Some(r @ Recipient::Local { .. }) => (r, true),
        _ => (plain, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosted(d: &str) -> bool {
        d == "votredomaine.com" || d == "xn--caf-dma.fr"
    }

    fn local(l: &str, d: &str) -> Recipient {
        Recipient::Local {
            local: l.into(),
            domain: d.into(),
        }
    }

    #[test]
    fn sub_addresses() {
        let with = |a: &str, sep| classify_with(a, hosted, sep);
        assert_eq!(
            with("PMartin+News@votredomaine.com", Some('+')),
            (local("pmartin", "votredomaine.com"), true)
        );
        assert_eq!(
            with("pmartin+a+b@votredomaine.com", Some('+')),
            (local("pmartin", "votredomaine.com"), true)
        );
        assert_eq!(
            with("pmartin@votredomaine.com", Some('+')),
            (local("pmartin", "votredomaine.com"), false)
        );
        // Off: the whole local part, which names nobody.
        assert_eq!(
            with("pmartin+news@votredomaine.com", None),
            (Recipient::Invalid, false)
        );
        assert_eq!(
            with("pmartin=news@votredomaine.com", Some('=')),
            (local("pmartin", "votredomaine.com"), true)
        );
        // Relay tricks stay invalid, before or after the separator.
        for trick in [
            "user%other.net+x@votredomaine.com",
            "user+x%other.net@votredomaine.com",
            "user+x!other@votredomaine.com",
            "+news@votredomaine.com",
        ] {
            assert_eq!(
                with(trick, Some('+')),
                (Recipient::Invalid, false),
                "{trick}"
            );
        }
        assert_eq!(
            with("a+b@example.net", Some('+')).0,
            Recipient::Foreign {
                domain: "example.net".into()
            }
        );
    }

    #[test]
    fn local_and_postmaster() {
        assert_eq!(
            classify("pmartin@votredomaine.com", hosted),
            local("pmartin", "votredomaine.com")
        );
        assert_eq!(
            classify("PMartin@VotreDomaine.COM", hosted),
            local("pmartin", "votredomaine.com")
        );
        assert_eq!(
            classify("info@café.fr", hosted),
            local("info", "xn--caf-dma.fr")
        );
        assert_eq!(
            classify("info@CAFÉ.fr", hosted),
            local("info", "xn--caf-dma.fr")
        );
        assert_eq!(
            classify("Pierre.Martin@votredomaine.com", hosted),
            local("pierre.martin", "votredomaine.com")
        );
        assert_eq!(classify("", hosted), Recipient::Postmaster);
        assert_eq!(classify("Postmaster", hosted), Recipient::Postmaster);
        assert_eq!(
            classify("postmaster@votredomaine.com", hosted),
            local("postmaster", "votredomaine.com")
        );
    }

    #[test]
    fn relay_tricks_are_never_local() {
        let foreign = |d: &str| Recipient::Foreign { domain: d.into() };
        assert_eq!(
            classify("user@other.example", hosted),
            foreign("other.example")
        );
        assert_eq!(
            classify("user@OTHER.example", hosted),
            foreign("other.example")
        );
        assert_eq!(
            classify("user%other.example@votredomaine.com", hosted),
            Recipient::Invalid
        );
        assert_eq!(
            classify("user@other.example@votredomaine.com", hosted),
            Recipient::Invalid
        );
        assert_eq!(
            classify("other.example!user@votredomaine.com", hosted),
            Recipient::Invalid
        );
        assert_eq!(classify("user@[192.0.2.1]", hosted), foreign("[192.0.2.1]"));
        assert_eq!(classify("user@[IPv6:::1]", hosted), foreign("[ipv6:::1]"));
        assert_eq!(
            classify("user@votredomaine.com.", hosted),
            local("user", "votredomaine.com")
        );
        assert_eq!(classify("user@localhost", hosted), Recipient::Invalid);
        assert_eq!(classify("@votredomaine.com", hosted), Recipient::Invalid);
        assert_eq!(classify("user@", hosted), Recipient::Invalid);
        assert_eq!(classify("user", hosted), Recipient::Invalid);
        assert_eq!(
            classify("us er@votredomaine.com", hosted),
            Recipient::Invalid
        );
        assert_eq!(
            classify("élise@votredomaine.com", hosted),
            Recipient::Invalid
        );
    }
}

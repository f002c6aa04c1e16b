//! Generic names that identify a role, not a person (DESIGN §2 rule 3). They are refused as
//! logins — "Le login permet d'identifier un utilisateur unique" — and belong in aliases.

/// Compared after login normalisation (lower case, only `[a-z0-9]`), so `Mailer-Daemon` and
/// `no-reply` are caught as `mailerdaemon` and `noreply`.
const GENERIC: &[&str] = &[
    "abuse",
    "accounting",
    "accueil",
    "admin",
    "administrateur",
    "administrator",
    "aide",
    "billing",
    "bonjour",
    "boutique",
    "bureau",
    "client",
    "clients",
    "commandes",
    "commercial",
    "compta",
    "comptabilite",
    "contact",
    "courrier",
    "daemon",
    "devnull",
    "direction",
    "dpo",
    "email",
    "equipe",
    "facturation",
    "ftp",
    "hello",
    "help",
    "hostmaster",
    "info",
    "infos",
    "information",
    "informations",
    "jobs",
    "legal",
    "list",
    "listmaster",
    "mail",
    "mailerdaemon",
    "marketing",
    "news",
    "newsletter",
    "nobody",
    "noreply",
    "noc",
    "office",
    "orders",
    "owner",
    "postmaster",
    "presse",
    "press",
    "privacy",
    "recrutement",
    "root",
    "sales",
    "secretariat",
    "security",
    "securite",
    "service",
    "shop",
    "support",
    "sysadmin",
    "team",
    "test",
    "usenet",
    "uucp",
    "ventes",
    "webmaster",
    "www",
];

/// Whether `login` (already normalised) is a generic role name.
pub fn is_generic(login: &str) -> bool {
    GENERIC.contains(&login)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_examples_are_generic() {
        for l in [
            "info",
            "admin",
            "webmaster",
            "postmaster",
            "abuse",
            "root",
            "ventes",
        ] {
            assert!(is_generic(l), "{l}");
        }
        assert!(!is_generic("pmartin"));
        assert!(!is_generic("information2"));
    }

    #[test]
    fn list_is_normalised() {
        for l in GENERIC {
            assert!(
                l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{l}"
            );
        }
    }
}

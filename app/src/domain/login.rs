//! Login generation (DESIGN §2 rule 2): first letter of the first name + the last name, lower
//! case, transliterated to ASCII, only `[a-z0-9]`, at most 32 characters; on collision a number
//! is appended (`pmartin2`, `pmartin3`, …) and the base is shortened so the whole stays ≤ 32.

use super::generic::is_generic;
use std::fmt;

pub const MAX_LOGIN_LEN: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Neither name contains a letter or digit once transliterated.
    Empty,
    /// The generated login is a role name such as `info`; use an alias instead.
    Generic(String),
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(crate::i18n::Lang::En))
    }
}

impl std::error::Error for LoginError {}

impl LoginError {
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match self {
            LoginError::Empty => lang
                .pick(
                    "Le prénom et le nom ne donnent aucune lettre utilisable pour un login : \
                     saisissez au moins un nom écrit avec des lettres ou des chiffres.",
                    "The first and last names give no usable letter for a login: enter at least \
                     one name written with letters or digits.",
                )
                .to_string(),
            LoginError::Generic(l) => crate::tr!(
                lang,
                "« {l} » est un nom générique : un login identifie une seule personne. \
                     Créez l'utilisateur avec son prénom et son nom, puis ajoutez-lui l'alias « {l} ».",
                "\"{l}\" is a generic name: a login identifies one person. Create the user \
                     with their first and last name, then give them the alias \"{l}\"."
            ),
        }
    }
}

/// Lower-case ASCII letters and digits of `name`, after transliteration (Éloïse → eloise,
/// Ø → o, ß → ss, other scripts to their usual Latin spelling). Spaces, apostrophes, hyphens
/// and everything else disappear.
fn ascii_letters(name: &str) -> String {
    // Only letters and digits are transliterated: symbols and emoji would otherwise become
    // words ("🙂" → "slightly_smiling_face").
    let letters: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
    deunicode::deunicode(&letters)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The login the rule gives for these names, before any collision suffix.
///
/// With both names: initial of the first name + the last name. With only one name (a
/// single-word name, in either field): that name.
pub fn base_login(first_name: &str, last_name: &str) -> Result<String, LoginError> {
    let first = ascii_letters(first_name);
    let last = ascii_letters(last_name);
    let mut login = match (first.chars().next(), last.is_empty()) {
        (Some(initial), false) => format!("{initial}{last}"),
        (Some(_), true) => first,
        (None, false) => last,
        (None, true) => return Err(LoginError::Empty),
    };
    login.truncate(MAX_LOGIN_LEN);
    if is_generic(&login) {
        return Err(LoginError::Generic(login));
    }
    Ok(login)
}

/// The `n`-th candidate for `base`: `base` itself for n ≤ 1, else `base` + `n`, with `base`
/// shortened so the result fits in [`MAX_LOGIN_LEN`].
pub fn login_with_suffix(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.chars().take(MAX_LOGIN_LEN).collect();
    }
    let suffix = n.to_string();
    let keep = MAX_LOGIN_LEN.saturating_sub(suffix.len());
    let mut s: String = base.chars().take(keep).collect();
    s.push_str(&suffix);
    s
}

/// The first free login for these names, given a test for logins already taken.
pub fn generate_login(
    first_name: &str,
    last_name: &str,
    taken: impl Fn(&str) -> bool,
) -> Result<String, LoginError> {
    let base = base_login(first_name, last_name)?;
    let mut n = 1;
    loop {
        let candidate = login_with_suffix(&base, n);
        if !taken(&candidate) && !is_generic(&candidate) {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Normalises a login typed by a person (sign-in forms, POP3 USER, CLI): trimmed, lower case.
/// Logins are case-insensitive; passwords are not (DESIGN §2 rule 1).
pub fn normalise_login(input: &str) -> String {
    input.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule table of issue 2, run against a growing set of taken logins.
    #[test]
    fn rule_table() {
        let mut taken: Vec<String> = Vec::new();
        let cases: &[(&str, &str, &str)] = &[
            ("Pierre", "Martin", "pmartin"),
            ("Pierre", "Martin", "pmartin2"),
            ("Paul", "Martin", "pmartin3"),
            ("Éloïse", "D'Artagnan", "edartagnan"),
            ("Jean-Pierre", "de La Fontaine", "jdelafontaine"),
            ("Zoë", "Ødegård-Ünal", "zodegardunal"),
            ("", "Madonna", "madonna"),
            ("Cher", "", "cher"),
            ("  Anne ", " O'Neil  ", "aoneil"),
            ("Ça", "Garçon", "cgarcon"),
            ("Straße", "Weiß", "sweiss"),
            ("Łukasz", "Żółć", "lzolc"),
            ("Jürgen", "Müller-Lüdenscheidt", "jmullerludenscheidt"),
            ("Nguyễn", "Thị Minh Khai", "nthiminhkhai"),
            ("Алексей", "Смирнов", "asmirnov"),
            ("Γιώργος", "Παπαδόπουλος", "gpapadopoulos"),
            ("Louis", "XIV", "lxiv"),
            ("Marie", "Curie 2", "mcurie2"),
        ];
        for (first, last, want) in cases {
            let got = generate_login(first, last, |c| taken.iter().any(|t| t == c)).unwrap();
            assert_eq!(&got, want, "{first} {last}");
            taken.push(got);
        }
    }

    #[test]
    fn names_that_give_nothing_are_a_clear_error() {
        for (f, l) in [
            ("", ""),
            ("  ", "---"),
            ("'", "’"),
            ("🙂", "🙂🙂"),
            ("!!", "??"),
        ] {
            let err = base_login(f, l).unwrap_err();
            assert_eq!(err, LoginError::Empty, "{f:?} {l:?}");
            assert!(err.to_string().contains("no usable letter"));
        }
    }

    #[test]
    fn very_long_names_are_cut_at_32_and_suffixes_fit() {
        let last = "Wolfeschlegelsteinhausenbergerdorff-Welchevoralternwarengewissenhaft";
        let base = base_login("Hubert", last).unwrap();
        assert_eq!(base.len(), MAX_LOGIN_LEN);
        assert_eq!(base, "hwolfeschlegelsteinhausenbergerd");
        let second = generate_login("Hubert", last, |c| c == base).unwrap();
        assert_eq!(second.len(), MAX_LOGIN_LEN);
        assert_eq!(second, "hwolfeschlegelsteinhausenberger2");
        assert_eq!(login_with_suffix(&base, 100).len(), MAX_LOGIN_LEN);
        assert!(login_with_suffix(&base, 100).ends_with("100"));
        let huge = "x".repeat(10_000);
        assert_eq!(base_login(&huge, &huge).unwrap().len(), MAX_LOGIN_LEN);
    }

    #[test]
    fn generic_logins_are_refused_with_a_pointer_to_aliases() {
        let err = base_login("", "Info").unwrap_err();
        assert_eq!(err, LoginError::Generic("info".into()));
        assert!(err.to_string().contains("alias"));
        assert!(err.message(crate::i18n::Lang::Fr).contains("alias"));
        assert!(matches!(base_login("Mailer", "Daemon"), Ok(l) if l == "mdaemon"));
        assert!(matches!(
            base_login("", "Mailer-Daemon"),
            Err(LoginError::Generic(_))
        ));
        assert!(base_login("Web", "").is_ok());
        assert!(matches!(
            base_login("R", "Oot"),
            Err(LoginError::Generic(_))
        ));
    }

    #[test]
    fn output_is_always_ascii_alnum() {
        for s in ["Ǆemal", "ﬁnn", "Ⅻ", "𝔄𝔩𝔦𝔠𝔢", "İlker", "ǅ"] {
            if let Ok(l) = base_login(s, s) {
                assert!(
                    l.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{l}"
                );
            }
        }
    }

    #[test]
    fn normalising_typed_logins() {
        assert_eq!(normalise_login("  PMartin "), "pmartin");
        assert_eq!(
            normalise_login("PMartin@VotreDomaine.COM"),
            "pmartin@votredomaine.com"
        );
    }
}

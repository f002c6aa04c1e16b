//! Passwords (DESIGN §2 rules 2 and 5): generated ones are random, from an alphabet without
//! look-alikes; chosen ones follow a minimum policy (length, not the login, not a common one).
//! Hashing lives on the server side (`crate::auth`), never here.

use crate::i18n::Lang;
use std::fmt;

/// No `0 O o 1 l I` — a password read from a printed welcome sheet must not be ambiguous.
pub const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 16 symbols from 56: about 93 bits.
pub const GENERATED_LEN: usize = 16;
pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Builds a password from random bytes (the caller draws them from the OS RNG), by rejection
/// sampling so every symbol is equally likely. Returns `None` if the bytes run out first.
pub fn password_from_random(random: &[u8]) -> Option<String> {
    let n = ALPHABET.len();
    let limit = 256 - (256 % n); // bytes at or above this would bias the first symbols
    let out: String = random
        .iter()
        .filter(|&&b| (b as usize) < limit)
        .take(GENERATED_LEN)
        .map(|&b| ALPHABET[b as usize % n] as char)
        .collect();
    (out.len() == GENERATED_LEN).then_some(out)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    ContainsLogin,
    TooCommon,
    Repetitive,
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for PasswordProblem {}

impl PasswordProblem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PasswordProblem::TooShort, Lang::Fr) => {
                format!("Le mot de passe doit compter au moins {MIN_LEN} caractères.")
            }
            (PasswordProblem::TooShort, Lang::En) => {
                format!("The password must have at least {MIN_LEN} characters.")
            }
            (PasswordProblem::TooLong, Lang::Fr) => {
                format!("Le mot de passe ne peut dépasser {MAX_LEN} caractères.")
            }
            (PasswordProblem::TooLong, Lang::En) => {
                format!("The password cannot exceed {MAX_LEN} characters.")
            }
            (PasswordProblem::ContainsLogin, l) => l
                .pick(
                    "Le mot de passe ne doit pas contenir le login.",
                    "The password must not contain the login.",
                )
                .into(),
            (PasswordProblem::TooCommon, l) => l
                .pick(
                    "Ce mot de passe est parmi les plus courants : choisissez-en un autre.",
                    "This password is one of the most common: choose another one.",
                )
                .into(),
            (PasswordProblem::Repetitive, l) => l
                .pick(
                    "Le mot de passe est trop répétitif (un même caractère ou une simple suite).",
                    "The password is too repetitive (one character or a simple sequence).",
                )
                .into(),
        }
    }
}

const COMMON: &[&str] = &[
    "123456789012",
    "1234567890",
    "azertyuiop",
    "qwertyuiop",
    "motdepasse",
    "motdepasse1",
    "motdepasse123",
    "password1",
    "password12",
    "password123",
    "passw0rd123",
    "iloveyou12",
    "jetaime1234",
    "azerty1234",
    "azerty123456",
    "qwerty1234",
    "qwerty123456",
    "bonjour123",
    "soleil1234",
    "doudou1234",
    "marseille13",
    "loulou1234",
    "chocolat12",
    "football12",
    "baseball12",
    "princesse1",
    "1q2w3e4r5t",
    "zaq12wsxcde",
    "abcdefghij",
    "abc1234567",
    "administrator",
    "welcome123",
    "changeme12",
    "letmein123",
    "0987654321",
    "1111111111",
];

/// The minimum policy for a password a person chooses (NIST SP 800-63B style: length and a
/// blocklist, no composition rules). Length counts characters, not bytes.
pub fn check_chosen_password(password: &str, login: &str) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordProblem::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let login = login.trim().to_lowercase();
    if login.len() >= 3 && lower.contains(&login) {
        return Err(PasswordProblem::ContainsLogin);
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(PasswordProblem::TooCommon);
    }
    let chars: Vec<char> = lower.chars().collect();
    let distinct = {
        let mut c = chars.clone();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    let sequence = chars
        .windows(2)
        .all(|w| (w[1] as i64 - w[0] as i64).abs() == 1);
    if distinct <= 2 || sequence {
        return Err(PasswordProblem::Repetitive);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_use_the_alphabet_and_length() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(64).collect();
        let p = password_from_random(&bytes).unwrap();
        assert_eq!(p.len(), GENERATED_LEN);
        assert!(p.bytes().all(|b| ALPHABET.contains(&b)));
        const { assert!(GENERATED_LEN >= 14) };
        for c in b"0O1lIo" {
            assert!(!ALPHABET.contains(c));
        }
        assert_eq!(
            password_from_random(&[255; 64]),
            None,
            "biased bytes are rejected"
        );
        assert_eq!(password_from_random(&[1; 3]), None);
    }

    #[test]
    fn sampling_is_unbiased_over_a_full_byte_cycle() {
        // Every accepted byte value maps to each symbol the same number of times.
        let n = ALPHABET.len();
        let limit = 256 - 256 % n;
        let mut counts = vec![0; n];
        for b in 0..limit {
            counts[b % n] += 1;
        }
        assert!(counts.iter().all(|&c| c == counts[0]));
    }

    #[test]
    fn chosen_password_policy() {
        assert_eq!(
            check_chosen_password("court", "pmartin"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_chosen_password("éééééééé", "x"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_chosen_password(&"ab".repeat(65), "x"),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check_chosen_password("xxPMartin2024", "pmartin"),
            Err(PasswordProblem::ContainsLogin)
        );
        assert_eq!(
            check_chosen_password("Azertyuiop", "pm"),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            check_chosen_password("aaaaaaaaaaaa", "pm"),
            Err(PasswordProblem::Repetitive)
        );
        assert_eq!(
            check_chosen_password("abababababab", "pm"),
            Err(PasswordProblem::Repetitive)
        );
        assert_eq!(
            check_chosen_password("abcdefghijklm", "pm"),
            Err(PasswordProblem::Repetitive)
        );
        assert_eq!(
            check_chosen_password("Le chat dort au soleil", "pmartin"),
            Ok(())
        );
        assert_eq!(check_chosen_password("kT7#vq9!Lm2x", "pmartin"), Ok(()));
        assert!(PasswordProblem::TooShort.message(Lang::Fr).contains("10"));
    }
}

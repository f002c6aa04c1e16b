//! A mailbox's names and quota (the seed's « add user » and the pen): names of 100 characters
//! at most, a quota in megabytes between 1 MB and 1 TB, or none. Checked the same way on every
//! path (add user, the pen, a restored backup, the command line).

use crate::i18n::Lang;

/// The longest first or last name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The largest quota, in megabytes (1 TiB).
pub const MAX_QUOTA_MB: i64 = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileProblem {
    /// Neither a first nor a last name.
    NoName,
    /// A name longer than [`MAX_NAME_CHARS`]; which one.
    NameTooLong { last: bool },
    /// Not a number of megabytes within bounds.
    Quota,
    /// A server admin belongs to no domain.
    ServerAdminInDomain,
    /// A server admin has no mailbox (so no alias).
    NoMailbox(String),
}

impl ProfileProblem {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ProfileProblem::NoName | ProfileProblem::NameTooLong { last: true } => "last_name",
            ProfileProblem::NameTooLong { last: false } => "first_name",
            ProfileProblem::Quota => "quota",
            ProfileProblem::ServerAdminInDomain => "role",
            ProfileProblem::NoMailbox(_) => "alias",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ProfileProblem::NoName, l) => l
                .pick(
                    "Entrez le prénom et le nom de la personne.",
                    "Enter the person's first and last name.",
                )
                .to_string(),
            (ProfileProblem::NameTooLong { last }, Lang::Fr) => format!(
                "Le {} a {MAX_NAME_CHARS} caractères au plus.",
                if *last { "nom" } else { "prénom" }
            ),
            (ProfileProblem::NameTooLong { last }, Lang::En) => format!(
                "The {} name has {MAX_NAME_CHARS} characters at most.",
                if *last { "last" } else { "first" }
            ),
            (ProfileProblem::Quota, Lang::Fr) => format!(
                "Le quota est un nombre de Mo entre 1 et {MAX_QUOTA_MB} (ou vide : sans limite)."
            ),
            (ProfileProblem::Quota, Lang::En) => format!(
                "The quota is a number of MB between 1 and {MAX_QUOTA_MB} (or empty: no limit)."
            ),
            (ProfileProblem::ServerAdminInDomain, l) => l
                .pick(
                    "Un administrateur du serveur n'appartient à aucun domaine.",
                    "A server admin belongs to no domain.",
                )
                .to_string(),
            (ProfileProblem::NoMailbox(login), Lang::Fr) => format!(
                "« {login} » administre le serveur et n'a pas de boîte pour recevoir du courrier."
            ),
            (ProfileProblem::NoMailbox(login), Lang::En) => {
                format!("\"{login}\" is a server admin and has no mailbox to receive mail.")
            }
        }
    }
}

/// The names' problems (both may be too long); `need_one`: at least one must be given.
pub fn check_names(first: &str, last: &str, need_one: bool) -> Vec<ProfileProblem> {
    let (first, last) = (first.trim(), last.trim());
    let mut problems = Vec::new();
    if need_one && first.is_empty() && last.is_empty() {
        problems.push(ProfileProblem::NoName);
    }
    if first.chars().count() > MAX_NAME_CHARS {
        problems.push(ProfileProblem::NameTooLong { last: false });
    }
    if last.chars().count() > MAX_NAME_CHARS {
        problems.push(ProfileProblem::NameTooLong { last: true });
    }
    problems
}

/// A quota typed in megabytes, in bytes (empty: no limit).
pub fn parse_quota_mb(text: &str) -> Result<Option<i64>, ProfileProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(mb) if (1..=MAX_QUOTA_MB).contains(&mb) => Ok(Some(mb * 1024 * 1024)),
        _ => Err(ProfileProblem::Quota),
    }
}

/// A quota in bytes as stored: positive and at most [`MAX_QUOTA_MB`], or none.
pub fn check_quota_bytes(quota: Option<i64>) -> Result<(), ProfileProblem> {
    match quota {
        Some(q) if q <= 0 || q > MAX_QUOTA_MB * 1024 * 1024 => Err(ProfileProblem::Quota),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_names("Claire", "Dupont", true), vec![]);
        assert_eq!(check_names(" ", "", true), vec![ProfileProblem::NoName]);
        assert_eq!(check_names("", "", false), vec![]);
        let long = "é".repeat(101);
        assert_eq!(
            check_names(&long, &long, true),
            vec![
                ProfileProblem::NameTooLong { last: false },
                ProfileProblem::NameTooLong { last: true }
            ]
        );
        assert_eq!(check_names(&"é".repeat(100), "", true), vec![]);
    }

    #[test]
    fn quotas() {
        assert_eq!(parse_quota_mb(""), Ok(None));
        assert_eq!(parse_quota_mb(" 50 "), Ok(Some(50 * 1024 * 1024)));
        for bad in ["0", "-3", "beaucoup", "1048577", "1.5"] {
            assert_eq!(parse_quota_mb(bad), Err(ProfileProblem::Quota), "{bad}");
        }
        assert_eq!(check_quota_bytes(Some(0)), Err(ProfileProblem::Quota));
        assert_eq!(check_quota_bytes(None), Ok(()));
    }

    #[test]
    fn every_problem_speaks_both_languages() {
        for p in [
            ProfileProblem::NoName,
            ProfileProblem::NameTooLong { last: true },
            ProfileProblem::Quota,
            ProfileProblem::ServerAdminInDomain,
            ProfileProblem::NoMailbox("srvadmin".into()),
        ] {
            assert_ne!(p.message(Lang::Fr), p.message(Lang::En), "{p:?}");
        }
    }
}

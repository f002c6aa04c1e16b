//! The limits a host sets on a domain (issue 17; what a host sells, mailcow#3875): how many
//! mailboxes and aliases, the storage (the sum of the quotas handed out may not pass it), the
//! quota a new mailbox gets when none is given, and the largest quota of one mailbox. Each is
//! optional. Pure: the store counts what the domain uses and asks these rules, in the same
//! transaction as the change.
//!
//! Lowering a limit below what is already used is allowed (nothing is taken away); what the
//! domain then holds is shown over the limit, and only new additions are refused.

use super::profile::MAX_QUOTA_MB;
use crate::i18n::{Lang, format_size};

const MB: i64 = 1024 * 1024;
/// The largest count a host can type (mailboxes, aliases).
pub const MAX_COUNT: i64 = 1_000_000;

/// What the host set; None: no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    pub max_mailboxes: Option<i64>,
    pub max_aliases: Option<i64>,
    /// Bytes: the sum of the quotas handed out may not pass it.
    pub max_storage: Option<i64>,
    /// Bytes: the quota of a new mailbox when none is given.
    pub default_quota: Option<i64>,
    /// Bytes: the largest quota of one mailbox.
    pub max_quota: Option<i64>,
}

/// What a domain uses now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub mailboxes: i64,
    pub aliases: i64,
    /// The sum of the quotas handed out (mailboxes with one).
    pub quotas: i64,
    /// Mailboxes without a quota.
    pub unlimited: i64,
    /// The bytes stored in the domain's mailboxes.
    pub stored: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitProblem {
    /// A limit typed is not a whole number in bounds; which field.
    NotANumber(&'static str),
    /// The default quota passes the largest quota or the storage.
    DefaultTooLarge,
    /// The largest quota passes the storage.
    MaxQuotaTooLarge,
    /// Adding a mailbox would pass the domain's number.
    Mailboxes { max: i64 },
    /// Adding `adding` aliases would pass the domain's number (`used` already).
    Aliases { max: i64, used: i64 },
    /// A quota above the domain's largest.
    QuotaAbove { max: i64 },
    /// "No limit" while the domain's storage or quotas are limited.
    QuotaNeeded { max: i64 },
    /// The quotas handed out would pass the storage; what is left to hand out.
    Storage { max: i64, left: i64 },
}

impl LimitProblem {
    /// The form field the problem belongs to; None: the form as a whole (the caller may name
    /// its own field, e.g. the aliases of the add-user form or the pen).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            LimitProblem::NotANumber(f) => Some(f),
            LimitProblem::DefaultTooLarge => Some("default_quota_mb"),
            LimitProblem::MaxQuotaTooLarge => Some("max_quota_mb"),
            LimitProblem::QuotaAbove { .. }
            | LimitProblem::QuotaNeeded { .. }
            | LimitProblem::Storage { .. } => Some("quota"),
            LimitProblem::Mailboxes { .. } | LimitProblem::Aliases { .. } => None,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let size = |b: i64| format_size(b, lang);
        match (self, lang) {
            (LimitProblem::NotANumber(f), Lang::Fr) if f.ends_with("_mb") => {
                format!("Un nombre de Mo entre 1 et {MAX_QUOTA_MB}, ou vide : sans limite.")
            }
            (LimitProblem::NotANumber(f), Lang::En) if f.ends_with("_mb") => {
                format!("A number of MB between 1 and {MAX_QUOTA_MB}, or empty: no limit.")
            }
            (LimitProblem::NotANumber(_), Lang::Fr) => {
                format!("Un nombre entre 0 et {MAX_COUNT}, ou vide : sans limite.")
            }
            (LimitProblem::NotANumber(_), Lang::En) => {
                format!("A number between 0 and {MAX_COUNT}, or empty: no limit.")
            }
            (LimitProblem::DefaultTooLarge, l) => l
                .pick(
                    "Le quota par défaut dépasse le quota maximum ou l'espace du domaine.",
                    "The default quota is larger than the largest quota or the domain's storage.",
                )
                .to_string(),
            (LimitProblem::MaxQuotaTooLarge, l) => l
                .pick(
                    "Le quota maximum dépasse l'espace du domaine.",
                    "The largest quota is larger than the domain's storage.",
                )
                .to_string(),
            (LimitProblem::Mailboxes { max }, Lang::Fr) => format!(
                "Le domaine a atteint sa limite de {} : demandez-en davantage à votre hébergeur.",
                crate::i18n::count(*max as u64, lang, ("boîte", "boîtes"), ("", ""))
            ),
            (LimitProblem::Mailboxes { max }, Lang::En) => format!(
                "The domain has reached its limit of {}: ask your host for more.",
                crate::i18n::count(*max as u64, lang, ("", ""), ("mailbox", "mailboxes"))
            ),
            (LimitProblem::Aliases { max, used }, Lang::Fr) => format!(
                "Le domaine a droit à {} (utilisés : {used}) : retirez-en un ou demandez-en davantage à votre hébergeur.",
                crate::i18n::count(*max as u64, lang, ("alias", "alias"), ("", ""))
            ),
            (LimitProblem::Aliases { max, used }, Lang::En) => format!(
                "The domain may have {} ({used} used already): remove one or ask your host for more.",
                crate::i18n::count(*max as u64, lang, ("", ""), ("alias", "aliases"))
            ),
            (LimitProblem::QuotaAbove { max }, Lang::Fr) => {
                format!(
                    "Le quota d'une boîte est de {} au plus dans ce domaine.",
                    size(*max)
                )
            }
            (LimitProblem::QuotaAbove { max }, Lang::En) => {
                format!(
                    "A mailbox's quota is at most {} in this domain.",
                    size(*max)
                )
            }
            (LimitProblem::QuotaNeeded { max }, Lang::Fr) => format!(
                "Ce domaine a un espace limité : donnez un quota ({} au plus).",
                size(*max)
            ),
            (LimitProblem::QuotaNeeded { max }, Lang::En) => format!(
                "This domain's storage is limited: give a quota ({} at most).",
                size(*max)
            ),
            (LimitProblem::Storage { max, left }, Lang::Fr) => format!(
                "L'espace du domaine ({}) serait dépassé : il reste {} à attribuer.",
                size(*max),
                size(*left)
            ),
            (LimitProblem::Storage { max, left }, Lang::En) => format!(
                "The domain's storage ({}) would be passed: {} is left to hand out.",
                size(*max),
                size(*left)
            ),
        }
    }
}

/// A count typed in a form: empty for no limit.
fn parse_count(text: &str, field: &'static str) -> Result<Option<i64>, LimitProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (0..=MAX_COUNT).contains(&n) => Ok(Some(n)),
        _ => Err(LimitProblem::NotANumber(field)),
    }
}

/// A size typed in megabytes: empty for no limit. The storage may pass one quota's bound.
fn parse_mb(text: &str, field: &'static str, max_mb: i64) -> Result<Option<i64>, LimitProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(mb) if (1..=max_mb).contains(&mb) => Ok(Some(mb * MB)),
        _ => Err(LimitProblem::NotANumber(field)),
    }
}

/// The form fields of the limits, in order: what the host types.
pub const FIELDS: [&str; 5] = [
    "max_mailboxes",
    "max_aliases",
    "max_storage_mb",
    "default_quota_mb",
    "max_quota_mb",
];

impl Limits {
    /// The limits as typed (counts, and sizes in MB; empty: none), every problem at once.
    pub fn parse(texts: [&str; 5]) -> Result<Limits, Vec<LimitProblem>> {
        let mut problems = Vec::new();
        let mut keep = |r: Result<Option<i64>, LimitProblem>| {
            r.unwrap_or_else(|p| {
                problems.push(p);
                None
            })
        };
        let l = Limits {
            max_mailboxes: keep(parse_count(texts[0], FIELDS[0])),
            max_aliases: keep(parse_count(texts[1], FIELDS[1])),
            max_storage: keep(parse_mb(texts[2], FIELDS[2], MAX_QUOTA_MB * 1024)),
            default_quota: keep(parse_mb(texts[3], FIELDS[3], MAX_QUOTA_MB)),
            max_quota: keep(parse_mb(texts[4], FIELDS[4], MAX_QUOTA_MB)),
        };
        problems.extend(l.problems());
        if problems.is_empty() {
            Ok(l)
        } else {
            Err(problems)
        }
    }

    /// The limits as a form shows them, in [`FIELDS`] order: counts, sizes in whole MB, ""
    /// for none (what [`Limits::parse`] reads back).
    pub fn as_typed(&self) -> [String; 5] {
        let n = |x: Option<i64>| x.map(|n| n.to_string()).unwrap_or_default();
        let mb = |x: Option<i64>| x.map(|b| (b / MB).to_string()).unwrap_or_default();
        [
            n(self.max_mailboxes),
            n(self.max_aliases),
            mb(self.max_storage),
            mb(self.default_quota),
            mb(self.max_quota),
        ]
    }

    /// What is inconsistent among the limits themselves.
    pub fn problems(&self) -> Vec<LimitProblem> {
        let mut v = Vec::new();
        let negative = |x: Option<i64>| x.is_some_and(|n| n < 0);
        for (x, f) in [
            (self.max_mailboxes, FIELDS[0]),
            (self.max_aliases, FIELDS[1]),
            (self.max_storage, FIELDS[2]),
            (self.default_quota, FIELDS[3]),
            (self.max_quota, FIELDS[4]),
        ] {
            if negative(x) {
                v.push(LimitProblem::NotANumber(f));
            }
        }
        let above =
            |x: Option<i64>, bound: Option<i64>| matches!((x, bound), (Some(x), Some(b)) if x > b);
        if above(self.default_quota, self.max_quota) || above(self.default_quota, self.max_storage)
        {
            v.push(LimitProblem::DefaultTooLarge);
        }
        if above(self.max_quota, self.max_storage) {
            v.push(LimitProblem::MaxQuotaTooLarge);
        }
        v
    }

    /// The limits in words, e.g. "5 boîtes, 10 alias, espace 1 Go, quota par défaut 100 Mo,
    /// quota maximum 500 Mo", or "sans limite".
    pub fn describe(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.max_mailboxes {
            parts.push(crate::i18n::count(
                n as u64,
                lang,
                ("boîte", "boîtes"),
                ("mailbox", "mailboxes"),
            ));
        }
        if let Some(n) = self.max_aliases {
            parts.push(crate::i18n::count(
                n as u64,
                lang,
                ("alias", "alias"),
                ("alias", "aliases"),
            ));
        }
        let size = |b: i64| format_size(b, lang);
        if let Some(b) = self.max_storage {
            parts.push(crate::tr!(lang, "espace {}", "storage {}", size(b)));
        }
        if let Some(b) = self.default_quota {
            parts.push(crate::tr!(
                lang,
                "quota par défaut {}",
                "default quota {}",
                size(b)
            ));
        }
        if let Some(b) = self.max_quota {
            parts.push(crate::tr!(
                lang,
                "quota maximum {}",
                "largest quota {}",
                size(b)
            ));
        }
        if parts.is_empty() {
            lang.pick("sans limite", "no limit").to_string()
        } else {
            parts.join(", ")
        }
    }

    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        *self != Limits::default()
    }

    /// The quota a new mailbox gets: the one given, else the domain's default.
    pub fn quota_for_new(&self, given: Option<i64>) -> Option<i64> {
        given.or(self.default_quota)
    }

    /// Whether a mailbox may get `new` as its quota, where it had `old` (None: a new mailbox).
    /// An unchanged quota is always allowed, even over limits lowered since.
    pub fn check_quota(
        &self,
        used: &Usage,
        old: Option<Option<i64>>,
        new: Option<i64>,
    ) -> Result<(), LimitProblem> {
        if old == Some(new) {
            return Ok(());
        }
        let bound = match (self.max_quota, self.max_storage) {
            (Some(q), Some(s)) => Some(q.min(s)),
            (q, s) => q.or(s),
        };
        let Some(new) = new else {
            return match bound {
                Some(max) => Err(LimitProblem::QuotaNeeded { max }),
                None => Ok(()),
            };
        };
        if let Some(max) = self.max_quota
            && new > max
        {
            return Err(LimitProblem::QuotaAbove { max });
        }
        if let Some(max) = self.max_storage {
            let others = used.quotas - old.flatten().unwrap_or(0);
            if others + new > max {
                return Err(LimitProblem::Storage {
                    max,
                    left: (max - others).max(0),
                });
            }
        }
        Ok(())
    }

    /// Whether one more mailbox, with `quota` and `aliases` aliases, fits.
    pub fn check_new_mailbox(
        &self,
        used: &Usage,
        quota: Option<i64>,
        aliases: i64,
    ) -> Vec<LimitProblem> {
        let mut v = Vec::new();
        if let Some(max) = self.max_mailboxes
            && used.mailboxes + 1 > max
        {
            v.push(LimitProblem::Mailboxes { max });
        }
        if let Err(p) = self.check_aliases(used, aliases) {
            v.push(p);
        }
        if let Err(p) = self.check_quota(used, None, quota) {
            v.push(p);
        }
        v
    }

    /// Whether `adding` more aliases fit.
    pub fn check_aliases(&self, used: &Usage, adding: i64) -> Result<(), LimitProblem> {
        match self.max_aliases {
            Some(max) if adding > 0 && used.aliases + adding > max => Err(LimitProblem::Aliases {
                max,
                used: used.aliases,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(mailboxes: i64, aliases: i64, quotas_mb: i64) -> Usage {
        Usage {
            mailboxes,
            aliases,
            quotas: quotas_mb * MB,
            unlimited: 0,
            stored: 0,
        }
    }

    #[test]
    fn parsed_from_the_form() {
        assert_eq!(Limits::parse(["", "", "", "", ""]), Ok(Limits::default()));
        let l = Limits::parse(["5", "10", "1000", "100", "500"]).unwrap();
        assert_eq!(l.max_mailboxes, Some(5));
        assert_eq!(l.max_storage, Some(1000 * MB));
        assert_eq!(l.default_quota, Some(100 * MB));
        assert_eq!(
            Limits::parse(["-1", "x", "0", "", ""]),
            Err(vec![
                LimitProblem::NotANumber("max_mailboxes"),
                LimitProblem::NotANumber("max_aliases"),
                LimitProblem::NotANumber("max_storage_mb"),
            ])
        );
        assert_eq!(
            Limits::parse(["", "", "100", "200", "300"]),
            Err(vec![
                LimitProblem::DefaultTooLarge,
                LimitProblem::MaxQuotaTooLarge
            ])
        );
        let typed = l.as_typed();
        assert_eq!(Limits::parse(typed.each_ref().map(String::as_str)), Ok(l));
        // Zero mailboxes is a limit (a domain frozen by its host); zero storage is not.
        assert_eq!(
            Limits::parse(["0", "0", "", "", ""]).unwrap().max_mailboxes,
            Some(0)
        );
    }

    #[test]
    fn mailboxes_aliases_and_quotas() {
        let l = Limits {
            max_mailboxes: Some(2),
            max_aliases: Some(3),
            max_storage: Some(300 * MB),
            default_quota: Some(100 * MB),
            max_quota: Some(200 * MB),
        };
        let u = used(1, 2, 100);
        assert_eq!(l.check_new_mailbox(&u, Some(100 * MB), 1), vec![]);
        assert_eq!(
            l.check_new_mailbox(&used(2, 2, 100), Some(100 * MB), 2),
            vec![
                LimitProblem::Mailboxes { max: 2 },
                LimitProblem::Aliases { max: 3, used: 2 }
            ]
        );
        assert_eq!(
            l.check_quota(&u, None, Some(250 * MB)),
            Err(LimitProblem::QuotaAbove { max: 200 * MB })
        );
        assert_eq!(
            l.check_quota(&used(2, 0, 250), None, Some(100 * MB)),
            Err(LimitProblem::Storage {
                max: 300 * MB,
                left: 50 * MB
            })
        );
        // Raising a mailbox's quota counts the new one in place of the old.
        assert_eq!(
            l.check_quota(&used(2, 0, 250), Some(Some(150 * MB)), Some(200 * MB)),
            Ok(())
        );
        assert_eq!(
            l.check_quota(&u, None, None),
            Err(LimitProblem::QuotaNeeded { max: 200 * MB })
        );
        // Unchanged: allowed even over a limit lowered since.
        assert_eq!(l.check_quota(&used(9, 0, 900), Some(None), None), Ok(()));
        assert_eq!(l.quota_for_new(None), Some(100 * MB));
        assert_eq!(l.quota_for_new(Some(MB)), Some(MB));
        // Without limits, anything goes.
        let free = Limits::default();
        assert_eq!(
            free.check_new_mailbox(&used(1000, 1000, 0), None, 50),
            vec![]
        );
        assert!(!free.any() && l.any());
    }

    #[test]
    fn words_in_both_languages() {
        for p in [
            LimitProblem::Mailboxes { max: 5 },
            LimitProblem::Aliases { max: 10, used: 10 },
            LimitProblem::QuotaAbove { max: 200 * MB },
            LimitProblem::QuotaNeeded { max: 200 * MB },
            LimitProblem::Storage {
                max: 300 * MB,
                left: 50 * MB,
            },
        ] {
            let (fr, en) = (p.message(Lang::Fr), p.message(Lang::En));
            assert_ne!(fr, en);
            assert!(!fr.is_empty() && !en.is_empty());
        }
        assert!(
            LimitProblem::Mailboxes { max: 5 }
                .message(Lang::Fr)
                .contains("5 boîtes")
        );
        assert!(
            LimitProblem::Storage {
                max: 300 * MB,
                left: 50 * MB
            }
            .message(Lang::En)
            .contains("50")
        );
    }
}

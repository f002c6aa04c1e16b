//! What a change-log entry says happened, kept as data (JSON in the entry's `detail`) and put
//! into words only when someone reads it, in their language. Entries written before this
//! (plain English text) are shown as they are.

use crate::i18n::{Lang, count, format_size};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Change {
    AccountAdded {
        role: String,
        first: String,
        last: String,
        aliases: Vec<String>,
    },
    PasswordChanged,
    /// What the pen changed: the new name, the new quota (bytes; None inside: no limit), the
    /// new suspension.
    Profile {
        name: Option<String>,
        quota: Option<Option<i64>>,
        suspended: Option<bool>,
    },
    Suspended,
    Resumed,
    AliasOf {
        login: String,
    },
    AliasTakenFrom {
        login: String,
    },
    ForwardOff,
    ForwardTo {
        to: Vec<String>,
        keep: bool,
    },
    ResponderOn,
    ResponderOff,
    BackupMade {
        messages: u64,
        bytes: u64,
    },
    BackupUploaded {
        messages: u64,
        new: u64,
    },
    BackupDeleted {
        id: i64,
    },
    Restored {
        id: i64,
        added: u64,
        present: u64,
        settings: bool,
    },
    GrantOpened {
        id: i64,
        note: String,
    },
    GrantClosed {
        id: i64,
    },
    Relayed {
        from: String,
        to: String,
    },
    DomainDeleted {
        accounts: u64,
    },
    Style {
        style: String,
    },
    /// The domain's inbound filtering (`domain::filter::Filtering` word) and virus scan.
    Filtering {
        filtering: String,
        viruses: bool,
    },
    /// How a user's junk is marked (`domain::filter::JunkMode` word).
    JunkMode {
        mode: String,
    },
    /// The limits the host set on the domain (issue 17).
    Limits {
        limits: crate::domain::limits::Limits,
    },
    /// Another name given to the domain, or taken back (the target is that name).
    DomainAliasOf {
        domain: String,
    },
}

impl Change {
    /// The entry's `detail` column.
    pub fn to_detail(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The change an entry's `detail` holds, if it holds one (old entries are plain text).
    pub fn parse(detail: &str) -> Option<Change> {
        detail
            .starts_with('{')
            .then(|| serde_json::from_str(detail).ok())
            .flatten()
    }

    pub fn render(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let messages = |n: u64| crate::i18n::messages(n, lang);
        match self {
            Change::AccountAdded {
                role,
                first,
                last,
                aliases,
            } => {
                let role = crate::domain::Role::parse(role)
                    .map(|r| r.label(lang).to_string())
                    .unwrap_or_else(|| role.clone());
                let name = format!("{first} {last}").trim().to_string();
                let mut s = format!("{name} ({role})");
                if !aliases.is_empty() {
                    s.push_str(if fr { ", alias " } else { ", aliases " });
                    s.push_str(&aliases.join(", "));
                }
                s
            }
            Change::PasswordChanged => lang.pick("mot de passe changé", "password changed").into(),
            Change::Profile {
                name,
                quota,
                suspended,
            } => {
                let mut parts = Vec::new();
                if let Some(n) = name {
                    parts.push(format!("{} {n}", lang.pick("nom :", "name:")));
                }
                if let Some(q) = quota {
                    let q = match q {
                        Some(b) => format_size(*b, lang),
                        None => lang.pick("sans limite", "no limit").into(),
                    };
                    parts.push(format!("{} {q}", lang.pick("quota :", "quota:")));
                }
                match suspended {
                    Some(true) => parts.push(
                        lang.pick("connexions suspendues", "logins suspended")
                            .into(),
                    ),
                    Some(false) => {
                        parts.push(lang.pick("connexions rétablies", "logins restored").into())
                    }
                    None => {}
                }
                parts.join(", ")
            }
            Change::Suspended => lang
                .pick("connexions suspendues", "logins suspended")
                .into(),
            Change::Resumed => lang.pick("connexions rétablies", "logins restored").into(),
            Change::AliasOf { login } => {
                format!("{} {login}", lang.pick("pour", "for"))
            }
            Change::AliasTakenFrom { login } => {
                format!("{} {login}", lang.pick("retiré à", "taken from"))
            }
            Change::ForwardOff => lang.pick("renvoi arrêté", "forward stopped").into(),
            Change::ForwardTo { to, keep } => format!(
                "{} {}{}",
                lang.pick("renvoi vers", "forward to"),
                to.join(", "),
                match (keep, fr) {
                    (false, _) => "",
                    (true, true) => ", une copie est gardée",
                    (true, false) => ", keeping a copy",
                }
            ),
            Change::ResponderOn => lang.pick("répondeur activé", "responder on").into(),
            Change::ResponderOff => lang.pick("répondeur arrêté", "responder off").into(),
            Change::BackupMade { messages: n, bytes } => format!(
                "{} {}, {}",
                lang.pick("sauvegarde faite :", "backup made:"),
                messages(*n),
                format_size(*bytes as i64, lang)
            ),
            Change::BackupUploaded { messages: n, new } => crate::tr!(
                lang,
                "sauvegarde envoyée : {}, dont {} absents de la boîte",
                "backup uploaded: {}, {} not in the mailbox",
                messages(*n),
                crate::i18n::format_count(*new, lang)
            ),
            Change::BackupDeleted { id } => {
                crate::tr!(lang, "sauvegarde n° {id} supprimée", "backup #{id} deleted")
            }
            Change::Restored {
                id,
                added,
                present,
                settings,
            } => {
                let mut s = match lang {
                    Lang::Fr => format!(
                        "sauvegarde n° {id} restaurée : {} {}, {} {}",
                        messages(*added),
                        if *added <= 1 { "ajouté" } else { "ajoutés" },
                        crate::i18n::format_count(*present, lang),
                        if *present <= 1 {
                            "déjà présent"
                        } else {
                            "déjà présents"
                        }
                    ),
                    Lang::En => format!(
                        "backup #{id} restored: {} added, {} already there",
                        messages(*added),
                        crate::i18n::format_count(*present, lang)
                    ),
                };
                if *settings {
                    s.push_str(lang.pick(", réglages restaurés", ", settings restored"));
                }
                s
            }
            Change::GrantOpened { id, note } => {
                let mut s = crate::tr!(lang, "relais n° {id}", "grant #{id}");
                if !note.is_empty() {
                    s.push_str(" — ");
                    s.push_str(note);
                }
                s
            }
            Change::GrantClosed { id } => crate::tr!(lang, "relais n° {id}", "grant #{id}"),
            Change::Relayed { from, to } => crate::tr!(
                lang,
                "relayé de {from} à {to}",
                "relayed from {from} to {to}"
            ),
            Change::DomainDeleted { accounts } => match lang {
                Lang::Fr => format!(
                    "{} {} avec lui",
                    count(*accounts, lang, ("compte", "comptes"), ("", "")),
                    if *accounts <= 1 {
                        "supprimé"
                    } else {
                        "supprimés"
                    }
                ),
                Lang::En => format!(
                    "{} deleted with it",
                    count(*accounts, lang, ("", ""), ("account", "accounts"))
                ),
            },
            Change::Style { style } => style.clone(),
            Change::Filtering { filtering, viruses } => {
                let what = crate::domain::filter::Filtering::parse(filtering)
                    .map(|f| f.label(lang).to_string())
                    .unwrap_or_else(|| filtering.clone());
                let virus = match (viruses, lang) {
                    (true, Lang::Fr) => "virus recherchés",
                    (false, Lang::Fr) => "virus non recherchés",
                    (true, Lang::En) => "viruses looked for",
                    (false, Lang::En) => "viruses not looked for",
                };
                crate::tr!(lang, "{what} ; {virus}", "{what}; {virus}")
            }
            Change::JunkMode { mode } => crate::domain::filter::JunkMode::parse(mode)
                .map(|m| m.label(lang).to_string())
                .unwrap_or_else(|| mode.clone()),
            Change::Limits { limits } => limits.describe(lang),
            Change::DomainAliasOf { domain } => {
                crate::tr!(lang, "autre nom de {domain}", "another name of {domain}")
            }
        }
    }
}

/// An entry's detail in the reader's language (old plain-text entries as they are).
pub fn render_detail(detail: &str, lang: Lang) -> String {
    match Change::parse(detail) {
        Some(c) => c.render(lang),
        None => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(c: Change) -> (String, String) {
        let back = Change::parse(&c.to_detail()).expect("round trip");
        assert_eq!(back, c);
        (c.render(Lang::Fr), c.render(Lang::En))
    }

    #[test]
    fn french_and_english_with_plurals() {
        let (fr, en) = both(Change::Profile {
            name: Some("Pierre-Yves Martin".into()),
            quota: Some(Some(70 * 1024 * 1024)),
            suspended: Some(true),
        });
        assert_eq!(
            fr,
            "nom : Pierre-Yves Martin, quota : 70 Mo, connexions suspendues"
        );
        assert_eq!(
            en,
            "name: Pierre-Yves Martin, quota: 70 MB, logins suspended"
        );
        let (fr, en) = both(Change::BackupMade {
            messages: 1,
            bytes: 2048,
        });
        assert!(fr.starts_with("sauvegarde faite : 1 message,"), "{fr}");
        assert!(en.starts_with("backup made: 1 message,"), "{en}");
        let (fr, en) = both(Change::BackupMade {
            messages: 1234,
            bytes: 0,
        });
        assert!(fr.contains("1\u{202f}234 messages"), "{fr}");
        assert!(en.contains("1,234 messages"), "{en}");
        let (fr, _) = both(Change::DomainDeleted { accounts: 0 });
        assert_eq!(fr, "0 compte supprimé avec lui");
        let (fr, en) = both(Change::DomainDeleted { accounts: 3 });
        assert_eq!(fr, "3 comptes supprimés avec lui");
        assert_eq!(en, "3 accounts deleted with it");
        let (fr, en) = both(Change::ForwardTo {
            to: vec!["a@example.net".into()],
            keep: true,
        });
        assert_eq!(fr, "renvoi vers a@example.net, une copie est gardée");
        assert_eq!(en, "forward to a@example.net, keeping a copy");
    }

    #[test]
    fn old_entries_are_shown_as_written() {
        assert_eq!(render_detail("forward off", Lang::Fr), "forward off");
        assert_eq!(render_detail("", Lang::Fr), "");
        assert_eq!(render_detail("{not json", Lang::Fr), "{not json");
    }
}

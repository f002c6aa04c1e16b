//! Backups a mailbox user makes alone (the seed: "effectuer seul ses backups et leur
//! restauration"): the file format and its hostile-input checks (`archive`, `mboxrd`), pure;
//! the store keeps the files and restores them (`store::backups`).

pub mod archive;
pub mod mboxrd;

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// One message as a backup carries it: its bytes and what makes a restore exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupMessage {
    pub uidl: String,
    pub received_at: i64,
    pub mail_from: String,
    pub subject: String,
    pub raw: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardSettings {
    pub to: Vec<String>,
    pub keep_copy: bool,
}

/// The user's settings a backup carries (the RaQ's even carried the vacation message).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSettings {
    pub first_name: String,
    pub last_name: String,
    pub forward: ForwardSettings,
    pub responder: crate::domain::responder::Responder,
}

/// What a backup file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contents {
    /// The address the backup was made of (informative: it may be restored elsewhere).
    pub account: String,
    pub created_at: i64,
    pub settings: BackupSettings,
    pub messages: Vec<BackupMessage>,
}

/// Size limits on a file given to restore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The file itself (as uploaded).
    pub max_file: u64,
    /// What it unpacks to: beyond this it is treated as a decompression bomb.
    pub max_unpacked: u64,
    /// One message (a restore holds one at a time in memory).
    pub max_message: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: 200 << 20,
            max_unpacked: 1 << 30,
            max_message: 32 << 20,
        }
    }
}

/// Why a file is not restored. Nothing has been changed when one of these is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAnArchive,
    Truncated,
    TooLarge {
        limit: u64,
    },
    Bomb {
        limit: u64,
    },
    UnsafeName(String),
    UnexpectedPart(String),
    BadManifest,
    UnknownVersion(u32),
    BadChecksum(String),
    /// The n-th message (from 1) does not match its index entry or is not valid mail.
    BadMessage(usize),
    /// Restoring would take the mailbox over its quota.
    OverQuota {
        needed: u64,
        free: u64,
    },
    /// An uploaded backup holds more mail than the mailbox's whole quota.
    BiggerThanQuota {
        size: u64,
        quota: u64,
    },
    /// The mailbox holds more than a backup file may.
    MailboxTooLarge {
        limit: u64,
    },
    /// A message of the mailbox is larger than a backup may hold.
    MessageTooLarge {
        limit: u64,
    },
}

impl Refusal {
    /// The refusal in words, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let size = |b: &u64| crate::i18n::format_size(*b as i64, lang);
        match self {
            Refusal::NotAnArchive => lang
                .pick(
                    "Ce fichier n'est pas une sauvegarde courrier (.tar.gz).",
                    "This file is not a courrier backup (.tar.gz).",
                )
                .into(),
            Refusal::Truncated => lang
                .pick(
                    "Ce fichier est incomplet (coupé pendant le téléchargement ?).",
                    "This file is incomplete (cut off while downloading?).",
                )
                .into(),
            Refusal::TooLarge { limit } => crate::tr!(
                lang,
                "Ce fichier dépasse la taille permise ({}).",
                "This file is over the size allowed ({}).",
                size(limit)
            ),
            Refusal::Bomb { limit } => crate::tr!(
                lang,
                "Une fois décompressé, ce fichier dépasserait {} : refusé.",
                "Unpacked, this file would exceed {}: refused.",
                size(limit)
            ),
            Refusal::UnsafeName(name) => crate::tr!(
                lang,
                "Ce fichier contient un nom dangereux ({name}) : refusé.",
                "This file holds a dangerous name ({name}): refused."
            ),
            Refusal::UnexpectedPart(name) => crate::tr!(
                lang,
                "Ce fichier contient un élément inattendu ({name}) : refusé.",
                "This file holds an unexpected part ({name}): refused."
            ),
            Refusal::BadManifest => lang
                .pick(
                    "Le sommaire de cette sauvegarde est illisible.",
                    "This backup's manifest cannot be read.",
                )
                .into(),
            Refusal::UnknownVersion(v) => crate::tr!(
                lang,
                "Format de sauvegarde inconnu (version {v}).",
                "Unknown backup format (version {v})."
            ),
            Refusal::BadChecksum(part) => crate::tr!(
                lang,
                "La somme de contrôle de {part} ne correspond pas : fichier abîmé ou modifié.",
                "The checksum of {part} does not match: the file is damaged or was changed."
            ),
            Refusal::BadMessage(n) => crate::tr!(
                lang,
                "Le message n° {n} de cette sauvegarde est abîmé.",
                "Message {n} of this backup is damaged."
            ),
            Refusal::BiggerThanQuota { size: held, quota } => crate::tr!(
                lang,
                "Cette sauvegarde contient {} de courrier, plus que tout le quota de la boîte ({}).",
                "This backup holds {} of mail, more than the mailbox's whole quota ({}).",
                size(held),
                size(quota)
            ),
            Refusal::MailboxTooLarge { limit } => crate::tr!(
                lang,
                "La boîte contient plus de {} : trop pour une sauvegarde ici. Relevez le courrier avec votre logiciel de messagerie.",
                "The mailbox holds more than {}: too much for a backup here. Collect the mail with your mail program.",
                size(limit)
            ),
            Refusal::MessageTooLarge { limit } => crate::tr!(
                lang,
                "Un message de la boîte dépasse {} : trop pour une sauvegarde ici. Relevez-le avec votre logiciel de messagerie.",
                "A message in the mailbox is over {}: too much for a backup here. Collect it with your mail program.",
                size(limit)
            ),
            Refusal::OverQuota { needed, free } => crate::tr!(
                lang,
                "La restauration ajouterait {} alors qu'il reste {} sur la boîte : libérez de la place d'abord.",
                "The restore would add {} and the mailbox has {} left: make room first.",
                size(needed),
                size(free)
            ),
        }
    }
}

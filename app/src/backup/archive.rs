//! The backup file: a gzip-compressed tar holding four parts —
//!
//! - `manifest.json`: format name and version, the account, the date, the counts, and the
//!   size and SHA-256 of each other part;
//! - `messages.mbox`: every message, mboxrd (see `mboxrd`);
//! - `messages.json`: per message, in mbox order: its UIDL, date received, envelope sender,
//!   subject, size and SHA-256 — what makes a restore exact (same bytes, same UIDL);
//! - `settings.json`: names, forward, responder.
//!
//! Reading trusts nothing: the gzip stream is unpacked under a size limit (a decompression
//! bomb stops there), only the four names are accepted (so no `..`, no absolute path, no
//! link), each part's checksum is checked, and each message must match its index entry.

use super::mboxrd;
use super::{BackupMessage, BackupSettings, Contents, Limits, Refusal};
use crate::domain::line_ends::crlf_only;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;

pub const FORMAT: &str = "courrier-backup";
pub const VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
const MBOX: &str = "messages.mbox";
const INDEX: &str = "messages.json";
const SETTINGS: &str = "settings.json";
/// More messages than this in one backup is not a mailbox of this product.
const MAX_MESSAGES: u64 = 200_000;

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    account: String,
    created_at: i64,
    messages: u64,
    bytes: u64,
    parts: Vec<Part>,
}

#[derive(Serialize, Deserialize)]
struct Part {
    name: String,
    size: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct IndexEntry {
    uidl: String,
    received_at: i64,
    mail_from: String,
    subject: String,
    size: u64,
    sha256: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::auth::hex(&Sha256::digest(bytes))
}

/// Writes the backup file of `c`.
pub fn pack(c: &Contents) -> Vec<u8> {
    let mut mbox = Vec::new();
    let mut index = Vec::with_capacity(c.messages.len());
    for m in &c.messages {
        mboxrd::append(&mut mbox, &m.mail_from, m.received_at, &m.raw);
        index.push(IndexEntry {
            uidl: m.uidl.clone(),
            received_at: m.received_at,
            mail_from: m.mail_from.clone(),
            subject: m.subject.clone(),
            size: m.raw.len() as u64,
            sha256: sha256_hex(&m.raw),
        });
    }
    let index = serde_json::to_vec_pretty(&index).unwrap_or_default();
    let settings = serde_json::to_vec_pretty(&c.settings).unwrap_or_default();
    let parts = [(MBOX, &mbox), (INDEX, &index), (SETTINGS, &settings)];
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        account: c.account.clone(),
        created_at: c.created_at,
        messages: c.messages.len() as u64,
        bytes: c.messages.iter().map(|m| m.raw.len() as u64).sum(),
        parts: parts
            .iter()
            .map(|(name, data)| Part {
                name: (*name).into(),
                size: data.len() as u64,
                sha256: sha256_hex(data),
            })
            .collect(),
    };
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();

    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in [(MANIFEST, &manifest)].into_iter().chain(parts) {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(c.created_at.max(0) as u64);
        h.set_entry_type(tar::EntryType::Regular);
        // Writing into memory cannot fail.
        let _ = tar.append_data(&mut h, name, data.as_slice());
    }
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_default()
}

/// Reads a backup file, refusing anything that is not one this server could have written.
pub fn unpack(file: &[u8], limits: &Limits) -> Result<Contents, Refusal> {
    if file.len() as u64 > limits.max_file {
        return Err(Refusal::TooLarge {
            limit: limits.max_file,
        });
    }
    if !file.starts_with(&[0x1f, 0x8b]) {
        return Err(Refusal::NotAnArchive);
    }
    // The limit is on what comes out, whatever the headers claim.
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .take(limits.max_unpacked + 1)
        .read_to_end(&mut tar_bytes)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Refusal::Truncated,
            _ => Refusal::NotAnArchive,
        })?;
    if tar_bytes.len() as u64 > limits.max_unpacked {
        return Err(Refusal::Bomb {
            limit: limits.max_unpacked,
        });
    }
    let parts = tar_parts(&tar_bytes)?;
    let get = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| *d)
            .ok_or(Refusal::Truncated)
    };
    let manifest: Manifest =
        serde_json::from_slice(get(MANIFEST)?).map_err(|_| Refusal::BadManifest)?;
    if manifest.format != FORMAT {
        return Err(Refusal::BadManifest);
    }
    if manifest.version != VERSION {
        return Err(Refusal::UnknownVersion(manifest.version));
    }
    if manifest.messages > MAX_MESSAGES || !clean(&manifest.account, 320) {
        return Err(Refusal::BadManifest);
    }
    for name in [MBOX, INDEX, SETTINGS] {
        let data = get(name)?;
        let Some(p) = manifest.parts.iter().find(|p| p.name == name) else {
            return Err(Refusal::BadManifest);
        };
        if p.size != data.len() as u64 || !p.sha256.eq_ignore_ascii_case(&sha256_hex(data)) {
            return Err(Refusal::BadChecksum(name.into()));
        }
    }
    let index: Vec<IndexEntry> =
        serde_json::from_slice(get(INDEX)?).map_err(|_| Refusal::BadManifest)?;
    let settings: BackupSettings =
        serde_json::from_slice(get(SETTINGS)?).map_err(|_| Refusal::BadManifest)?;
    if index.len() as u64 != manifest.messages || !clean_settings(&settings) {
        return Err(Refusal::BadManifest);
    }
    // What the messages will take once rebuilt, declared before anything is rebuilt.
    let total = index
        .iter()
        .try_fold(0u64, |t, e| t.checked_add(e.size))
        .ok_or(Refusal::BadManifest)?;
    if total > limits.max_unpacked {
        return Err(Refusal::Bomb {
            limit: limits.max_unpacked,
        });
    }
    let mut uidls = std::collections::HashSet::with_capacity(index.len());
    let mut chunks = mboxrd::messages(get(MBOX)?);
    let mut messages = Vec::with_capacity(index.len());
    for (n, e) in index.into_iter().enumerate() {
        let bad = Refusal::BadMessage(n + 1);
        let chunk = chunks.next().ok_or(Refusal::BadManifest)?;
        // The mbox adds a line end to a message that had none (see `mboxrd`).
        let max = usize::try_from(e.size.saturating_add(2)).map_err(|_| bad.clone())?;
        let mut raw = mboxrd::decode(chunk, max).ok_or(bad.clone())?;
        if e.size.checked_add(2) == Some(raw.len() as u64) && raw.ends_with(b"\r\n") {
            raw.truncate(raw.len() - 2);
        }
        if raw.len() as u64 != e.size || !e.sha256.eq_ignore_ascii_case(&sha256_hex(&raw)) {
            return Err(bad);
        }
        if !crlf_only(&raw)
            || !valid_uidl(&e.uidl)
            || !uidls.insert(e.uidl.clone())
            || !clean(&e.mail_from, 998)
            || !clean(&e.subject, 2000)
        {
            return Err(bad);
        }
        messages.push(BackupMessage {
            uidl: e.uidl,
            received_at: e.received_at,
            mail_from: e.mail_from,
            subject: e.subject,
            raw,
        });
    }
    if chunks.next().is_some() {
        return Err(Refusal::BadManifest);
    }
    Ok(Contents {
        account: manifest.account,
        created_at: manifest.created_at,
        settings,
        messages,
    })
}

/// The named parts of the tar: regular files with one of the four names, each once, as
/// slices of the unpacked bytes (nothing copied).
fn tar_parts(tar_bytes: &[u8]) -> Result<Vec<(String, &[u8])>, Refusal> {
    let mut archive = tar::Archive::new(tar_bytes);
    let entries = archive.entries().map_err(|_| Refusal::NotAnArchive)?;
    let mut parts: Vec<(String, &[u8])> = Vec::new();
    for entry in entries {
        // Garbage from the first header on is not a tar at all; after a good part, it is
        // a file cut short.
        let entry = entry.map_err(|_| match parts.is_empty() {
            true => Refusal::NotAnArchive,
            false => Refusal::Truncated,
        })?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        check_name(&name)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(Refusal::UnexpectedPart(name));
        }
        if !matches!(name.as_str(), MANIFEST | MBOX | INDEX | SETTINGS)
            || parts.iter().any(|(n, _)| *n == name)
        {
            return Err(Refusal::UnexpectedPart(name));
        }
        let start = usize::try_from(entry.raw_file_position()).map_err(|_| Refusal::Truncated)?;
        let size = usize::try_from(entry.size()).map_err(|_| Refusal::Truncated)?;
        let data = start
            .checked_add(size)
            .and_then(|end| tar_bytes.get(start..end))
            .ok_or(Refusal::Truncated)?;
        parts.push((name, data));
    }
    if parts.is_empty() {
        return Err(Refusal::NotAnArchive);
    }
    Ok(parts)
}

/// At most `max` characters, none of them a control character but tab (PostgreSQL refuses
/// NUL in text; the pages would show the rest).
fn clean(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(|c| c.is_control() && c != '\t')
}

/// The settings' texts: names and addresses on one line; the responder's text may have lines.
fn clean_settings(s: &BackupSettings) -> bool {
    use crate::store::mail_settings::{MAX_BODY, MAX_SUBJECT};
    let body_ok = s.responder.body.chars().count() <= MAX_BODY
        && !s
            .responder
            .body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'));
    clean(&s.first_name, 100)
        && clean(&s.last_name, 100)
        && clean(&s.responder.subject, MAX_SUBJECT)
        && s.forward.to.len() <= 20
        && s.forward.to.iter().all(|a| clean(a, 320))
        && body_ok
}

/// Names that would climb out of a directory or start at the root are refused as such, before
/// the "unexpected part" rule, so that the person is told what is wrong with the file.
fn check_name(name: &str) -> Result<(), Refusal> {
    let absolute =
        name.starts_with('/') || name.starts_with('\\') || name.as_bytes().get(1) == Some(&b':');
    let climbs = name.split(['/', '\\']).any(|c| c == "..");
    if absolute || climbs {
        return Err(Refusal::UnsafeName(name.into()));
    }
    Ok(())
}

/// RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21..=0x7E.
fn valid_uidl(u: &str) -> bool {
    (1..=70).contains(&u.len()) && u.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::ForwardSettings;
    use crate::domain::responder::Responder;
    use std::io::Write;

    fn limits() -> Limits {
        Limits {
            max_file: 1 << 20,
            max_unpacked: 4 << 20,
        }
    }

    fn contents() -> Contents {
        Contents {
            account: "jdupont@example.org".into(),
            created_at: 1_795_740_000,
            settings: BackupSettings {
                first_name: "Jean".into(),
                last_name: "Dupont".into(),
                forward: ForwardSettings {
                    to: vec![],
                    keep_copy: false,
                },
                responder: Responder {
                    enabled: true,
                    subject: "Absent".into(),
                    body: "De retour lundi.".into(),
                    start: None,
                    end: Some(1_796_000_000),
                    interval_days: 7,
                },
            },
            messages: (0..3)
                .map(|i| BackupMessage {
                    uidl: format!("uidl{i}"),
                    received_at: 1_795_740_000 + i,
                    mail_from: "a@example.net".into(),
                    subject: format!("n°{i}"),
                    raw: format!("Subject: n{i}\r\n\r\nFrom me\r\nline\r\n").into_bytes(),
                })
                .collect(),
        }
    }

    /// A .tar.gz of the given (name, data) entries, built by hand to play an attacker.
    fn tar_gz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // `set_path` refuses `..`; an attacker writes the bytes directly.
            let field = &mut h.as_old_mut().name;
            field[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            tar.append(&h, *data).unwrap();
        }
        gz(&tar.into_inner().unwrap())
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    /// The parts of a good backup, to tamper with.
    fn good_parts() -> Vec<(String, Vec<u8>)> {
        let file = pack(&contents());
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(file.as_slice())
            .read_to_end(&mut tar_bytes)
            .unwrap();
        tar_parts(&tar_bytes)
            .unwrap()
            .into_iter()
            .map(|(n, d)| (n, d.to_vec()))
            .collect()
    }

    fn repack(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
        let v: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        tar_gz(&v)
    }

    #[test]
    fn round_trip_is_exact() {
        let c = contents();
        let back = unpack(&pack(&c), &limits()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn hostile_files_are_refused_with_their_reason() {
        let l = limits();
        let good = pack(&contents());
        assert_eq!(unpack(b"hello, world", &l), Err(Refusal::NotAnArchive));
        assert_eq!(
            unpack(&gz(b"not a tar at all"), &l).err(),
            Some(Refusal::NotAnArchive)
        );
        assert_eq!(
            unpack(&good[..good.len() / 2], &l),
            Err(Refusal::Truncated),
            "cut in the middle"
        );
        let big = vec![0u8; 2 << 20];
        assert_eq!(unpack(&big, &l), Err(Refusal::TooLarge { limit: 1 << 20 }));
        // 64 MiB of zeros packs into a few dozen kilobytes.
        let bomb = gz(&vec![0u8; 64 << 20]);
        assert!(bomb.len() < 1 << 20);
        assert_eq!(unpack(&bomb, &l), Err(Refusal::Bomb { limit: 4 << 20 }));
        for name in ["../../etc/passwd", "/etc/passwd", "a/../../b", "C:\\x"] {
            let file = tar_gz(&[(name, b"x")]);
            assert_eq!(
                unpack(&file, &l),
                Err(Refusal::UnsafeName(name.into())),
                "{name}"
            );
        }
        let mut parts = good_parts();
        parts.push(("extra.sh".into(), b"rm -rf /".to_vec()));
        assert_eq!(
            unpack(&repack(&parts), &l),
            Err(Refusal::UnexpectedPart("extra.sh".into()))
        );
        let mut parts = good_parts();
        let mbox = parts.iter_mut().find(|(n, _)| n == MBOX).unwrap();
        let at = mbox.1.len() - 5;
        mbox.1[at] ^= 0x20;
        assert_eq!(
            unpack(&repack(&parts), &l),
            Err(Refusal::BadChecksum(MBOX.into()))
        );
        let mut parts = good_parts();
        parts.retain(|(n, _)| n != SETTINGS);
        assert_eq!(unpack(&repack(&parts), &l), Err(Refusal::Truncated));
        let mut parts = good_parts();
        let m = parts.iter_mut().find(|(n, _)| n == MANIFEST).unwrap();
        m.1 = String::from_utf8(m.1.clone())
            .unwrap()
            .replace("\"version\": 1", "\"version\": 9")
            .into_bytes();
        assert_eq!(unpack(&repack(&parts), &l), Err(Refusal::UnknownVersion(9)));
    }

    #[test]
    fn a_message_that_does_not_match_its_index_is_refused() {
        let mut c = contents();
        c.messages[1].raw = b"Subject: bare\nLF\r\n".to_vec();
        assert_eq!(unpack(&pack(&c), &limits()), Err(Refusal::BadMessage(2)));
        let mut c = contents();
        c.messages[0].uidl = "has space".into();
        assert_eq!(unpack(&pack(&c), &limits()), Err(Refusal::BadMessage(1)));
        let mut c = contents();
        c.messages[2].uidl = c.messages[0].uidl.clone();
        assert_eq!(
            unpack(&pack(&c), &limits()),
            Err(Refusal::BadMessage(3)),
            "UIDL twice"
        );
        let mut c = contents();
        c.messages[1].subject = "nul\0".into();
        assert_eq!(unpack(&pack(&c), &limits()), Err(Refusal::BadMessage(2)));
        let mut c = contents();
        c.settings.first_name = "a\0b".into();
        assert_eq!(unpack(&pack(&c), &limits()), Err(Refusal::BadManifest));
        // Declared sizes beyond the unpacked limit are refused before anything is rebuilt.
        let small = Limits {
            max_file: 1 << 20,
            max_unpacked: 100,
        };
        assert_eq!(
            unpack(&pack(&contents()), &small),
            Err(Refusal::Bomb { limit: 100 })
        );
    }

    #[test]
    fn names_and_line_ends() {
        assert!(check_name("messages.mbox").is_ok());
        assert!(check_name("..").is_err());
    }
}

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
use std::io::{Read, Write};

pub const FORMAT: &str = "courrier-backup";
pub const VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
const MBOX: &str = "messages.mbox";
const INDEX: &str = "messages.json";
const SETTINGS: &str = "settings.json";
/// More messages than this in one backup is not a mailbox of this product.
pub const MAX_MESSAGES: u64 = 200_000;

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

/// The small parts (manifest, settings) are at most this long.
const MAX_SMALL_PART: u64 = 1 << 20;
/// One entry of the index, as JSON, at most this long (a subject of 2,000 characters all
/// escaped fits).
const MAX_INDEX_ENTRY: usize = 32 << 10;

// ---- Writing ----------------------------------------------------------------------------

/// What the mbox and index parts came to, for the manifest.
pub struct MboxSummary {
    len: u64,
    sha256: String,
    index_len: u64,
    index_sha256: String,
    messages: u64,
    bytes: u64,
}

impl MboxSummary {
    pub fn messages(&self) -> u64 {
        self.messages
    }
}

/// A writer that counts and hashes what goes through it.
struct Hashed<W> {
    out: W,
    sha: Sha256,
    len: u64,
}

impl<W: Write> Hashed<W> {
    fn new(out: W) -> Self {
        Hashed {
            out,
            sha: Sha256::new(),
            len: 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.sha.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<(W, u64, String)> {
        self.out.flush()?;
        Ok((self.out, self.len, crate::auth::hex(&self.sha.finalize())))
    }
}

/// The mbox part and the index part, written message by message to `mbox` and `index` (files,
/// when making a backup of a large mailbox): nothing grows with the mailbox in memory.
pub struct MboxPart<W, I> {
    mbox: Hashed<W>,
    index: Hashed<I>,
    messages: u64,
    bytes: u64,
    scratch: Vec<u8>,
}

impl<W: Write, I: Write> MboxPart<W, I> {
    pub fn new(mbox: W, index: I) -> Self {
        MboxPart {
            mbox: Hashed::new(mbox),
            index: Hashed::new(index),
            messages: 0,
            bytes: 0,
            scratch: Vec::new(),
        }
    }

    pub fn append(&mut self, m: &BackupMessage) -> std::io::Result<()> {
        self.scratch.clear();
        mboxrd::append(&mut self.scratch, &m.mail_from, m.received_at, &m.raw);
        self.mbox.write(&self.scratch)?;
        let entry = IndexEntry {
            uidl: m.uidl.clone(),
            received_at: m.received_at,
            mail_from: m.mail_from.clone(),
            subject: m.subject.clone(),
            size: m.raw.len() as u64,
            sha256: sha256_hex(&m.raw),
        };
        self.index
            .write(if self.messages == 0 { b"[\n" } else { b",\n" })?;
        let json = serde_json::to_vec_pretty(&entry).map_err(std::io::Error::other)?;
        self.index.write(&json)?;
        self.messages += 1;
        self.bytes += m.raw.len() as u64;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<(W, I, MboxSummary)> {
        self.index.write(if self.messages == 0 {
            b"[]\n"
        } else {
            b"\n]\n"
        })?;
        let (mbox, len, sha256) = self.mbox.finish()?;
        let (index, index_len, index_sha256) = self.index.finish()?;
        Ok((
            mbox,
            index,
            MboxSummary {
                len,
                sha256,
                index_len,
                index_sha256,
                messages: self.messages,
                bytes: self.bytes,
            },
        ))
    }
}

/// One tar entry: its header, `len` bytes copied from `data`, the padding to 512.
fn tar_entry<W: Write>(
    out: &mut W,
    name: &str,
    len: u64,
    mtime: i64,
    data: &mut impl Read,
) -> std::io::Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(len);
    h.set_mode(0o644);
    h.set_mtime(mtime.max(0) as u64);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    out.write_all(h.as_bytes())?;
    let copied = std::io::copy(&mut data.take(len), out)?;
    if copied != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let pad = (512 - len % 512) % 512;
    out.write_all(&vec![0u8; pad as usize])?;
    Ok(())
}

/// Writes the backup file to `out`: the manifest, the mbox part read from `mbox` (as
/// `summary` describes it), the index and the settings, gzip-compressed; streamed, so the
/// mailbox is never in memory.
pub fn write_backup<W: Write>(
    out: W,
    account: &str,
    created_at: i64,
    settings: &BackupSettings,
    mbox: &mut impl Read,
    index: &mut impl Read,
    summary: &MboxSummary,
) -> std::io::Result<W> {
    let settings = serde_json::to_vec_pretty(settings).map_err(std::io::Error::other)?;
    let part = |name: &str, size: u64, sha256: String| Part {
        name: name.into(),
        size,
        sha256,
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        account: account.into(),
        created_at,
        messages: summary.messages,
        bytes: summary.bytes,
        parts: vec![
            part(MBOX, summary.len, summary.sha256.clone()),
            part(INDEX, summary.index_len, summary.index_sha256.clone()),
            part(SETTINGS, settings.len() as u64, sha256_hex(&settings)),
        ],
    };
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    tar_entry(
        &mut gz,
        MANIFEST,
        manifest.len() as u64,
        created_at,
        &mut &manifest[..],
    )?;
    tar_entry(&mut gz, MBOX, summary.len, created_at, mbox)?;
    tar_entry(&mut gz, INDEX, summary.index_len, created_at, index)?;
    tar_entry(
        &mut gz,
        SETTINGS,
        settings.len() as u64,
        created_at,
        &mut &settings[..],
    )?;
    gz.write_all(&[0u8; 1024])?;
    gz.finish()
}

/// Writes the backup file of `c` in memory (small mailboxes and tests).
pub fn pack(c: &Contents) -> Vec<u8> {
    let mut part = MboxPart::new(Vec::new(), Vec::new());
    for m in &c.messages {
        // Writing into memory cannot fail.
        let _ = part.append(m);
    }
    let Ok((mbox, index, summary)) = part.finish() else {
        return Vec::new();
    };
    write_backup(
        Vec::new(),
        &c.account,
        c.created_at,
        &c.settings,
        &mut &mbox[..],
        &mut &index[..],
        &summary,
    )
    .unwrap_or_default()
}

// ---- Reading ----------------------------------------------------------------------------

/// What checking a backup file found (its messages are read by [`read_messages`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub account: String,
    pub created_at: i64,
    pub settings: BackupSettings,
    pub messages: u64,
    pub bytes: u64,
}

/// Which limit a reader ran into (a reader can only say "error": this says which).
type Tripped = std::rc::Rc<std::cell::Cell<Option<Refusal>>>;

/// A reader that refuses to give more than `max` bytes: past it, `refusal` is noted and the
/// read fails.
struct Capped<R> {
    inner: R,
    left: u64,
    refusal: Refusal,
    tripped: Tripped,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte more than allowed tells "over" from "exactly at".
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.tripped.set(Some(self.refusal.clone()));
            return Err(std::io::Error::other("limit"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The tar stream of a backup file: the file at most `max_file` bytes, a gzip stream, what it
/// unpacks to at most `max_unpacked` (a decompression bomb stops there, whatever any header
/// claims).
fn tar_stream<R: Read>(
    file: R,
    limits: &Limits,
    tripped: &Tripped,
) -> Result<tar::Archive<impl Read>, Refusal> {
    let mut file = Capped {
        inner: file,
        left: limits.max_file,
        refusal: Refusal::TooLarge {
            limit: limits.max_file,
        },
        tripped: tripped.clone(),
    };
    let mut magic = [0u8; 2];
    file.read_exact(&mut magic)
        .map_err(|_| tripped.take().unwrap_or(Refusal::NotAnArchive))?;
    if magic != [0x1f, 0x8b] {
        return Err(Refusal::NotAnArchive);
    }
    let gz = flate2::read::GzDecoder::new(std::io::Cursor::new(magic).chain(file));
    Ok(tar::Archive::new(Capped {
        inner: gz,
        left: limits.max_unpacked,
        refusal: Refusal::Bomb {
            limit: limits.max_unpacked,
        },
        tripped: tripped.clone(),
    }))
}

/// An I/O failure while reading, as the refusal it means.
fn refusal_of(e: &std::io::Error, tripped: &Tripped, started: bool) -> Refusal {
    if let Some(r) = tripped.take() {
        return r;
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Refusal::Truncated,
        // Garbage from the first header on is not a tar at all; after a good part, it is a
        // file cut short or damaged.
        _ if started => Refusal::Truncated,
        _ => Refusal::NotAnArchive,
    }
}

/// The entries of a backup's tar, each checked (a name of ours, a regular file, once), given
/// in turn to `each` to read; returns how many there were.
fn for_each_part<R: Read>(
    archive: &mut tar::Archive<R>,
    tripped: &Tripped,
    mut each: impl FnMut(&str, &mut tar::Entry<'_, R>) -> Result<(), Refusal>,
) -> Result<usize, Refusal> {
    let entries = archive
        .entries()
        .map_err(|e| refusal_of(&e, tripped, false))?;
    let mut seen: Vec<String> = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| refusal_of(&e, tripped, !seen.is_empty()))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        check_name(&name)?;
        if entry.header().entry_type() != tar::EntryType::Regular
            || !matches!(name.as_str(), MANIFEST | MBOX | INDEX | SETTINGS)
            || seen.contains(&name)
        {
            return Err(Refusal::UnexpectedPart(name));
        }
        seen.push(name.clone());
        each(&name, &mut entry)?;
    }
    Ok(seen.len())
}

/// Reads a small part whole (manifest, settings), at most [`MAX_SMALL_PART`].
fn small_part(entry: &mut impl Read, tripped: &Tripped) -> Result<Vec<u8>, Refusal> {
    let mut data = Vec::new();
    entry
        .take(MAX_SMALL_PART + 1)
        .read_to_end(&mut data)
        .map_err(|e| refusal_of(&e, tripped, true))?;
    if data.len() as u64 > MAX_SMALL_PART {
        return Err(Refusal::BadManifest);
    }
    Ok(data)
}

/// Size and SHA-256 of a part, streamed.
fn hash_part(entry: &mut impl Read, tripped: &Tripped) -> Result<(u64, String), Refusal> {
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut len = 0u64;
    loop {
        let n = entry
            .read(&mut buf)
            .map_err(|e| refusal_of(&e, tripped, true))?;
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, crate::auth::hex(&sha.finalize())))
}

/// First pass over a backup file: its structure, the manifest, each part's size and
/// checksum, the settings. Memory: the small parts and a 64 KiB buffer.
pub fn check<R: Read>(file: R, limits: &Limits) -> Result<Checked, Refusal> {
    let tripped = Tripped::default();
    let mut archive = tar_stream(file, limits, &tripped)?;
    let mut manifest = None;
    let mut settings = None;
    let mut sums: Vec<(String, u64, String)> = Vec::new();
    let parts = for_each_part(&mut archive, &tripped, |name, entry| {
        match name {
            MANIFEST => {
                let data = small_part(entry, &tripped)?;
                manifest = Some(
                    serde_json::from_slice::<Manifest>(&data).map_err(|_| Refusal::BadManifest)?,
                );
            }
            SETTINGS => {
                let data = small_part(entry, &tripped)?;
                sums.push((name.into(), data.len() as u64, sha256_hex(&data)));
                settings = Some(data);
            }
            _ => {
                let (len, sha) = hash_part(entry, &tripped)?;
                sums.push((name.into(), len, sha));
            }
        }
        Ok(())
    })?;
    // What follows the tar's end must end too, within the limit: a stream of zeros (which
    // reads as an empty tar) is a decompression bomb all the same.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
        .map_err(|e| refusal_of(&e, &tripped, parts > 0))?;
    if parts == 0 {
        return Err(Refusal::NotAnArchive);
    }
    let manifest = manifest.ok_or(Refusal::Truncated)?;
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
        let Some((_, len, sha)) = sums.iter().find(|(n, _, _)| n == name) else {
            return Err(Refusal::Truncated);
        };
        let Some(p) = manifest.parts.iter().find(|p| p.name == name) else {
            return Err(Refusal::BadManifest);
        };
        if p.size != *len || !p.sha256.eq_ignore_ascii_case(sha) {
            return Err(Refusal::BadChecksum(name.into()));
        }
    }
    let settings: BackupSettings =
        serde_json::from_slice(&settings.unwrap_or_default()).map_err(|_| Refusal::BadManifest)?;
    if !clean_settings(&settings) || manifest.bytes > limits.max_unpacked {
        return Err(Refusal::BadManifest);
    }
    Ok(Checked {
        account: manifest.account,
        created_at: manifest.created_at,
        settings,
        messages: manifest.messages,
        bytes: manifest.bytes,
    })
}

/// The elements of a JSON array of objects, read one at a time, each at most
/// [`MAX_INDEX_ENTRY`] bytes: a hostile index cannot make one huge string in memory.
struct JsonObjects<R> {
    inner: R,
    started: bool,
    done: bool,
    element: Vec<u8>,
}

impl<R: std::io::BufRead> JsonObjects<R> {
    fn new(inner: R) -> Self {
        JsonObjects {
            inner,
            started: false,
            done: false,
            element: Vec::new(),
        }
    }

    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        let buf = self.inner.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.inner.consume(1);
        Ok(Some(b))
    }

    /// The next byte that is not JSON whitespace.
    fn token(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.byte()? {
                Some(b' ' | b'\t' | b'\r' | b'\n') => continue,
                other => return Ok(other),
            }
        }
    }

    /// The next element, or None after the closing bracket; Err(None) for malformed JSON,
    /// Err(Some(e)) when reading failed.
    fn next<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<T>, Option<std::io::Error>> {
        if self.done {
            return Ok(None);
        }
        let mut first = match self.token().map_err(Some)? {
            Some(b) => b,
            None => return Err(None),
        };
        if !self.started {
            if first != b'[' {
                return Err(None);
            }
            self.started = true;
            first = self.token().map_err(Some)?.ok_or(None)?;
            if first == b']' {
                return self.end();
            }
        } else {
            match first {
                b',' => first = self.token().map_err(Some)?.ok_or(None)?,
                b']' => return self.end(),
                _ => return Err(None),
            }
        }
        if first != b'{' {
            return Err(None);
        }
        self.element.clear();
        self.element.push(b'{');
        let (mut depth, mut in_string, mut escaped) = (1u32, false, false);
        while depth > 0 {
            let b = self.byte().map_err(Some)?.ok_or(None)?;
            if self.element.len() >= MAX_INDEX_ENTRY {
                return Err(None);
            }
            self.element.push(b);
            match (in_string, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => in_string = false,
                (true, false, _) => {}
                (false, _, b'"') => in_string = true,
                (false, _, b'{' | b'[') => depth += 1,
                (false, _, b'}' | b']') => depth -= 1,
                _ => {}
            }
        }
        serde_json::from_slice(&self.element)
            .map(Some)
            .map_err(|_| None)
    }

    /// After the closing bracket only whitespace may follow.
    fn end<T>(&mut self) -> Result<Option<T>, Option<std::io::Error>> {
        self.done = true;
        match self.token().map_err(Some)? {
            None => Ok(None),
            Some(_) => Err(None),
        }
    }
}

/// Second pass over a backup file that [`check`] accepted: each message in order, rebuilt from
/// the mbox and checked against its index entry (size, SHA-256, UIDL unique and valid, line
/// ends), given to `each`; `each` returns false to stop there. Memory: one message (at most
/// `limits.max_message`) and one index entry. `open` gives the file twice, read side by side
/// (the index and the mbox are two parts of the one stream).
pub fn read_messages<R: Read>(
    open: impl Fn() -> std::io::Result<R>,
    checked: &Checked,
    limits: &Limits,
    mut each: impl FnMut(BackupMessage) -> bool,
) -> Result<(), Refusal> {
    let tripped = Tripped::default();
    let reopen = || {
        open().map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => Refusal::Truncated,
            _ => Refusal::NotAnArchive,
        })
    };
    let mut index_archive = tar_stream(reopen()?, limits, &tripped)?;
    let mut mbox_archive = tar_stream(reopen()?, limits, &tripped)?;
    let mut index_entries = index_archive
        .entries()
        .map_err(|e| refusal_of(&e, &tripped, false))?;
    let mut mbox_entries = mbox_archive
        .entries()
        .map_err(|e| refusal_of(&e, &tripped, false))?;
    let index = find_part(&mut index_entries, INDEX, &tripped)?;
    let mbox = find_part(&mut mbox_entries, MBOX, &tripped)?;
    let mut index = JsonObjects::new(std::io::BufReader::new(index));
    let mut mbox = mboxrd::Reader::new(std::io::BufReader::new(mbox));
    let mut uidls = std::collections::HashSet::new();
    let mut declared = 0u64;
    let mut n = 0u64;
    loop {
        let e: IndexEntry = match index.next() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(Some(e)) => return Err(refusal_of(&e, &tripped, true)),
            Err(None) => return Err(Refusal::BadManifest),
        };
        n += 1;
        let bad = Refusal::BadMessage(n as usize);
        if n > checked.messages {
            return Err(Refusal::BadManifest);
        }
        declared = declared.checked_add(e.size).ok_or(Refusal::BadManifest)?;
        if declared > limits.max_unpacked {
            return Err(Refusal::Bomb {
                limit: limits.max_unpacked,
            });
        }
        if e.size > limits.max_message {
            return Err(bad);
        }
        // The mbox adds a line end to a message that had none (see `mboxrd`).
        let max = usize::try_from(e.size.saturating_add(2)).map_err(|_| bad.clone())?;
        let mut raw = match mbox.next_message(max) {
            Ok(Some(raw)) => raw,
            Ok(None) => return Err(Refusal::BadManifest),
            Err(mboxrd::ReadError::TooLong) => return Err(bad),
            Err(mboxrd::ReadError::Io(e)) => return Err(refusal_of(&e, &tripped, true)),
        };
        if e.size.checked_add(2) == Some(raw.len() as u64) && raw.ends_with(b"\r\n") {
            raw.truncate(raw.len() - 2);
        }
        if raw.len() as u64 != e.size
            || !e.sha256.eq_ignore_ascii_case(&sha256_hex(&raw))
            || !crlf_only(&raw)
            || !valid_uidl(&e.uidl)
            || !uidls.insert(e.uidl.clone())
            || !clean(&e.mail_from, 998)
            || !clean(&e.subject, 2000)
        {
            return Err(bad);
        }
        let go_on = each(BackupMessage {
            uidl: e.uidl,
            received_at: e.received_at,
            mail_from: e.mail_from,
            subject: e.subject,
            raw,
        });
        if !go_on {
            return Ok(());
        }
    }
    if n != checked.messages {
        return Err(Refusal::BadManifest);
    }
    match mbox.next_message(0) {
        Ok(None) => Ok(()),
        _ => Err(Refusal::BadManifest),
    }
}

/// The entry named `wanted` (the names were checked by [`check`]).
fn find_part<'a, R: Read>(
    entries: &mut tar::Entries<'a, R>,
    wanted: &str,
    tripped: &Tripped,
) -> Result<tar::Entry<'a, R>, Refusal> {
    loop {
        match entries.next() {
            None => return Err(Refusal::Truncated),
            Some(Err(e)) => return Err(refusal_of(&e, tripped, true)),
            Some(Ok(entry)) => {
                if entry.path_bytes().as_ref() == wanted.as_bytes() {
                    return Ok(entry);
                }
            }
        }
    }
}

/// Reads a whole backup file in memory (small files and tests), checked as above.
pub fn unpack(file: &[u8], limits: &Limits) -> Result<Contents, Refusal> {
    if file.len() as u64 > limits.max_file {
        return Err(Refusal::TooLarge {
            limit: limits.max_file,
        });
    }
    let checked = check(file, limits)?;
    let mut messages = Vec::new();
    read_messages(
        || Ok(file),
        &checked,
        limits,
        |m| {
            messages.push(m);
            true
        },
    )?;
    Ok(Contents {
        account: checked.account,
        created_at: checked.created_at,
        settings: checked.settings,
        messages,
    })
}

/// At most `max` characters, none of them a control character but tab (PostgreSQL refuses
/// NUL in text; the pages would show the rest).
fn clean(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(|c| c.is_control() && c != '\t')
}

/// The settings' texts: names and addresses on one line; the responder's text may have lines.
fn clean_settings(s: &BackupSettings) -> bool {
    use crate::domain::responder::{MAX_BODY, MAX_SUBJECT};
    let body_ok = crate::domain::responder::text_len(&s.responder.body) <= MAX_BODY
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
            max_message: 1 << 20,
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
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file.as_slice()));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                (name, data)
            })
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
            max_message: 1 << 20,
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

//! Backups kept on the server, per user: made here or uploaded to be restored, a few at most
//! (the oldest dropped), and the restore — additive (a message whose UIDL is already in the
//! mailbox is skipped, so POP3 clients download nothing again), settings only when asked, the
//! whole of it in one transaction or nothing.

use super::delivery::own_addresses;
use super::entities::{account, backup, backup_chunk, maildrop_lock, message};
use super::mail_settings::check_responder;
use super::{Actor, Result, Store, StoreError, accounts::find_account, audit, now};
use crate::backup::{BackupMessage, BackupSettings, ForwardSettings, Limits, Refusal, archive};
use crate::domain::change::Change;
use crate::domain::delivery::forward_list;
use crate::domain::forward::check_forward;
use crate::domain::responder::Responder;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashSet;

/// Backups kept per user; making or uploading one more drops the oldest.
pub const KEEP: usize = 3;

/// A kept backup, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    pub id: i64,
    pub created_at: i64,
    pub size: i64,
    pub message_count: i64,
    /// "made" (or "uploaded" by older versions: kept like made ones), or "pending": a file
    /// uploaded to preview and restore, held apart (see [`PENDING`]).
    pub origin: String,
}

/// What restoring a backup would do.
#[derive(Debug)]
pub struct RestorePlan {
    pub backup: BackupSummary,
    /// The address the backup was made of, and when (from its manifest).
    pub made_of: String,
    pub made_at: i64,
    pub total: u64,
    /// Messages not in the mailbox yet, and their bytes.
    pub new_messages: u64,
    pub new_bytes: u64,
    /// The quota left before the restore (None: no quota).
    pub free_bytes: Option<u64>,
    pub current: BackupSettings,
    pub saved: BackupSettings,
    /// Why the backup's settings could not be taken (its messages still can).
    pub settings_refused: Option<StoreError>,
}

impl RestorePlan {
    /// Why the new messages do not fit in the mailbox, if they do not.
    pub fn over_quota(&self) -> Option<Refusal> {
        over_quota(self.free_bytes, self.new_bytes)
    }
}

/// What a restore did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restored {
    pub added: u64,
    pub skipped: u64,
    pub settings: bool,
}

fn summary(b: &backup::Model) -> BackupSummary {
    BackupSummary {
        id: b.id,
        created_at: b.created_at,
        size: b.size,
        message_count: b.message_count,
        origin: b.origin.clone(),
    }
}

/// An account's settings as a backup carries them.
fn settings_of(a: &account::Model) -> BackupSettings {
    BackupSettings {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        forward: ForwardSettings {
            to: forward_list(&a.forward_to),
            keep_copy: a.forward_keep_copy,
        },
        responder: Responder {
            enabled: a.responder_enabled,
            subject: a.responder_subject.clone(),
            body: a.responder_body.clone(),
            start: a.responder_start,
            end: a.responder_end,
            interval_days: a.responder_interval_days,
        },
    }
}

/// Backups are packed and checked one at a time, off the async threads: each keeps a core
/// busy compressing or decompressing.
static PACKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The `origin` of a backup row whose chunks are still being written (not listed, not kept;
/// removed by housekeeping if its writer stopped).
pub const INCOMPLETE: &str = "incomplete";

/// The `origin` of a file uploaded to be previewed and restored: held apart from the kept
/// backups (it never evicts one), one per user (a new upload replaces it), dropped after a
/// day by housekeeping.
pub const PENDING: &str = "pending";

/// A backup row whose chunks are being written: removed (row and chunks) if it is dropped
/// before it is finished.
struct Unfinished {
    store: Store,
    id: i64,
    done: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let (store, id) = (self.store.clone(), self.id);
            rt.spawn(async move {
                if let Err(e) = store.drop_backup_file(id).await {
                    tracing::warn!("cannot remove an unfinished backup: {e}");
                }
            });
        }
    }
}

/// Bytes per chunk of a kept backup file.
const CHUNK: usize = 1 << 20;
/// Messages fetched from the database at once while making a backup, at most this many bytes
/// (and always at least one message).
const FETCH_BYTES: i64 = 4 << 20;

/// `work` on a blocking thread, after the backups before it (see `PACKING`).
async fn one_at_a_time<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _turn = PACKING
        .acquire()
        .await
        .map_err(|e| StoreError::Db(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Db(format!("packing or unpacking a backup: {e}")))
}

fn io_error(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Db(format!("{what}: {e}"))
}

/// What the messages of a backup file come to against a mailbox: how many and how many bytes
/// in all, and how many of them (and bytes) the mailbox does not have yet.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    messages: u64,
    bytes: u64,
    new_messages: u64,
    new_bytes: u64,
}

/// Checks the backup file at `path` and counts its messages against `present` (UIDLs in the
/// mailbox), streaming, one at a time (see `archive`).
async fn check_file(
    path: std::path::PathBuf,
    limits: Limits,
    present: HashSet<String>,
) -> Result<std::result::Result<(archive::Checked, Tally), Refusal>> {
    one_at_a_time(move || {
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > limits.max_file {
            return Err(Refusal::TooLarge {
                limit: limits.max_file,
            });
        }
        let open = || std::fs::File::open(&path);
        let checked = archive::check(open().map_err(|_| Refusal::NotAnArchive)?, &limits)?;
        let mut t = Tally::default();
        archive::read_messages(open, &checked, &limits, |m| {
            let n = m.raw.len() as u64;
            t.messages += 1;
            t.bytes += n;
            if !present.contains(&m.uidl) {
                t.new_messages += 1;
                t.new_bytes += n;
            }
            true
        })?;
        Ok((checked, t))
    })
    .await
}

impl Store {
    /// Makes a backup of everything in the mailbox now and keeps it; refused when the mailbox
    /// holds more than a backup file may (`limits`). Streamed: the messages go from the
    /// database to a scratch file a few at a time, then the file into the database in chunks.
    pub async fn make_backup(
        &self,
        actor: &Actor,
        login: &str,
        limits: &Limits,
    ) -> Result<BackupSummary> {
        let a = find_account(self.db(), login).await?;
        let too_large = Refusal::MailboxTooLarge {
            limit: limits.max_unpacked,
        };
        if a.used_bytes.max(0) as u64 > limits.max_unpacked {
            return Err(too_large.into());
        }
        let address = own_addresses(self.db(), &a)
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| a.login.clone());
        let ids: Vec<(i64, i64)> = message::Entity::find()
            .select_only()
            .columns([message::Column::Id, message::Column::Size])
            .filter(message::Column::AccountId.eq(a.id))
            .order_by_asc(message::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;
        // What a restore would refuse is not made.
        if ids.len() as u64 > archive::MAX_MESSAGES {
            return Err(too_large.into());
        }
        if ids
            .iter()
            .any(|(_, size)| *size as u64 > limits.max_message)
        {
            return Err(Refusal::MessageTooLarge {
                limit: limits.max_message,
            }
            .into());
        }
        let mbox_file = self.scratch_file("mbox")?;
        let index_file = self.scratch_file("index")?;
        let out_file = self.scratch_file("backup")?;

        // The mbox and index parts, written on a blocking thread as the messages come.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<BackupMessage>(1);
        let (mbox_path, index_path) = (
            mbox_file.path().to_path_buf(),
            index_file.path().to_path_buf(),
        );
        let writer = tokio::task::spawn_blocking(move || {
            let create = |p| std::fs::File::create(p).map(std::io::BufWriter::new);
            let mut part = archive::MboxPart::new(create(&mbox_path)?, create(&index_path)?);
            while let Some(m) = rx.blocking_recv() {
                part.append(&m)?;
            }
            let (_, _, summary) = part.finish()?;
            Ok::<_, std::io::Error>(summary)
        });
        let mut start = 0;
        while start < ids.len() {
            let mut end = start + 1;
            let mut bytes = ids[start].1;
            while end < ids.len() && bytes + ids[end].1 <= FETCH_BYTES {
                bytes += ids[end].1;
                end += 1;
            }
            let group: Vec<i64> = ids[start..end].iter().map(|(id, _)| *id).collect();
            start = end;
            let rows = message::Entity::find()
                .filter(message::Column::Id.is_in(group))
                .order_by_asc(message::Column::Id)
                .all(self.db())
                .await?;
            for m in rows {
                let m = BackupMessage {
                    uidl: m.uidl,
                    received_at: m.received_at,
                    mail_from: m.mail_from,
                    subject: m.subject,
                    // Mail kept before BDAT refused bare line ends: CRLF everywhere, so that
                    // the backup restores (not byte-exact for that message alone).
                    raw: crate::domain::line_ends::to_crlf(m.raw),
                };
                if tx.send(m).await.is_err() {
                    break; // the writer failed: its error is below
                }
            }
        }
        drop(tx);
        let summary = writer
            .await
            .map_err(|e| StoreError::Db(e.to_string()))?
            .map_err(|e| io_error("writing a backup", e))?;
        let count = summary.messages() as usize;
        let t = now();
        let (mbox_path, index_path, out_path) = (
            mbox_file.path().to_path_buf(),
            index_file.path().to_path_buf(),
            out_file.path().to_path_buf(),
        );
        let settings = settings_of(&a);
        one_at_a_time(move || {
            let open = |p| std::fs::File::open(p).map(std::io::BufReader::new);
            let (mut mbox, mut index) = (open(&mbox_path)?, open(&index_path)?);
            let out = std::io::BufWriter::new(std::fs::File::create(&out_path)?);
            let mut out = archive::write_backup(
                out, &address, t, &settings, &mut mbox, &mut index, &summary,
            )?;
            std::io::Write::flush(&mut out)
        })
        .await?
        .map_err(|e| io_error("writing a backup", e))?;
        drop((mbox_file, index_file));
        let size = std::fs::metadata(out_file.path()).map_or(0, |m| m.len());
        if size > limits.max_file {
            return Err(too_large.into());
        }
        let detail = Change::BackupMade {
            messages: count as u64,
            bytes: size,
        }
        .to_detail();
        self.keep_file(actor, &a, out_file.path(), count, "made", t, &detail)
            .await
    }

    /// Keeps a backup file given by the user (at `path`, a scratch file), to restore it:
    /// refused (and not kept) when it is not a sound backup or when its new messages would
    /// not fit in the quota. Checked streaming, whatever its size.
    pub async fn keep_uploaded_backup(
        &self,
        actor: &Actor,
        login: &str,
        path: &std::path::Path,
        limits: &Limits,
    ) -> Result<BackupSummary> {
        let a = find_account(self.db(), login).await?;
        let present = uidls_of(self.db(), a.id).await?;
        let (_, tally) = check_file(path.to_path_buf(), *limits, present).await??;
        // More mail than the whole quota cannot be this mailbox's (nor be restored into it).
        if let Some(q) = a.quota_bytes
            && tally.bytes > q.max(0) as u64
        {
            return Err(Refusal::BiggerThanQuota {
                size: tally.bytes,
                quota: q.max(0) as u64,
            }
            .into());
        }
        check_fits(&a, tally.new_bytes)?;
        let detail = Change::BackupUploaded {
            messages: tally.messages,
            new: tally.new_messages,
        }
        .to_detail();
        let count = tally.messages as usize;
        self.keep_file(actor, &a, path, count, PENDING, now(), &detail)
            .await
    }

    /// Copies the file at `path` into a new backup of `a` in chunks — each chunk its own short
    /// write, so deliveries are never kept waiting — then, in one transaction, makes it
    /// visible, drops the oldest beyond [`KEEP`] and records it in the change log.
    #[allow(clippy::too_many_arguments)]
    async fn keep_file(
        &self,
        actor: &Actor,
        a: &account::Model,
        path: &std::path::Path,
        count: usize,
        origin: &str,
        t: i64,
        detail: &str,
    ) -> Result<BackupSummary> {
        use sha2::{Digest, Sha256};
        use tokio::io::AsyncReadExt;
        let id = backup::Entity::insert(backup::ActiveModel {
            account_id: Set(a.id),
            created_at: Set(t),
            size: Set(0),
            message_count: Set(count as i64),
            sha256: Set(String::new()),
            origin: Set(INCOMPLETE.into()),
            ..Default::default()
        })
        .exec(self.db())
        .await?
        .last_insert_id;
        // Removed again if this is not finished: an error, or the request dropped mid-copy.
        let mut unfinished = Unfinished {
            store: self.clone(),
            id,
            done: false,
        };
        let written = async {
            let mut f = tokio::fs::File::open(path)
                .await
                .map_err(|e| io_error("reading a backup", e))?;
            let (mut sha, mut size, mut seq) = (Sha256::new(), 0i64, 0i32);
            loop {
                let mut chunk = Vec::with_capacity(CHUNK);
                while chunk.len() < CHUNK {
                    let n = (&mut f)
                        .take((CHUNK - chunk.len()) as u64)
                        .read_to_end(&mut chunk)
                        .await
                        .map_err(|e| io_error("reading a backup", e))?;
                    if n == 0 {
                        break;
                    }
                }
                if chunk.is_empty() {
                    break;
                }
                sha.update(&chunk);
                size += chunk.len() as i64;
                backup_chunk::Entity::insert(backup_chunk::ActiveModel {
                    backup_id: Set(id),
                    seq: Set(seq),
                    data: Set(chunk),
                })
                .exec_without_returning(self.db())
                .await?;
                seq += 1;
            }
            let txn = self.write_txn().await?;
            backup::Entity::update_many()
                .col_expr(
                    backup::Column::Origin,
                    sea_orm::sea_query::Expr::value(origin),
                )
                .col_expr(backup::Column::Size, sea_orm::sea_query::Expr::value(size))
                .col_expr(
                    backup::Column::Sha256,
                    sea_orm::sea_query::Expr::value(crate::auth::hex(&sha.finalize())),
                )
                .filter(backup::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            // A pending upload replaces the one before; a made backup keeps the newest KEEP.
            let same_kind = backup::Entity::find()
                .select_only()
                .column(backup::Column::Id)
                .filter(backup::Column::AccountId.eq(a.id))
                .filter(backup::Column::Id.ne(id));
            let same_kind = if origin == PENDING {
                same_kind.filter(backup::Column::Origin.eq(PENDING))
            } else {
                same_kind.filter(backup::Column::Origin.is_not_in([INCOMPLETE, PENDING]))
            };
            let ids: Vec<i64> = same_kind
                .order_by_desc(backup::Column::CreatedAt)
                .order_by_desc(backup::Column::Id)
                .into_tuple()
                .all(&txn)
                .await?;
            let keep = if origin == PENDING { 0 } else { KEEP - 1 };
            if ids.len() > keep {
                let old = ids[keep..].to_vec();
                backup_chunk::Entity::delete_many()
                    .filter(backup_chunk::Column::BackupId.is_in(old.clone()))
                    .exec(&txn)
                    .await?;
                backup::Entity::delete_many()
                    .filter(backup::Column::Id.is_in(old))
                    .exec(&txn)
                    .await?;
            }
            audit::record(&txn, actor, a.domain_id, "account.backup", &a.login, detail).await?;
            txn.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        written?;
        unfinished.done = true;
        let b = find_backup(self.db(), a.id, id).await?;
        Ok(summary(&b))
    }

    /// Removes a backup row and its chunks.
    pub(super) async fn drop_backup_file(&self, id: i64) -> Result<()> {
        let txn = self.write_txn().await?;
        backup_chunk::Entity::delete_many()
            .filter(backup_chunk::Column::BackupId.eq(id))
            .exec(&txn)
            .await?;
        backup::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The user's kept backups, newest first (not a pending upload).
    pub async fn backups_of(&self, login: &str) -> Result<Vec<BackupSummary>> {
        let a = find_account(self.db(), login).await?;
        let rows: Vec<(i64, i64, i64, i64, String)> = backup::Entity::find()
            .select_only()
            .columns([
                backup::Column::Id,
                backup::Column::CreatedAt,
                backup::Column::Size,
                backup::Column::MessageCount,
                backup::Column::Origin,
            ])
            .filter(backup::Column::AccountId.eq(a.id))
            .filter(backup::Column::Origin.is_not_in([INCOMPLETE, PENDING]))
            .order_by_desc(backup::Column::CreatedAt)
            .order_by_desc(backup::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, created_at, size, message_count, origin)| BackupSummary {
                    id,
                    created_at,
                    size,
                    message_count,
                    origin,
                },
            )
            .collect())
    }

    /// A kept backup of `login`: its summary and the name to download it under.
    pub async fn backup_download(&self, login: &str, id: i64) -> Result<(BackupSummary, String)> {
        let a = find_account(self.db(), login).await?;
        let b = find_backup(self.db(), a.id, id).await?;
        let name = format!(
            "courrier-{}-{}-{}.tar.gz",
            a.login,
            crate::i18n::iso_date(b.created_at),
            b.id
        );
        Ok((summary(&b), name))
    }

    /// Chunk `seq` of backup `id`'s file (None past the last).
    pub async fn backup_chunk(&self, id: i64, seq: i32) -> Result<Option<Vec<u8>>> {
        Ok(backup_chunk::Entity::find_by_id((id, seq))
            .one(self.db())
            .await?
            .map(|c| c.data))
    }

    /// A kept backup's whole file in memory, and its download name (tests and small files;
    /// the web streams [`Store::backup_chunk`]s).
    pub async fn backup_file(&self, login: &str, id: i64) -> Result<(String, Vec<u8>)> {
        let (_, name) = self.backup_download(login, id).await?;
        let mut data = Vec::new();
        let mut seq = 0;
        while let Some(chunk) = self.backup_chunk(id, seq).await? {
            data.extend_from_slice(&chunk);
            seq += 1;
        }
        Ok((name, data))
    }

    /// Writes kept backup `id` to a scratch file, a chunk at a time.
    async fn backup_to_scratch(&self, id: i64) -> Result<super::scratch::ScratchFile> {
        use tokio::io::AsyncWriteExt;
        let file = self.scratch_file("restore")?;
        let mut f = tokio::fs::File::create(file.path())
            .await
            .map_err(|e| io_error("writing a scratch file", e))?;
        let mut seq = 0;
        while let Some(chunk) = self.backup_chunk(id, seq).await? {
            f.write_all(&chunk)
                .await
                .map_err(|e| io_error("writing a scratch file", e))?;
            seq += 1;
        }
        f.flush()
            .await
            .map_err(|e| io_error("writing a scratch file", e))?;
        Ok(file)
    }

    pub async fn delete_backup(&self, actor: &Actor, login: &str, id: i64) -> Result<()> {
        let a = find_account(self.db(), login).await?;
        let txn = self.write_txn().await?;
        let b = find_backup(&txn, a.id, id).await?;
        backup_chunk::Entity::delete_many()
            .filter(backup_chunk::Column::BackupId.eq(b.id))
            .exec(&txn)
            .await?;
        backup::Entity::delete_by_id(b.id).exec(&txn).await?;
        let detail = Change::BackupDeleted { id }.to_detail();
        audit::record(
            &txn,
            actor,
            a.domain_id,
            "account.backup",
            &a.login,
            &detail,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// What restoring kept backup `id` would do; nothing is changed.
    pub async fn restore_plan(&self, login: &str, id: i64, limits: &Limits) -> Result<RestorePlan> {
        let a = find_account(self.db(), login).await?;
        let b = find_backup(self.db(), a.id, id).await?;
        let summary = summary(&b);
        let file = self.backup_to_scratch(b.id).await?;
        let present = uidls_of(self.db(), a.id).await?;
        let (checked, tally) = check_file(file.path().to_path_buf(), *limits, present).await??;
        let settings_refused = self.check_settings(&a, &checked.settings).await.err();
        Ok(RestorePlan {
            settings_refused,
            backup: summary,
            made_of: checked.account,
            made_at: checked.created_at,
            total: tally.messages,
            new_messages: tally.new_messages,
            new_bytes: tally.new_bytes,
            free_bytes: free_bytes(&a),
            current: settings_of(&a),
            saved: checked.settings,
        })
    }

    /// Restores kept backup `id`: adds the messages the mailbox does not have (with their
    /// UIDLs and dates), and the settings if asked; all or nothing. The messages are read from
    /// the file one at a time and written as they come, inside the one transaction.
    pub async fn restore_backup(
        &self,
        actor: &Actor,
        login: &str,
        id: i64,
        with_settings: bool,
        limits: &Limits,
    ) -> Result<Restored> {
        let a = find_account(self.db(), login).await?;
        let b = find_backup(self.db(), a.id, id).await?;
        let file = self.backup_to_scratch(b.id).await?;
        let present = uidls_of(self.db(), a.id).await?;
        let (checked, tally) = check_file(file.path().to_path_buf(), *limits, present).await??;
        check_fits(&a, tally.new_bytes)?;
        let forward = if with_settings {
            Some(self.check_settings(&a, &checked.settings).await?)
        } else {
            None
        };
        // Our turn to unpack comes before the write lock: waiting for another backup's
        // packing must not keep deliveries waiting on the database.
        let _turn = PACKING
            .acquire()
            .await
            .map_err(|e| StoreError::Db(e.to_string()))?;
        let txn = self.write_txn().await?;
        // Read again inside the transaction: mail may have arrived or been collected since.
        // On PostgreSQL the account row is locked, so that two restores (or a restore and a
        // delivery) cannot both fit in the same free space; SQLite's write lock does that.
        let mut q = account::Entity::find().filter(account::Column::Login.eq(a.login.as_str()));
        if self.engine() == super::Engine::Postgres {
            q = q.lock_exclusive();
        }
        let a = q
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::AccountNotFound(a.login.clone()))?;
        // A mail program collecting now may have marked messages for deletion: restoring
        // beside it would count them as present and lose them at its QUIT.
        let busy = maildrop_lock::Entity::find_by_id(a.id)
            .filter(maildrop_lock::Column::ExpiresAt.gt(now()))
            .one(&txn)
            .await?;
        if busy.is_some() {
            return Err(StoreError::MaildropBusy);
        }
        let present = uidls_of(&txn, a.id).await?;
        let free = free_bytes(&a);

        // The reader hands each message over and waits until it is written: one message in
        // memory at a time.
        type Handed = (BackupMessage, tokio::sync::oneshot::Sender<bool>);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Handed>(1);
        let saved = checked.settings.clone();
        let (path, limits_copy) = (file.path().to_path_buf(), *limits);
        let reader = tokio::task::spawn_blocking(move || {
            let open = || std::fs::File::open(&path);
            archive::read_messages(open, &checked, &limits_copy, |m| {
                let (done_tx, done_rx) = tokio::sync::oneshot::channel();
                tx.blocking_send((m, done_tx)).is_ok() && done_rx.blocking_recv() == Ok(true)
            })
        });
        let t = now();
        let writing = async {
            let (mut added, mut added_bytes, mut skipped) = (0u64, 0u64, 0u64);
            while let Some((m, done)) = rx.recv().await {
                if present.contains(&m.uidl) {
                    skipped += 1;
                } else {
                    added += 1;
                    added_bytes += m.raw.len() as u64;
                    if let Some(refusal) = over_quota(free, added_bytes) {
                        let _ = done.send(false);
                        return Err(StoreError::from(refusal));
                    }
                    super::maildrop::keep_message(
                        &txn,
                        message::ActiveModel {
                            account_id: Set(a.id),
                            uidl: Set(m.uidl),
                            size: Set(m.raw.len() as i64),
                            received_at: Set(m.received_at),
                            mail_from: Set(m.mail_from),
                            subject: Set(m.subject),
                            raw: Set(m.raw),
                            ..Default::default()
                        },
                    )
                    .await?;
                }
                let _ = done.send(true);
            }
            Ok((added, skipped))
        };
        let (read, written) = tokio::join!(reader, writing);
        let (added, skipped) = written?;
        read.map_err(|e| StoreError::Db(format!("restoring a backup: {e}")))??;
        let mut restored = Change::Restored {
            id,
            added,
            present: skipped,
            settings: false,
        };
        if let Some(forward) = forward {
            let s = &saved;
            let mut m: account::ActiveModel = a.clone().into();
            m.first_name = Set(s.first_name.trim().to_string());
            m.last_name = Set(s.last_name.trim().to_string());
            m.forward_to = Set(forward.join("\n"));
            m.forward_keep_copy = Set(s.forward.keep_copy && !forward.is_empty());
            m.responder_enabled = Set(s.responder.enabled);
            m.responder_subject = Set(s.responder.subject.clone());
            m.responder_body = Set(s.responder.body_crlf());
            m.responder_start = Set(s.responder.start);
            m.responder_end = Set(s.responder.end);
            m.responder_interval_days = Set(s.responder.interval_days);
            m.updated_at = Set(t);
            m.update(&txn).await?;
            if let Change::Restored { settings, .. } = &mut restored {
                *settings = true;
            }
        }
        audit::record(
            &txn,
            actor,
            a.domain_id,
            "account.restore",
            &a.login,
            &restored.to_detail(),
        )
        .await?;
        txn.commit().await?;
        Ok(Restored {
            added,
            skipped,
            settings: with_settings,
        })
    }

    /// The settings of a backup as this mailbox would take them, by the rules of the forms:
    /// names of 100 characters, a valid forward without loop, a valid responder, never both.
    /// Returns the forward list to store.
    async fn check_settings(&self, a: &account::Model, s: &BackupSettings) -> Result<Vec<String>> {
        if let Some(p) = crate::domain::profile::check_names(&s.first_name, &s.last_name, false)
            .into_iter()
            .next()
        {
            return Err(p.into());
        }
        let own = own_addresses(self.db(), a).await?;
        let forward = check_forward(&s.forward.to, &own).map_err(StoreError::Forward)?;
        check_responder(&s.responder)?;
        if !forward.is_empty() && s.responder.enabled {
            return Err(StoreError::ForwardAndResponder);
        }
        if let Some(first) = self.forwards_back_to(&forward, a.id).await? {
            return Err(StoreError::ForwardLoop(first));
        }
        Ok(forward)
    }
}

/// The room left in the mailbox (None: no quota).
fn free_bytes(a: &account::Model) -> Option<u64> {
    a.quota_bytes.map(|q| (q - a.used_bytes).max(0) as u64)
}

/// The refusal when `new_bytes` would not fit in the room `free` (None: no quota).
fn over_quota(free: Option<u64>, new_bytes: u64) -> Option<Refusal> {
    free.filter(|f| new_bytes > *f)
        .map(|free| Refusal::OverQuota {
            needed: new_bytes,
            free,
        })
}

/// Refuses a restore that would take the mailbox over its quota.
fn check_fits(a: &account::Model, new_bytes: u64) -> Result<()> {
    match over_quota(free_bytes(a), new_bytes) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(()),
    }
}

async fn uidls_of(c: &impl ConnectionTrait, account_id: i64) -> Result<HashSet<String>> {
    let v: Vec<String> = message::Entity::find()
        .select_only()
        .column(message::Column::Uidl)
        .filter(message::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(c)
        .await?;
    Ok(v.into_iter().collect())
}

async fn find_backup(c: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<backup::Model> {
    backup::Entity::find_by_id(id)
        .filter(backup::Column::AccountId.eq(account_id))
        .filter(backup::Column::Origin.ne(INCOMPLETE))
        .one(c)
        .await?
        .ok_or(StoreError::BackupNotFound(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::NewUser;
    use crate::store::testing::on_both;

    fn limits() -> Limits {
        Limits::default()
    }

    impl Store {
        /// An upload of `bytes`, as the web route gives it (a scratch file).
        async fn upload_bytes(
            &self,
            actor: &Actor,
            login: &str,
            bytes: Vec<u8>,
            limits: &Limits,
        ) -> Result<BackupSummary> {
            let f = self.scratch_file("test-upload")?;
            std::fs::write(f.path(), bytes).unwrap();
            self.keep_uploaded_backup(actor, login, f.path(), limits)
                .await
        }
    }

    async fn put(s: &Store, account_id: i64, uidl: &str, body: &str) {
        let raw = format!("From: a@example.net\r\nSubject: {uidl}\r\n\r\n{body}\r\n").into_bytes();
        message::ActiveModel {
            account_id: Set(account_id),
            uidl: Set(uidl.into()),
            size: Set(raw.len() as i64),
            received_at: Set(1_795_740_000),
            mail_from: Set("a@example.net".into()),
            subject: Set(uidl.into()),
            raw: Set(raw),
            ..Default::default()
        }
        .insert(s.db())
        .await
        .unwrap();
    }

    async fn mailbox(s: &Store, login: &str) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = s
            .mailbox(login)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.uidl, m.raw))
            .collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn backup_and_additive_restore() {
        on_both(|s| async move {
            let cli = Actor::cli();
            let (_, wm) = s
                .add_domain(&cli, "b.example", Some(("Web", "Master")))
                .await
                .unwrap();
            let other = wm.unwrap().login;
            let user = NewUser {
                first: "Jean".into(),
                last: "Dupont".into(),
                quota_bytes: Some(100_000),
                ..Default::default()
            };
            let login = s.add_user(&cli, "b.example", &user).await.unwrap().login;
            let a = s.account(&login).await.unwrap();
            for (u, b) in [("u1", "one"), ("u2", "From the start"), ("u3", "three")] {
                put(&s, a.id, u, b).await;
            }
            let responder = Responder {
                enabled: true,
                subject: "Absent".into(),
                body: "De retour lundi.".into(),
                start: None,
                end: None,
                interval_days: 7,
            };
            s.set_responder(&cli, &login, &responder).await.unwrap();
            let before = mailbox(&s, &login).await;

            let made = s.make_backup(&cli, &login, &limits()).await.unwrap();
            assert_eq!((made.message_count, made.origin.as_str()), (3, "made"));
            assert_eq!(s.backups_of(&login).await.unwrap(), vec![made.clone()]);

            // Two messages collected (deleted), the responder turned off.
            message::Entity::delete_many()
                .filter(message::Column::Uidl.is_in(["u1", "u3"]))
                .exec(s.db())
                .await
                .unwrap();
            let off = Responder {
                enabled: false,
                ..responder.clone()
            };
            s.set_responder(&cli, &login, &off).await.unwrap();

            let plan = s.restore_plan(&login, made.id, &limits()).await.unwrap();
            assert_eq!((plan.total, plan.new_messages), (3, 2));
            assert!(plan.over_quota().is_none());
            assert!(plan.saved.responder.enabled && !plan.current.responder.enabled);
            assert_eq!(plan.made_of, format!("{login}@b.example"));

            let r = s
                .restore_backup(&cli, &login, made.id, false, &limits())
                .await
                .unwrap();
            assert_eq!((r.added, r.skipped), (2, 1));
            assert_eq!(mailbox(&s, &login).await, before, "same bytes, same UIDLs");
            assert!(!s.account(&login).await.unwrap().responder_enabled);
            let used = s.account(&login).await.unwrap().used_bytes;
            assert_eq!(
                used,
                before.iter().map(|(_, r)| r.len() as i64).sum::<i64>()
            );

            // Again: nothing to add; this time the settings come back too.
            let r = s
                .restore_backup(&cli, &login, made.id, true, &limits())
                .await
                .unwrap();
            assert_eq!((r.added, r.skipped), (0, 3));
            assert_eq!(mailbox(&s, &login).await, before);
            assert!(s.account(&login).await.unwrap().responder_enabled);

            // The file downloads, and uploaded again it is held apart, pending.
            let (name, file) = s.backup_file(&login, made.id).await.unwrap();
            assert!(name.starts_with(&format!("courrier-{login}-")) && name.ends_with(".tar.gz"));
            let up = s
                .upload_bytes(&cli, &login, file.clone(), &limits())
                .await
                .unwrap();
            assert_eq!(up.origin, PENDING);

            // A hostile file is refused and not kept.
            let n = s.backups_of(&login).await.unwrap().len();
            let mut bad = file.clone();
            bad.truncate(bad.len() / 2);
            let e = s
                .upload_bytes(&cli, &login, bad, &limits())
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Backup(Refusal::Truncated)), "{e:?}");
            assert_eq!(s.backups_of(&login).await.unwrap().len(), n);

            // Over quota: with all mail gone and a quota smaller than the mail, refused.
            message::Entity::delete_many()
                .filter(message::Column::AccountId.eq(a.id))
                .exec(s.db())
                .await
                .unwrap();
            let mut tight = crate::store::accounts::Profile {
                first_name: "Jean".into(),
                last_name: "Dupont".into(),
                quota_bytes: Some(60),
                suspended: false,
            };
            s.update_profile(&cli, &login, &tight).await.unwrap();
            let e = s
                .restore_backup(&cli, &login, made.id, false, &limits())
                .await
                .unwrap_err();
            assert!(
                matches!(e, StoreError::Backup(Refusal::OverQuota { .. })),
                "{e:?}"
            );
            assert!(s.mailbox(&login).await.unwrap().is_empty(), "nothing added");
            // Uploaded, it is refused too: it holds more mail than the whole quota.
            let e = s
                .upload_bytes(&cli, &login, file.clone(), &limits())
                .await
                .unwrap_err();
            assert!(
                matches!(e, StoreError::Backup(Refusal::BiggerThanQuota { .. })),
                "{e:?}"
            );
            tight.quota_bytes = Some(100_000);
            s.update_profile(&cli, &login, &tight).await.unwrap();

            // A mail program collecting right now: the restore waits for it.
            match s
                .open_maildrop(a.id, "test-session", std::time::Duration::from_secs(60))
                .await
            {
                Ok(crate::store::maildrop::Opened::Snapshot(_)) => {}
                other => panic!("lease: {other:?}"),
            }
            let e = s
                .restore_backup(&cli, &login, made.id, false, &limits())
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::MaildropBusy), "{e:?}");
            s.release_maildrop(a.id, "test-session").await.unwrap();
            // A mailbox too large for the limits gets no backup.
            put(&s, a.id, "big", &"x".repeat(2000)).await;
            let small = Limits {
                max_file: 1 << 20,
                max_unpacked: 1000,
                ..Limits::default()
            };
            let e = s.make_backup(&cli, &login, &small).await.unwrap_err();
            assert!(
                matches!(e, StoreError::Backup(Refusal::MailboxTooLarge { .. })),
                "{e:?}"
            );

            // Only the newest KEEP stay; another user's backup is not reachable.
            for _ in 0..KEEP {
                s.make_backup(&cli, &login, &limits()).await.unwrap();
            }
            let kept = s.backups_of(&login).await.unwrap();
            assert_eq!(kept.len(), KEEP);
            assert!(kept.iter().all(|b| b.id != made.id));
            let e = s.backup_file(&other, kept[0].id).await.unwrap_err();
            assert!(matches!(e, StoreError::BackupNotFound(_)));
            // Three uploads to preview a restore leave the kept backups as they were: each
            // replaces the pending one before it.
            let (_, file) = s.backup_file(&login, kept[0].id).await.unwrap();
            let mut pending = Vec::new();
            for _ in 0..3 {
                let up = s
                    .upload_bytes(&cli, &login, file.clone(), &limits())
                    .await
                    .unwrap();
                assert_eq!(up.origin, PENDING);
                pending.push(up.id);
            }
            assert_eq!(s.backups_of(&login).await.unwrap(), kept);
            for old in &pending[..2] {
                assert!(matches!(
                    s.restore_plan(&login, *old, &limits()).await,
                    Err(StoreError::BackupNotFound(_))
                ));
            }
            let plan = s.restore_plan(&login, pending[2], &limits()).await.unwrap();
            assert_eq!(plan.made_at, kept[0].created_at, "the backup's own date");
            s.delete_backup(&cli, &login, kept[0].id).await.unwrap();
            assert_eq!(s.backups_of(&login).await.unwrap().len(), KEEP - 1);
        })
        .await;
    }

    #[tokio::test]
    async fn settings_come_back_by_the_forms_rules() {
        on_both(|s| async move {
            let cli = Actor::cli();
            let (_, wm) = s
                .add_domain(&cli, "c.example", Some(("Web", "Master")))
                .await
                .unwrap();
            let login = wm.unwrap().login;
            s.set_forward(&cli, &login, &["x@example.net".into()], true)
                .await
                .unwrap();
            let made = s.make_backup(&cli, &login, &limits()).await.unwrap();
            // Now the responder is on: the backup's forward cannot come back with it.
            s.set_forward(&cli, &login, &[], false).await.unwrap();
            let on = Responder {
                enabled: true,
                subject: "Absent".into(),
                body: "Texte".into(),
                start: None,
                end: None,
                interval_days: 7,
            };
            s.set_responder(&cli, &login, &on).await.unwrap();
            // The backup itself carries a forward and no responder: it is sound, and restoring
            // its settings replaces both (forward on, responder off).
            let r = s
                .restore_backup(&cli, &login, made.id, true, &limits())
                .await
                .unwrap();
            assert!(r.settings);
            let a = s.account(&login).await.unwrap();
            assert_eq!(a.forward_to, "x@example.net");
            assert!(a.forward_keep_copy && !a.responder_enabled);

            // A file whose settings break the rules (forward and responder both on, or a
            // forward to oneself) still gives its messages back; its settings are refused.
            let mut bad =
                archive::unpack(&s.backup_file(&login, made.id).await.unwrap().1, &limits())
                    .unwrap();
            bad.settings.responder = Responder {
                enabled: true,
                body: "x".into(),
                interval_days: 7,
                ..Default::default()
            };
            // Kept (its messages can come back), but its settings cannot, and the preview
            // says why.
            let up = s
                .upload_bytes(&cli, &login, archive::pack(&bad), &limits())
                .await
                .unwrap();
            let plan = s.restore_plan(&login, up.id, &limits()).await.unwrap();
            assert!(matches!(
                plan.settings_refused,
                Some(StoreError::ForwardAndResponder)
            ));
            let e = s
                .restore_backup(&cli, &login, up.id, true, &limits())
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::ForwardAndResponder), "{e:?}");
            s.restore_backup(&cli, &login, up.id, false, &limits())
                .await
                .unwrap();
            s.delete_backup(&cli, &login, up.id).await.unwrap();
            bad.settings.responder.enabled = false;
            bad.settings.forward.to = vec![format!("{login}@c.example")];
            let up = s
                .upload_bytes(&cli, &login, archive::pack(&bad), &limits())
                .await
                .unwrap();
            let plan = s.restore_plan(&login, up.id, &limits()).await.unwrap();
            assert!(matches!(
                plan.settings_refused,
                Some(StoreError::Forward(_))
            ));
            s.delete_backup(&cli, &login, up.id).await.unwrap();
            assert_eq!(s.backups_of(&login).await.unwrap().len(), 1);
        })
        .await;
    }
}

//! SQLite's write-ahead log kept bounded under steady mail (docs/design.md "The write-ahead
//! log").
//!
//! Commits append to the WAL; checkpoints copy it back into the database file. Once all of it
//! is copied, the next write transaction starts the log again from its beginning. Checkpoints
//! run in the background (PASSIVE: they never block a writer), but under steady mail a pass
//! never catches up: by the time it has copied what was there when it began, new commits have
//! been appended, so the log never started again and grew as long as the mail kept coming
//! (580 MB after 2,000 messages of 256 KiB on one connection: a flood could fill the disk).
//!
//! So the background passes copy the bulk, back to back while each still has much to copy;
//! once a pass is short and the log has reached `BOUND`, what is left is what arrived during
//! that pass, and the writer of mail (whoever holds the `Deliverer`'s turn: its task, or a
//! session committing its own message) is asked to copy it itself between two commits. Nothing is left when its next transaction begins, and
//! that transaction starts the log again (`journal_size_limit`, `connect`, then cuts the file
//! back to the bound). Another writer may slip in between: the log starts again at a later
//! turn. Below the bound the log starts again whenever writes pause, as before.

use super::{Engine, Store};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the background looks at the log while it is idle or out of reach.
const PERIOD: Duration = Duration::from_millis(250);
/// A pass at most this long leaves little for the writer to copy (what arrived meanwhile).
const SHORT: Duration = Duration::from_millis(10);
/// The log is started again once it holds this many frames (128 MiB of 4 KiB pages): each
/// time costs the writer a pause, and below this the file is simply reused.
pub const BOUND: i64 = 32 * 1024;
/// Passes in a row before the background rests, when the log grows as fast as it is copied.
const MAX_PASSES: usize = 8;

/// The answer of `PRAGMA wal_checkpoint(PASSIVE)` and how long it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pass {
    /// Frames in the log when the pass began (0: the log is empty or was started again).
    pub log: i64,
    /// Of those, frames now copied into the database (fewer: a reader still needs them).
    pub copied: i64,
    pub took: Duration,
}

/// What the background does after a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing to gain now: look again after `PERIOD`.
    Rest,
    /// Much was copied, so much arrived meanwhile: another pass at once.
    Again,
    /// Nearly caught up: the writer copies the rest between two commits, then rest.
    AskWriter,
}

/// The rule, pure. `passes` counts the passes made in a row so far, this one included.
pub fn next(pass: Pass, passes: usize) -> Next {
    if pass.log == 0 || pass.copied < pass.log {
        // Empty, or a reader holds back part of it (a POP3 session reading): the log cannot
        // be started again before that reader is done.
        Next::Rest
    } else if pass.took <= SHORT {
        if pass.log >= BOUND {
            Next::AskWriter
        } else {
            // Short enough to start again on its own, when writes pause.
            Next::Rest
        }
    } else if passes < MAX_PASSES {
        Next::Again
    } else {
        Next::Rest
    }
}

/// One PASSIVE checkpoint.
async fn checkpoint(db: &DatabaseConnection) -> Result<Pass, sea_orm::DbErr> {
    wal_checkpoint(db, "PASSIVE").await
}

/// `PRAGMA wal_checkpoint(mode)`: what the log held and how much of it is copied.
async fn wal_checkpoint(db: &DatabaseConnection, mode: &str) -> Result<Pass, sea_orm::DbErr> {
    let started = Instant::now();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("PRAGMA wal_checkpoint({mode})"),
        ))
        .await?;
    let (log, copied) = match row {
        Some(row) => (
            row.try_get_by_index::<i64>(1)?,
            row.try_get_by_index::<i64>(2)?,
        ),
        None => (0, 0),
    };
    Ok(Pass {
        log,
        copied,
        took: started.elapsed(),
    })
}

/// Set by the background when the writer should finish a checkpoint.
#[derive(Debug, Default)]
pub struct CatchUp(AtomicBool);

impl Store {
    /// Background upkeep for a long-running process: SQLite's WAL checkpoints (see above).
    pub fn start_maintenance(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            if store.engine != Engine::Sqlite {
                return;
            }
            loop {
                tokio::time::sleep(PERIOD).await;
                for passes in 1..=MAX_PASSES {
                    let pass = match checkpoint(&store.db).await {
                        Ok(pass) => pass,
                        Err(e) => {
                            tracing::warn!("WAL checkpoint: {e}");
                            break;
                        }
                    };
                    match next(pass, passes) {
                        Next::Rest => break,
                        Next::Again => continue,
                        Next::AskWriter => {
                            store.wal_catch_up.0.store(true, Ordering::Release);
                            break;
                        }
                    }
                }
            }
        })
    }

    /// For the writer of mail, between two commits: when the background asks, copies what is
    /// left of the log, so that the next commit starts it again.
    pub async fn finish_checkpoint_if_asked(&self) {
        if self.wal_catch_up.0.swap(false, Ordering::AcqRel)
            && let Err(e) = checkpoint(&self.db).await
        {
            tracing::warn!("WAL checkpoint: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(log: i64, copied: i64, ms: u64) -> Pass {
        Pass {
            log,
            copied,
            took: Duration::from_millis(ms),
        }
    }

    /// Frames in the log now, without copying any (NOOP).
    async fn frames(store: &Store) -> i64 {
        wal_checkpoint(store.db(), "NOOP").await.unwrap().log
    }

    /// Commits that each add a few frames to the log.
    async fn write(store: &Store, n: usize) {
        for i in 0..n {
            let sql = format!("INSERT INTO scratch_wal VALUES ({i}, randomblob(8192))");
            store.db().execute_unprepared(&sql).await.unwrap();
        }
    }

    #[tokio::test]
    async fn asked_to_finish_the_writer_makes_its_next_commit_start_the_log_again() {
        let dir = crate::store::testing::TempDir::new();
        let url = crate::store::sqlite_url_for(&dir.0);
        let store = Store::open(&url).await.unwrap();
        let create = "CREATE TABLE scratch_wal (n INTEGER, b BLOB)";
        store.db().execute_unprepared(create).await.unwrap();
        // Under steady mail: commits come in while a background pass copies the log (here:
        // after it; the first of them starts the log again, the rest are left to copy).
        write(&store, 20).await;
        checkpoint(store.db()).await.unwrap();
        write(&store, 5).await;
        let before = frames(&store).await;
        assert!(before >= 10, "{before} frames");
        // Not asked: the writer copies nothing, and its commits go on extending the log.
        store.finish_checkpoint_if_asked().await;
        write(&store, 1).await;
        assert!(frames(&store).await > before);
        // Asked (once): it copies what is left, and its next commit starts the log again.
        store.wal_catch_up.0.store(true, Ordering::Release);
        store.finish_checkpoint_if_asked().await;
        assert!(!store.wal_catch_up.0.load(Ordering::Acquire));
        write(&store, 1).await;
        let after = frames(&store).await;
        assert!(after <= 6, "the log started again: {after} frames");
        store.close().await;
    }

    #[test]
    fn the_background_rests_copies_again_or_asks_the_writer() {
        // Empty log, or a reader in the way: rest.
        assert_eq!(next(pass(0, 0, 0), 1), Next::Rest);
        assert_eq!(next(pass(5000, 4000, 1), 1), Next::Rest);
        // Caught up in a short pass: below the bound, the log starts again when writes pause;
        // at the bound, the writer finishes.
        assert_eq!(next(pass(300, 300, 2), 1), Next::Rest);
        assert_eq!(next(pass(BOUND, BOUND, 2), 1), Next::AskWriter);
        assert_eq!(next(pass(BOUND + 300, BOUND + 300, 10), 3), Next::AskWriter);
        assert_eq!(next(pass(BOUND + 300, BOUND + 300, 11), 3), Next::Again);
        // A long pass: much arrived meanwhile, again at once, within bounds.
        assert_eq!(next(pass(30000, 30000, 200), 1), Next::Again);
        assert_eq!(next(pass(30000, 30000, 200), MAX_PASSES - 1), Next::Again);
        assert_eq!(next(pass(30000, 30000, 200), MAX_PASSES), Next::Rest);
    }
}

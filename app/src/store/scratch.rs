//! Temporary files for backups being made, uploaded or restored (a backup of several hundred
//! MB goes through disk, never whole through memory). They live in the store's scratch
//! directory — `DATA/tmp` for `courrier serve`, emptied at start — and each is removed when
//! its [`ScratchFile`] is dropped.

use super::{Result, Store, StoreError};
use std::path::{Path, PathBuf};

/// A temporary file's path, removed on drop.
#[derive(Debug)]
pub struct ScratchFile {
    path: PathBuf,
}

impl ScratchFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The default scratch directory (CLI commands and tests): under the system's.
pub(super) fn default_dir() -> PathBuf {
    std::env::temp_dir().join("courrier-scratch")
}

impl Store {
    /// Uses `dir` for temporary files, removing what an earlier run left there.
    pub fn with_scratch_dir(mut self, dir: PathBuf) -> Store {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with("courrier-") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        self.scratch = std::sync::Arc::new(dir);
        self
    }

    /// A new temporary file name (`what` says what for, in the name).
    pub fn scratch_file(&self, what: &str) -> Result<ScratchFile> {
        std::fs::create_dir_all(self.scratch.as_ref()).map_err(|e| {
            StoreError::Db(format!(
                "cannot create {}: {e}",
                self.scratch.as_ref().display()
            ))
        })?;
        Ok(ScratchFile {
            path: self
                .scratch
                .join(format!("courrier-{what}-{}", crate::auth::random_hex(8))),
        })
    }
}

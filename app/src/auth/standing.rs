//! A mail session's standing after its login (POP3, submission): once the password changed
//! or the account was suspended, a session opened before ends at its next command, as web
//! sessions already do (docs/design.md, "Guessing"); so does one opened with an app password
//! since revoked or past its end, or with the main password once two-step sign-in is on.
//!
//! Looking at the database before every command would cost POP3 a query per `RETR`; instead
//! the session looks again when this process changed some password or suspension since its
//! last look (at once, whoever did it here: the portals, `/personal`), and otherwise at most
//! every [`RECHECK`] (a change made by another process sharing the database).

use crate::domain::security::{Credential, Door};
use crate::store::Store;
use std::time::{Duration, Instant};

/// The longest a change made by another process goes unseen by an open session.
pub const RECHECK: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct Standing {
    account_id: i64,
    epoch: i64,
    credential: Credential,
    door: Door,
    generation: u64,
    checked: Instant,
}

impl Standing {
    /// The standing of a session that just signed in as this account.
    pub fn new(
        store: &Store,
        account_id: i64,
        epoch: i64,
        credential: Credential,
        door: Door,
    ) -> Standing {
        Standing {
            account_id,
            epoch,
            credential,
            door,
            generation: store.credentials_generation(),
            checked: Instant::now(),
        }
    }

    /// Whether the session may go on. A database that does not answer does not end it (the
    /// command itself will say so).
    pub async fn holds(&mut self, store: &Store) -> bool {
        let generation = store.credentials_generation();
        if generation == self.generation && self.checked.elapsed() < RECHECK {
            return true;
        }
        match store
            .credential_holds(self.account_id, self.epoch, self.credential, self.door)
            .await
        {
            Ok(ok) => {
                self.generation = generation;
                self.checked = Instant::now();
                ok
            }
            Err(_) => true,
        }
    }
}

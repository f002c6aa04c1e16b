//! The maildrop as one session sees it (RFC 1939 §5): the snapshot taken at login, numbered
//! from 1 and stable for the whole session, with the deletion marks that DELE sets and RSET
//! clears. Pure: the store is only asked at login, RETR/TOP and QUIT.

use super::parser::Msg;
use app::store::maildrop::MaildropEntry;

#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// No message with that number in this session.
    NoSuch,
    /// Marked as deleted in this session.
    Deleted,
}

#[derive(Debug)]
pub struct Maildrop {
    pub account_id: i64,
    pub login: String,
    entries: Vec<MaildropEntry>,
    deleted: Vec<bool>,
}

impl Maildrop {
    pub fn new(account_id: i64, login: String, entries: Vec<MaildropEntry>) -> Maildrop {
        let deleted = vec![false; entries.len()];
        Maildrop {
            account_id,
            login,
            entries,
            deleted,
        }
    }

    /// The message numbered `n`, unless it does not exist or is marked.
    pub fn get(&self, n: Msg) -> Result<&MaildropEntry, Missing> {
        let i = (n as usize).checked_sub(1).ok_or(Missing::NoSuch)?;
        match self.entries.get(i) {
            None => Err(Missing::NoSuch),
            Some(_) if self.deleted[i] => Err(Missing::Deleted),
            Some(e) => Ok(e),
        }
    }

    /// The messages not marked, with their numbers.
    pub fn listing(&self) -> impl Iterator<Item = (Msg, &MaildropEntry)> {
        self.entries
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, d))| !**d)
            .map(|(i, (e, _))| (i as Msg + 1, e))
    }

    /// STAT: how many messages are not marked, and their octets.
    pub fn stat(&self) -> (usize, u64) {
        self.listing()
            .fold((0, 0), |(n, octets), (_, e)| (n + 1, octets + e.size))
    }

    pub fn mark(&mut self, n: Msg) -> Result<(), Missing> {
        self.get(n)?;
        self.deleted[n as usize - 1] = true;
        Ok(())
    }

    pub fn reset(&mut self) {
        self.deleted.fill(false);
    }

    /// The database ids of the marked messages, for the UPDATE state.
    pub fn marked_ids(&self) -> Vec<i64> {
        self.entries
            .iter()
            .zip(&self.deleted)
            .filter(|(_, d)| **d)
            .map(|(e, _)| e.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drop3() -> Maildrop {
        let e = |id: i64, size: u64| MaildropEntry {
            id,
            uidl: format!("u{id}"),
            size,
        };
        Maildrop::new(
            7,
            "pmartin".into(),
            vec![e(10, 100), e(11, 200), e(15, 300)],
        )
    }

    #[test]
    fn numbers_stay_stable_and_marks_hide() {
        let mut m = drop3();
        assert_eq!(m.stat(), (3, 600));
        assert_eq!(m.get(2).unwrap().id, 11);
        assert_eq!(m.get(0), Err(Missing::NoSuch));
        assert_eq!(m.get(4), Err(Missing::NoSuch));
        m.mark(2).unwrap();
        assert_eq!(m.mark(2), Err(Missing::Deleted));
        assert_eq!(m.get(2), Err(Missing::Deleted));
        assert_eq!(m.get(3).unwrap().id, 15, "numbers do not shift");
        assert_eq!(m.stat(), (2, 400));
        let listed: Vec<Msg> = m.listing().map(|(n, _)| n).collect();
        assert_eq!(listed, vec![1, 3]);
        assert_eq!(m.marked_ids(), vec![11]);
        m.reset();
        assert_eq!(m.stat(), (3, 600));
        assert!(m.marked_ids().is_empty());
    }
}

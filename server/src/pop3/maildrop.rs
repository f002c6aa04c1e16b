//! The maildrop as one session sees it (RFC 1939 §5): the snapshot taken at login, numbered
//! from 1 and stable for the whole session, with the deletion marks that DELE sets and RSET
//! clears. Pure: the session reads from the store what [`Maildrop::wants`] asks for.
//!
//! The login brings the count, the octets and the bound of the snapshot only
//! (`app::store::maildrop`); the listing comes a page at a time as commands reach further
//! (RETR 1 reads the first page, LIST or UIDL without argument the rest).

use super::parser::Msg;
use app::store::maildrop::{MaildropEntry, Snapshot};
use std::collections::HashMap;

/// Listing entries read at least per page: a RETR far into the maildrop reads what it needs
/// and a little more (the first RETR, with its read-ahead, one page).
pub const PAGE: u64 = 128;

/// Read-ahead for RETR/TOP: clients read the messages in order, so one query brings the next
/// few (at most this many, this many octets in all, and none bigger than `PREFETCH_ONE`).
pub const PREFETCH_COUNT: usize = 32;
pub const PREFETCH_BYTES: u64 = 1024 * 1024;
pub const PREFETCH_ONE: u64 = 256 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// No message with that number in this session.
    NoSuch,
    /// Marked as deleted in this session.
    Deleted,
}

/// The next page of the listing to read: after id `after`, up to the snapshot's `bound`, at
/// most `limit` entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub after: i64,
    pub bound: i64,
    pub limit: u64,
}

#[derive(Debug)]
pub struct Maildrop {
    pub account_id: i64,
    pub login: String,
    snapshot: Snapshot,
    /// The listing read so far, oldest first: the first messages of the snapshot.
    entries: Vec<MaildropEntry>,
    /// Whether `entries` is the whole snapshot.
    complete: bool,
    deleted: Vec<bool>,
    /// Message bytes read ahead, by number.
    ahead: HashMap<Msg, Vec<u8>>,
}

impl Maildrop {
    pub fn new(account_id: i64, login: String, snapshot: Snapshot) -> Maildrop {
        Maildrop {
            account_id,
            login,
            snapshot,
            entries: Vec::new(),
            complete: snapshot.count == 0,
            deleted: Vec::new(),
            ahead: HashMap::new(),
        }
    }

    /// A maildrop whose whole listing is known.
    #[cfg(test)]
    pub fn listed(account_id: i64, login: String, entries: Vec<MaildropEntry>) -> Maildrop {
        let snapshot = Snapshot {
            count: entries.len() as u64,
            octets: entries.iter().map(|e| e.size).sum(),
            bound: entries.last().map_or(0, |e| e.id),
        };
        let mut m = Maildrop::new(account_id, login, snapshot);
        let n = entries.len() as u64;
        m.extend(entries, n + 1);
        m
    }

    /// What to read so that the listing reaches message `upto` (`None`: all of it), if
    /// anything. A number past the snapshot's count needs nothing: it does not exist.
    pub fn wants(&self, upto: Option<Msg>) -> Option<Page> {
        if self.complete {
            return None;
        }
        let have = self.entries.len() as u64;
        let limit = match upto {
            Some(n) if u64::from(n) <= have || u64::from(n) > self.snapshot.count => return None,
            Some(n) => (u64::from(n) - have).max(PAGE),
            None => u64::MAX,
        };
        Some(Page {
            after: self.entries.last().map_or(0, |e| e.id),
            bound: self.snapshot.bound,
            limit,
        })
    }

    /// How far the listing must reach for a read of `n`: `n` and the read-ahead after it,
    /// within the snapshot.
    pub fn read_reach(&self, n: Msg) -> Msg {
        let count = Msg::try_from(self.snapshot.count).unwrap_or(Msg::MAX);
        n.saturating_add(PREFETCH_COUNT as Msg - 1)
            .min(count)
            .max(n)
    }

    /// Adds a page read for `wants`' `limit`; a short page ends the listing.
    pub fn extend(&mut self, page: Vec<MaildropEntry>, limit: u64) {
        let short = (page.len() as u64) < limit;
        self.deleted.extend(std::iter::repeat_n(false, page.len()));
        self.entries.extend(page);
        self.complete |= short;
    }

    /// The message numbered `n`, unless it does not exist or is marked (the listing must
    /// reach it: see [`Maildrop::wants`]).
    pub fn get(&self, n: Msg) -> Result<&MaildropEntry, Missing> {
        let i = (n as usize).checked_sub(1).ok_or(Missing::NoSuch)?;
        match self.entries.get(i) {
            None => Err(Missing::NoSuch),
            Some(_) if self.deleted[i] => Err(Missing::Deleted),
            Some(e) => Ok(e),
        }
    }

    /// The messages not marked, with their numbers (of the listing read so far: all of them
    /// once `wants(None)` was read).
    pub fn listing(&self) -> impl Iterator<Item = (Msg, &MaildropEntry)> {
        self.entries
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, d))| !**d)
            .map(|(i, (e, _))| (i as Msg + 1, e))
    }

    /// STAT: how many messages are not marked, and their octets. From the listing once it
    /// is whole (a message removed meanwhile by someone else is then not counted), else from
    /// the snapshot less the marked ones (marks are on messages read).
    pub fn stat(&self) -> (usize, u64) {
        if self.complete {
            return self
                .listing()
                .fold((0, 0), |(n, octets), (_, e)| (n + 1, octets + e.size));
        }
        let (marked, marked_octets) = self
            .entries
            .iter()
            .zip(&self.deleted)
            .filter(|(_, d)| **d)
            .fold((0u64, 0u64), |(n, o), (e, _)| (n + 1, o + e.size));
        (
            self.snapshot.count.saturating_sub(marked) as usize,
            self.snapshot.octets.saturating_sub(marked_octets),
        )
    }

    pub fn mark(&mut self, n: Msg) -> Result<(), Missing> {
        self.get(n)?;
        self.deleted[n as usize - 1] = true;
        self.ahead.remove(&n);
        Ok(())
    }

    /// The bytes of message `n` if they were read ahead; `keep` leaves them for a later RETR
    /// (TOP is often followed by RETR of the same message).
    pub fn read_ahead(&mut self, n: Msg, keep: bool) -> Option<Vec<u8>> {
        if keep {
            self.ahead.get(&n).cloned()
        } else {
            self.ahead.remove(&n)
        }
    }

    /// What to fetch for a read of `n` (which exists and is not marked): `n` itself, then the
    /// following unmarked messages within the read-ahead bounds (among those listed: a read
    /// asks the listing to reach `n + PREFETCH_COUNT`). (number, database id) pairs.
    /// What was read ahead before is dropped: the client has moved on, and memory stays
    /// bounded by one batch whatever it does.
    pub fn fetch_plan(&mut self, n: Msg) -> Vec<(Msg, i64)> {
        self.ahead.clear();
        let first = n as usize - 1;
        let mut plan = vec![(n, self.entries[first].id)];
        if self.entries[first].size > PREFETCH_ONE {
            return plan;
        }
        let mut bytes = self.entries[first].size;
        for (i, e) in self.entries.iter().enumerate().skip(first + 1) {
            let m = i as Msg + 1;
            if self.deleted[i] {
                continue;
            }
            if plan.len() >= PREFETCH_COUNT
                || e.size > PREFETCH_ONE
                || bytes + e.size > PREFETCH_BYTES
            {
                break;
            }
            bytes += e.size;
            plan.push((m, e.id));
        }
        plan
    }

    /// Keeps bytes read ahead.
    pub fn keep_ahead(&mut self, n: Msg, bytes: Vec<u8>) {
        self.ahead.insert(n, bytes);
    }

    pub fn reset(&mut self) {
        self.deleted.fill(false);
    }

    /// Read-ahead bytes held (bounded by the plan's limits).
    #[cfg(test)]
    pub fn ahead_bytes(&self) -> usize {
        self.ahead.values().map(Vec::len).sum()
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
        Maildrop::listed(
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

    #[test]
    fn read_ahead_plans_the_following_messages_within_bounds() {
        let e = |id: i64, size: u64| MaildropEntry {
            id,
            uidl: format!("u{id}"),
            size,
        };
        let mut m = Maildrop::listed(7, "p".into(), (1..=40).map(|i| e(i, 1000)).collect());
        let plan = m.fetch_plan(1);
        assert_eq!(plan.len(), PREFETCH_COUNT);
        assert_eq!(plan[0], (1, 1));
        m.mark(3).unwrap();
        let plan = m.fetch_plan(2);
        assert!(
            !plan.iter().any(|(n, _)| *n == 3),
            "marked ones are skipped"
        );
        m.keep_ahead(5, b"five".to_vec());
        assert_eq!(m.ahead_bytes(), 4);
        assert_eq!(m.read_ahead(5, true).as_deref(), Some(&b"five"[..]));
        assert_eq!(m.read_ahead(5, false).as_deref(), Some(&b"five"[..]));
        assert_eq!(m.read_ahead(5, false), None, "RETR takes it");
        m.keep_ahead(6, b"six".to_vec());
        m.fetch_plan(7);
        assert_eq!(m.ahead_bytes(), 0, "a new batch drops the old one");

        // A big message is fetched alone; the byte bound cuts the plan.
        let mut big = Maildrop::listed(
            7,
            "p".into(),
            vec![
                e(1, 300_000),
                e(2, 10),
                e(3, 600_000),
                e(4, 200_000),
                e(5, 200_000),
                e(6, 200_000),
                e(7, 200_000),
                e(8, 200_000),
                e(9, 200_000),
            ],
        );
        assert_eq!(big.fetch_plan(1), vec![(1, 1)]);
        assert_eq!(big.fetch_plan(2), vec![(2, 2)], "stops before the big one");
        let plan = big.fetch_plan(4);
        assert_eq!(plan.len(), 5, "1 MiB in all: {plan:?}");
        big.mark(1).unwrap();
        assert_eq!(big.stat().0, 8);
    }

    #[test]
    fn the_listing_is_read_as_far_as_commands_reach() {
        let e = |id: i64| MaildropEntry {
            id,
            uidl: format!("u{id}"),
            size: 10,
        };
        let snapshot = Snapshot {
            count: 2000,
            octets: 20_000,
            bound: 2000,
        };
        let mut m = Maildrop::new(7, "p".into(), snapshot);
        assert_eq!(m.stat(), (2000, 20_000), "STAT reads nothing");
        assert_eq!(m.wants(Some(2001)), None, "past the count: no such message");
        let page = m.wants(Some(1)).unwrap();
        assert_eq!(
            page,
            Page {
                after: 0,
                bound: 2000,
                limit: PAGE
            }
        );
        m.extend((1..=PAGE as i64).map(e).collect(), page.limit);
        assert_eq!(m.wants(Some(1)), None);
        assert_eq!(m.get(1).unwrap().id, 1);
        m.mark(2).unwrap();
        assert_eq!(
            m.stat(),
            (1999, 19_990),
            "a mark counts before the rest is read"
        );
        let rest = m.wants(None).unwrap();
        assert_eq!(rest.after, PAGE as i64);
        // One message went meanwhile (deleted elsewhere): the listing says so once whole.
        m.extend(
            (PAGE as i64 + 1..=2000)
                .filter(|i| *i != 1500)
                .map(e)
                .collect(),
            rest.limit,
        );
        assert_eq!(m.wants(None), None);
        assert_eq!(m.stat(), (1998, 19_980));
        assert_eq!(m.listing().count(), 1998);
        assert_eq!(m.marked_ids(), vec![2]);

        let empty = Maildrop::new(7, "p".into(), Snapshot::default());
        assert_eq!(empty.wants(None), None);
        assert_eq!(empty.stat(), (0, 0));
    }
}

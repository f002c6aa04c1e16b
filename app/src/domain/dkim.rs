//! The life of a DKIM key (RFC 6376 §3.6.1, issue 15), as pure rules: which key signs, which
//! waits to be published, which is being retired, and what a rotation does. A domain has one
//! key of each algorithm (Ed25519, and RSA for receivers without it) in service; a rotation
//! adds a new pair beside it and gives the old one a date: until then the old pair still
//! signs (the webmaster has that long to publish the new records), from then the new one
//! does, and the old records stay published a week more, for mail still on its way.

/// How long a retired key's record should stay in DNS after it stopped signing: receivers
/// may check a signature days after it was made (queues, re-checks).
pub const KEEP_PUBLISHED_SECS: i64 = 7 * 86_400;

/// How long a retired key is still listed, so that the webmaster sees "you may remove this".
pub const LISTED_AFTER_RETIRED_SECS: i64 = 30 * 86_400;

/// The default time between `dkim rotate` and the new keys signing.
pub const DEFAULT_GRACE_SECS: i64 = 3 * 86_400;

/// What the rules need to know of a key.
pub trait Dated {
    fn id(&self) -> i64;
    fn algorithm(&self) -> &str;
    fn selector(&self) -> &str;
    fn created_at(&self) -> i64;
    fn retired_at(&self) -> Option<i64>;
}

/// Where a key is in its life, at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// It signs, with no end planned.
    Signing,
    /// It signs until this moment, then the next key of its algorithm does.
    Retiring { until: i64 },
    /// Published now, it signs from this moment (when the current one retires).
    Next { from: i64 },
    /// It stopped signing; its record may be removed from this moment on.
    Retired { remove_from: i64 },
}

fn in_service<K: Dated>(k: &K, now: i64) -> bool {
    k.retired_at().is_none_or(|t| t > now)
}

/// The key that signs for one algorithm: the oldest one still in service.
fn signer_of<'a, K: Dated>(keys: &'a [K], algorithm: &str, now: i64) -> Option<&'a K> {
    keys.iter()
        .filter(|k| k.algorithm() == algorithm && in_service(*k, now))
        .min_by_key(|k| (k.created_at(), k.id()))
}

/// The keys that sign now: one per algorithm.
pub fn signing<K: Dated>(keys: &[K], now: i64) -> Vec<&K> {
    let mut algorithms: Vec<&str> = keys.iter().map(|k| k.algorithm()).collect();
    algorithms.sort_unstable();
    algorithms.dedup();
    algorithms
        .into_iter()
        .filter_map(|a| signer_of(keys, a, now))
        .collect()
}

/// Where `k` is, among `keys` (its domain's), at `now`.
pub fn state<K: Dated>(k: &K, keys: &[K], now: i64) -> KeyState {
    match k.retired_at() {
        Some(t) if t <= now => KeyState::Retired {
            remove_from: t + KEEP_PUBLISHED_SECS,
        },
        retired => {
            let signer = signer_of(keys, k.algorithm(), now).map(|s| s.id());
            match (signer == Some(k.id()), retired) {
                (true, None) => KeyState::Signing,
                (true, Some(until)) => KeyState::Retiring { until },
                // Signs when the one before it retires.
                (false, _) => KeyState::Next {
                    from: signer_of(keys, k.algorithm(), now)
                        .and_then(|s| s.retired_at())
                        .unwrap_or(now),
                },
            }
        }
    }
}

/// The keys worth showing (and publishing): in service, or retired less than a month ago.
pub fn listed<K: Dated>(keys: &[K], now: i64) -> Vec<&K> {
    keys.iter()
        .filter(|k| {
            k.retired_at()
                .is_none_or(|t| t + LISTED_AFTER_RETIRED_SECS > now)
        })
        .collect()
}

/// Whether the domain needs keys made: some algorithm has none in service.
pub fn needs_keys<K: Dated>(keys: &[K], now: i64) -> bool {
    ["ed25519", "rsa"]
        .iter()
        .any(|a| signer_of(keys, a, now).is_none())
}

/// Why a rotation cannot start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RotateProblem {
    /// A rotation is under way: its new keys sign from this moment.
    UnderWay { from: i64 },
}

/// A rotation: the keys whose signing ends at `retire_at` (ids), the new keys sign from then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub retire: Vec<i64>,
    pub retire_at: i64,
}

/// What `dkim rotate` does at `now` with a grace of `grace` seconds.
pub fn rotate<K: Dated>(keys: &[K], now: i64, grace: i64) -> Result<Rotation, RotateProblem> {
    if let Some(from) = keys.iter().find_map(|k| match state(k, keys, now) {
        KeyState::Next { from } => Some(from),
        _ => None,
    }) {
        return Err(RotateProblem::UnderWay { from });
    }
    Ok(Rotation {
        retire: signing(keys, now).iter().map(|k| k.id()).collect(),
        retire_at: now + grace.max(0),
    })
}

/// A dated selector not yet taken: `c20261130e` (Ed25519) or `c20261130r` (RSA), then
/// `c20261130e2`, … when a second key is made the same day.
pub fn selector(date: &str, algorithm: &str, taken: &[&str]) -> String {
    let tag = if algorithm == "ed25519" { 'e' } else { 'r' };
    let date = date.replace('-', "");
    let first = format!("c{date}{tag}");
    std::iter::once(first.clone())
        .chain((2..).map(|n| format!("{first}{n}")))
        .find(|s| !taken.contains(&s.as_str()))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct K(i64, &'static str, i64, Option<i64>);
    impl Dated for K {
        fn id(&self) -> i64 {
            self.0
        }
        fn algorithm(&self) -> &str {
            self.1
        }
        fn selector(&self) -> &str {
            ""
        }
        fn created_at(&self) -> i64 {
            self.2
        }
        fn retired_at(&self) -> Option<i64> {
            self.3
        }
    }

    const DAY: i64 = 86_400;

    #[test]
    fn a_rotation_signs_with_the_old_pair_until_its_date_then_the_new() {
        let now = 100 * DAY;
        let mut keys = vec![K(1, "ed25519", 0, None), K(2, "rsa", 0, None)];
        assert!(!needs_keys(&keys, now));
        let ids = |v: Vec<&K>| v.iter().map(|k| k.0).collect::<Vec<_>>();
        assert_eq!(ids(signing(&keys, now)), [1, 2]);
        let r = rotate(&keys, now, 3 * DAY).unwrap();
        assert_eq!(r.retire, [1, 2]);
        assert_eq!(r.retire_at, 103 * DAY);
        for k in &mut keys {
            k.3 = Some(r.retire_at);
        }
        keys.push(K(3, "ed25519", now, None));
        keys.push(K(4, "rsa", now, None));
        // During the grace: the old pair signs, the new one waits to be published.
        assert_eq!(ids(signing(&keys, now + DAY)), [1, 2]);
        assert_eq!(
            state(&keys[0], &keys, now + DAY),
            KeyState::Retiring { until: 103 * DAY }
        );
        assert_eq!(
            state(&keys[2], &keys, now + DAY),
            KeyState::Next { from: 103 * DAY }
        );
        // A second rotation meanwhile is refused.
        assert_eq!(
            rotate(&keys, now + DAY, DAY),
            Err(RotateProblem::UnderWay { from: 103 * DAY })
        );
        // After it: the new pair signs; the old records may go a week later.
        let later = 103 * DAY;
        assert_eq!(ids(signing(&keys, later)), [3, 4]);
        assert_eq!(state(&keys[2], &keys, later), KeyState::Signing);
        assert_eq!(
            state(&keys[0], &keys, later),
            KeyState::Retired {
                remove_from: 110 * DAY
            }
        );
        assert_eq!(listed(&keys, later).len(), 4);
        assert_eq!(ids(listed(&keys, 134 * DAY)), [3, 4]);
    }

    #[test]
    fn no_grace_means_the_new_pair_signs_at_once() {
        let now = 10 * DAY;
        let mut keys = vec![K(1, "ed25519", 0, None)];
        assert!(needs_keys(&keys, now), "no RSA key");
        let r = rotate(&keys, now, 0).unwrap();
        keys[0].3 = Some(r.retire_at);
        keys.push(K(2, "ed25519", now, None));
        assert_eq!(signing(&keys, now)[0].0, 2);
    }

    #[test]
    fn selectors_are_dated_and_never_taken_twice() {
        assert_eq!(selector("2026-11-30", "ed25519", &[]), "c20261130e");
        assert_eq!(selector("2026-11-30", "rsa", &[]), "c20261130r");
        assert_eq!(
            selector("2026-11-30", "rsa", &["c20261130r", "c20261130r2"]),
            "c20261130r3"
        );
    }
}

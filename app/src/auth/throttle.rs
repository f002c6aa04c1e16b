//! Throttling of password guessing, shared by every door that takes a password (web sign-in,
//! `/personal`'s password change, POP3, submission).
//!
//! Lockout must not be a weapon (docs/design.md, "Guessing"): failures are counted
//!
//! - per (account, client network): this pair is refused after [`Limits::per_pair`] failures
//!   in the window — a guesser on one address cannot go on, and the owner elsewhere is not
//!   touched;
//! - per client network, whatever the account: refused after [`Limits::per_network`] — one
//!   address spraying many accounts;
//! - per account, whatever the address: this one only **slows** (a growing delay with a
//!   ceiling) and never refuses a right password: a botnet spread over many addresses is
//!   paced, yet nobody can lock a webmaster out by knowing their login.
//!
//! A network that signed in successfully to an account recently ("trusted", [`Limits::trust`])
//! is judged on its own failures on that account only: others' failures (the account-wide
//! count, the network's failures on other accounts) neither slow nor refuse it.
//!
//! IPv4 addresses are counted one by one, IPv6 addresses per /64 (one subscriber's prefix).
//!
//! An attempt is **reserved** before the password is verified ([`Throttle::begin`] counts it
//! as a failure at once, under one lock), so N parallel attempts count as N against the
//! refusals; a success gives its reservation back. The delay, though, grows with *settled*
//! failures only: twenty phones of one office signing in at the same moment are not slowed by
//! each other's reservations (they were, up to the 4 s ceiling, before issue 18's runs showed
//! it). The state is in this process's memory, bounded in size.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The throttle's numbers (`[auth]` in the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Failures of one network on one account before that pair is refused.
    pub per_pair: u32,
    /// Failures of one network on any accounts before it is refused.
    pub per_network: u32,
    /// How long failures are remembered (and a refusal lasts at most).
    pub window: Duration,
    /// How long a network that signed in stays trusted for that account.
    pub trust: Duration,
    /// The longest delay before an attempt is verified.
    pub max_delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_pair: 10,
            per_network: 30,
            window: Duration::from_secs(15 * 60),
            trust: Duration::from_secs(30 * 86_400),
            max_delay: Duration::from_secs(4),
        }
    }
}

/// Entries kept per table at most; beyond, the expired go, then the oldest half.
const CAPACITY: usize = 100_000;

/// The key a client address is counted under: itself (IPv4), its /64 (IPv6).
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

#[derive(Clone, Copy, Debug)]
struct Count {
    /// Settled failures in the window.
    failures: u32,
    /// Reserved attempts still being verified (whatever the window: they settle later).
    pending: u32,
    since: Instant,
}

impl Count {
    fn live(&self, now: Instant, window: Duration) -> u32 {
        if now.duration_since(self.since) < window {
            self.failures
        } else {
            0
        }
    }
}

/// A counter table, bounded in size.
struct Counts<K>(HashMap<K, Count>);

impl<K: Hash + Eq + Clone> Counts<K> {
    fn new() -> Self {
        Counts(HashMap::new())
    }

    /// Failures, reserved attempts included (what refuses).
    fn get(&self, k: &K, now: Instant, window: Duration) -> u32 {
        self.0.get(k).map_or(0, |c| c.live(now, window) + c.pending)
    }

    /// Settled failures only (what slows).
    fn settled(&self, k: &K, now: Instant, window: Duration) -> u32 {
        self.0.get(k).map_or(0, |c| c.live(now, window))
    }

    fn since(&self, k: &K) -> Option<Instant> {
        self.0.get(k).map(|c| c.since)
    }

    /// Reserves an attempt.
    fn bump(&mut self, k: &K, now: Instant, window: Duration) {
        if self.0.len() >= CAPACITY && !self.0.contains_key(k) {
            self.0
                .retain(|_, c| c.pending > 0 || now.duration_since(c.since) < window);
            if self.0.len() >= CAPACITY {
                let mut ages: Vec<Instant> = self.0.values().map(|c| c.since).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                self.0.retain(|_, c| c.since > cut);
            }
        }
        let c = self.0.entry(k.clone()).or_insert(Count {
            failures: 0,
            pending: 0,
            since: now,
        });
        if now.duration_since(c.since) >= window {
            // A new window; the attempts still in flight stay reserved.
            c.failures = 0;
            c.since = now;
        }
        c.pending += 1;
    }

    /// A reserved attempt turned out a failure: settled, it now slows as well.
    fn settle(&mut self, k: &K) {
        if let Some(c) = self.0.get_mut(k) {
            c.pending = c.pending.saturating_sub(1);
            c.failures += 1;
        }
    }

    /// Gives back one reservation.
    fn undo(&mut self, k: &K) {
        if let Some(c) = self.0.get_mut(k) {
            c.pending = c.pending.saturating_sub(1);
            if c.pending == 0 && c.failures == 0 {
                self.0.remove(k);
            }
        }
    }

    /// Gives back one reservation and forgets the settled failures (a success on the pair).
    fn forget(&mut self, k: &K) {
        if let Some(c) = self.0.get_mut(k) {
            c.failures = 0;
        }
        self.undo(k);
    }
}

type Pair = (String, IpAddr);

struct State {
    pairs: Counts<Pair>,
    networks: Counts<IpAddr>,
    accounts: Counts<String>,
    /// When each (account, network) last signed in.
    trusted: HashMap<Pair, Instant>,
}

pub struct Throttle {
    limits: Limits,
    state: Mutex<State>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

/// Refused without verifying the password, for this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: Duration,
}

/// One reserved attempt: counted as a failure until [`Attempt::succeeded`] or
/// [`Attempt::not_verified`] gives it back. Dropped without either (a wrong password, a
/// client that went away), it stays counted, and from then on it also slows.
pub struct Attempt<'t> {
    throttle: &'t Throttle,
    pair: Pair,
    delay: Duration,
    given_back: bool,
}

/// The delay after `n` failures: 0, 0.25, 0.5, 1, 2, 4 s … up to `max`.
fn delay_after(n: u32, max: Duration) -> Duration {
    if n == 0 {
        Duration::ZERO
    } else {
        Duration::from_millis(250u64 << (n - 1).min(8)).min(max)
    }
}

impl Throttle {
    pub fn new(limits: Limits) -> Self {
        Throttle {
            limits,
            state: Mutex::new(State {
                pairs: Counts::new(),
                networks: Counts::new(),
                accounts: Counts::new(),
                trusted: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves an attempt from `ip` on `account` (a normalised login), or refuses it.
    pub fn begin(&self, ip: IpAddr, account: &str) -> Result<Attempt<'_>, Refused> {
        self.begin_at(ip, account, Instant::now())
    }

    fn begin_at(&self, ip: IpAddr, account: &str, now: Instant) -> Result<Attempt<'_>, Refused> {
        let l = self.limits;
        let net = network_of(ip);
        let pair: Pair = (account.to_string(), net);
        let mut s = self.lock();
        let trusted = s
            .trusted
            .get(&pair)
            .is_some_and(|t| now.duration_since(*t) < l.trust);
        let left = |since: Option<Instant>| {
            since.map_or(l.window, |t| l.window.saturating_sub(now.duration_since(t)))
        };
        if s.pairs.get(&pair, now, l.window) >= l.per_pair {
            return Err(Refused {
                retry_after: left(s.pairs.since(&pair)),
            });
        }
        let mut worst = s.pairs.settled(&pair, now, l.window);
        if !trusted {
            if s.networks.get(&net, now, l.window) >= l.per_network {
                return Err(Refused {
                    retry_after: left(s.networks.since(&net)),
                });
            }
            // The account-wide count slows, never refuses.
            worst = worst
                .max(s.networks.settled(&net, now, l.window))
                .max(s.accounts.settled(&pair.0, now, l.window));
        }
        s.pairs.bump(&pair, now, l.window);
        s.networks.bump(&net, now, l.window);
        s.accounts.bump(&pair.0, now, l.window);
        drop(s);
        Ok(Attempt {
            throttle: self,
            pair,
            delay: delay_after(worst, l.max_delay),
            given_back: false,
        })
    }

    fn settle(&self, pair: &Pair) {
        let mut s = self.lock();
        s.pairs.settle(pair);
        s.networks.settle(&pair.1);
        s.accounts.settle(&pair.0);
    }

    fn give_back(&self, pair: &Pair) {
        let mut s = self.lock();
        s.pairs.undo(pair);
        s.networks.undo(&pair.1);
        s.accounts.undo(&pair.0);
    }

    fn trust(&self, pair: &Pair, now: Instant) {
        let trust = self.limits.trust;
        let mut s = self.lock();
        s.pairs.forget(pair);
        s.networks.undo(&pair.1);
        s.accounts.undo(&pair.0);
        if s.trusted.len() >= CAPACITY && !s.trusted.contains_key(pair) {
            s.trusted.retain(|_, t| now.duration_since(*t) < trust);
            if s.trusted.len() >= CAPACITY {
                s.trusted.clear();
            }
        }
        s.trusted.insert(pair.clone(), now);
    }
}

impl Attempt<'_> {
    /// How long to wait before verifying (recent failures call for it).
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Waits the delay (no timer at all when there is none).
    pub async fn pace(&self) {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
    }

    /// The password was right: the reservation is given back, the pair's failures are
    /// forgotten, and this network is trusted for the account.
    pub fn succeeded(mut self) {
        self.given_back = true;
        self.throttle.trust(&self.pair, Instant::now());
    }

    /// The password could not be verified (the server was busy or the database did not
    /// answer): this attempt does not count.
    pub fn not_verified(mut self) {
        self.given_back = true;
        self.throttle.give_back(&self.pair);
    }
}

impl Drop for Attempt<'_> {
    /// Neither given back: a failure, settled (it slows the next attempts from now on).
    fn drop(&mut self) {
        if !self.given_back {
            self.throttle.settle(&self.pair);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn fail(t: &Throttle, from: &str, account: &str) -> Result<Duration, Refused> {
        t.begin(ip(from), account).map(|a| a.delay())
    }

    #[test]
    fn delay_grows_then_the_pair_is_refused() {
        let t = Throttle::default();
        assert_eq!(fail(&t, "192.0.2.1", "pm"), Ok(Duration::ZERO));
        assert_eq!(fail(&t, "192.0.2.1", "pm"), Ok(Duration::from_millis(250)));
        assert_eq!(fail(&t, "192.0.2.1", "pm"), Ok(Duration::from_millis(500)));
        for _ in 3..10 {
            assert!(fail(&t, "192.0.2.1", "pm").is_ok());
        }
        let refused = fail(&t, "192.0.2.1", "pm").unwrap_err();
        assert!(refused.retry_after <= Limits::default().window);
        assert!(refused.retry_after > Duration::from_secs(14 * 60));
    }

    #[test]
    fn others_failures_never_refuse_the_right_password_elsewhere() {
        let t = Throttle::default();
        for _ in 0..10 {
            let _ = fail(&t, "192.0.2.1", "pm");
        }
        assert!(
            fail(&t, "192.0.2.1", "pm").is_err(),
            "the guesser is refused"
        );
        // The owner, from another address, is only slowed, with a ceiling.
        let a = t.begin(ip("198.51.100.7"), "pm").unwrap();
        assert!(a.delay() > Duration::ZERO);
        assert!(a.delay() <= Limits::default().max_delay);
        a.succeeded();
        // Now trusted there: no delay from the guesser's failures.
        assert_eq!(fail(&t, "198.51.100.7", "pm"), Ok(Duration::ZERO));
    }

    #[test]
    fn a_trusted_network_ignores_its_neighbours_spraying() {
        let t = Throttle::default();
        t.begin(ip("203.0.113.5"), "pm").unwrap().succeeded();
        // The same address then guesses 30 other accounts (a shared NAT, say).
        for i in 0..30 {
            let _ = fail(&t, "203.0.113.5", &format!("u{i}"));
        }
        assert!(
            fail(&t, "203.0.113.5", "zz").is_err(),
            "the network is refused"
        );
        assert_eq!(
            fail(&t, "203.0.113.5", "pm"),
            Ok(Duration::ZERO),
            "but not for the account it signed in to"
        );
    }

    #[test]
    fn parallel_attempts_count_one_each() {
        let t = Throttle::default();
        // Forty attempts begun before any is verified.
        let held: Vec<_> = (0..40).map(|_| t.begin(ip("192.0.2.9"), "pm")).collect();
        assert_eq!(held.iter().filter(|r| r.is_ok()).count(), 10);
    }

    #[test]
    fn parallel_sign_ins_do_not_slow_each_other() {
        let t = Throttle::default();
        // Twenty phones behind one address, all begun before any is verified.
        let held: Vec<_> = (0..20)
            .map(|i| t.begin(ip("192.0.2.9"), &format!("u{i}")).unwrap())
            .collect();
        assert!(held.iter().all(|a| a.delay().is_zero()));
        held.into_iter().for_each(Attempt::succeeded);
        // Settled failures do slow: five wrong passwords, then the next attempt waits.
        for i in 0..5 {
            drop(t.begin(ip("192.0.2.10"), &format!("w{i}")).unwrap());
        }
        let a = t.begin(ip("192.0.2.10"), "w9").unwrap();
        assert_eq!(a.delay(), delay_after(5, Limits::default().max_delay));
        // And reservations still count against the refusal (see the test above).
    }

    #[test]
    fn reservations_in_flight_outlive_a_success_on_the_pair() {
        let t = Throttle::default();
        let held: Vec<_> = (0..8)
            .map(|_| t.begin(ip("192.0.2.1"), "pm").unwrap())
            .collect();
        t.begin(ip("192.0.2.1"), "pm").unwrap().succeeded();
        let ninth = t.begin(ip("192.0.2.1"), "pm").unwrap();
        let tenth = t.begin(ip("192.0.2.1"), "pm").unwrap();
        assert!(
            t.begin(ip("192.0.2.1"), "pm").is_err(),
            "the ten in flight still count against the pair"
        );
        drop((held, ninth, tenth));
        // Settled now: ten failures, refused.
        assert!(t.begin(ip("192.0.2.1"), "pm").is_err());
    }

    #[test]
    fn a_success_gives_its_reservation_back() {
        let t = Throttle::default();
        for _ in 0..9 {
            let _ = fail(&t, "192.0.2.1", "pm");
        }
        t.begin(ip("192.0.2.1"), "pm").unwrap().succeeded();
        for _ in 0..10 {
            assert!(fail(&t, "192.0.2.1", "pm").is_ok(), "the pair starts again");
        }
    }

    #[test]
    fn not_verified_does_not_count() {
        let t = Throttle::default();
        for _ in 0..20 {
            t.begin(ip("192.0.2.1"), "pm").unwrap().not_verified();
        }
        assert_eq!(fail(&t, "192.0.2.1", "pm"), Ok(Duration::ZERO));
    }

    #[test]
    fn the_address_is_refused_after_spraying() {
        let t = Throttle::default();
        for i in 0..30 {
            assert!(fail(&t, "192.0.2.1", &format!("u{i}")).is_ok());
        }
        assert!(fail(&t, "192.0.2.1", "another").is_err());
        assert!(fail(&t, "192.0.2.2", "another").is_ok());
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(network_of(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(network_of(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        let t = Throttle::default();
        for i in 0..10 {
            let _ = fail(&t, &format!("2001:db8:1:2::{i:x}"), "pm");
        }
        assert!(fail(&t, "2001:db8:1:2:ffff::9", "pm").is_err(), "same /64");
        assert!(fail(&t, "2001:db8:1:3::1", "pm").is_ok(), "another /64");
    }

    #[test]
    fn the_window_expires() {
        let t = Throttle::default();
        for _ in 0..10 {
            let _ = fail(&t, "192.0.2.1", "pm");
        }
        let later = Instant::now() + Limits::default().window + Duration::from_secs(1);
        let a = t.begin_at(ip("192.0.2.1"), "pm", later).unwrap();
        assert_eq!(a.delay(), Duration::ZERO);
    }
}

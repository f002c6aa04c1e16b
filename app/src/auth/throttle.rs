//! Throttling of password guessing, shared by every door that takes a password (web sign-in
//! now; POP3 and submission later): a growing delay after each failure and a lockout after too
//! many, per client IP and per account.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures tolerated in a window before the key is locked out until the window ends.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 10;
pub const MAX_FAILURES_PER_IP: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    first_failure: Instant,
}

#[derive(Debug, Default)]
pub struct Throttle {
    by_ip: Mutex<HashMap<IpAddr, Entry>>,
    by_account: Mutex<HashMap<String, Entry>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead (after waiting this long, which grows with recent failures).
    Allowed { delay: Duration },
    /// Too many failures: refused without checking the password, for this long.
    Locked { retry_after: Duration },
}

fn live(map: &mut HashMap<impl std::hash::Hash + Eq, Entry>, now: Instant) {
    if map.len() > 10_000 {
        map.retain(|_, e| now.duration_since(e.first_failure) < WINDOW);
    }
}

impl Throttle {
    pub fn new() -> Self {
        Self::default()
    }

    /// What to do with an attempt from `ip` on `account` (a normalised login).
    pub fn check(&self, ip: IpAddr, account: &str) -> Verdict {
        self.check_at(ip, account, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, account: &str, now: Instant) -> Verdict {
        let count = |e: Option<&Entry>, max: u32| -> (u32, Option<Duration>) {
            match e {
                Some(e) if now.duration_since(e.first_failure) < WINDOW => {
                    let left = WINDOW - now.duration_since(e.first_failure);
                    (e.failures, (e.failures >= max).then_some(left))
                }
                _ => (0, None),
            }
        };
        let (ip_failures, ip_lock) =
            count(self.by_ip.lock().unwrap().get(&ip), MAX_FAILURES_PER_IP);
        let (acc_failures, acc_lock) = count(
            self.by_account.lock().unwrap().get(account),
            MAX_FAILURES_PER_ACCOUNT,
        );
        if let Some(retry_after) = ip_lock.max(acc_lock) {
            return Verdict::Locked { retry_after };
        }
        let n = ip_failures.max(acc_failures);
        // 0, 0.25, 0.5, 1, 2, 4 s … capped at 4 s.
        let delay = if n == 0 {
            Duration::ZERO
        } else {
            Duration::from_millis(250u64 << (n - 1).min(4))
        };
        Verdict::Allowed { delay }
    }

    /// Paces an attempt: waits the delay recent failures call for (no wait, not even a timer
    /// tick, when there were none), or returns how long the lockout still lasts.
    pub async fn pace(&self, ip: IpAddr, account: &str) -> Result<(), Duration> {
        match self.check(ip, account) {
            Verdict::Locked { retry_after } => Err(retry_after),
            Verdict::Allowed { delay } if delay.is_zero() => Ok(()),
            Verdict::Allowed { delay } => {
                tokio::time::sleep(delay).await;
                Ok(())
            }
        }
    }

    pub fn record_failure(&self, ip: IpAddr, account: &str) {
        let now = Instant::now();
        let bump = |e: &mut Entry| {
            if now.duration_since(e.first_failure) >= WINDOW {
                *e = Entry {
                    failures: 0,
                    first_failure: now,
                };
            }
            e.failures += 1;
        };
        let fresh = Entry {
            failures: 0,
            first_failure: now,
        };
        {
            let mut m = self.by_ip.lock().unwrap();
            live(&mut m, now);
            bump(m.entry(ip).or_insert(fresh));
        }
        let mut m = self.by_account.lock().unwrap();
        live(&mut m, now);
        bump(m.entry(account.to_string()).or_insert(fresh));
    }

    /// A success clears the account's count (not the IP's: one good password must not reset a
    /// guesser who also owns an account).
    pub fn record_success(&self, account: &str) {
        self.by_account.lock().unwrap().remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn delay_grows_then_locks() {
        let t = Throttle::new();
        assert_eq!(
            t.check(IP, "pm"),
            Verdict::Allowed {
                delay: Duration::ZERO
            }
        );
        t.record_failure(IP, "pm");
        assert_eq!(
            t.check(IP, "pm"),
            Verdict::Allowed {
                delay: Duration::from_millis(250)
            }
        );
        t.record_failure(IP, "pm");
        assert_eq!(
            t.check(IP, "pm"),
            Verdict::Allowed {
                delay: Duration::from_millis(500)
            }
        );
        for _ in 2..MAX_FAILURES_PER_ACCOUNT {
            t.record_failure(IP, "pm");
        }
        assert!(matches!(t.check(IP, "pm"), Verdict::Locked { .. }));
        // Another account from another IP is not affected.
        let other: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            t.check(other, "zz"),
            Verdict::Allowed {
                delay: Duration::ZERO
            }
        );
        // The same account from another IP is still locked.
        assert!(matches!(t.check(other, "pm"), Verdict::Locked { .. }));
        t.record_success("pm");
        // The IP's failures still slow it down.
        assert!(matches!(t.check(IP, "pm"), Verdict::Allowed { delay } if delay > Duration::ZERO));
    }

    #[test]
    fn window_expires() {
        let t = Throttle::new();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            t.record_failure(IP, "pm");
        }
        let later = Instant::now() + WINDOW + Duration::from_secs(1);
        assert_eq!(
            t.check_at(IP, "pm", later),
            Verdict::Allowed {
                delay: Duration::ZERO
            }
        );
    }
}

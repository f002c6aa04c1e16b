//! When the outbound queue tries again (RFC 5321 §4.5.4.1: retry at least 30 minutes apart
//! once the first attempts failed, give up after 4–5 days). A pure schedule: the worker asks
//! what to do after a temporary failure.

/// The waits after the 1st, 2nd, … failed attempt, in seconds; the last repeats.
pub const BACKOFF: &[i64] = &[60, 5 * 60, 15 * 60, 30 * 60, 60 * 60, 2 * 3600, 4 * 3600];

/// Default lifetime of a message in the queue before it bounces: 5 days.
pub const DEFAULT_LIFETIME: i64 = 5 * 24 * 3600;

#[derive(Debug, PartialEq, Eq)]
pub enum AfterTempFailure {
    /// Try again at this time.
    RetryAt(i64),
    /// Too old: give up and bounce to the sender.
    GiveUp,
}

/// What to do after attempt number `attempts` (1 for the first) failed temporarily at `now`,
/// for a message queued at `created_at`.
pub fn after_temp_failure(
    attempts: i32,
    created_at: i64,
    now: i64,
    lifetime: i64,
) -> AfterTempFailure {
    let i = (attempts.max(1) as usize - 1).min(BACKOFF.len() - 1);
    let next = now + BACKOFF[i];
    if next - created_at > lifetime {
        AfterTempFailure::GiveUp
    } else {
        AfterTempFailure::RetryAt(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_then_gives_up() {
        assert_eq!(
            after_temp_failure(1, 0, 0, DEFAULT_LIFETIME),
            AfterTempFailure::RetryAt(60)
        );
        assert_eq!(
            after_temp_failure(2, 0, 60, DEFAULT_LIFETIME),
            AfterTempFailure::RetryAt(360)
        );
        assert_eq!(
            after_temp_failure(50, 0, 1000, DEFAULT_LIFETIME),
            AfterTempFailure::RetryAt(1000 + 4 * 3600),
            "the last wait repeats"
        );
        assert_eq!(
            after_temp_failure(30, 0, DEFAULT_LIFETIME - 60, DEFAULT_LIFETIME),
            AfterTempFailure::GiveUp
        );
        assert_eq!(
            after_temp_failure(0, 0, 0, 10),
            AfterTempFailure::GiveUp,
            "lifetime shorter than a wait"
        );
    }
}

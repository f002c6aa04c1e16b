//! Work that must run on one instance at a time when several share one database (issue 18,
//! item 2): housekeeping, certificate renewal, the DKIM keys of new domains. Each job has a
//! turn in the database (`Store::take_turn`); whichever instance finds it free runs the job
//! and holds the turn for the job's period, so the cluster runs it once a period. An instance
//! that dies hands its jobs on when their turns run out.

use app::store::Store;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

/// This process as a turn holder: its host name, pid and a random part (two processes never
/// share one).
pub fn holder(hostname: &str) -> String {
    format!(
        "{hostname}/{}/{}",
        std::process::id(),
        app::auth::random_hex(6)
    )
}

/// Whether `job` is `holder`'s to run now, holding the turn for `period`. A database that
/// cannot answer means no (the job waits for the next look rather than running twice).
pub async fn my_turn(store: &Store, job: &str, holder: &str, period: Duration) -> bool {
    let ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX);
    match store.take_turn(job, holder, ms).await {
        Ok(mine) => {
            if mine {
                tracing::info!(job, holder, "this instance's turn: running the job");
            }
            mine
        }
        Err(e) => {
            tracing::warn!(job, "cannot take the job's turn: {e}");
            false
        }
    }
}

/// How often an instance looks whether a job of `period` is free: a quarter of it, between a
/// second and five minutes (a dead holder's job moves on that much after its turn ends).
pub fn look_every(period: Duration) -> Duration {
    (period / 4).clamp(Duration::from_secs(1), Duration::from_secs(300))
}

/// Runs `work` once per `period` across every instance on the database, until shutdown.
pub async fn every<F, Fut>(
    store: Store,
    job: &'static str,
    holder: String,
    period: Duration,
    mut shutdown: watch::Receiver<bool>,
    mut work: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        if my_turn(&store, job, &holder, period).await {
            work().await;
        }
        tokio::select! {
            _ = tokio::time::sleep(look_every(period)) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::look_every;
    use std::time::Duration;

    #[test]
    fn looks_are_a_quarter_of_the_period_within_bounds() {
        assert_eq!(
            look_every(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(
            look_every(Duration::from_secs(600)),
            Duration::from_secs(150)
        );
        assert_eq!(look_every(Duration::from_secs(2)), Duration::from_secs(1));
    }
}

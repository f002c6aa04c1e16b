//! The password-hashing pool: argon2id takes 19 MiB and tens of milliseconds per call, so it
//! runs on a few threads of its own (about one per core), never on tokio's blocking pool,
//! which would start hundreds of threads — and hold hundreds of 19 MiB blocks — under a storm
//! of sign-ins (docs/design.md, "Guessing").
//!
//! Admission is bounded: `threads` run and at most `queue` more wait. A verification that
//! finds no room is refused at once ([`Busy`]: each door answers "try again in a moment",
//! HTTP 503, `-ERR [SYS/TEMP]`, `454 4.7.0`); hashing a new password (signed-in people only)
//! waits for room instead. Memory is then bounded by `threads` × 19 MiB whatever comes in,
//! and the same few threads reuse their allocator's memory.

use std::sync::{Arc, Mutex, OnceLock, mpsc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// The pool's size (`[auth]` in the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSize {
    /// Threads verifying at once (default: the number of cores).
    pub threads: usize,
    /// Verifications that may wait for a thread before new ones are refused.
    pub queue: usize,
}

impl Default for PoolSize {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        PoolSize {
            threads: cores,
            // Room for an office's phones signing in at once (twenty were refused with
            // four per core); a waiting job holds no hashing memory, only its turn.
            queue: 16 * cores,
        }
    }
}

/// No room to verify a password right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send>;

pub struct Pool {
    room: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
}

static POOL: OnceLock<Pool> = OnceLock::new();
static CONFIGURED: OnceLock<PoolSize> = OnceLock::new();

/// Sets the pool's size; only before its first use (at start-up). Returns false when too late.
pub fn configure(size: PoolSize) -> bool {
    POOL.get().is_none() && CONFIGURED.set(size).is_ok()
}

/// The process's pool, started on first use.
pub fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool::start(CONFIGURED.get().copied().unwrap_or_default()))
}

impl Pool {
    fn start(size: PoolSize) -> Pool {
        let size = PoolSize {
            threads: size.threads.max(1),
            queue: size.queue,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..size.threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("the system can start the hashing threads");
        }
        Pool {
            room: Arc::new(Semaphore::new(size.threads + size.queue)),
            jobs: Mutex::new(tx),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A caller that went away still frees the room when the job is done.
            let _ = tx.send(work());
            drop(permit);
        });
        self.jobs.lock().ok()?.send(job).ok()?;
        rx.await.ok()
    }

    /// Runs `work` on the pool if there is room now, else [`Busy`].
    pub async fn try_run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = self.room.clone().try_acquire_owned().map_err(|_| Busy)?;
        self.run(permit, work).await.ok_or(Busy)
    }

    /// Runs `work` on the pool, waiting for room.
    pub async fn run_waiting<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let permit = self.room.clone().acquire_owned().await.ok()?;
        self.run(permit, work).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_beyond_threads_and_queue() {
        let p = Pool::start(PoolSize {
            threads: 1,
            queue: 2,
        });
        let p: &'static Pool = Box::leak(Box::new(p));
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let mut held = Vec::new();
        for _ in 0..3 {
            let w = wait.clone();
            held.push(tokio::spawn(p.try_run(move || {
                let _ = w.lock().unwrap().recv_timeout(Duration::from_secs(10));
                1
            })));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(p.try_run(|| 2).await, Err(Busy), "one running, two waiting");
        for _ in 0..3 {
            go.send(()).unwrap();
        }
        for h in held {
            assert_eq!(h.await.unwrap(), Ok(1));
        }
        assert_eq!(p.try_run(|| 3).await, Ok(3), "room again");
        assert_eq!(p.run_waiting(|| 4).await, Some(4));
    }
}

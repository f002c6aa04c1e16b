//! The import of an old mailbox (issue 17) as a background job: a look at the old mailbox
//! first (`survey`, for the page's "how many, how much"), then the job, taken from the
//! database by one process at a time under a lease that it renews as it goes, so that
//! another process — or this one after a restart — takes it over where it stopped. One
//! message in memory at a time; each written with its record in one transaction
//! (`Store::bring_message`); deletions on the old server only when asked, and only of
//! messages safely here, at QUIT (RFC 1939 §6). The rules are `app::domain::import`.

pub mod pop3_client;

use app::domain::import::{ImportProblem, Security, Source, State, Survey};
use app::store::Store;
use app::store::entities::import_job;
use app::store::imports::Brought;
use pop3_client::{Client, Pop3Error};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How imports run (`[import]` in the configuration).
#[derive(Clone, Debug)]
pub struct ImportConfig {
    /// Verifies the old servers' certificates: the system's roots and `[outbound] ca_file`.
    pub tls: Arc<tokio_rustls::rustls::ClientConfig>,
    /// Each exchange with the old server must answer within this.
    pub deadline: Duration,
    /// A job's lease: another process takes it over this long after its holder died.
    pub lease: Duration,
    /// How often waiting jobs are looked for.
    pub poll: Duration,
    /// A pause after each message, to be gentle with the old server.
    pub pause: Duration,
    /// The largest message taken (the SMTP size limit).
    pub max_message: u64,
}

/// What a job's run came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    Done,
    Full,
    Failed(String),
    /// Cancelled, or taken over by another process: left as it is.
    Left,
}

/// A look at the old mailbox: signed in, STAT, QUIT (nothing changed there).
pub async fn survey(
    config: &ImportConfig,
    source: &Source,
    login: &str,
    password: &str,
) -> Result<Survey, ImportProblem> {
    let said = |e: Pop3Error| ImportProblem::Server(e.to_string());
    let mut c = Client::connect(source, config.tls.clone(), config.deadline)
        .await
        .map_err(said)?;
    c.login(login, password).await.map_err(said)?;
    let (messages, bytes) = c.stat().await.map_err(said)?;
    let _ = c.quit().await;
    Ok(Survey { messages, bytes })
}

/// The portals' looks at old mailboxes: at most `LOOKS` an account in `LOOKS_WINDOW`, so that
/// a signed-in account cannot make this server guess passwords at another one.
#[derive(Debug)]
pub struct Looks {
    config: Arc<ImportConfig>,
    recent: std::sync::Mutex<std::collections::HashMap<i64, Vec<std::time::Instant>>>,
}

const LOOKS: usize = 5;
const LOOKS_WINDOW: Duration = Duration::from_secs(600);

impl Looks {
    pub fn new(config: Arc<ImportConfig>) -> Looks {
        Looks {
            config,
            recent: Default::default(),
        }
    }

    /// Whether `account_id` may look again now (and counts this look).
    fn allowed(&self, account_id: i64) -> bool {
        let now = std::time::Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        // Forget what is out of the window (the map stays as small as the active accounts).
        recent.retain(|_, v| {
            v.retain(|t| now.duration_since(*t) < LOOKS_WINDOW);
            !v.is_empty()
        });
        let mine = recent.entry(account_id).or_default();
        if mine.len() >= LOOKS {
            return false;
        }
        mine.push(now);
        true
    }
}

#[async_trait::async_trait]
impl app::state::Importer for Looks {
    async fn survey(
        &self,
        account_id: i64,
        source: &Source,
        login: &str,
        password: &str,
    ) -> Result<Survey, ImportProblem> {
        if !self.allowed(account_id) {
            return Err(ImportProblem::TooMany);
        }
        survey(&self.config, source, login, password).await
    }
}

/// Takes waiting jobs and runs them, one at a time, until `shutdown`.
pub async fn run(store: Store, config: Arc<ImportConfig>, mut shutdown: watch::Receiver<bool>) {
    let holder = format!("serve-{}-{}", std::process::id(), app::auth::random_hex(4));
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(config.poll) => {}
        }
        let lease = config.lease.as_secs() as i64;
        match store.claim_import(&holder, lease, None).await {
            Ok(Some(job)) => {
                let id = job.id;
                let mut quiet = |_, _| {};
                tokio::select! {
                    // At shutdown the job is left running: its lease runs out and the next
                    // process resumes it.
                    _ = shutdown.changed() => return,
                    ending = run_job(&store, &config, job, &holder, &mut quiet) => {
                        tracing::info!(job = id, ?ending, "import ended");
                    }
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("imports: {e}"),
        }
    }
}

/// Runs job `job` (held by `holder`) to its end, and records the end; `progress` is told
/// (messages done, messages in the old mailbox) after each message.
pub async fn run_job(
    store: &Store,
    config: &ImportConfig,
    job: import_job::Model,
    holder: &str,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Ending {
    let ending = match bring(store, config, &job, holder, progress).await {
        Ok(e) => e,
        Err(e) => Ending::Failed(e),
    };
    let (state, words) = match &ending {
        Ending::Done => (State::Done, String::new()),
        Ending::Full => (State::Full, String::new()),
        Ending::Failed(e) => (State::Failed, e.clone()),
        Ending::Left => return ending,
    };
    if let Err(e) = store.end_import(job.id, state, &words).await {
        tracing::warn!(job = job.id, "import: cannot record its end: {e}");
    }
    ending
}

async fn bring(
    store: &Store,
    config: &ImportConfig,
    job: &import_job::Model,
    holder: &str,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Ending, String> {
    let security = Security::parse(&job.security).ok_or("unknown security")?;
    let source = Source {
        host: job.host.clone(),
        port: u16::try_from(job.port).map_err(|e| e.to_string())?,
        security,
    };
    let Some(password) = job.secret.clone() else {
        return Ok(Ending::Failed("the old password is no longer known".into()));
    };
    let said = |e: Pop3Error| e.to_string();
    let mut c = Client::connect(&source, config.tls.clone(), config.deadline)
        .await
        .map_err(said)?;
    c.login(&job.login, &password).await.map_err(said)?;
    let uidls = c.uidl().await.map_err(said)?;
    let sizes: std::collections::HashMap<u32, u64> =
        c.list().await.map_err(said)?.into_iter().collect();
    let survey = Survey {
        messages: uidls.len() as u64,
        bytes: sizes.values().sum(),
    };
    store
        .import_totals(job.id, survey)
        .await
        .map_err(|e| e.to_string())?;
    let mailbox = source.mailbox_key(&job.login);
    let seen = store
        .imported_uidls(job.account_id, &mailbox)
        .await
        .map_err(|e| e.to_string())?;
    let lease = config.lease.as_secs() as i64;
    let mut done = seen.len() as u64;
    for (n, uidl) in uidls {
        if seen.contains(&uidl) {
            // Brought by an earlier run: deleted there now if asked (it is safe here).
            if job.delete_after {
                c.dele(n).await.map_err(said)?;
            }
            continue;
        }
        // Still ours? (Cancelled, or taken over after our lease ran out: stop here.)
        if !store
            .renew_import(job.id, holder, lease)
            .await
            .map_err(|e| e.to_string())?
        {
            let _ = c.quit().await;
            return Ok(Ending::Left);
        }
        let size = sizes.get(&n).copied().unwrap_or(0);
        if size > config.max_message {
            return Err(Pop3Error::TooBig(config.max_message).to_string());
        }
        let raw = c.retr(n, config.max_message).await.map_err(said)?;
        match store
            .bring_message(job, &mailbox, &uidl, raw)
            .await
            .map_err(|e| e.to_string())?
        {
            Brought::Full => {
                let _ = c.quit().await;
                return Ok(Ending::Full);
            }
            Brought::Added | Brought::Duplicate => {
                if job.delete_after {
                    c.dele(n).await.map_err(said)?;
                }
            }
        }
        done += 1;
        progress(done, survey.messages);
        if !config.pause.is_zero() {
            tokio::time::sleep(config.pause).await;
        }
    }
    c.quit().await.map_err(said)?;
    Ok(Ending::Done)
}

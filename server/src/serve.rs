//! `courrier serve`: opens the store, creates the first server admin if needed, and runs the
//! web portals, SMTP-in, submission, POP3, POP3S and the outbound worker until SIGTERM or Ctrl-C, then shuts down gracefully: listeners
//! stop accepting, sessions in the middle of a message may finish (bounded), the rest get 421.

use crate::cli::ServeArgs;
use crate::config::Settings;
use crate::smtp::{SmtpConfig, SmtpContext};
use anyhow::{Context, Result, anyhow};
use app::auth::check::Gate;
use app::state::AppState;
use app::store::Store;
use app::store::delivery::Deliverer;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tower_sessions::ExpiredDeletion;
use tracing_subscriber::EnvFilter;

/// The pages' time zone when the configuration names none (the customer is a French host).
const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_sessions=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        logs.json().try_init()
    } else {
        logs.try_init()
    };
}

pub async fn serve(settings: Settings, args: ServeArgs) -> Result<()> {
    init_logs(args.log_format == "json");
    // Before anything hashes a password (the first admin below).
    let pool = settings.file.auth.pool()?;
    app::auth::pool::configure(pool);
    tracing::info!(
        threads = pool.threads,
        queue = pool.queue,
        "password verification pool"
    );
    let [http, smtp, pop3, pop3s, submission, submissions, https] =
        settings.listeners(&args).map(|(_, address)| address);
    let https_on = !https.eq_ignore_ascii_case(crate::config::OFF);
    // On SQLite, a lock beside the file says a server runs here (`courrier migrate` waits
    // for none and refuses; a serve started during a migration waits for it).
    let _running = crate::running::serving(&settings.database_url)?;
    let store = Store::open(&settings.database_url)
        .await
        .map_err(|e| anyhow!("{e}"))?
        // Backups being made, uploaded or restored go through files here.
        .with_scratch_dir(settings.data.join("tmp"));
    store.set_subaddress_separator(settings.file.delivery.separator()?);
    tracing::info!(
        database = %app::store::connect::redact(&settings.database_url),
        data = %settings.data.display(),
        "database ready"
    );

    if let Some(admin) = store
        .ensure_server_admin()
        .await
        .map_err(|e| anyhow!("{e}"))?
    {
        // On the console only, never in the logs.
        println!("────────────────────────────────────────────────────────────");
        println!(" First start: a server admin was created. Sign in with:");
        println!("   login:    {}", admin.login);
        println!("   password: {}", admin.password);
        println!(" This password is shown once; change it after signing in.");
        println!("────────────────────────────────────────────────────────────");
    }

    let stop = shutdown_signal();
    let maintenance = store.start_maintenance();
    let hostname = settings.hostname();
    let tls = crate::tls::server_config(
        &settings.data,
        settings.file.tls_cert.as_deref(),
        settings.file.tls_key.as_deref(),
        &hostname,
    )?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);

    // Descriptors: the soft limit raised to the hard one, and the listeners' caps fitted in
    // it beside a reserve (see `descriptors`).
    let nofile = crate::descriptors::raise_nofile_limit();
    let mut smtp_config = SmtpConfig {
        hostname: hostname.clone(),
        ..SmtpConfig::default()
    };
    settings.file.smtp_limits.apply(&mut smtp_config);
    let proxies = Arc::new(settings.file.proxy.trusted()?);
    smtp_config.proxies = proxies.clone();
    let max_message_size = smtp_config.max_message_size;
    let mut submission_config = smtp_config.clone();
    let mut pop3_config = crate::pop3::Pop3Config {
        hostname: hostname.clone(),
        ..Default::default()
    };
    settings.file.pop3_settings.apply(&mut pop3_config);
    pop3_config.proxies = proxies.clone();
    let mut web_limits = settings.file.web_limits.limits()?;
    // The web's proxies: those of `[web_limits]` and the balancers of `[proxy]`.
    let mut web_proxies = settings.file.web_limits.trusted_proxies()?;
    web_proxies.extend(proxies.iter().cloned());
    let trusted_proxies = Arc::new(web_proxies);
    let on = |addrs: &[&String], cap: usize| {
        if addrs
            .iter()
            .all(|a| a.eq_ignore_ascii_case(crate::config::OFF))
        {
            0
        } else {
            cap
        }
    };
    let wanted = [
        smtp_config.max_connections,
        on(
            &[&submission, &submissions],
            submission_config.max_connections,
        ),
        on(&[&pop3, &pop3s], pop3_config.max_connections),
        web_limits.max_connections,
    ];
    let fitted = crate::descriptors::fit(nofile, &wanted);
    for (cap, (total, per_ip)) in fitted.iter().zip([
        (
            &mut smtp_config.max_connections,
            &mut smtp_config.max_connections_per_ip,
        ),
        (
            &mut submission_config.max_connections,
            &mut submission_config.max_connections_per_ip,
        ),
        (
            &mut pop3_config.max_connections,
            &mut pop3_config.max_connections_per_ip,
        ),
        (
            &mut web_limits.max_connections,
            &mut web_limits.max_connections_per_ip,
        ),
    ]) {
        crate::descriptors::set_cap(*cap, total, per_ip);
    }
    tracing::info!(
        nofile,
        smtp = fitted[0],
        submission = fitted[1],
        pop3 = fitted[2],
        http = fitted[3],
        "open-files limit and connection caps"
    );
    if fitted != wanted {
        tracing::warn!(
            "the open-files limit ({nofile}) is low: connection caps lowered to fit it \
             (raise `ulimit -n` / LimitNOFILE for more)"
        );
    }

    // SMTP-in.
    let smtp_listener = tokio::net::TcpListener::bind(&smtp)
        .await
        .with_context(|| format!("cannot listen on {smtp} (--smtp)"))?;
    let smtp_addr = smtp_listener.local_addr()?;
    let deliverer = Deliverer::start(store.clone());
    let resolver = crate::dns::resolver(settings.file.dns.nameserver()?);
    let filter = settings
        .file
        .filter_stage(&hostname, &store, resolver.as_deref())?;
    if !filter.is_empty() {
        tracing::info!("filter stage: {filter:?}");
    }
    let smtp_ctx = Arc::new(SmtpContext {
        deliverer: deliverer.clone(),
        store: store.clone(),
        config: smtp_config,
        tls: Some(tls.mail.clone()),
        submission: None,
        filter: filter.clone(),
    });
    let mut listeners = Vec::new();
    let mut smtp_tasks = vec![watched(
        "smtp",
        &mut listeners,
        crate::smtp::run(
            smtp_listener,
            smtp_ctx,
            false,
            crate::net::Slots::default(),
            shutdown_rx.clone(),
        ),
    )];
    println!("{}", crate::smtp::describe(smtp_addr));
    tracing::info!("SMTP-in on {smtp_addr}");

    // Guessing passwords is counted at every door together: POP3, submission, the web; and
    // every password is verified on one bounded pool.
    let gate = Arc::new(Gate::new(settings.file.auth.limits()?));

    // Submission on 587 (STARTTLS) and 465 (implicit TLS): one context, one set of slots.
    let submission_ctx = Arc::new(SmtpContext {
        deliverer,
        store: store.clone(),
        config: submission_config,
        tls: Some(tls.mail.clone()),
        submission: Some(crate::smtp::session::SubmissionAuth { gate: gate.clone() }),
        filter: filter.clone(),
    });
    let submission_slots = crate::net::Slots::default();
    for (addr, implicit_tls, name) in [
        (&submission, false, "submission"),
        (&submissions, true, "submissions"),
    ] {
        if addr.eq_ignore_ascii_case(crate::config::OFF) {
            tracing::info!("{name} is off");
            continue;
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (--{name})"))?;
        let bound = listener.local_addr()?;
        smtp_tasks.push(watched(
            name,
            &mut listeners,
            crate::smtp::run(
                listener,
                submission_ctx.clone(),
                implicit_tls,
                submission_slots.clone(),
                shutdown_rx.clone(),
            ),
        ));
        println!("{name}: listening on {bound}");
        tracing::info!("{name} on {bound}");
    }

    // POP3 and POP3S: one context, one set of connection slots for both.
    let pop3_ctx = Arc::new(crate::pop3::Pop3Context::new(
        store.clone(),
        pop3_config,
        Some(tls.mail.clone()),
        gate.clone(),
    ));
    let pop3_slots = crate::net::Slots::default();
    let mut pop3_tasks = Vec::new();
    for (addr, implicit_tls, flag) in [(&pop3, false, "--pop3"), (&pop3s, true, "--pop3s")] {
        if addr.eq_ignore_ascii_case(crate::config::OFF) {
            tracing::info!("{} is off", &flag[2..]);
            continue;
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} ({flag})"))?;
        let bound = listener.local_addr()?;
        let name = if implicit_tls { "pop3s" } else { "pop3" };
        pop3_tasks.push(watched(
            name,
            &mut listeners,
            crate::pop3::run(
                listener,
                pop3_ctx.clone(),
                implicit_tls,
                pop3_slots.clone(),
                shutdown_rx.clone(),
            ),
        ));
        println!("{name}: listening on {bound}");
        tracing::info!("{name} on {bound}");
    }

    // The outbound worker: forwards, auto-replies, relayed mail.
    let mut outbound_config = crate::outbound::OutboundConfig {
        hostname: hostname.clone(),
        filter,
        ..Default::default()
    };
    settings.file.outbound.apply(&mut outbound_config)?;
    let outbound_task = tokio::spawn(crate::outbound::run(
        store.clone(),
        outbound_config,
        resolver.clone(),
        shutdown_rx.clone(),
    ));

    let import_config = Arc::new(
        settings
            .file
            .import
            .config(&settings.file.outbound, max_message_size)?,
    );

    // The web portals.
    let listener = tokio::net::TcpListener::bind(&http)
        .await
        .with_context(|| format!("cannot listen on {http} (--http)"))?;
    let addr = listener.local_addr()?;
    if !crate::assets::bundle_present() {
        tracing::warn!(
            "the browser bundle is missing (run `trunk build`): pages work as plain HTML"
        );
    }
    // Times on the pages, in the host's zone (its abbreviation shown with them).
    app::i18n::set_time_zone(
        settings
            .file
            .timezone
            .as_deref()
            .unwrap_or(DEFAULT_TIME_ZONE),
    )
    .map_err(|e| anyhow::anyhow!("timezone: {e}"))?;
    // The pages name the bundle by its content hash (`assets::pkg` keeps those names cached).
    let versions = crate::assets::versions();
    let leptos_options = LeptosOptions::builder()
        .output_name(format!("frontend.{}", versions.bundle))
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let submission_on = !submission.eq_ignore_ascii_case(crate::config::OFF);
    let state = AppState {
        store: store.clone(),
        gate,
        leptos_options,
        stylesheet: format!("/pkg/courrier.{}.css", versions.css),
        // Over `https`, cookies never travel in clear (plain HTTP only redirects there).
        secure_cookies: settings.file.secure_cookies.unwrap_or(https_on),
        public_url: public_url(settings.file.public_url.as_deref())?,
        backup_limits: settings.file.backups.limits(),
        client_ports: settings.file.client_ports.resolve(submission_on),
        dns: Arc::new(crate::dns::HelpLookup(resolver.clone())),
        signing: Arc::new(crate::dkim::Keys(store.clone())),
        mail_host: app::state::MailHost {
            name: hostname.clone(),
            addresses: settings.file.dns.addresses()?,
            mta_sts_enforce: settings.file.mta_sts.enforce()?,
            acme: settings.file.acme.enabled == Some(true),
        },
        trusted_proxies: trusted_proxies.clone(),
        require_2fa_for: settings.file.security.required_roles()?,
        importer: Arc::new(crate::import::Looks::new(import_config.clone())),
        listeners: Arc::new(listeners),
    };
    // Imports of old mailboxes, taken over from a process that stopped.
    tokio::spawn(crate::import::run(
        store.clone(),
        import_config,
        shutdown_rx.clone(),
    ));
    // Jobs that run on one instance at a time across every one on this database.
    let holder = crate::jobs::holder(&hostname);
    // Certificates by ACME, into the running TLS of every listener.
    let public_addresses = settings.file.dns.addresses()?;
    let acme_task = settings
        .file
        .acme
        .config(&hostname, public_addresses)
        .map(|acme| {
            tracing::info!(directory = %acme.directory, "ACME on");
            tokio::spawn(crate::acme::run(
                store.clone(),
                holder.clone(),
                tls.certs.clone(),
                acme,
                resolver.clone(),
                shutdown_rx.clone(),
            ))
        });
    // DKIM keys for the domains that have none yet (from before DKIM, or added offline).
    let signer = store.clone();
    tokio::spawn(async move { crate::dkim::keep_keys(&signer).await });
    // Hourly: expired web sessions, the responder log past 30 days, old queue history.
    let sessions = app::store::sessions::DbSessionStore::new(&store);
    let keeper = store.clone();
    let cleaner = tokio::spawn(crate::jobs::every(
        store.clone(),
        "housekeeping",
        holder.clone(),
        settings.file.housekeeping.every()?,
        shutdown_rx.clone(),
        move || {
            let sessions = sessions.clone();
            let keeper = keeper.clone();
            async move { housekeeping(&sessions, &keeper).await }
        },
    ));

    let router = crate::http::router(state, settings.file.metrics.access()?);
    // The portals over TLS; plain HTTP then sends the browser there.
    let mut https_task = None;
    let router = if https_on {
        let listener = tokio::net::TcpListener::bind(&https)
            .await
            .with_context(|| format!("cannot listen on {https} (--https)"))?;
        let bound = listener.local_addr()?;
        https_task = Some(tokio::spawn(crate::web_listener::serve(
            listener,
            router.clone(),
            web_limits,
            trusted_proxies.clone(),
            Some(tls.web.clone()),
            shutdown_rx.clone(),
        )));
        println!("https: listening on {bound}");
        tracing::info!("web portals on https://{bound}");
        crate::http::redirect_to_https(router, bound.port(), trusted_proxies.clone())
    } else {
        router
    };
    println!("http: listening on {addr}");
    tracing::info!("web portals on http://{addr}");
    tokio::spawn(async move {
        stop.await;
        let _ = shutdown_tx.send(true);
    });
    crate::web_listener::serve(
        listener,
        router,
        web_limits,
        trusted_proxies,
        None,
        shutdown_rx.clone(),
    )
    .await;
    if let Some(t) = https_task {
        let _ = t.await;
    }
    if let Some(t) = acme_task {
        let _ = t.await;
    }
    for t in smtp_tasks {
        let _ = t.await;
    }
    for t in pop3_tasks {
        let _ = t.await;
    }
    let _ = outbound_task.await;
    cleaner.abort();
    maintenance.abort();
    // The jobs this instance held are free at once for the others (or its next start).
    if let Err(e) = store.end_turns_of(&holder).await {
        tracing::warn!("cannot hand the jobs' turns back: {e}");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM or Ctrl-C. The handlers are registered when this is called (before the
/// listeners announce themselves), not when the future is first polled, so a SIGTERM that
/// comes right after start-up is never missed.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutting down");
    }
}

/// `public_url` from the configuration: an http(s) address without a trailing slash.
/// Runs a listener's accept loop as a task whose state `/healthz` reads: down once the loop
/// ends, whether it returned or panicked.
fn watched<F>(
    name: &str,
    listeners: &mut Vec<app::state::Listener>,
    accept_loop: F,
) -> tokio::task::JoinHandle<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    use std::sync::atomic::{AtomicBool, Ordering};
    struct Down(Arc<AtomicBool>);
    impl Drop for Down {
        fn drop(&mut self) {
            self.0.store(false, Ordering::Release);
        }
    }
    let up = Arc::new(AtomicBool::new(true));
    listeners.push(app::state::Listener {
        name: name.to_string(),
        up: up.clone(),
    });
    tokio::spawn(async move {
        let _down = Down(up);
        accept_loop.await;
    })
}

pub(crate) fn public_url(configured: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(url) = configured.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && url.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(url.trim_end_matches('/').to_string()))
        }
        _ => anyhow::bail!("public_url: \"{url}\" is not an http:// or https:// address"),
    }
}

/// One round of housekeeping: expired web sessions, the responder log past 30 days, old
/// queue history and the rest `Store::purge_history` knows.
async fn housekeeping(sessions: &app::store::sessions::DbSessionStore, store: &app::store::Store) {
    if let Err(e) = sessions.delete_expired().await {
        tracing::warn!("cannot delete expired sessions: {e}");
    }
    match store.purge_history(app::store::now()).await {
        Ok(p) if p != Default::default() => tracing::info!(
            responder_log = p.responder_log,
            queue = p.queue,
            "old history removed"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot remove old history: {e}"),
    }
}

#[cfg(test)]
mod public_url_tests {
    #[test]
    fn public_urls() {
        assert_eq!(super::public_url(None).unwrap(), None);
        assert_eq!(
            super::public_url(Some("https://mail.example.net/")).unwrap(),
            Some("https://mail.example.net".to_string())
        );
        assert!(super::public_url(Some("mail.example.net")).is_err());
        assert!(super::public_url(Some("https://a b")).is_err());
    }
}

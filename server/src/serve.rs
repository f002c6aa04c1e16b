//! `courrier serve`: opens the store, creates the first server admin if needed, and runs the
//! listeners until SIGTERM or Ctrl-C, then shuts down gracefully.

use crate::cli::ServeArgs;
use crate::config::Settings;
use anyhow::{Context, Result, anyhow};
use app::auth::throttle::Throttle;
use app::state::AppState;
use app::store::Store;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::ExpiredDeletion;
use tracing_subscriber::EnvFilter;

fn init_logs() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_sessions=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

pub async fn serve(settings: Settings, args: ServeArgs) -> Result<()> {
    init_logs();
    let http = settings.http(args.http.as_deref());
    let store = Store::open(&settings.database_url)
        .await
        .map_err(|e| anyhow!("{e}"))?;
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

    let listener = tokio::net::TcpListener::bind(&http)
        .await
        .with_context(|| format!("cannot listen on {http} (--http)"))?;
    let addr = listener.local_addr()?;
    if !crate::assets::bundle_present() {
        tracing::warn!(
            "the browser bundle is missing (run `trunk build`): pages work as plain HTML"
        );
    }

    let leptos_options = LeptosOptions::builder()
        .output_name("frontend")
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let state = AppState {
        store: store.clone(),
        throttle: Arc::new(Throttle::new()),
        leptos_options,
        secure_cookies: settings.secure_cookies,
    };
    let sessions = app::store::sessions::DbSessionStore::new(&store);
    let cleaner = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!("cannot delete expired sessions: {e}");
            }
        }
    });

    let router = crate::http::router(state);
    println!("http: listening on {addr}");
    tracing::info!("web portals on http://{addr}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("web server")?;
    cleaner.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
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

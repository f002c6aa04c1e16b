//! `courrier`: one process for the web portals and, as they land, SMTP-in, POP3 and the
//! outbound queue; plus the administrative commands.

mod acme;
mod assets;
mod autoconfig;
mod backup_files;
mod certs;
mod cli;
mod commands;
mod config;
mod config_check;
mod descriptors;
mod dkim;
mod dns;
mod dns_zone;
mod filter;
mod flash;
mod http;
mod import;
mod jobs;
mod login;
mod metrics;
mod migrate;
mod mta_sts_policy;
mod net;
mod outbound;
mod pop3;
mod proxy;
mod running;
mod serve;
mod smtp;
#[cfg(test)]
mod testing;
mod tls;
mod web_listener;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("courrier: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("courrier: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: cli::Cli) -> anyhow::Result<()> {
    if let cli::Command::Config(cli::ConfigCommand::Check(args)) = &cli.command {
        return config_check::check(&cli, args).await;
    }
    let settings = config::Settings::resolve(&cli)?;
    if let cli::Command::Serve(args) = cli.command {
        return serve::serve(settings, args).await;
    }
    if let cli::Command::Migrate { to, dry_run } = &cli.command {
        return migrate::migrate(&settings.database_url, to, *dry_run).await;
    }
    let store = app::store::Store::open(&settings.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let result = match cli.command {
        cli::Command::Serve(_) => unreachable!("handled above"),
        cli::Command::Admin(c) => commands::admin(&store, c).await,
        cli::Command::Domain(c) => commands::domain(&store, c).await,
        cli::Command::User(c) => commands::user(&store, &settings, c).await,
        cli::Command::Alias(c) => commands::alias(&store, c).await,
        cli::Command::Relay(c) => commands::relay(&store, c).await,
        cli::Command::Queue(c) => commands::queue(&store, c).await,
        cli::Command::Filter(c) => commands::filter(&store, c).await,
        cli::Command::Dkim(c) => commands::dkim(&store, &settings.hostname(), c).await,
        cli::Command::Config(_) | cli::Command::Migrate { .. } => unreachable!("handled above"),
    };
    store.close().await;
    result
}

/// glibc keeps freed blocks of up to 32 MiB in its per-thread arenas once it has seen one
/// freed (its mmap threshold follows the largest block freed). Each password verification
/// allocates argon2's 19 MiB and each backup large buffers: kept in arenas, a storm of sign-ins
/// would leave hundreds of MB held when idle. A fixed threshold of 1 MiB has every larger block
/// mapped on its own and given back to the system when freed.
///
/// Fixing the mmap threshold also fixes the trim threshold at its 128 KiB default: every
/// message body of a few hundred KiB freed at the top of an arena was handed back to the
/// system (`madvise`) and faulted in again, page by page, for the next one — a fifth of the
/// server's CPU with 256 KiB messages on one connection (issue 18, `perf`). An arena now keeps
/// up to 8 MiB free at its top (the blocks of a few messages in flight).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 8 << 20);
    }
}

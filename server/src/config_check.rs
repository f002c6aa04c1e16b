//! `courrier config check` (issue 18): what `serve` would make of its configuration, said
//! before it is started — each part, the database, each listener's address.

use crate::cli::Cli;
use crate::config::*;
use anyhow::{Result, bail};

/// `courrier config check`: every part of the configuration `serve` reads, the database and
/// each listener's address, one line each ("ok" or what is wrong); Err when any is wrong.
pub async fn check(cli: &Cli, args: &crate::cli::ServeArgs) -> Result<()> {
    let settings = match Settings::resolve(cli) {
        Ok(s) => s,
        Err(e) => {
            println!("error  configuration: {e:#}");
            bail!("the configuration is not usable");
        }
    };
    let f = &settings.file;
    let mut outbound = crate::outbound::OutboundConfig::default();
    let parts: Vec<(&str, Result<()>)> = vec![
        ("[auth]", f.auth.pool().and(f.auth.limits()).map(drop)),
        (
            "[web_limits]",
            f.web_limits
                .limits()
                .and(f.web_limits.trusted_proxies())
                .map(drop),
        ),
        ("[proxy]", f.proxy.trusted().map(drop)),
        ("[metrics]", f.metrics.access().map(drop)),
        ("[housekeeping]", f.housekeeping.every().map(drop)),
        ("[dns]", f.dns.addresses().and(f.dns.nameserver()).map(drop)),
        ("[mta_sts]", f.mta_sts.enforce().map(drop)),
        ("[security]", f.security.required_roles().map(drop)),
        ("[delivery]", f.delivery.separator().map(drop)),
        ("[outbound]", f.outbound.apply(&mut outbound)),
        ("[import]", f.import.config(&f.outbound, 1 << 20).map(drop)),
        (
            "public_url",
            crate::serve::public_url(f.public_url.as_deref()).map(drop),
        ),
        (
            "tls_cert/tls_key",
            match (&f.tls_cert, &f.tls_key) {
                (None, None) => Ok(()),
                (Some(c), Some(k)) => [c, k]
                    .into_iter()
                    .find_map(|p| {
                        std::fs::metadata(p)
                            .err()
                            .map(|e| anyhow::anyhow!("{}: {e}", p.display()))
                    })
                    .map_or(Ok(()), Err),
                _ => Err(anyhow::anyhow!("give both, or neither")),
            },
        ),
    ];
    let mut wrong = 0;
    let mut say = |what: &str, r: Result<()>| match r {
        Ok(()) => println!("ok     {what}"),
        Err(e) => {
            wrong += 1;
            println!("error  {what}: {e:#}");
        }
    };
    for (what, r) in parts {
        say(what, r);
    }
    let database = app::store::connect::redact(&settings.database_url);
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        app::store::Store::open(&settings.database_url),
    )
    .await;
    say(
        &format!("database {database}"),
        match opened {
            Ok(Ok(store)) => {
                store.close().await;
                Ok(())
            }
            Ok(Err(e)) => Err(anyhow::anyhow!("{e}")),
            Err(_) => Err(anyhow::anyhow!("no answer within 15 seconds")),
        },
    );
    for (name, addr) in settings.listeners(args) {
        if addr.eq_ignore_ascii_case(OFF) {
            continue;
        }
        // Bound and let go at once: whether `serve` could listen there now.
        let bound = tokio::net::TcpListener::bind(&addr).await.map(drop);
        say(
            &format!("{name} {addr}"),
            bound.map_err(|e| anyhow::anyhow!("{e}")),
        );
    }
    if wrong > 0 {
        bail!("{wrong} thing(s) to fix");
    }
    Ok(())
}

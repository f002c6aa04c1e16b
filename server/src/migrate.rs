//! `courrier migrate --to postgres://…` (issue 18, item 3): a stopped SQLite installation
//! copied into an empty PostgreSQL database — table by table in dependency order, one
//! transaction each, the sequences set after — then counted and digested on both sides.

use anyhow::{Result, bail};
use app::store::connect::{engine_of, redact};
use app::store::copy::Target;
use app::store::{Engine, Store};

pub async fn migrate(source_url: &str, to: &str, dry_run: bool) -> Result<()> {
    let engine = |url: &str| engine_of(url).map_err(|e| anyhow::anyhow!("{e}"));
    if engine(source_url)? != Engine::Sqlite {
        bail!(
            "the installation's database is {}: migrate copies a SQLite one (--data DIR or --database-url sqlite://…)",
            redact(source_url)
        );
    }
    if engine(to)? != Engine::Postgres {
        bail!("--to {}: a postgres:// URL is expected", redact(to));
    }
    let path = crate::running::sqlite_path(source_url);
    if !path.is_file() {
        bail!("no database at {}: nothing to copy", path.display());
    }
    // Held until the end: a serve that starts meanwhile waits (see `running`).
    let _stopped = match crate::running::exclusive(&path)? {
        Some(lock) => lock,
        None => bail!(
            "a courrier serve is running on {}: stop it first (mail it takes during the copy would be left behind)",
            path.display()
        ),
    };
    let source = Store::open(source_url)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let result = copy(&source, source_url, to, dry_run).await;
    source.close().await;
    result
}

async fn copy(source: &Store, source_url: &str, to: &str, dry_run: bool) -> Result<()> {
    let store_err = |e: app::store::StoreError| anyhow::anyhow!("{e}");
    println!("from   {}", redact(source_url));
    println!("to     {}", redact(to));
    let clashes = source.case_clashes().await.map_err(store_err)?;
    if !clashes.is_empty() {
        for c in &clashes {
            println!("error  {c}");
        }
        bail!(
            "{} name(s) would not mean the same on PostgreSQL: fix them first",
            clashes.len()
        );
    }
    match app::store::copy::target_state(to)
        .await
        .map_err(store_err)?
    {
        Target::Empty => println!("ok     the target database is empty"),
        Target::Courrier(filled) if filled.is_empty() => {
            println!("ok     the target database has courrier's tables, all empty")
        }
        Target::Courrier(filled) => bail!(
            "the target database already holds courrier data (in {}): migrate copies into an empty database only",
            filled.join(", ")
        ),
        Target::Foreign(tables) => bail!(
            "the target database holds other tables ({}): migrate copies into an empty database only",
            tables.join(", ")
        ),
    }
    let counts = source.table_counts().await.map_err(store_err)?;
    let total: u64 = counts.iter().map(|t| t.rows).sum();
    if dry_run {
        for t in &counts {
            println!("would  {:<20} {:>9} rows", t.name, t.rows);
        }
        println!(
            "would copy {} tables, {total} rows; nothing copied (--dry-run)",
            counts.len()
        );
        return Ok(());
    }
    let target = Store::open(to).await.map_err(store_err)?;
    let copied = source
        .copy_into(&target, &mut |table, rows| {
            println!("copied {table:<20} {rows:>9} rows");
        })
        .await;
    if let Err(e) = copied {
        target.close().await;
        bail!(
            "the copy stopped: {e}; the target holds part of it: empty it (drop and create the database) before trying again"
        );
    }
    let (mine, theirs) = (
        source.table_digests().await.map_err(store_err)?,
        target.table_digests().await.map_err(store_err)?,
    );
    target.close().await;
    let differ: Vec<String> = mine
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("{}: {} rows here, {} there", a.name, a.rows, b.rows))
        .collect();
    if !differ.is_empty() {
        for d in &differ {
            println!("error  {d} (or their digests differ)");
        }
        bail!("the copy does not match the source: do not serve from it");
    }
    println!(
        "ok     verified: {} tables, {total} rows, each table's count and SHA-256 digest equal on both sides",
        mine.len()
    );
    println!("next   courrier serve --database-url {}", redact(to));
    Ok(())
}

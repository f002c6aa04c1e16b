//! One database copied into another (issue 18, item 3: `courrier migrate --to postgres://…`):
//! every table of the schema, parents before the rows that point at them, each table in one
//! transaction of the target, then the target's id sequences set past the copied ids, and a
//! digest of each table on both sides to prove the copy. The copy goes through the entities,
//! so a value means the same on both engines (times are integers, booleans booleans, bytes
//! bytes). The schema's own bookkeeping (`seaql_migrations`) is made by the target's
//! migrations, not copied.

use super::entities::*;
use super::{Engine, Result, Store, StoreError};
use futures_util::TryStreamExt;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable, ModelTrait,
    PaginatorTrait, PrimaryKeyToColumn, QueryOrder, TransactionTrait, Value,
};
use sha2::{Digest, Sha256};

/// Rows inserted at once.
const BATCH: usize = 100;

/// One table as counted (and digested) on one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub rows: u64,
    /// SHA-256 of every row in primary-key order (empty when not asked for).
    pub digest: String,
}

/// Calls `$each!(entity_module)` for every table, parents first: domains, then accounts,
/// then what points at them (a backup before its chunks, an import before its items).
macro_rules! every_table {
    ($each:ident) => {
        $each!(domain);
        $each!(account);
        $each!(domain_alias);
        $each!(alias);
        $each!(message);
        $each!(outbound);
        $each!(audit_log);
        $each!(backup);
        $each!(backup_chunk);
        $each!(relay_grant);
        $each!(relay_use);
        $each!(filter_log);
        $each!(dkim_key);
        $each!(certificate);
        $each!(acme_challenge);
        $each!(mta_sts_policy);
        $each!(server_setting);
        $each!(web_session);
        $each!(sign_in);
        $each!(app_password);
        $each!(second_factor);
        $each!(recovery_address);
        $each!(recovery_code);
        $each!(reset_token);
        $each!(import_job);
        $each!(import_item);
        $each!(responder_log);
        $each!(maildrop_lock);
        $each!(job_turn);
    };
}

fn table_name<E: EntityTrait + Default>() -> &'static str {
    E::default().table_name()
}

fn by_key<E: EntityTrait>() -> sea_orm::Select<E> {
    let mut q = E::find();
    for k in E::PrimaryKey::iter() {
        q = q.order_by_asc(k.into_column());
    }
    q
}

async fn count<E>(db: &impl ConnectionTrait) -> Result<Table>
where
    E: EntityTrait + Default,
    E::Model: Send + Sync,
{
    Ok(Table {
        name: table_name::<E>(),
        rows: E::find().count(db).await?,
        digest: String::new(),
    })
}

/// The digest of a table: each row's values in column order, in primary-key order.
async fn digest<E>(db: &sea_orm::DatabaseConnection) -> Result<Table>
where
    E: EntityTrait + Default,
    E::Model: Sync,
{
    let mut h = Sha256::new();
    let mut rows = 0;
    let mut stream = by_key::<E>().stream(db).await?;
    while let Some(m) = stream.try_next().await? {
        rows += 1;
        for c in E::Column::iter() {
            hash_value(&mut h, &m.get(c));
        }
        h.update(b"\n");
    }
    Ok(Table {
        name: table_name::<E>(),
        rows,
        digest: hex(&h.finalize()),
    })
}

fn hash_value(h: &mut Sha256, v: &Value) {
    match v {
        Value::Bytes(Some(b)) => {
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
        other => h.update(format!("{other:?}").as_bytes()),
    }
    h.update(b"\x1f");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies one table, in one transaction of the target.
async fn copy<E>(
    src: &sea_orm::DatabaseConnection,
    dst: &sea_orm::DatabaseConnection,
) -> Result<u64>
where
    E: EntityTrait + Default,
    E::Model: IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let txn = dst.begin().await?;
    let mut stream = by_key::<E>().stream(src).await?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut rows = 0;
    while let Some(m) = stream.try_next().await? {
        // Every value written as it is, the primary key too.
        batch.push(m.into_active_model().reset_all());
        if batch.len() == BATCH {
            rows += batch.len() as u64;
            E::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(&txn)
                .await?;
        }
    }
    if !batch.is_empty() {
        rows += batch.len() as u64;
        E::insert_many(batch).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(rows)
}

impl Store {
    /// Every table and its rows (what a copy would carry).
    pub async fn table_counts(&self) -> Result<Vec<Table>> {
        let mut out = Vec::new();
        macro_rules! each {
            ($m:ident) => {
                out.push(count::<$m::Entity>(self.db()).await?)
            };
        }
        every_table!(each);
        Ok(out)
    }

    /// Every table, counted and digested.
    pub async fn table_digests(&self) -> Result<Vec<Table>> {
        let mut out = Vec::new();
        macro_rules! each {
            ($m:ident) => {
                out.push(digest::<$m::Entity>(self.db()).await?)
            };
        }
        every_table!(each);
        Ok(out)
    }

    /// The tables that hold any row (a copy goes into an empty database only).
    pub async fn tables_with_rows(&self) -> Result<Vec<&'static str>> {
        Ok(self
            .table_counts()
            .await?
            .into_iter()
            .filter(|t| t.rows > 0)
            .map(|t| t.name)
            .collect())
    }

    /// Copies every table of this database into `target` (PostgreSQL, its schema made and
    /// empty), telling `progress` each table copied; then sets the target's sequences.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: &mut (dyn FnMut(&'static str, u64) + Send),
    ) -> Result<()> {
        if target.engine() != Engine::Postgres {
            return Err(StoreError::BadUrl("the copy goes into PostgreSQL".into()));
        }
        macro_rules! each {
            ($m:ident) => {{
                let rows = copy::<$m::Entity>(self.db(), target.db()).await?;
                progress(table_name::<$m::Entity>(), rows);
            }};
        }
        every_table!(each);
        // The space used and the count, as the source says: the target's trigger (m0002,
        // m0017) counted each copied message again on top of the copied figures.
        for a in account::Entity::find().all(self.db()).await? {
            use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
            account::Entity::update_many()
                .col_expr(account::Column::UsedBytes, Expr::value(a.used_bytes))
                .col_expr(account::Column::MessageCount, Expr::value(a.message_count))
                .filter(account::Column::Id.eq(a.id))
                .exec(target.db())
                .await?;
        }
        target.reset_sequences().await
    }

    /// Each table's id sequence set past its largest id (rows were written with their ids).
    async fn reset_sequences(&self) -> Result<()> {
        use sea_orm::{FromQueryResult, Statement};
        #[derive(FromQueryResult)]
        struct Serial {
            table_name: String,
            column_name: String,
        }
        let serials = Serial::find_by_statement(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
        ))
        .all(self.db())
        .await?;
        for Serial {
            table_name: t,
            column_name: c,
        } in serials
        {
            self.db()
                .execute_unprepared(&format!(
                    "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), \
                     COALESCE(MAX(\"{c}\"), 0) + 1, false) FROM \"{t}\""
                ))
                .await?;
        }
        Ok(())
    }
}

/// What is in a database a copy would go into.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// No table at all.
    Empty,
    /// courrier's schema, with rows in these tables (none: empty, fit for a copy).
    Courrier(Vec<&'static str>),
    /// Tables of something else.
    Foreign(Vec<String>),
}

/// Looks at the PostgreSQL database at `url` without changing it.
pub async fn target_state(url: &str) -> Result<Target> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Named {
        name: String,
    }
    let db = super::connect::connect(url).await?;
    let tables: Vec<String> = Named::find_by_statement(Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() ORDER BY 1",
    ))
    .all(&db)
    .await?
    .into_iter()
    .map(|n| n.name)
    .collect();
    let _ = db.close().await;
    if tables.is_empty() {
        return Ok(Target::Empty);
    }
    if !tables.iter().any(|t| t == "seaql_migrations") {
        return Ok(Target::Foreign(tables));
    }
    let store = Store::open(url).await?;
    let filled = store.tables_with_rows().await;
    store.close().await;
    Ok(Target::Courrier(filled?))
}

impl Store {
    /// Names that are not in their canonical lower case, or that only case tells apart:
    /// logins, domains, their other names, aliases within a domain. courrier writes them
    /// lower-cased, so the engines' different ideas of case (SQLite folds ASCII only) never
    /// decide what is unique; a row written otherwise would mean something else after a move.
    pub async fn case_clashes(&self) -> Result<Vec<String>> {
        let mut names: Vec<(String, String)> = Vec::new();
        for a in account::Entity::find().all(self.db()).await? {
            names.push(("login".into(), a.login));
        }
        for d in domain::Entity::find().all(self.db()).await? {
            names.push(("domain".into(), d.name));
        }
        for d in domain_alias::Entity::find().all(self.db()).await? {
            names.push(("domain alias".into(), d.name));
        }
        for a in alias::Entity::find().all(self.db()).await? {
            names.push((format!("alias of domain {}", a.domain_id), a.local_part));
        }
        let mut seen = std::collections::HashSet::new();
        let mut clashes = Vec::new();
        for (kind, name) in names {
            let folded = name.to_lowercase();
            if folded != name {
                clashes.push(format!("{kind} {name:?} is not in lower case"));
            }
            if !seen.insert((kind.clone(), folded)) {
                clashes.push(format!("{kind} {name:?} differs from another only in case"));
            }
        }
        Ok(clashes)
    }
}

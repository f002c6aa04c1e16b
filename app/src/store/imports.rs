//! Import jobs (issue 17): bringing an old mailbox's mail here. A job is made when the old
//! mailbox has been looked at (`Checked`, with what it holds), started by its owner
//! (`Queued`), taken by one process at a time under a lease (`Running`; another takes it over
//! when the lease runs out, so a restart resumes it), and ended (`Done`, `Full`, `Failed`,
//! `Cancelled`) — the old password erased at the end, whatever the ending. Each message is
//! written in one transaction with its record (UIDL, Message-ID) and the job's progress: a
//! crash loses nothing and brings nothing twice. The rules are `domain::import`.

use super::entities::{account, import_item, import_job, message};
use super::{Actor, Result, Store, StoreError, audit, now};
use crate::domain::import::{ImportProblem, Source, State, Survey};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashSet;

/// A check that found the old mailbox, to be kept as a job waiting to start.
#[derive(Clone, Debug)]
pub struct NewImport {
    pub source: Source,
    pub login: String,
    pub password: String,
    pub delete_after: bool,
    pub survey: Survey,
}

/// What became of one message brought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Brought {
    Added,
    /// Here already (its Message-ID was brought before): recorded, not stored again.
    Duplicate,
    /// It does not fit in the mailbox: nothing written.
    Full,
}

/// A Message-ID as compared: lower case, without angle brackets or spaces.
pub fn message_id_of(raw: &[u8]) -> String {
    let fields = crate::domain::headers::fields(raw);
    crate::domain::headers::first(&fields, "message-id")
        .map(|v| {
            v.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// How long a checked job waits to be started before it is dropped (its password erased).
pub const CHECKED_FOR: i64 = 30 * 60;

const OPEN: [&str; 3] = ["checked", "queued", "running"];

async fn open_job(c: &impl ConnectionTrait, account_id: i64) -> Result<Option<import_job::Model>> {
    Ok(import_job::Entity::find()
        .filter(import_job::Column::AccountId.eq(account_id))
        .filter(import_job::Column::State.is_in(OPEN))
        .order_by_desc(import_job::Column::Id)
        .one(c)
        .await?)
}

impl Store {
    /// Keeps a checked old mailbox as a job waiting to start (or, `start`, already started:
    /// the command line). Refused while another import of the account is open. Audited.
    pub async fn add_import(
        &self,
        actor: &Actor,
        login: &str,
        new: &NewImport,
        start: bool,
    ) -> Result<import_job::Model> {
        let txn = self.write_txn().await?;
        let a = super::accounts::find_account(&txn, login).await?;
        self.lock_account(&txn, a.id).await?;
        let t = now();
        if let Some(open) = open_job(&txn, a.id).await? {
            // The same old mailbox again, from a run that stopped (its lease ran out): it
            // goes on, with the password given now.
            let same = open.source == new.source.label() && open.login == new.login.trim();
            if !(start && same && open.lease_until < t) {
                return Err(ImportProblem::Busy.into());
            }
            let mut m: import_job::ActiveModel = open.into();
            m.secret = Set(Some(new.password.clone()));
            m.delete_after = Set(new.delete_after);
            m.state = Set(State::Queued.as_str().to_string());
            m.updated_at = Set(t);
            let job = m.update(&txn).await?;
            txn.commit().await?;
            return Ok(job);
        }
        let state = if start { State::Queued } else { State::Checked };
        let job = import_job::ActiveModel {
            account_id: Set(a.id),
            source: Set(new.source.label()),
            host: Set(new.source.host.clone()),
            port: Set(i32::from(new.source.port)),
            security: Set(new.source.security.as_str().to_string()),
            login: Set(new.login.trim().to_string()),
            secret: Set(Some(new.password.clone())),
            delete_after: Set(new.delete_after),
            state: Set(state.as_str().to_string()),
            total_messages: Set(new.survey.messages as i64),
            total_bytes: Set(new.survey.bytes as i64),
            done_messages: Set(0),
            done_bytes: Set(0),
            skipped: Set(0),
            error: Set(String::new()),
            holder: Set(String::new()),
            lease_until: Set(0),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let detail = format!("{} ({})", new.source.label(), new.login.trim());
        audit::record(
            &txn,
            actor,
            a.domain_id,
            "account.import",
            &a.login,
            &detail,
        )
        .await?;
        txn.commit().await?;
        Ok(job)
    }

    /// Starts the account's checked job.
    pub async fn start_import(&self, login: &str) -> Result<import_job::Model> {
        let a = self.account(login).await?;
        let t = now();
        let done = import_job::Entity::update_many()
            .col_expr(import_job::Column::State, State::Queued.as_str().into())
            .col_expr(import_job::Column::UpdatedAt, t.into())
            .filter(import_job::Column::AccountId.eq(a.id))
            .filter(import_job::Column::State.eq(State::Checked.as_str()))
            .exec(self.db())
            .await?;
        if done.rows_affected == 0 {
            return Err(ImportProblem::Nothing.into());
        }
        self.latest_import(a.id)
            .await?
            .ok_or_else(|| ImportProblem::Nothing.into())
    }

    /// Cancels the account's open job (the one running stops at its next message); the old
    /// password is erased now. Audited.
    pub async fn cancel_import(&self, actor: &Actor, login: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        let a = super::accounts::find_account(&txn, login).await?;
        let Some(job) = open_job(&txn, a.id).await? else {
            return Err(ImportProblem::Nothing.into());
        };
        end(&txn, job.id, State::Cancelled, "").await?;
        audit::record(
            &txn,
            actor,
            a.domain_id,
            "account.import_cancel",
            &a.login,
            &job.source,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The account's latest job, if it has one.
    pub async fn latest_import(&self, account_id: i64) -> Result<Option<import_job::Model>> {
        Ok(import_job::Entity::find()
            .filter(import_job::Column::AccountId.eq(account_id))
            .order_by_desc(import_job::Column::Id)
            .one(self.db())
            .await?)
    }

    pub async fn import_job(&self, id: i64) -> Result<Option<import_job::Model>> {
        Ok(import_job::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// Takes a started job whose lease has run out (none taken yet, or its process died)
    /// for `holder` until `lease` seconds from now: one process works on a job at a time.
    /// Checked jobs left waiting too long are dropped on the way.
    pub async fn claim_import(
        &self,
        holder: &str,
        lease: i64,
        only: Option<i64>,
    ) -> Result<Option<import_job::Model>> {
        let t = now();
        let stale = import_job::Entity::find()
            .filter(import_job::Column::State.eq(State::Checked.as_str()))
            .filter(import_job::Column::UpdatedAt.lt(t - CHECKED_FOR))
            .all(self.db())
            .await?;
        for job in stale {
            end(self.db(), job.id, State::Cancelled, "").await?;
        }
        let mut candidates = import_job::Entity::find();
        if let Some(id) = only {
            candidates = candidates.filter(import_job::Column::Id.eq(id));
        }
        let candidates = candidates
            .filter(
                import_job::Column::State.is_in([State::Queued.as_str(), State::Running.as_str()]),
            )
            .filter(import_job::Column::LeaseUntil.lt(t))
            .order_by_asc(import_job::Column::Id)
            .limit(4)
            .all(self.db())
            .await?;
        for job in candidates {
            // Taken only if nobody took it in between (the lease read is the condition).
            let taken = import_job::Entity::update_many()
                .col_expr(import_job::Column::State, State::Running.as_str().into())
                .col_expr(import_job::Column::Holder, holder.into())
                .col_expr(import_job::Column::LeaseUntil, (t + lease).into())
                .col_expr(import_job::Column::UpdatedAt, t.into())
                .filter(import_job::Column::Id.eq(job.id))
                .filter(import_job::Column::LeaseUntil.eq(job.lease_until))
                .filter(
                    import_job::Column::State
                        .is_in([State::Queued.as_str(), State::Running.as_str()]),
                )
                .exec(self.db())
                .await?;
            if taken.rows_affected == 1 {
                return self.import_job(job.id).await;
            }
        }
        Ok(None)
    }

    /// Keeps `holder`'s lease on job `id` for `lease` more seconds; false when the job is no
    /// longer its own to work on (cancelled, or taken over after a lease ran out).
    pub async fn renew_import(&self, id: i64, holder: &str, lease: i64) -> Result<bool> {
        let t = now();
        let r = import_job::Entity::update_many()
            .col_expr(import_job::Column::LeaseUntil, (t + lease).into())
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::Holder.eq(holder))
            .filter(import_job::Column::State.eq(State::Running.as_str()))
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// What the old mailbox holds, as the running job found it.
    pub async fn import_totals(&self, id: i64, survey: Survey) -> Result<()> {
        import_job::Entity::update_many()
            .col_expr(
                import_job::Column::TotalMessages,
                (survey.messages as i64).into(),
            )
            .col_expr(import_job::Column::TotalBytes, (survey.bytes as i64).into())
            .col_expr(import_job::Column::UpdatedAt, now().into())
            .filter(import_job::Column::Id.eq(id))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The UIDLs already brought from the old mailbox `mailbox` into the account.
    pub async fn imported_uidls(&self, account_id: i64, mailbox: &str) -> Result<HashSet<String>> {
        let v: Vec<String> = import_item::Entity::find()
            .select_only()
            .column(import_item::Column::Uidl)
            .filter(import_item::Column::AccountId.eq(account_id))
            .filter(import_item::Column::Mailbox.eq(mailbox))
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(v.into_iter().collect())
    }

    /// Writes one message brought by job `job` (its UIDL on the old mailbox `mailbox`) into
    /// the account, with its record and the job's progress, in one transaction; the quota is
    /// judged inside it.
    pub async fn bring_message(
        &self,
        job: &import_job::Model,
        mailbox: &str,
        uidl: &str,
        raw: Vec<u8>,
    ) -> Result<Brought> {
        let t = now();
        let message_id = message_id_of(&raw);
        let fields = crate::domain::headers::fields(&raw);
        let first = |name| crate::domain::headers::first(&fields, name).unwrap_or_default();
        let subject = first("subject");
        // The envelope sender it had, when the old server kept it (Return-Path).
        let mail_from = first("return-path")
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        let txn = self.write_txn().await?;
        self.lock_account(&txn, job.account_id).await?;
        let a = account::Entity::find_by_id(job.account_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::AccountNotFound(job.account_id.to_string()))?;
        let here = !message_id.is_empty()
            && import_item::Entity::find()
                .filter(import_item::Column::AccountId.eq(a.id))
                .filter(import_item::Column::MessageId.eq(message_id.as_str()))
                .count(&txn)
                .await?
                > 0;
        let size = raw.len() as i64;
        if !here && crate::domain::delivery::over_quota(a.used_bytes, a.quota_bytes, size) {
            return Ok(Brought::Full);
        }
        import_item::ActiveModel {
            account_id: Set(a.id),
            mailbox: Set(mailbox.to_string()),
            uidl: Set(uidl.to_string()),
            message_id: Set(message_id),
            at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut progress = import_job::Entity::update_many()
            .col_expr(import_job::Column::UpdatedAt, t.into())
            .filter(import_job::Column::Id.eq(job.id));
        if here {
            progress = progress.col_expr(
                import_job::Column::Skipped,
                sea_orm::sea_query::Expr::col(import_job::Column::Skipped).add(1),
            );
        } else {
            super::maildrop::keep_message(
                &txn,
                message::ActiveModel {
                    account_id: Set(a.id),
                    uidl: Set(crate::auth::random_hex(16)),
                    size: Set(size),
                    received_at: Set(t),
                    mail_from: Set(mail_from),
                    subject: Set(subject),
                    raw: Set(raw),
                    ..Default::default()
                },
            )
            .await?;
            progress = progress
                .col_expr(
                    import_job::Column::DoneMessages,
                    sea_orm::sea_query::Expr::col(import_job::Column::DoneMessages).add(1),
                )
                .col_expr(
                    import_job::Column::DoneBytes,
                    sea_orm::sea_query::Expr::col(import_job::Column::DoneBytes).add(size),
                );
        }
        progress.exec(&txn).await?;
        txn.commit().await?;
        Ok(if here {
            Brought::Duplicate
        } else {
            Brought::Added
        })
    }

    /// Ends job `id` in `state` with `error` (in words), its password erased.
    pub async fn end_import(&self, id: i64, state: State, error: &str) -> Result<()> {
        end(self.db(), id, state, error).await
    }
}

/// Ends a job: its state, why, and the old password erased (whatever the ending).
async fn end(c: &impl ConnectionTrait, id: i64, state: State, error: &str) -> Result<()> {
    import_job::Entity::update_many()
        .col_expr(import_job::Column::State, state.as_str().into())
        .col_expr(import_job::Column::Error, error.into())
        .col_expr(
            import_job::Column::Secret,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .col_expr(import_job::Column::LeaseUntil, 0i64.into())
        .col_expr(import_job::Column::UpdatedAt, now().into())
        .filter(import_job::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(import_job::Column::State.is_in(OPEN))
                .add(import_job::Column::Secret.is_not_null()),
        )
        .exec(c)
        .await?;
    Ok(())
}

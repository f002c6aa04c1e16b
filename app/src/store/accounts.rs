//! Accounts: the server admin, webmasters and mailbox users. One password for every door.

use super::entities::{account, alias, domain};
use super::{Actor, Result, Store, StoreError, audit, domains::find_domain, now};
use crate::auth::{self, cache::AuthCache};
use crate::domain::change::Change;
use crate::domain::profile::{ProfileProblem, check_names, check_quota_bytes};
use crate::domain::{
    LocalPart, LoginInput, Role, check_chosen_password, login::generate_login, login_with_suffix,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use std::collections::HashSet;

/// The login a server admin gets when created without names.
pub const DEFAULT_ADMIN_LOGIN: &str = "srvadmin";

/// A freshly created account: the password is shown once, then only its hash remains.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub password: String,
    pub role: String,
    pub domain: Option<String>,
}

/// Everything decided before the transaction: names, role, and the hashed random password.
#[derive(Clone)]
pub(crate) struct NewAccountSpec {
    first: String,
    last: String,
    role: Role,
    base_login: String,
    password: String,
    hash: String,
}

impl NewAccountSpec {
    pub(crate) async fn prepare(first: &str, last: &str, role: Role) -> Result<NewAccountSpec> {
        let base_login =
            if role == Role::ServerAdmin && first.trim().is_empty() && last.trim().is_empty() {
                DEFAULT_ADMIN_LOGIN.to_string()
            } else {
                crate::domain::base_login(first, last)?
            };
        let password = auth::generate_password();
        let hash = auth::hash_password(password.clone()).await;
        Ok(NewAccountSpec {
            first: first.trim().to_string(),
            last: last.trim().to_string(),
            role,
            base_login,
            password,
            hash,
        })
    }
}

/// Logins and aliases that a new login for `domain` must not take.
async fn taken_names(
    c: &impl ConnectionTrait,
    domain_id: Option<i64>,
    base: &str,
) -> Result<HashSet<String>> {
    let mut taken: HashSet<String> = account::Entity::find()
        .filter(account::Column::Login.starts_with(base))
        .all(c)
        .await?
        .into_iter()
        .map(|a| a.login)
        .collect();
    if let Some(d) = domain_id {
        taken.extend(
            alias::Entity::find()
                .filter(alias::Column::DomainId.eq(d))
                .filter(alias::Column::LocalPart.starts_with(base))
                .all(c)
                .await?
                .into_iter()
                .map(|a| a.local_part),
        );
    }
    Ok(taken)
}

/// Inserts an account (with its aliases) inside the caller's transaction.
pub(crate) async fn insert_account(
    txn: &DatabaseTransaction,
    actor: &Actor,
    domain: Option<&domain::Model>,
    spec: NewAccountSpec,
    aliases: &[LocalPart],
    quota_bytes: Option<i64>,
) -> Result<NewAccount> {
    let domain_id = domain.map(|d| d.id);
    // The host's limits on the domain (issue 17): one more mailbox, its quota (the domain's
    // default when none is given). Aliases are counted one by one in `insert_alias`.
    let quota_bytes = match domain {
        Some(d) if spec.role != Role::ServerAdmin => {
            let limits = super::domain_limits::limits_of(d);
            let quota = limits.quota_for_new(quota_bytes);
            if limits.any() {
                let used = super::domain_limits::usage_of(txn, d.id).await?;
                if let Some(p) = limits.check_new_mailbox(&used, quota, 0).into_iter().next() {
                    return Err(p.into());
                }
            }
            quota
        }
        _ => quota_bytes,
    };
    let taken = taken_names(txn, domain_id, &spec.base_login).await?;
    let login = if spec.role == Role::ServerAdmin && spec.base_login == DEFAULT_ADMIN_LOGIN {
        (1..)
            .map(|n| login_with_suffix(DEFAULT_ADMIN_LOGIN, n))
            .find(|l| !taken.contains(l))
            .expect("an unbounded range always yields a free name")
    } else {
        generate_login(&spec.first, &spec.last, |c| taken.contains(c))?
    };
    let t = now();
    let a = account::ActiveModel {
        domain_id: Set(domain_id),
        role: Set(spec.role.as_str().into()),
        first_name: Set(spec.first.clone()),
        last_name: Set(spec.last.clone()),
        login: Set(login.clone()),
        password_hash: Set(spec.hash.clone()),
        auth_epoch: Set(0),
        quota_bytes: Set(quota_bytes),
        used_bytes: Set(0),
        suspended: Set(false),
        forward_to: Set(String::new()),
        forward_keep_copy: Set(false),
        responder_enabled: Set(false),
        responder_subject: Set(String::new()),
        responder_body: Set(String::new()),
        responder_start: Set(None),
        responder_end: Set(None),
        responder_interval_days: Set(7),
        lang: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        last_web_login_at: Set(None),
        last_pop3_login_at: Set(None),
        quota_warned: Set(0),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if let Some(d) = domain {
        for local in aliases {
            insert_alias(txn, d, &a, local).await?;
        }
    }
    audit::record(
        txn,
        actor,
        domain_id,
        "account.add",
        &login,
        &Change::AccountAdded {
            role: spec.role.as_str().to_string(),
            first: spec.first.clone(),
            last: spec.last.clone(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
        .to_detail(),
    )
    .await?;
    Ok(NewAccount {
        login,
        password: spec.password,
        role: spec.role.as_str().into(),
        domain: domain.map(|d| d.name.clone()),
    })
}

/// Whether `local` is already a login or an alias in the domain.
async fn address_taken(
    c: &impl ConnectionTrait,
    d: &domain::Model,
    local: &LocalPart,
) -> Result<bool> {
    let clash_login = account::Entity::find()
        .filter(account::Column::DomainId.eq(d.id))
        .filter(account::Column::Login.eq(local.as_str()))
        .count(c)
        .await?;
    let clash_alias = alias::Entity::find()
        .filter(alias::Column::DomainId.eq(d.id))
        .filter(alias::Column::LocalPart.eq(local.as_str()))
        .count(c)
        .await?;
    Ok(clash_login + clash_alias > 0)
}

/// Inserts one alias after checking it is free in the domain (aliases and logins alike).
pub(crate) async fn insert_alias(
    txn: &DatabaseTransaction,
    d: &domain::Model,
    owner: &account::Model,
    local: &LocalPart,
) -> Result<()> {
    if address_taken(txn, d, local).await? {
        return Err(StoreError::AddressTaken(format!("{local}@{}", d.name)));
    }
    let limits = super::domain_limits::limits_of(d);
    if limits.max_aliases.is_some() {
        let used = super::domain_limits::usage_of(txn, d.id).await?;
        limits.check_aliases(&used, 1)?;
    }
    alias::ActiveModel {
        domain_id: Set(d.id),
        account_id: Set(owner.id),
        local_part: Set(local.to_string()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| {
        if super::is_unique_violation(&e) {
            StoreError::AddressTaken(format!("{local}@{}", d.name))
        } else {
            e.into()
        }
    })?;
    Ok(())
}

pub(crate) async fn find_account(c: &impl ConnectionTrait, login: &str) -> Result<account::Model> {
    let login = crate::domain::login::normalise_login(login);
    account::Entity::find()
        .filter(account::Column::Login.eq(login.as_str()))
        .one(c)
        .await?
        .ok_or(StoreError::AccountNotFound(login))
}

/// Parses a list of aliases, refusing duplicates within it.
pub fn parse_aliases(aliases: &[String]) -> Result<Vec<LocalPart>> {
    let (parsed, problems) = sort_aliases(aliases);
    match problems.into_iter().next() {
        None => Ok(parsed),
        Some(first) => Err(first),
    }
}

/// The aliases that parse (each once), and what is wrong with the others: not an address, or
/// given twice.
fn sort_aliases(aliases: &[String]) -> (Vec<LocalPart>, Vec<StoreError>) {
    let mut out: Vec<LocalPart> = Vec::new();
    let mut problems = Vec::new();
    for a in aliases {
        match LocalPart::parse(a) {
            Err(e) => problems.push(StoreError::Address(e)),
            Ok(local) if out.contains(&local) => {
                problems.push(StoreError::AddressTaken(local.to_string()))
            }
            Ok(local) => out.push(local),
        }
    }
    (out, problems)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AccountSummary {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub aliases: Vec<String>,
    pub quota_bytes: Option<i64>,
    pub used_bytes: i64,
    /// Messages waiting in the mailbox.
    pub messages: u64,
    pub suspended: bool,
    pub forwarding: bool,
    pub responder: bool,
}

/// What the pen changes besides the password and the aliases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub first_name: String,
    pub last_name: String,
    pub quota_bytes: Option<i64>,
    pub suspended: bool,
}

/// What the webmaster (or the CLI) gives to add a user; the login and password are generated.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub first: String,
    pub last: String,
    pub role: Role,
    pub aliases: Vec<String>,
    pub quota_bytes: Option<i64>,
}

/// Why a sign-in failed. Deliberately coarse: a wrong login and a wrong password look alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    BadCredentials,
    /// The password was right but the account is suspended.
    Suspended,
    /// The database could not answer: try again later, nothing was decided.
    Unavailable(String),
    /// Too many passwords are being verified right now: try again in a moment.
    Busy,
}

/// The login `login` of the hosted domain `domain` and that domain, in one query (a typed
/// `login@domain` at sign-in; RCPT's common case, where the domain's filter choices come
/// with it).
pub(crate) async fn login_with_domain(
    c: &impl ConnectionTrait,
    domain: &str,
    login: &str,
) -> Result<Option<(account::Model, domain::Model)>> {
    use sea_orm::{JoinType, QuerySelect as _};
    let home = account::Entity::belongs_to(domain::Entity)
        .from(account::Column::DomainId)
        .to(domain::Column::Id)
        .into();
    let found = account::Entity::find()
        .join(JoinType::InnerJoin, home)
        .select_also(domain::Entity)
        .filter(domain::Column::Name.eq(domain))
        .filter(account::Column::Login.eq(login))
        .one(c)
        .await?;
    Ok(found.and_then(|(a, d)| Some((a, d?))))
}

const MAX_ATTEMPTS: usize = 3;

impl Store {
    /// What is wrong with these aliases for a new user of `domain_name`, all of it: not an
    /// address, given twice, or already a login or an alias there (the add-user form shows
    /// every refusal at once; `add_user` checks again in its transaction).
    pub async fn alias_problems(
        &self,
        domain_name: &str,
        aliases: &[String],
    ) -> Result<Vec<StoreError>> {
        let d = find_domain(self.db(), domain_name).await?;
        let (parsed, mut problems) = sort_aliases(aliases);
        for local in parsed {
            if address_taken(self.db(), &d, &local).await? {
                problems.push(StoreError::AddressTaken(format!("{local}@{}", d.name)));
            }
        }
        Ok(problems)
    }

    /// The login `add_user` would give these names in `domain_name` now (the login preview of
    /// the add-user form: it counts the logins and aliases already taken, so a second Jean
    /// Dupont is previewed as `jdupont2`). A refusal of the names is a `StoreError::Login`.
    pub async fn next_login(&self, domain_name: &str, first: &str, last: &str) -> Result<String> {
        let base = crate::domain::base_login(first, last)?;
        let d = find_domain(self.db(), domain_name).await?;
        let taken = taken_names(self.db(), Some(d.id), &base).await?;
        Ok(generate_login(first, last, |c| taken.contains(c))?)
    }

    /// Adds a mailbox user (or a webmaster) to a domain; returns the generated login and
    /// one-time password. Retried when two creations race for the same login.
    pub async fn add_user(
        &self,
        actor: &Actor,
        domain_name: &str,
        user: &NewUser,
    ) -> Result<NewAccount> {
        let NewUser {
            first,
            last,
            role,
            aliases,
            quota_bytes,
        } = user;
        let (role, quota_bytes) = (*role, *quota_bytes);
        if role == Role::ServerAdmin {
            return Err(ProfileProblem::ServerAdminInDomain.into());
        }
        check_quota_bytes(quota_bytes)?;
        if let Some(p) = check_names(first, last, false).into_iter().next() {
            return Err(p.into());
        }
        let aliases = parse_aliases(aliases)?;
        let spec = NewAccountSpec::prepare(first, last, role).await?;
        let mut last_err = None;
        for _ in 0..MAX_ATTEMPTS {
            let txn = self.write_txn().await?;
            let d = find_domain(&txn, domain_name).await?;
            match insert_account(&txn, actor, Some(&d), spec.clone(), &aliases, quota_bytes).await {
                Ok(created) => {
                    txn.commit().await?;
                    return Ok(created);
                }
                Err(StoreError::Db(e)) => last_err = Some(StoreError::Db(e)),
                Err(other) => return Err(other),
            }
        }
        Err(last_err.unwrap_or_else(|| StoreError::Db("could not create the account".into())))
    }

    /// Creates a server admin. Without names the login is `srvadmin` (then `srvadmin2`, …).
    pub async fn create_server_admin(
        &self,
        actor: &Actor,
        first: &str,
        last: &str,
    ) -> Result<NewAccount> {
        let spec = NewAccountSpec::prepare(first, last, Role::ServerAdmin).await?;
        let txn = self.write_txn().await?;
        let created = insert_account(&txn, actor, None, spec, &[], None).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Creates the first server admin when none exists (first run of `courrier serve`). Done
    /// once when instances start together: counted again under the first-start lock.
    pub async fn ensure_server_admin(&self) -> Result<Option<NewAccount>> {
        if self.count_server_admins().await? > 0 {
            return Ok(None);
        }
        let spec = NewAccountSpec::prepare("", "", Role::ServerAdmin).await?;
        let txn = self.write_txn().await?;
        super::connect::hold_first_start_lock(&txn).await?;
        let admins = account::Entity::find()
            .filter(account::Column::Role.eq(Role::ServerAdmin.as_str()))
            .count(&txn)
            .await?;
        if admins > 0 {
            return Ok(None);
        }
        let created = insert_account(&txn, &Actor::system(), None, spec, &[], None).await?;
        txn.commit().await?;
        Ok(Some(created))
    }

    pub async fn count_server_admins(&self) -> Result<u64> {
        Ok(account::Entity::find()
            .filter(account::Column::Role.eq(Role::ServerAdmin.as_str()))
            .count(self.db())
            .await?)
    }

    pub async fn account(&self, login: &str) -> Result<account::Model> {
        find_account(self.db(), login).await
    }

    pub async fn account_by_id(&self, id: i64) -> Result<Option<account::Model>> {
        Ok(account::Entity::find_by_id(id).one(self.db()).await?)
    }

    pub async fn domain_of(&self, a: &account::Model) -> Result<Option<domain::Model>> {
        match a.domain_id {
            Some(id) => Ok(domain::Entity::find_by_id(id).one(self.db()).await?),
            None => Ok(None),
        }
    }

    /// The mailboxes of a domain, by login: what the webmaster's list shows of each.
    pub async fn list_users(&self, domain_name: &str) -> Result<Vec<AccountSummary>> {
        use sea_orm::{FromQueryResult, QuerySelect};
        /// The columns the list shows, not the whole account (a domain may have thousands).
        #[derive(FromQueryResult)]
        struct Listed {
            id: i64,
            login: String,
            first_name: String,
            last_name: String,
            role: String,
            quota_bytes: Option<i64>,
            used_bytes: i64,
            message_count: i64,
            suspended: bool,
            forward_to: String,
            responder_enabled: bool,
        }
        let d = find_domain(self.db(), domain_name).await?;
        use account::Column as A;
        // Two queries whatever the number of mailboxes: the accounts, with the message count
        // the delivery trigger keeps (m0017), and their aliases.
        let accounts = account::Entity::find()
            .select_only()
            .columns([A::Id, A::Login, A::FirstName, A::LastName, A::Role])
            .columns([A::QuotaBytes, A::UsedBytes, A::MessageCount, A::Suspended])
            .columns([A::ForwardTo, A::ResponderEnabled])
            .filter(A::DomainId.eq(d.id))
            .order_by_asc(A::Login)
            .into_model::<Listed>()
            .all(self.db())
            .await?;
        let mut aliases: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for x in alias::Entity::find()
            .filter(alias::Column::DomainId.eq(d.id))
            .order_by_asc(alias::Column::LocalPart)
            .all(self.db())
            .await?
        {
            aliases.entry(x.account_id).or_default().push(x.local_part);
        }
        Ok(accounts
            .into_iter()
            .map(|a| AccountSummary {
                messages: u64::try_from(a.message_count).unwrap_or(0),
                aliases: aliases.remove(&a.id).unwrap_or_default(),
                forwarding: !a.forward_to.is_empty(),
                responder: a.responder_enabled,
                login: a.login,
                first_name: a.first_name,
                last_name: a.last_name,
                role: a.role,
                quota_bytes: a.quota_bytes,
                used_bytes: a.used_bytes,
                suspended: a.suspended,
            })
            .collect())
    }

    /// Sets a password: the given one (checked against the policy) or a new random one, which
    /// is returned. Bumps the account's auth epoch, which signs out its web sessions.
    pub async fn set_password(
        &self,
        actor: &Actor,
        login: &str,
        chosen: Option<String>,
    ) -> Result<String> {
        let a = self.account(login).await?;
        let password = match chosen {
            Some(p) => {
                check_chosen_password(&p, &a.login)?;
                p
            }
            None => auth::generate_password(),
        };
        let hash = auth::hash_password(password.clone()).await;
        let txn = self.write_txn().await?;
        let a = find_account(&txn, &a.login).await?;
        let (id, domain_id, epoch, l) = (a.id, a.domain_id, a.auth_epoch, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.password_hash = Set(hash);
        m.auth_epoch = Set(epoch + 1);
        m.updated_at = Set(now());
        m.update(&txn).await?;
        super::sessions::delete_for_account(&txn, id).await?;
        // A reset link sent before no longer works (nor one in the mailbox).
        super::recovery::void_reset_tokens(&txn, id).await?;
        audit::record(
            &txn,
            actor,
            domain_id,
            "account.password",
            &l,
            &Change::PasswordChanged.to_detail(),
        )
        .await?;
        txn.commit().await?;
        self.note_credentials_changed();
        Ok(password)
    }

    /// The pen's "profile": names, quota (None: no limit) and whether logins are suspended,
    /// in one audited change that lists what changed. The login never changes.
    pub async fn update_profile(&self, actor: &Actor, login: &str, p: &Profile) -> Result<()> {
        check_quota_bytes(p.quota_bytes)?;
        let (first, last) = (p.first_name.trim(), p.last_name.trim());
        if let Some(problem) = check_names(first, last, false).into_iter().next() {
            return Err(problem.into());
        }
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        if let Some(domain_id) = a.domain_id
            && a.quota_bytes != p.quota_bytes
        {
            let d = super::entities::domain::Entity::find_by_id(domain_id)
                .one(&txn)
                .await?
                .ok_or_else(|| StoreError::DomainNotFound(domain_id.to_string()))?;
            let limits = super::domain_limits::limits_of(&d);
            if limits.any() {
                let used = super::domain_limits::usage_of(&txn, domain_id).await?;
                limits.check_quota(&used, Some(a.quota_bytes), p.quota_bytes)?;
            }
        }
        let change = Change::Profile {
            name: (a.first_name != first || a.last_name != last)
                .then(|| format!("{first} {last}").trim().to_string()),
            quota: (a.quota_bytes != p.quota_bytes).then_some(p.quota_bytes),
            suspended: (a.suspended != p.suspended).then_some(p.suspended),
        };
        if change
            == (Change::Profile {
                name: None,
                quota: None,
                suspended: None,
            })
        {
            return Ok(());
        }
        let (domain_id, l) = (a.domain_id, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.first_name = Set(first.to_string());
        m.last_name = Set(last.to_string());
        m.quota_bytes = Set(p.quota_bytes);
        m.suspended = Set(p.suspended);
        m.updated_at = Set(now());
        m.update(&txn).await?;
        audit::record(
            &txn,
            actor,
            domain_id,
            "account.update",
            &l,
            &change.to_detail(),
        )
        .await?;
        txn.commit().await?;
        self.note_credentials_changed();
        Ok(())
    }

    /// Suspends or restores an account's logins (web, POP3, submission); mail still arrives.
    pub async fn set_suspended(&self, actor: &Actor, login: &str, suspended: bool) -> Result<()> {
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        let (domain_id, l) = (a.domain_id, a.login.clone());
        let mut m: account::ActiveModel = a.into();
        m.suspended = Set(suspended);
        m.updated_at = Set(now());
        m.update(&txn).await?;
        let (what, detail) = if suspended {
            ("account.suspend", Change::Suspended)
        } else {
            ("account.resume", Change::Resumed)
        };
        audit::record(&txn, actor, domain_id, what, &l, &detail.to_detail()).await?;
        txn.commit().await?;
        self.note_credentials_changed();
        Ok(())
    }

    /// Makes a mailbox of a domain one of its webmasters, or takes the role back (issue 17):
    /// never from the last webmaster (postmaster and abuse reach them). Whether anything
    /// changed; audited when it did.
    pub async fn set_webmaster(&self, actor: &Actor, login: &str, webmaster: bool) -> Result<bool> {
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        self.lock_account(&txn, a.id).await?;
        let Some(domain_id) = a.domain_id else {
            return Err(StoreError::Profile(
                crate::domain::profile::ProfileProblem::NoMailbox(a.login),
            ));
        };
        let (from, to) = match webmaster {
            true => (Role::User, Role::Webmaster),
            false => (Role::Webmaster, Role::User),
        };
        if Role::parse(&a.role) != Some(from) {
            return Ok(false);
        }
        if !webmaster {
            let peers = account::Entity::find()
                .filter(account::Column::Role.eq(Role::Webmaster.as_str()))
                .filter(account::Column::DomainId.eq(domain_id))
                .count(&txn)
                .await?;
            if peers <= 1 {
                return Err(StoreError::LastWebmaster(a.login));
            }
        }
        let l = a.login.clone();
        let mut m: account::ActiveModel = a.into();
        m.role = Set(to.as_str().to_string());
        m.updated_at = Set(now());
        m.update(&txn).await?;
        audit::record(
            &txn,
            actor,
            Some(domain_id),
            "account.role",
            &l,
            to.as_str(),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Deletes an account with its aliases and mail. The last webmaster of a domain and the
    /// last server admin cannot be deleted.
    pub async fn delete_user(&self, actor: &Actor, login: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        let a = find_account(&txn, login).await?;
        let role = Role::parse(&a.role);
        if role == Some(Role::Webmaster) || role == Some(Role::ServerAdmin) {
            let peers = account::Entity::find()
                .filter(account::Column::Role.eq(a.role.as_str()))
                .filter(match a.domain_id {
                    Some(d) => account::Column::DomainId.eq(d),
                    None => account::Column::DomainId.is_null(),
                })
                .count(&txn)
                .await?;
            if peers <= 1 {
                return Err(StoreError::LastWebmaster(a.login));
            }
        }
        // A catch-all that named this mailbox is off.
        super::entities::domain::Entity::update_many()
            .col_expr(
                super::entities::domain::Column::CatchAllAccountId,
                sea_orm::sea_query::Expr::value(None::<i64>),
            )
            .filter(super::entities::domain::Column::CatchAllAccountId.eq(a.id))
            .exec(&txn)
            .await?;
        account::Entity::delete_by_id(a.id).exec(&txn).await?;
        audit::record(&txn, actor, a.domain_id, "account.delete", &a.login, "").await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks a login (either form: `pmartin` or `pmartin@domain`) and a password
    /// (case-sensitive). Always pays one argon2 verification, even for an unknown login.
    pub async fn authenticate(
        &self,
        typed_login: &str,
        password: &str,
    ) -> std::result::Result<account::Model, AuthFailure> {
        self.authenticate_cached(typed_login, password, None).await
    }

    /// `authenticate`, skipping argon2 when `cache` holds this password for the account's
    /// current hash (see `auth::cache`). The account is read from the database every time.
    pub async fn authenticate_cached(
        &self,
        typed_login: &str,
        password: &str,
        cache: Option<&AuthCache>,
    ) -> std::result::Result<account::Model, AuthFailure> {
        let found = match LoginInput::parse(typed_login) {
            Some(input) => match self.account_for_login_input(&input).await {
                Ok(a) => a,
                Err(e) => return Err(AuthFailure::Unavailable(e.to_string())),
            },
            None => None,
        };
        self.verify_found(found, password, cache).await
    }

    /// Verifies `password` for the account a login designated (None: none, then against the
    /// decoy, so that both take the same time), through `cache` when given.
    pub async fn verify_found(
        &self,
        found: Option<account::Model>,
        password: &str,
        cache: Option<&AuthCache>,
    ) -> std::result::Result<account::Model, AuthFailure> {
        let cached = match (&found, cache) {
            (Some(a), Some(c)) => c.hit(a.id, &a.password_hash, password),
            _ => false,
        };
        let ok = cached || {
            let hash = found.as_ref().map(|a| a.password_hash.clone());
            auth::verify_password(password.to_string(), hash)
                .await
                .map_err(|_| AuthFailure::Busy)?
        };
        if let (true, false, Some(a), Some(c)) = (ok, cached, &found, cache) {
            c.remember(a.id, &a.password_hash, password);
        }
        match found {
            Some(a) if ok && a.suspended => Err(AuthFailure::Suspended),
            Some(a) if ok => Ok(a),
            _ => Err(AuthFailure::BadCredentials),
        }
    }

    /// The account a typed login designates, if any: `pmartin`, or `pmartin@domain` when
    /// pmartin belongs to that domain.
    pub async fn account_for_login_input(
        &self,
        input: &LoginInput,
    ) -> Result<Option<account::Model>> {
        match &input.domain {
            None => Ok(account::Entity::find()
                .filter(account::Column::Login.eq(input.login.as_str()))
                .one(self.db())
                .await?),
            Some(name) => Ok(login_with_domain(self.db(), name, &input.login)
                .await?
                .map(|(a, _)| a)),
        }
    }

    /// Counts changes of passwords and suspensions made by this process.
    pub fn credentials_generation(&self) -> u64 {
        self.credentials_changed
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Within a write transaction, holds `account_id`'s row until it ends, so that a check
    /// and the write it allows (a cap, a count of tries) cannot interleave with another's: on
    /// PostgreSQL `SELECT … FOR UPDATE`; SQLite's write transaction is already exclusive.
    pub(crate) async fn lock_account(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        account_id: i64,
    ) -> Result<()> {
        use sea_orm::QuerySelect;
        let mut q = account::Entity::find_by_id(account_id);
        if self.engine() == super::Engine::Postgres {
            q = q.lock_exclusive();
        }
        q.one(txn).await?;
        Ok(())
    }

    pub(crate) fn note_credentials_changed(&self) {
        self.credentials_changed
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Whether the account still has the password (auth epoch) it signed in with and is not
    /// suspended (nor gone).
    pub async fn still_signed_in(&self, account_id: i64, epoch: i64) -> Result<bool> {
        use sea_orm::QuerySelect;
        let row: Option<(i64, bool)> = account::Entity::find_by_id(account_id)
            .select_only()
            .columns([account::Column::AuthEpoch, account::Column::Suspended])
            .into_tuple()
            .one(self.db())
            .await?;
        Ok(row.is_some_and(|(e, suspended)| e == epoch && !suspended))
    }

    pub async fn record_web_login(&self, account_id: i64) -> Result<()> {
        if let Some(a) = account::Entity::find_by_id(account_id)
            .one(self.db())
            .await?
        {
            let mut m: account::ActiveModel = a.into();
            m.last_web_login_at = Set(Some(now()));
            m.update(self.db()).await?;
        }
        Ok(())
    }
}

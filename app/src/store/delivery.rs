//! Receiving mail: the recipient check at RCPT time, and delivery after the end of data —
//! mailbox copies, forwards and relayed mail written in one transaction, with the transactions
//! of concurrent sessions batched into one commit (group commit), so durability costs one
//! fsync per batch rather than one per message.

use super::accounts::login_with_domain;
use super::entities::{account, alias, domain, message, relay_grant, responder_log};
use super::filter::policy_of;
use super::mail_writer::Held;
use super::maildrop::{keep_message, keep_statement, kept};
use super::{Result, Store, StoreError, now};
use crate::domain::delivery::{
    DeliveryPrefs, delivered_to_any, forward_list, over_quota, plan, plan_checked,
};
use crate::domain::filter;
use crate::domain::network::Network;
use crate::domain::quota_warning;
use crate::domain::recipient::{Recipient, classify_with};
use crate::domain::responder::{self, Responder};
use crate::domain::srs;
use crate::domain::{DomainName, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::net::IpAddr;
use tokio::sync::{mpsc, oneshot};

/// What RCPT TO gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RcptVerdict {
    /// Deliver to this account (a login, an alias, postmaster or abuse), as read at RCPT
    /// time: its delivery choices are applied as they were then, moments before the data.
    /// `delivered_to`: the address as named, when it was a sub-address (kept in the stored
    /// message's `Delivered-To`).
    Local {
        account: Box<account::Model>,
        delivered_to: Option<String>,
        /// The filter choices of the account's domain (the defaults without one), read with
        /// the account: RCPT needs them at once.
        policy: filter::Policy,
    },
    /// A foreign domain, and the client is inside this active relay grant.
    Relay { grant_id: i64 },
    /// A hosted domain, but nobody by that name.
    UnknownUser,
    /// A foreign domain and no grant: courrier is not an open relay.
    RelayDenied,
    /// A grant covers the client, but the envelope sender is not of the grant's domain.
    RelaySenderRefused { domain: String },
    /// The grant's hourly cap is used up.
    RelayCapReached,
    /// The mailbox is full.
    OverQuota,
    /// An SRS address this server made for a forward: the message (a bounce, usually) goes
    /// back to this original sender.
    SrsReturn { address: String },
    /// An SRS address of a hosted domain that this server did not make, or too old.
    BadSrs { reason: String },
    /// A foreign address, from a user signed in on the submission port.
    Outbound,
}

/// One accepted recipient of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboundRcpt {
    Local {
        account: Box<account::Model>,
        /// The sub-address it was named by, for `Delivered-To`.
        delivered_to: Option<String>,
    },
    Relay {
        address: String,
        grant_id: i64,
    },
    /// Back to the original sender of a forwarded message (`RcptVerdict::SrsReturn`).
    SrsReturn {
        address: String,
    },
    /// Sent by a signed-in user through submission, to a foreign address.
    Submitted {
        address: String,
        account_id: i64,
    },
}

/// Who is sending, for the recipient check of a foreign address.
#[derive(Clone, Copy, Debug)]
pub enum Sender<'a> {
    /// A client on SMTP-in: foreign addresses only inside a relay grant.
    Client { ip: IpAddr, mail_from: &'a str },
    /// A user signed in on the submission port: any address.
    Authenticated,
}

/// A message to deliver, as received.
#[derive(Clone, Debug)]
pub struct Inbound {
    /// Envelope sender; empty for `<>`.
    pub mail_from: String,
    pub recipients: Vec<InboundRcpt>,
    /// The trace fields courrier adds (`Received: …\r\n`), before the message.
    pub trace: Vec<u8>,
    pub message: Vec<u8>,
    pub subject: String,
    /// Marked as junk by the filter stage, and why: each mailbox gets it the way its user
    /// chose (`domain::filter::mark_junk`), and no automatic reply answers it.
    pub junk: Option<String>,
}

/// The hosted domain named `name` (canonical), or the one it is another name of (a domain
/// alias, issue 17): mail for `x@ancien-nom.fr` is mail for `x@votredomaine.com`.
pub(crate) async fn hosted_domain(
    c: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<domain::Model>> {
    use super::entities::domain_alias;
    use sea_orm::{Condition, sea_query::Query};
    // One query, either way (SMTP asks for every sender and recipient domain). A name is a
    // domain or a domain alias, never both (`ensure_name_free`); its own name first anyway.
    let aliased = Query::select()
        .column(domain_alias::Column::DomainId)
        .from(domain_alias::Entity)
        .and_where(domain_alias::Column::Name.eq(name))
        .to_owned();
    Ok(domain::Entity::find()
        .filter(
            Condition::any()
                .add(domain::Column::Name.eq(name))
                .add(domain::Column::Id.in_subquery(aliased)),
        )
        .order_by_desc(domain::Column::Name.eq(name))
        .one(c)
        .await?)
}

/// The audit action of one relayed message, and its target naming the grant.
const RELAY_USE: &str = "relay.use";
fn grant_target(id: i64) -> String {
    format!("grant {id}")
}

/// RCPT's answer for a mailbox that exists: accepted, unless the message would not fit.
fn local_verdict(
    a: account::Model,
    policy: filter::Policy,
    size: u64,
    delivered_to: Option<String>,
) -> RcptVerdict {
    if over_quota(a.used_bytes, a.quota_bytes, size as i64) {
        RcptVerdict::OverQuota
    } else {
        RcptVerdict::Local {
            account: Box::new(a),
            delivered_to,
            policy,
        }
    }
}

/// Who reads a domain's `postmaster` and `abuse` by default: its first webmaster, else (a
/// domain whose webmasters were all removed) the first server admin — RFC 5321 §4.5.1:
/// postmaster must always be accepted, and someone must read it.
async fn postmaster_of(
    c: &impl ConnectionTrait,
    domain_id: Option<i64>,
) -> Result<Option<account::Model>> {
    if let Some(id) = domain_id
        && let Some(w) = account::Entity::find()
            .filter(account::Column::DomainId.eq(id))
            .filter(account::Column::Role.eq(Role::Webmaster.as_str()))
            .order_by_asc(account::Column::Id)
            .one(c)
            .await?
    {
        return Ok(Some(w));
    }
    Ok(account::Entity::find()
        .filter(account::Column::Role.eq(Role::ServerAdmin.as_str()))
        .order_by_asc(account::Column::Id)
        .one(c)
        .await?)
}

impl Store {
    /// The account a local part of a hosted domain reaches: a login of that domain, else an
    /// alias, else (postmaster, abuse) the domain's webmaster.
    pub async fn resolve_local(
        &self,
        d: &domain::Model,
        local: &str,
    ) -> Result<Option<account::Model>> {
        let by_login = account::Entity::find()
            .filter(account::Column::DomainId.eq(d.id))
            .filter(account::Column::Login.eq(local))
            .one(self.db())
            .await?;
        if by_login.is_some() {
            return Ok(by_login);
        }
        if let Some(a) = alias::Entity::find()
            .filter(alias::Column::DomainId.eq(d.id))
            .filter(alias::Column::LocalPart.eq(local))
            .one(self.db())
            .await?
        {
            return Ok(account::Entity::find_by_id(a.account_id)
                .one(self.db())
                .await?);
        }
        if crate::domain::address::ALWAYS_PRESENT.contains(&local) {
            return postmaster_of(self.db(), Some(d.id)).await;
        }
        Ok(None)
    }

    /// The mailbox that receives `d`'s mail for unknown names, if its webmaster chose one.
    pub async fn catch_all_of(&self, d: &domain::Model) -> Result<Option<account::Model>> {
        let Some(id) = d.catch_all_account_id else {
            return Ok(None);
        };
        Ok(account::Entity::find_by_id(id)
            .filter(account::Column::DomainId.eq(d.id))
            .one(self.db())
            .await?)
    }

    /// The active relay grant (not revoked, not expired) that covers `ip`, if any.
    pub async fn active_grant(&self, ip: IpAddr) -> Result<Option<relay_grant::Model>> {
        let t = now();
        let grants = relay_grant::Entity::find()
            .filter(relay_grant::Column::RevokedAt.is_null())
            .all(self.db())
            .await?;
        Ok(grants.into_iter().find(|g| {
            g.expires_at.is_none_or(|e| e > t)
                && Network::parse(&g.network).is_ok_and(|n| n.contains(ip))
        }))
    }

    /// Relaying for `client`: only inside an active grant, only for senders of the grant's
    /// domain, at most the grant's hourly cap of recipients. Each accepted recipient is
    /// reserved here, in one write transaction (the grant's row locked on PostgreSQL, one
    /// writer at a time on SQLite), so that the recipients of one transaction and parallel
    /// sessions are all counted before the next one is decided.
    pub async fn relay_verdict(&self, client: IpAddr, mail_from: &str) -> Result<RcptVerdict> {
        use super::entities::relay_use;
        let Some(g) = self.active_grant(client).await? else {
            return Ok(RcptVerdict::RelayDenied);
        };
        let domain = domain::Entity::find_by_id(g.domain_id)
            .one(self.db())
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        let sender_domain = mail_from
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        if sender_domain != domain {
            return Ok(RcptVerdict::RelaySenderRefused { domain });
        }
        let t = now();
        let txn = self.write_txn().await?;
        let mut lock = relay_grant::Entity::find_by_id(g.id);
        if self.engine() == super::Engine::Postgres {
            lock = lock.lock_exclusive();
        }
        if lock.one(&txn).await?.is_none() {
            return Ok(RcptVerdict::RelayDenied);
        }
        relay_use::Entity::delete_many()
            .filter(relay_use::Column::GrantId.eq(g.id))
            .filter(relay_use::Column::At.lte(t - 3600))
            .exec(&txn)
            .await?;
        let used = relay_use::Entity::find()
            .filter(relay_use::Column::GrantId.eq(g.id))
            .count(&txn)
            .await?;
        if used >= u64::try_from(g.hourly_cap).unwrap_or(0) {
            return Ok(RcptVerdict::RelayCapReached);
        }
        relay_use::ActiveModel {
            grant_id: Set(g.id),
            at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(RcptVerdict::Relay { grant_id: g.id })
    }

    /// Decides RCPT TO (RFC 5321 §4.1.1.3) for `address` from `client` in a transaction from
    /// `mail_from`, for a message of `size` octets (0 when unknown).
    pub async fn check_recipient(
        &self,
        address: &str,
        mail_from: &str,
        client: IpAddr,
        size: u64,
    ) -> Result<RcptVerdict> {
        let sender = Sender::Client {
            ip: client,
            mail_from,
        };
        self.recipient_for(address, sender, size).await
    }

    /// RCPT TO on the submission port: local addresses as on SMTP-in, foreign ones go out.
    pub async fn check_submission_recipient(
        &self,
        address: &str,
        size: u64,
    ) -> Result<RcptVerdict> {
        self.recipient_for(address, Sender::Authenticated, size)
            .await
    }

    async fn recipient_for(
        &self,
        address: &str,
        sender: Sender<'_>,
        size: u64,
    ) -> Result<RcptVerdict> {
        let domain_name = match address.rsplit_once('@').map(|(_, d)| DomainName::parse(d)) {
            Some(Ok(d)) => Some(d),
            _ => None,
        };
        if let Some(d) = &domain_name
            && address
                .rsplit_once('@')
                .is_some_and(|(l, _)| srs::is_srs(l))
            && hosted_domain(self.db(), d.as_str()).await?.is_some()
        {
            return self.srs_verdict(address).await;
        }
        let separator = self.subaddress_separator();
        // The address as named, when it was a sub-address (kept in `Delivered-To`).
        let named = |sub: bool| sub.then(|| address.to_ascii_lowercase());
        // The common case in one query: a login of a hosted domain. An account found that
        // way proves the domain hosted, so `classify` with that assumption is exact.
        if let Some(d) = &domain_name
            && let (Recipient::Local { local, .. }, sub) =
                classify_with(address, |x| x == d.as_str(), separator)
            && let Some((a, home)) = login_with_domain(self.db(), d.as_str(), &local).await?
        {
            return Ok(local_verdict(a, policy_of(&home), size, named(sub)));
        }
        // Otherwise look the domain up; `classify` then decides with that one answer.
        let hosted = match &domain_name {
            Some(d) => hosted_domain(self.db(), d.as_str()).await?,
            None => None,
        };
        // Hosted under its own name or as another name of a hosted domain: the name asked.
        let (class, sub) = classify_with(
            address,
            |d| hosted.is_some() && domain_name.as_ref().is_some_and(|n| n.as_str() == d),
            separator,
        );
        let (target, caught) = match class {
            Recipient::Local { local, .. } => match &hosted {
                Some(d) => match self.resolve_local(d, &local).await? {
                    Some(a) => (Some(a), false),
                    // Nobody by that name: the domain's catch-all, if it has one.
                    None => (self.catch_all_of(d).await?, true),
                },
                None => (None, false),
            },
            Recipient::Postmaster => (self.server_postmaster().await?, false),
            Recipient::Foreign { .. } => {
                return match sender {
                    Sender::Client { ip, mail_from } => self.relay_verdict(ip, mail_from).await,
                    Sender::Authenticated => Ok(RcptVerdict::Outbound),
                };
            }
            Recipient::Invalid => return Ok(RcptVerdict::UnknownUser),
        };
        // Named by another name of the domain (a domain alias): kept in `Delivered-To` too.
        let via_alias =
            matches!((&hosted, &domain_name), (Some(h), Some(n)) if h.name != n.as_str());
        let Some(a) = target else {
            return Ok(RcptVerdict::UnknownUser);
        };
        // The domain looked up is the account's own, but for postmaster and abuse.
        let policy = match (&hosted, a.domain_id) {
            (Some(d), Some(id)) if d.id == id => policy_of(d),
            (_, Some(id)) => self.filter_policy(id).await?,
            (_, None) => filter::Policy::default(),
        };
        Ok(local_verdict(
            a,
            policy,
            size,
            named(sub || caught || via_alias),
        ))
    }

    /// RCPT of an SRS address of a hosted domain: back to the original sender if this server
    /// made the address (DESIGN §2.6, forwards).
    async fn srs_verdict(&self, address: &str) -> Result<RcptVerdict> {
        let secret = self.srs_secret().await?;
        Ok(match srs::reverse(secret, address, now()) {
            Ok(original) => RcptVerdict::SrsReturn { address: original },
            Err(e) => RcptVerdict::BadSrs {
                reason: e.to_string(),
            },
        })
    }

    /// The addresses a user may send from (submission): the login address, then the aliases,
    /// lower case.
    pub async fn addresses_of(&self, a: &account::Model) -> Result<Vec<String>> {
        own_addresses(self.db(), a).await
    }

    /// The addresses a user may send from on submission: [`Self::addresses_of`], then the
    /// same names under the domain's other names (domain aliases, issue 17).
    pub async fn sending_addresses(&self, a: &account::Model) -> Result<Vec<String>> {
        let mut own = own_addresses(self.db(), a).await?;
        let Some(domain_id) = a.domain_id else {
            return Ok(own);
        };
        let locals: Vec<String> = own
            .iter()
            .filter_map(|x| x.rsplit_once('@').map(|(l, _)| l.to_string()))
            .collect();
        for name in self.domain_aliases(domain_id).await? {
            own.extend(locals.iter().map(|l| format!("{l}@{name}")));
        }
        Ok(own)
    }

    /// The latest messages of a mailbox, newest first, without their bytes: (received at,
    /// envelope sender, subject, size) — "is my mail arriving?".
    pub async fn recent_messages(
        &self,
        account_id: i64,
        limit: u64,
    ) -> Result<Vec<(i64, String, String, i64)>> {
        use sea_orm::QuerySelect;
        Ok(message::Entity::find()
            .select_only()
            .column(message::Column::ReceivedAt)
            .column(message::Column::MailFrom)
            .column(message::Column::Subject)
            .column(message::Column::Size)
            .filter(message::Column::AccountId.eq(account_id))
            .order_by_desc(message::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// How many messages wait in a mailbox.
    pub async fn mailbox_count(&self, account_id: i64) -> Result<u64> {
        Ok(message::Entity::find()
            .filter(message::Column::AccountId.eq(account_id))
            .count(self.db())
            .await?)
    }

    /// The messages waiting in a mailbox, oldest first.
    pub async fn mailbox(&self, login: &str) -> Result<Vec<message::Model>> {
        let a = super::accounts::find_account(self.db(), login).await?;
        Ok(message::Entity::find()
            .filter(message::Column::AccountId.eq(a.id))
            .order_by_asc(message::Column::Id)
            .all(self.db())
            .await?)
    }

    /// Who reads mail for the bare `<postmaster>`: the webmaster of the oldest domain, else
    /// the first server admin.
    pub async fn server_postmaster(&self) -> Result<Option<account::Model>> {
        let d = domain::Entity::find()
            .order_by_asc(domain::Column::Id)
            .one(self.db())
            .await?;
        postmaster_of(self.db(), d.map(|d| d.id)).await
    }

    /// Delivers messages: committed (durable) when this returns Ok.
    pub async fn deliver_batch(&self, jobs: &[Inbound]) -> Result<()> {
        self.deliver_batch_as(None, jobs).await
    }

    /// [`Self::deliver_batch`]; `writer`: the connection slot of the one writer of mail
    /// (`Deliverer`), whose common delivery runs on a connection it keeps (`mail_writer`).
    async fn deliver_batch_as(
        &self,
        writer: Option<&mut Option<Held>>,
        jobs: &[Inbound],
    ) -> Result<()> {
        let t = now();
        // The common case — one message for one mailbox that simply keeps it — is a single
        // INSERT, atomic and durable on its own (used_bytes follows by trigger): no
        // transaction round trips to the database thread.
        if let [job] = jobs
            && let [
                InboundRcpt::Local {
                    account,
                    delivered_to,
                },
            ] = job.recipients.as_slice()
            && forward_list(&account.forward_to).is_empty()
            && !account.responder_enabled
            && !quota_level_changes(account, job)
        {
            let row = message_row(job, account, delivered_to.as_deref(), t);
            return match writer {
                Some(held) => self.keep_as_writer(held, row).await,
                None => keep_message(self.db(), row).await,
            };
        }
        // Forwards leave with an SRS envelope sender; the secret is read before the write
        // transaction (its first reading may write it).
        let forwards = jobs.iter().flat_map(|j| &j.recipients).any(
            |r| matches!(r, InboundRcpt::Local { account, .. } if !account.forward_to.is_empty()),
        );
        let secret = if forwards {
            self.srs_secret().await?.to_vec()
        } else {
            Vec::new()
        };
        let txn = self.write_txn().await?;
        lock_mailboxes_in_order(self, &txn, jobs).await?;
        for job in jobs {
            let mut seen = std::collections::HashSet::new();
            for rcpt in &job.recipients {
                match rcpt {
                    InboundRcpt::Local {
                        account: a,
                        delivered_to: named,
                    } => {
                        // One copy per account, however many of its addresses were named.
                        if !seen.insert(a.id) {
                            continue;
                        }
                        let prefs = DeliveryPrefs {
                            forward_to: forward_list(&a.forward_to),
                            keep_copy: a.forward_keep_copy,
                        };
                        let (decision, own) = if prefs.forward_to.is_empty() {
                            (plan(&prefs), Vec::new())
                        } else {
                            let own = own_addresses(&txn, a).await?;
                            let fields = crate::domain::headers::fields(&job.message);
                            let looped = delivered_to_any(&fields, &own);
                            if looped {
                                tracing::warn!(login = %a.login, "forward loop: kept instead");
                            }
                            (plan_checked(&prefs, looped), own)
                        };
                        if decision.keep {
                            // No reading the row (and its blob) back.
                            keep_message(&txn, message_row(job, a, named.as_deref(), t)).await?;
                            warn_quota(&txn, a.id).await?;
                        }
                        // The forwarded copy says where it went through (Delivered-To), so
                        // that it is recognised if it ever comes back.
                        let delivered_to = own
                            .first()
                            .map(|o| format!("Delivered-To: {o}\r\n"))
                            .unwrap_or_default();
                        // SRS in the forwarding user's domain, so that SPF at the destination
                        // sees a domain that lets this server send.
                        let from = match own.first().and_then(|o| o.rsplit_once('@')) {
                            Some((_, domain)) => srs::forward(&secret, &job.mail_from, domain, t),
                            None => job.mail_from.clone(),
                        };
                        for to in decision.forward_to {
                            let head = delivered_to.as_bytes();
                            queue(&txn, "forward", Some(a.id), &from, &to, head, job, t).await?;
                        }
                        // RFC 3834 §2: no answer to what looks like spam.
                        if a.responder_enabled && job.junk.is_none() {
                            auto_reply(&txn, a, job, t).await?;
                        }
                    }
                    InboundRcpt::Submitted {
                        address,
                        account_id,
                    } => {
                        let (from, id) = (&job.mail_from, Some(*account_id));
                        queue(&txn, "submission", id, from, address, b"", job, t).await?;
                    }
                    InboundRcpt::SrsReturn { address } => {
                        let from = &job.mail_from;
                        queue(&txn, "srs-return", None, from, address, b"", job, t).await?;
                    }
                    InboundRcpt::Relay { address, grant_id } => {
                        queue(&txn, "relay", None, &job.mail_from, address, b"", job, t).await?;
                        // Every use of a grant is in the change log (and counts for its cap).
                        let domain_id = relay_grant::Entity::find_by_id(*grant_id)
                            .one(&txn)
                            .await?
                            .map(|g| g.domain_id);
                        super::audit::record(
                            &txn,
                            &super::Actor::system(),
                            domain_id,
                            RELAY_USE,
                            &grant_target(*grant_id),
                            &crate::domain::change::Change::Relayed {
                                from: job.mail_from.clone(),
                                to: address.to_string(),
                            }
                            .to_detail(),
                        )
                        .await?;
                    }
                }
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// [`keep_message`] on the writer's own connection, taken on first use; a connection that
    /// failed is dropped (the next message takes another).
    async fn keep_as_writer(
        &self,
        held: &mut Option<Held>,
        row: message::ActiveModel,
    ) -> Result<()> {
        let (statement, account_id) = keep_statement(self.db().get_database_backend(), row)?;
        let mut connection = match held.take() {
            Some(c) => c,
            None => Held::take(self.db()).await?,
        };
        let rows = connection.execute(statement).await?;
        *held = Some(connection);
        kept(rows, account_id)
    }
}

/// A mailbox copy: Return-Path (RFC 5321 §4.4), the trace fields, the message as received.
/// The stored message for `a`: `Return-Path`, then `Delivered-To` when it was named by a
/// sub-address (the address as named: filters in the mail program can sort on it), the trace
/// fields and the message.
fn message_row(
    job: &Inbound,
    a: &account::Model,
    delivered_to: Option<&str>,
    t: i64,
) -> message::ActiveModel {
    let mut raw = Vec::with_capacity(stored_size(job) + 128);
    raw.extend_from_slice(return_path(job).as_bytes());
    if let Some(to) = delivered_to {
        raw.extend_from_slice(format!("Delivered-To: {to}\r\n").as_bytes());
    }
    raw.extend_from_slice(&job.trace);
    let mut subject = job.subject.clone();
    match &job.junk {
        None => raw.extend_from_slice(&job.message),
        Some(reason) => {
            let mode = super::filter::junk_mode_of(a);
            raw.extend_from_slice(&filter::mark_junk(&job.message, reason, mode));
            if mode == filter::JunkMode::Subject && !subject.starts_with("[SPAM]") {
                subject = format!("{}{subject}", filter::JUNK_PREFIX);
            }
        }
    }
    message::ActiveModel {
        account_id: Set(a.id),
        uidl: Set(crate::auth::random_hex(16)),
        size: Set(raw.len() as i64),
        received_at: Set(t),
        mail_from: Set(job.mail_from.clone()),
        subject: Set(subject),
        raw: Set(raw),
        ..Default::default()
    }
}

/// Whether keeping `job` may take the mailbox to another quota warning level (judged on the
/// account as read at RCPT; the transaction then reads it again).
fn quota_level_changes(a: &account::Model, job: &Inbound) -> bool {
    let size = stored_size(job) as i64;
    quota_warning::level(a.used_bytes.saturating_add(size), a.quota_bytes) != a.quota_warned
}

/// The Return-Path field a mailbox copy starts with (RFC 5321 §4.4).
fn return_path(job: &Inbound) -> String {
    format!("Return-Path: <{}>\r\n", job.mail_from)
}

/// The bytes a mailbox copy of `job` takes: Return-Path, trace fields, message.
fn stored_size(job: &Inbound) -> usize {
    return_path(job).len() + job.trace.len() + job.message.len()
}

/// After a message is kept: the account's quota warning level follows its usage, and reaching
/// a higher level (80 %, then 95 %) puts one warning in the mailbox.
async fn warn_quota(c: &impl ConnectionTrait, account_id: i64) -> Result<()> {
    let Some(a) = account::Entity::find_by_id(account_id).one(c).await? else {
        return Ok(());
    };
    let level = quota_warning::level(a.used_bytes, a.quota_bytes);
    if level == a.quota_warned {
        return Ok(());
    }
    let raised = level > a.quota_warned;
    let mut m: account::ActiveModel = a.clone().into();
    m.quota_warned = Set(level);
    m.update(c).await?;
    if !raised {
        return Ok(());
    }
    let Some(to) = own_addresses(c, &a).await?.into_iter().next() else {
        return Ok(());
    };
    let (used, quota) = (a.used_bytes, a.quota_bytes.unwrap_or_default());
    super::notices::put_in_mailbox(c, &a, |lang| quota_warning::text(lang, &to, used, quota))
        .await?;
    Ok(())
}

/// The user's addresses, lower case: the login address first, then the aliases.
pub(crate) async fn own_addresses(
    c: &impl ConnectionTrait,
    a: &account::Model,
) -> Result<Vec<String>> {
    let Some(domain_id) = a.domain_id else {
        return Ok(Vec::new());
    };
    let Some(d) = domain::Entity::find_by_id(domain_id).one(c).await? else {
        return Ok(Vec::new());
    };
    let mut own = vec![format!("{}@{}", a.login, d.name)];
    own.extend(
        alias::Entity::find()
            .filter(alias::Column::AccountId.eq(a.id))
            .all(c)
            .await?
            .into_iter()
            .map(|x| format!("{}@{}", x.local_part, d.name)),
    );
    Ok(own)
}

/// The automatic responder (RFC 3834), decided and queued in the delivery transaction; the
/// responder log keeps "once per sender per interval" across processes.
async fn auto_reply(
    c: &impl ConnectionTrait,
    a: &account::Model,
    job: &Inbound,
    t: i64,
) -> Result<()> {
    let r = Responder {
        enabled: a.responder_enabled,
        subject: a.responder_subject.clone(),
        body: a.responder_body.clone(),
        start: a.responder_start,
        end: a.responder_end,
        interval_days: a.responder_interval_days,
    };
    let sender = job.mail_from.trim().to_lowercase();
    let own = own_addresses(c, a).await?;
    let fields = crate::domain::headers::fields(&job.message);
    let last = responder_log::Entity::find()
        .filter(responder_log::Column::AccountId.eq(a.id))
        .filter(responder_log::Column::Sender.eq(sender.as_str()))
        .one(c)
        .await?;
    if responder::decide(
        &r,
        &sender,
        &fields,
        &own,
        last.as_ref().map(|l| l.replied_at),
        t,
    )
    .is_err()
    {
        return Ok(());
    }
    let Some(from) = own.first() else {
        return Ok(());
    };
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
    let id = format!("{}@{domain}", crate::auth::random_hex(12));
    let raw = responder::compose(&r, from, &sender, &fields, &id, t);
    let reply = Inbound {
        mail_from: String::new(),
        recipients: Vec::new(),
        trace: Vec::new(),
        message: raw,
        subject: String::new(),
        junk: None,
    };
    // RFC 3834 §3.3: the answer goes out with the null envelope sender.
    queue(c, "reply", Some(a.id), "", &sender, b"", &reply, t).await?;
    match last {
        Some(l) => {
            let mut m: responder_log::ActiveModel = l.into();
            m.replied_at = Set(t);
            m.update(c).await?;
        }
        None => {
            responder_log::ActiveModel {
                account_id: Set(a.id),
                sender: Set(sender),
                replied_at: Set(t),
                ..Default::default()
            }
            .insert(c)
            .await?;
        }
    }
    Ok(())
}

/// Queues `job` (its trace fields and message, after `head`) for one recipient.
#[allow(clippy::too_many_arguments)]
async fn queue(
    c: &impl ConnectionTrait,
    kind: &str,
    account_id: Option<i64>,
    mail_from: &str,
    rcpt_to: &str,
    head: &[u8],
    job: &Inbound,
    t: i64,
) -> Result<()> {
    let mut raw = Vec::with_capacity(head.len() + job.trace.len() + job.message.len());
    raw.extend_from_slice(head);
    raw.extend_from_slice(&job.trace);
    raw.extend_from_slice(&job.message);
    let message_id = crate::auth::random_hex(12);
    super::queue::enqueue(c, kind, account_id, mail_from, rcpt_to, &message_id, raw, t).await?;
    Ok(())
}

struct Pending {
    job: Inbound,
    done: oneshot::Sender<Result<()>>,
}

/// On PostgreSQL, takes the rows of every mailbox a batch writes to, in the order of their
/// ids, before the `used_bytes` trigger (m0002) takes them one by one in the batch's order.
/// Two processes committing batches for the same mailboxes then never wait on each other in
/// a cycle: without this, two instances on one database deadlocked (PostgreSQL breaks a
/// deadlock after `deadlock_timeout`, a second, and the batch was retried message by
/// message: 79 times in a 32-connection run, SMTP 12 times slower; issue 18). SQLite has
/// one writer at a time: nothing to order.
async fn lock_mailboxes_in_order(
    store: &Store,
    txn: &sea_orm::DatabaseTransaction,
    jobs: &[Inbound],
) -> Result<()> {
    if store.engine() != super::Engine::Postgres {
        return Ok(());
    }
    let mut ids: Vec<i64> = jobs
        .iter()
        .flat_map(|j| &j.recipients)
        .filter_map(|r| match r {
            InboundRcpt::Local { account, .. } => Some(account.id),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > 1 {
        use sea_orm::sea_query::LockType;
        account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::Id.is_in(ids))
            .order_by_asc(account::Column::Id)
            .lock(LockType::Update)
            .into_tuple::<i64>()
            .all(txn)
            .await?;
    }
    Ok(())
}

/// Group commit: a session whose message finds no commit in progress and none waiting commits
/// it itself (nothing to wait for, and no hand-over to another task and back: ~70 µs of a
/// 256 KiB message's 600 µs here); otherwise it hands the message to the writer task, which
/// commits whatever has gathered while the previous commit was being made durable, in one
/// transaction. Either way one commit of mail runs at a time (`turn`): the one writer of mail
/// that `store::wal` counts on.
#[derive(Clone, Debug)]
pub struct Deliverer {
    tx: mpsc::Sender<Pending>,
    /// The turn, and the writer's connection with it.
    turn: std::sync::Arc<tokio::sync::Mutex<Option<Held>>>,
    store: Store,
}

/// The most messages one transaction carries.
const MAX_BATCH: usize = 64;

impl Deliverer {
    pub fn start(store: Store) -> Deliverer {
        let (tx, mut rx) = mpsc::channel::<Pending>(1024);
        let turn = std::sync::Arc::new(tokio::sync::Mutex::new(None));
        let (writer, its_turn) = (store.clone(), turn.clone());
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                // Waits for a session committing its own message. The lock is fair: once this
                // task waits, sessions queue their messages behind it.
                let mut turn = its_turn.lock().await;
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                let (jobs, waiters): (Vec<Inbound>, Vec<_>) =
                    batch.into_iter().map(|p| (p.job, p.done)).unzip();
                match writer.deliver_batch_as(Some(&mut turn), &jobs).await {
                    Ok(()) => {
                        for w in waiters {
                            let _ = w.send(Ok(()));
                        }
                    }
                    // One bad message must not fail the others: retry them one by one.
                    Err(_) if jobs.len() > 1 => {
                        for (job, w) in jobs.iter().zip(waiters) {
                            let one = std::slice::from_ref(job);
                            let _ = w.send(writer.deliver_batch_as(Some(&mut turn), one).await);
                        }
                    }
                    Err(e) => {
                        for w in waiters {
                            let _ = w.send(Err(StoreError::Db(e.to_string())));
                        }
                    }
                }
                // Between two commits, so that the next one starts the log again.
                writer.finish_checkpoint_if_asked().await;
            }
        });
        Deliverer { tx, turn, store }
    }

    /// Delivers one message; Ok means it is committed to the database.
    pub async fn deliver(&self, job: Inbound) -> Result<()> {
        // Only when no message waits either: under load, messages keep going to the writer
        // task and its batches (a session committing alone would take the turn between two
        // batches for one message: 10 % fewer small messages per second with 32 connections).
        if self.tx.capacity() == self.tx.max_capacity()
            && let Ok(mut turn) = self.turn.try_lock()
        {
            let one = std::slice::from_ref(&job);
            let done = self.store.deliver_batch_as(Some(&mut turn), one).await;
            self.store.finish_checkpoint_if_asked().await;
            return done;
        }
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Pending { job, done })
            .await
            .map_err(|_| StoreError::Db("the delivery task has stopped".into()))?;
        wait.await
            .map_err(|_| StoreError::Db("the delivery task has stopped".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Actor;
    use crate::store::testing::on_both;
    use std::time::Duration;

    #[tokio::test]
    async fn messages_wait_for_the_commit_in_progress_and_a_free_turn_commits_at_once() {
        on_both(|s| async move {
            s.add_domain(&Actor::cli(), "turn.example", Some(("Pierre", "Martin")))
                .await
                .unwrap();
            let ip = "192.0.2.1".parse().unwrap();
            let verdict = s.check_recipient("pmartin@turn.example", "a@b.example", ip, 0);
            let Ok(RcptVerdict::Local { account, .. }) = verdict.await else {
                panic!("the webmaster receives mail");
            };
            let job = |n: usize| Inbound {
                mail_from: "a@b.example".into(),
                recipients: vec![InboundRcpt::Local {
                    account: account.clone(),
                    delivered_to: None,
                }],
                trace: Vec::new(),
                message: format!("Subject: {n}\r\n\r\nbody\r\n").into_bytes(),
                subject: n.to_string(),
                junk: None,
            };
            let deliverer = Deliverer::start(s.clone());
            // A commit in progress holds the turn: messages meanwhile go to the writer task,
            // which commits them together once the turn is free.
            let turn = deliverer.turn.clone().lock_owned().await;
            let waiting: Vec<_> = (0..5)
                .map(|n| {
                    let (d, j) = (deliverer.clone(), job(n));
                    tokio::spawn(async move { d.deliver(j).await })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(s.mailbox_count(account.id).await.unwrap(), 0);
            assert!(waiting.iter().all(|w| !w.is_finished()));
            drop(turn);
            for w in waiting {
                w.await.unwrap().unwrap();
            }
            assert_eq!(s.mailbox_count(account.id).await.unwrap(), 5);
            // The turn is free: the session commits its message itself, before deliver returns.
            deliverer.deliver(job(5)).await.unwrap();
            assert_eq!(s.mailbox_count(account.id).await.unwrap(), 6);
        })
        .await;
    }
}

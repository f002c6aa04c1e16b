use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// None for the server admin, who belongs to no domain.
    pub domain_id: Option<i64>,
    /// "admin", "webmaster" or "user" (see `domain::Role`).
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    /// Lower case, unique across the whole server (DESIGN §2 rule 1).
    #[sea_orm(unique)]
    pub login: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Bumped whenever the password changes: web sessions and auth caches made before are void.
    pub auth_epoch: i64,
    /// Bytes; None means no limit.
    pub quota_bytes: Option<i64>,
    /// Sum of the sizes of the messages kept in the mailbox.
    pub used_bytes: i64,
    /// How many messages the mailbox keeps (by the same trigger as `used_bytes`, m0017).
    pub message_count: i64,
    /// Suspension blocks logins (web, POP3, submission), not delivery.
    pub suspended: bool,
    /// Forward addresses, one per line; empty when no forward.
    pub forward_to: String,
    pub forward_keep_copy: bool,
    pub responder_enabled: bool,
    pub responder_subject: String,
    pub responder_body: String,
    pub responder_start: Option<i64>,
    pub responder_end: Option<i64>,
    pub responder_interval_days: i32,
    /// The language the user chose for the portals ("fr", "en"), if any.
    pub lang: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_web_login_at: Option<i64>,
    pub last_pop3_login_at: Option<i64>,
    /// The last quota warning mailed (0, 80 or 95 %); back to 0 when usage falls under 80 %.
    pub quota_warned: i32,
    /// How mail marked as junk reaches the mailbox: "subject" (`[SPAM]` before the subject)
    /// or "headers" (`domain::filter::JunkMode`).
    pub junk_mode: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// One import of an old mailbox into an account (issue 17; `domain::import`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The old server as shown: `pop3s://mail.ancien.fr:995`.
    pub source: String,
    pub host: String,
    pub port: i32,
    /// `domain::import::Security` word.
    pub security: String,
    /// The old mailbox's login.
    pub login: String,
    /// The old mailbox's password, only while the job is open; erased when it ends.
    pub secret: Option<String>,
    /// Delete each message on the old server once it is safely here.
    pub delete_after: bool,
    /// `domain::import::State` word.
    pub state: String,
    pub total_messages: i64,
    pub total_bytes: i64,
    pub done_messages: i64,
    pub done_bytes: i64,
    /// Messages not brought because they were here already (the same Message-ID).
    pub skipped: i64,
    /// Why it failed or stopped, in the words of the old server or of the rules.
    pub error: String,
    /// The process working on it, and until when (another takes it over after).
    pub holder: String,
    pub lease_until: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

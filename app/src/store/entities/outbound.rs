use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_queue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "forward", "reply", "relay", "bounce", "submission", "notice" (`store::notices`).
    pub kind: String,
    /// The account it was sent on behalf of, if any.
    pub account_id: Option<i64>,
    /// Envelope sender; empty for `<>` (auto-replies and bounces).
    pub mail_from: String,
    pub rcpt_to: String,
    /// Message-ID, so a retry is recognisable.
    pub message_id: String,
    pub raw: Vec<u8>,
    /// "queued", "sending", "sent", "failed".
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_answer: String,
    /// Which worker holds it, and until when (a claim that expires if a process dies).
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A password-reset link sent: only the SHA-256 of its token is kept, single use.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reset_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub account_id: i64,
    /// The address the link was sent to.
    pub sent_to: String,
    /// Sent by the webmaster from the pen page (not asked on the sign-in page).
    pub by_webmaster: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

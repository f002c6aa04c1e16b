use sea_orm::entity::prelude::*;

/// Sign-ins of an account at a door, successes and failures; the same sign-in repeated
/// (a mail program polling) is one row with a count (`store::sign_ins`). Kept 90 days.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_ins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// "web", "pop3" or "submission" (`domain::security::Door`).
    pub door: String,
    /// "password", "app_password", "code", "recovery_code" (`domain::security::Method`).
    pub method: String,
    /// The app password's name, when one was used.
    pub app_password: Option<String>,
    pub ip: String,
    pub ok: bool,
    pub first_at: i64,
    pub at: i64,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

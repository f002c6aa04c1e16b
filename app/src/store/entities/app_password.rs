use sea_orm::entity::prelude::*;

/// A password the server made for one mail program of an account, for POP3 and/or
/// submission only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_passwords")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// What the user called it ("Thunderbird à la maison").
    pub name: String,
    /// SHA-256 (hex) of the password: it is random and long, so a fast hash is enough and a
    /// login finds it by this value.
    #[sea_orm(unique)]
    pub secret_hash: String,
    pub pop3: bool,
    pub submission: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// "pop3" or "submission".
    pub last_used_door: Option<String>,
    pub last_used_ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

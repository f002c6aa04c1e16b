use sea_orm::entity::prelude::*;

/// Where a forgotten password's reset link goes: an address outside the domain, confirmed
/// by a code sent to it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_addresses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub address: String,
    /// None while the code sent to it is not typed back.
    pub confirmed_at: Option<i64>,
    /// SHA-256 (hex) of the confirmation code, while one is pending.
    pub code_hash: Option<String>,
    pub code_expires_at: Option<i64>,
    /// Wrong confirmation codes typed; the code dies after a few.
    pub code_tries: i32,
    /// Codes sent since `codes_since` (a day's window): capped, so that the address cannot
    /// be flooded nor the codes guessed code after code.
    pub codes_sent: i32,
    pub codes_since: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

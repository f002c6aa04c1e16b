use sea_orm::entity::prelude::*;

/// One of an account's single-use recovery codes (in place of a TOTP code), hashed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// SHA-256 (hex) of the code as normalised (`domain::second_factor::normalise_code`).
    pub code_hash: String,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

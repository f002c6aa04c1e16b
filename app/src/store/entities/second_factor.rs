use sea_orm::entity::prelude::*;

/// An account's confirmed TOTP secret (RFC 6238): its second factor for the web.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// The shared secret, base32 (RFC 4648, no padding) as the authenticator app holds it.
    pub secret: String,
    /// The last time step a code was accepted for: a code is never accepted twice
    /// (RFC 6238 §5.2).
    pub last_step: i64,
    /// Wrong codes typed since `failures_since` (after a right password): past a cap the
    /// second step is refused on every network for a while (`store::second_factor`).
    pub failures: i32,
    pub failures_since: Option<i64>,
    pub created_at: i64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("second_factor::Model")
            .field("account_id", &self.account_id)
            .field("secret", &"(redacted)")
            .field("last_step", &self.last_step)
            .finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: i64,
    /// Who: a login, "cli", or "system".
    pub actor: String,
    /// The client address, when the change came over the network.
    pub ip: Option<String>,
    pub domain_id: Option<i64>,
    /// Machine-readable verb, e.g. "user.add".
    pub action: String,
    /// What was acted on, e.g. the login or the domain name.
    pub target: String,
    /// Human-readable detail; never a password.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

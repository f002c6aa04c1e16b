use sea_orm::entity::prelude::*;

/// A TLS certificate obtained by ACME for a group of names. Its private key never leaves the
/// server (not in pages, logs or backups).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    /// "host" for the host's own name, else the hosted domain.
    #[sea_orm(primary_key, auto_increment = false)]
    pub label: String,
    /// The names it is for, comma-separated, the first one first.
    pub names: String,
    /// The chain, PEM; None until the first one is issued.
    pub cert_pem: Option<String>,
    pub key_pem: Option<String>,
    pub not_after: Option<i64>,
    pub issued_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    /// Why the last attempt failed (None once one succeeds).
    pub last_error: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("label", &self.label)
            .field("names", &self.names)
            .field("not_after", &self.not_after)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A DKIM signing key. Its private half never leaves the server (not in pages, logs or
/// mailbox backups).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dkim_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The hosted domain; None for the host's own name (its bounces).
    pub domain_id: Option<i64>,
    /// A DNS label, dated: `c20261130e` (Ed25519), `c20261130r` (RSA).
    pub selector: String,
    /// "ed25519" or "rsa".
    pub algorithm: String,
    /// PKCS#8 (Ed25519) or PKCS#1 (RSA) DER.
    pub private_der: Vec<u8>,
    /// What `p=` publishes: base64 of the raw Ed25519 key or of the RSA SubjectPublicKeyInfo.
    pub public_key: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimKey")
            .field("domain_id", &self.domain_id)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Certificates obtained by ACME, the HTTP-01 challenges being answered, and the ACME account
//! (issue 15). The ACME conversation itself is the server's (`server/src/acme.rs`); here they
//! are kept, shared by every process on the database.

use super::entities::{acme_challenge, certificate};
use super::{Result, Store};
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const ACME_ACCOUNT: &str = "acme_account";

/// A certificate just issued.
#[derive(Clone)]
pub struct Issued {
    pub names: Vec<String>,
    pub cert_pem: String,
    pub key_pem: String,
    pub not_after: i64,
}

impl Store {
    /// Every certificate kept, by label.
    pub async fn certificates(&self) -> Result<Vec<certificate::Model>> {
        Ok(certificate::Entity::find()
            .order_by_asc(certificate::Column::Label)
            .all(self.db())
            .await?)
    }

    /// Keeps a certificate just issued for `label`.
    pub async fn keep_certificate(&self, label: &str, issued: &Issued, at: i64) -> Result<()> {
        let row = certificate::ActiveModel {
            label: Set(label.to_string()),
            names: Set(issued.names.join(",")),
            cert_pem: Set(Some(issued.cert_pem.clone())),
            key_pem: Set(Some(issued.key_pem.clone())),
            not_after: Set(Some(issued.not_after)),
            issued_at: Set(Some(at)),
            last_attempt_at: Set(Some(at)),
            last_error: Set(None),
        };
        certificate::Entity::insert(row)
            .on_conflict(
                OnConflict::column(certificate::Column::Label)
                    .update_columns([
                        certificate::Column::Names,
                        certificate::Column::CertPem,
                        certificate::Column::KeyPem,
                        certificate::Column::NotAfter,
                        certificate::Column::IssuedAt,
                        certificate::Column::LastAttemptAt,
                        certificate::Column::LastError,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// Notes a failed attempt for `label` (its names, when it has no certificate yet); the
    /// certificate it has, if any, stays.
    pub async fn certificate_failed(
        &self,
        label: &str,
        names: &[String],
        error: &str,
        at: i64,
    ) -> Result<()> {
        let row = certificate::ActiveModel {
            label: Set(label.to_string()),
            names: Set(names.join(",")),
            cert_pem: Set(None),
            key_pem: Set(None),
            not_after: Set(None),
            issued_at: Set(None),
            last_attempt_at: Set(Some(at)),
            last_error: Set(Some(error.chars().take(500).collect())),
        };
        certificate::Entity::insert(row)
            .on_conflict(
                OnConflict::column(certificate::Column::Label)
                    .update_columns([
                        certificate::Column::LastAttemptAt,
                        certificate::Column::LastError,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// Removes the certificates of labels no longer wanted (a domain deleted).
    pub async fn drop_certificates_except(&self, labels: &[String]) -> Result<()> {
        certificate::Entity::delete_many()
            .filter(certificate::Column::Label.is_not_in(labels.to_vec()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Answers an HTTP-01 challenge from now on.
    pub async fn add_acme_challenge(&self, token: &str, key_authorization: &str) -> Result<()> {
        acme_challenge::Entity::insert(acme_challenge::ActiveModel {
            token: Set(token.to_string()),
            key_authorization: Set(key_authorization.to_string()),
            created_at: Set(super::now()),
        })
        .on_conflict(
            OnConflict::column(acme_challenge::Column::Token)
                .update_column(acme_challenge::Column::KeyAuthorization)
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }

    /// The answer to the challenge `token`, if it is being answered.
    pub async fn acme_challenge(&self, token: &str) -> Result<Option<String>> {
        Ok(acme_challenge::Entity::find_by_id(token.to_string())
            .one(self.db())
            .await?
            .map(|c| c.key_authorization))
    }

    /// Stops answering a challenge (and any older than an hour, left by a process that died).
    pub async fn remove_acme_challenge(&self, token: &str) -> Result<()> {
        acme_challenge::Entity::delete_many()
            .filter(
                acme_challenge::Column::Token
                    .eq(token)
                    .or(acme_challenge::Column::CreatedAt.lt(super::now() - 3600)),
            )
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The ACME account's credentials (JSON) for a directory, if one was made.
    pub async fn acme_account(&self, directory: &str) -> Result<Option<String>> {
        let name = format!("{ACME_ACCOUNT}:{directory}");
        Ok(super::entities::server_setting::Entity::find_by_id(name)
            .one(self.db())
            .await?
            .map(|s| s.value))
    }

    /// Keeps the ACME account's credentials for a directory.
    pub async fn keep_acme_account(&self, directory: &str, credentials: &str) -> Result<()> {
        use super::entities::server_setting;
        server_setting::Entity::insert(server_setting::ActiveModel {
            name: Set(format!("{ACME_ACCOUNT}:{directory}")),
            value: Set(credentials.to_string()),
        })
        .on_conflict(
            OnConflict::column(server_setting::Column::Name)
                .update_column(server_setting::Column::Value)
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }
}

//! Server-wide settings in the database, shared by every process using it.

use super::entities::server_setting;
use super::{Result, Store, StoreError};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};

const SRS_SECRET: &str = "srs_secret";

impl Store {
    /// The value of setting `name`, created as `initial` by whichever process asks first.
    async fn setting_or_init(&self, name: &str, initial: String) -> Result<String> {
        server_setting::Entity::insert(server_setting::ActiveModel {
            name: Set(name.to_string()),
            value: Set(initial),
        })
        .on_conflict(
            OnConflict::column(server_setting::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        server_setting::Entity::find_by_id(name.to_string())
            .one(self.db())
            .await?
            .map(|s| s.value)
            .ok_or_else(|| StoreError::Db(format!("setting {name} vanished")))
    }

    /// The key of this server's SRS hashes (`domain::srs`): made once, at random, and kept in
    /// the database so every process (and every restart) recognises the addresses it made.
    pub async fn srs_secret(&self) -> Result<&[u8]> {
        let secret = self
            .srs_secret
            .get_or_try_init(|| async {
                let hex = self
                    .setting_or_init(SRS_SECRET, crate::auth::random_hex(32))
                    .await?;
                Ok::<_, StoreError>(hex.into_bytes())
            })
            .await?;
        Ok(secret.as_slice())
    }
}

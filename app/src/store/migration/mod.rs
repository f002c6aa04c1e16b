//! Schema migrations (sea-orm-migration). Append new migrations; never edit a released one.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_used_bytes_trigger;
mod m0003_maildrop_index;
mod m0004_server_settings;
mod m0005_backups_and_quota_warnings;
mod m0006_relay_uses;
mod m0007_backup_chunks;
mod m0008_filter;
mod m0009_dkim_keys;
mod m0010_certificates;
mod m0011_mta_sts_policies;
mod m0012_account_security;
mod m0013_catch_all;
mod m0014_domain_aliases_and_limits;
mod m0015_imports;
mod m0016_job_turns;
mod m0017_message_count;
mod m0018_lz4_messages;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_used_bytes_trigger::Migration),
            Box::new(m0003_maildrop_index::Migration),
            Box::new(m0004_server_settings::Migration),
            Box::new(m0005_backups_and_quota_warnings::Migration),
            Box::new(m0006_relay_uses::Migration),
            Box::new(m0007_backup_chunks::Migration),
            Box::new(m0008_filter::Migration),
            Box::new(m0009_dkim_keys::Migration),
            Box::new(m0010_certificates::Migration),
            Box::new(m0011_mta_sts_policies::Migration),
            Box::new(m0012_account_security::Migration),
            Box::new(m0013_catch_all::Migration),
            Box::new(m0014_domain_aliases_and_limits::Migration),
            Box::new(m0015_imports::Migration),
            Box::new(m0016_job_turns::Migration),
            Box::new(m0017_message_count::Migration),
            Box::new(m0018_lz4_messages::Migration),
        ]
    }
}

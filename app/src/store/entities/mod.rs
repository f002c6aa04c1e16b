//! SeaORM entities, one per table. Times are Unix seconds (`i64`), the same on both engines.

pub mod account;
pub mod acme_challenge;
pub mod alias;
pub mod app_password;
pub mod audit_log;
pub mod backup;
pub mod backup_chunk;
pub mod certificate;
pub mod dkim_key;
pub mod domain;
pub mod domain_alias;
pub mod filter_log;
pub mod maildrop_lock;
pub mod message;
pub mod mta_sts_policy;
pub mod outbound;
pub mod recovery_address;
pub mod recovery_code;
pub mod relay_grant;
pub mod relay_use;
pub mod reset_token;
pub mod responder_log;
pub mod second_factor;
pub mod server_setting;
pub mod sign_in;
pub mod web_session;

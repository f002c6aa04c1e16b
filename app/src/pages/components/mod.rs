//! Widgets shared by the portals.

pub mod client_settings;
pub mod dns_records;
pub mod field;
pub mod filter_log;
pub mod limits;
pub mod loaded;
pub mod log;
pub mod mail_settings;
pub mod notice;
pub mod security_lists;
pub mod usage;

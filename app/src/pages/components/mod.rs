//! Widgets shared by the portals.

pub mod log;
pub mod mail_settings;
pub mod notice;

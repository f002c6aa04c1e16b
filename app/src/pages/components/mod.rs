//! Widgets shared by the portals.

pub mod mail_settings;
pub mod notice;

//! `/siteadmin` (also `/manage`): the webmaster's portal — the list of mailboxes, "add user"
//! with its welcome sheet, the pen and the blue mailbox of each user.

mod add;
mod delete;
mod dns;
mod filter;
mod list;
mod log;
mod mail;
mod security;
pub(crate) mod user;
mod welcome;

pub use add::AddUserPage;
pub use delete::DeletePage;
pub use dns::DnsPage;
pub use filter::FilterPage;
pub use list::SiteAdminPage;
pub use log::LogPageView;
pub use mail::MailPage;
pub use security::UserSecurityPage;
pub use user::UserPage;
pub use welcome::{WelcomePage, WelcomePrintPage};

use crate::domain::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Who may open the webmaster's pages.
pub const MANAGERS: &[Role] = &[Role::Webmaster, Role::ServerAdmin];

/// The `?domain=` the server admin names (a webmaster needs none).
pub fn domain_param() -> Option<String> {
    use_query_map()
        .read_untracked()
        .get("domain")
        .filter(|d| !d.is_empty())
}

/// A link inside the portal, keeping the server admin's `?domain=`.
pub fn portal_href(path: &str, domain: &Option<String>) -> String {
    match domain {
        Some(d) => format!("{path}?domain={d}"),
        None => path.to_string(),
    }
}

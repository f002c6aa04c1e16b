//! `/admin`: the host's pages — domains, relay grants, the outbound queue, the change log.

mod dns;
mod domain_settings;
mod domains;
mod log;
mod queue;
mod relay;

pub use dns::HostDnsPage;
pub use domain_settings::DomainSettingsPage;
pub use domains::{AdminHome, DeleteDomainPage};
pub use log::AdminLogPage;
pub use queue::QueuePage;
pub use relay::RelayPage;

use crate::domain::Role;
use crate::i18n::Lang;
use leptos::prelude::*;

pub const ADMINS: &[Role] = &[Role::ServerAdmin];

/// The sections of `/admin`, the current one marked for assistive technology.
#[component]
pub fn AdminNav(current: &'static str, lang: Lang) -> impl IntoView {
    let items = [
        ("/admin", lang.pick("Domaines", "Domains")),
        ("/admin/relay", lang.pick("Relais", "Relay")),
        ("/admin/queue", lang.pick("File d'envoi", "Queue")),
        ("/admin/log", lang.pick("Journal", "Log")),
        ("/admin/dns", "DNS"),
    ];
    view! {
        <nav class="tabs" aria-label=lang.pick("Administration du serveur", "Server administration")>
            {items
                .into_iter()
                .map(|(href, label)| {
                    let here = href == current;
                    view! {
                        <a href=href aria-current=if here { Some("page") } else { None }>
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

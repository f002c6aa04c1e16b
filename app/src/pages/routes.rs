//! Every page of the site in one list: its address, the component that renders it, and who may
//! open it. The router is made from this list, and the tests walk it (every page that needs a
//! signed-in visitor sends a signed-out one to `/login?next=…`).

use super::{
    admin, backups, confirm, help, home, import, login, login_code, login_recovery, not_found,
    personal, siteadmin,
};
use leptos::prelude::*;
use leptos_router::{
    SsrMode,
    components::{Route, Routes},
    path,
};

/// Who may open a page (the page's `Signed` guard and the server functions enforce it; this
/// says it for the tests and the reader).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Open,
    /// A signed-in person (which roles is the page's own rule).
    SignedIn,
    /// Someone half-way through signing in (the password was right, the second step is
    /// next); anyone else is sent back to `/login`.
    SigningIn,
}

/// One page: its path as the router reads it (`:name` for a part of the address).
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub path: &'static str,
    pub access: Access,
}

/// Writes `PAGES` and the router's `<Routes>` from one list. Every page renders on the server
/// with its data (`SsrMode::Async`): the portals are plain HTML with islands.
macro_rules! pages {
    ($($path:tt => $view:path, $access:ident;)*) => {
        /// Every page of the site.
        pub const PAGES: &[Page] = &[$(Page { path: $path, access: Access::$access }),*];

        /// The router's routes, one per page of `PAGES`.
        #[component]
        pub fn PageRoutes() -> impl IntoView {
            view! {
                <Routes fallback=not_found::NotFound>
                    $(<Route path=path!($path) view=$view ssr=SsrMode::Async />)*
                </Routes>
            }
        }
    };
}

pages! {
    "/" => home::Home, SignedIn;
    "/login" => login::LoginPage, Open;
    "/login/code" => login_code::LoginCodePage, SigningIn;
    "/login/enrol" => login_code::LoginEnrolPage, SigningIn;
    "/login/forgot" => login_recovery::ForgotPage, Open;
    "/login/reset" => login_recovery::ResetPage, Open;
    "/confirm" => confirm::ConfirmPage, Open;
    "/help" => help::HelpPage, Open;
    "/personal" => personal::PersonalPage, SignedIn;
    "/personal/settings" => personal::SettingsPage, SignedIn;
    "/personal/security" => personal::SecurityPage, SignedIn;
    "/personal/backups" => backups::PersonalBackupsPage, SignedIn;
    "/personal/import" => import::PersonalImportPage, SignedIn;
    "/personal/backups/:id" => backups::PersonalRestorePage, SignedIn;
    "/admin" => admin::AdminHome, SignedIn;
    "/admin/relay" => admin::RelayPage, SignedIn;
    "/admin/queue" => admin::QueuePage, SignedIn;
    "/admin/log" => admin::AdminLogPage, SignedIn;
    "/admin/dns" => admin::HostDnsPage, SignedIn;
    "/admin/domain/:name" => admin::DomainSettingsPage, SignedIn;
    "/admin/domain/:name/delete" => admin::DeleteDomainPage, SignedIn;
    "/siteadmin" => siteadmin::SiteAdminPage, SignedIn;
    "/manage" => siteadmin::SiteAdminPage, SignedIn;
    "/siteadmin/add" => siteadmin::AddUserPage, SignedIn;
    "/siteadmin/log" => siteadmin::LogPageView, SignedIn;
    "/siteadmin/filter" => siteadmin::FilterPage, SignedIn;
    "/siteadmin/dns" => siteadmin::DnsPage, SignedIn;
    "/siteadmin/user/:login" => siteadmin::UserPage, SignedIn;
    "/siteadmin/user/:login/mail" => siteadmin::MailPage, SignedIn;
    "/siteadmin/user/:login/backups" => backups::UserBackupsPage, SignedIn;
    "/siteadmin/user/:login/backups/:id" => backups::UserRestorePage, SignedIn;
    "/siteadmin/user/:login/delete" => siteadmin::DeletePage, SignedIn;
    "/siteadmin/user/:login/security" => siteadmin::UserSecurityPage, SignedIn;
    "/siteadmin/user/:login/import" => import::UserImportPage, SignedIn;
    "/siteadmin/welcome/:login" => siteadmin::WelcomePage, SignedIn;
    "/siteadmin/welcome/:login/print" => siteadmin::WelcomePrintPage, SignedIn;
}

//! The blue mailbox: "forward email to" and the automatic responder of one user.

use super::user::login_param;
use super::{MANAGERS, domain_param, portal_href};
use crate::api::mailbox::load_mail_settings;
use crate::model::MailSettings;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::mail_settings::{ForwardForm, ResponderForm};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MailPage() -> impl IntoView {
    let data = Resource::new(login_param, load_mail_settings);
    view! { <Signed roles=MANAGERS render=move |_| view! { <MailView data /> } /> }
}

#[component]
fn MailView(data: Resource<Result<MailSettings, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    let domain = domain_param();
    view! {
        <Title text=lang.pick("Renvoi et répondeur — courrier", "Forward and responder — courrier") />
        <Loaded
            data
            render=move |s: MailSettings| {
                let back = portal_href(&format!("/siteadmin/user/{}", s.login), &domain);
                view! {
                    <section class="card" aria-labelledby="mail-title">
                        <a class="back" href=back>
                            {lang.pick("← Utilisateur", "← User")}
                        </a>
                        <h1 id="mail-title">
                            <img src="/icons/mailbox.svg" alt="" width="28" height="28" class="title-icon" />
                            {s.display_name.clone()}
                        </h1>
                        <p class="login">{s.address.clone()}</p>
                    </section>
                    <ForwardForm s=s.clone() lang />
                    <ResponderForm s lang />
                }
            }
        />
    }
}

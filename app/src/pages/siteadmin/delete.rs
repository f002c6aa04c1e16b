//! Deleting a user, after a confirmation that says what happens to their mail.

use super::user::login_param;
use super::{MANAGERS, domain_param, portal_href};
use crate::api::general_error;
use crate::api::siteadmin::{DeleteUser, user_detail};
use crate::i18n::{Lang, format_size};
use crate::model::UserDetail;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DeletePage() -> impl IntoView {
    let data = Resource::new(login_param, user_detail);
    view! { <Signed roles=MANAGERS render=move |_| view! { <DeleteView data /> } /> }
}

#[component]
fn DeleteView(data: Resource<Result<UserDetail, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Supprimer un utilisateur — courrier", "Delete a user — courrier") />
        <Loaded data render=move |u| view! { <Confirm u lang /> } />
    }
}

#[component]
fn Confirm(u: UserDetail, lang: Lang) -> impl IntoView {
    let domain = domain_param();
    let action = form_action::<DeleteUser>();
    let waiting = crate::i18n::messages(u.messages, lang);
    let size = format_size(u.used_bytes, lang);
    let addresses = std::iter::once(u.address.clone())
        .chain(u.aliases.iter().map(|a| format!("{a}@…")))
        .collect::<Vec<_>>()
        .join(", ");
    let consequences = crate::tr!(
        lang,
        "Tout son courrier en attente ({waiting}, {size}) sera effacé définitivement, ses adresses ({addresses}) ne recevront plus rien : le courrier qui leur sera envoyé sera refusé. Son login et son mot de passe cesseront de fonctionner partout.",
        "All their waiting mail ({waiting}, {size}) will be erased for good, and their addresses ({addresses}) will receive nothing more: mail sent to them will be refused. Their login and password will stop working everywhere.",
    );
    let back = portal_href(&format!("/siteadmin/user/{}", u.login), &domain);
    view! {
        <section class="card danger" aria-labelledby="confirm-title">
            <h1 id="confirm-title">
                {crate::tr!(lang, "Supprimer {} ?", "Delete {}?", u.display_name())}
            </h1>
            <p>{consequences}</p>
            <p class="hint">
                {lang.pick(
                    "Conseil : la personne peut d'abord faire une sauvegarde de son courrier depuis son espace personnel.",
                    "Tip: the person can first make a backup of their mail from their personal page.",
                )}
            </p>
            <ActionForm action=action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=u.login.clone() />
                {domain.clone().map(|d| view! { <input type="hidden" name="domain" value=d /> })}
                <p class="error" role="alert">{move || general_error(action.value().get())}</p>
                <div class="button-row">
                    <button type="submit" class="button danger">
                        {lang.pick("Supprimer définitivement", "Delete for good")}
                    </button>
                    <a class="button" href=back>{lang.pick("Annuler", "Cancel")}</a>
                </div>
            </ActionForm>
        </section>
    }
}

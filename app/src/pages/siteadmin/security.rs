//! `/siteadmin/user/:login/security` (issue 16): a user's security as their webmaster sees
//! it — whether two-step sign-in is on (and the way to remove it when the phone is lost),
//! their app passwords, web sessions and last sign-ins. No secret is ever shown here.

use super::user::login_param;
use super::{MANAGERS, domain_param, portal_href};
use crate::api::security::{RemoveUserTwoFactor, SendUserResetLink, user_security};
use crate::i18n::{Lang, format_datetime};
use crate::model::SecurityView;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, form_action, form_id};
use crate::pages::components::security_lists::{AppPasswordFacts, SessionList, SignInList};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UserSecurityPage() -> impl IntoView {
    let data = Resource::new(login_param, user_security);
    let lang = current_lang();
    view! {
        <Signed
            roles=MANAGERS
            render=move |_| {
                view! {
                    <Title text=lang.pick("Sécurité d'un utilisateur — courrier", "A user's security — courrier") />
                    <Loaded data render=move |v| view! { <UserSecurity v lang /> } />
                }
            }
        />
    }
}

#[component]
fn UserSecurity(v: SecurityView, lang: Lang) -> impl IntoView {
    let domain = domain_param();
    let remove = form_action::<RemoveUserTwoFactor>();
    let reset = form_action::<SendUserResetLink>();
    let state = match v.two_factor_since {
        Some(t) => crate::tr!(
            lang,
            "Validation en deux étapes activée depuis le {} ; {} codes de secours restants.",
            "Two-step sign-in on since {}; {} recovery codes left.",
            format_datetime(t, lang),
            v.recovery_codes_left
        ),
        None => lang
            .pick(
                "Validation en deux étapes désactivée.",
                "Two-step sign-in off.",
            )
            .to_string(),
    };
    let login = v.login.clone();
    view! {
        <section class="card" aria-labelledby="usec-title">
            <a class="back" href=portal_href(&format!("/siteadmin/user/{}", v.login), &domain)>
                {lang.pick("← L'utilisateur", "← The user")}
            </a>
            <h1 id="usec-title">{crate::tr!(lang, "Sécurité de {}", "Security of {}", v.login)}</h1>
            <p>{state}</p>
            {v.two_factor_since.is_some().then(|| view! {
                <ActionForm action=remove attr:id=form_id(&remove) attr:class="form">
                    <input type="hidden" name="login" value=login.clone() />
                    <p class="hint">
                        {lang.pick(
                            "Téléphone perdu et plus de code de secours : retirez-la, l'utilisateur entrera avec son seul mot de passe et en sera averti par un message.",
                            "Phone lost and no recovery code left: remove it; the user signs in with the password alone and is told by a message.",
                        )}
                    </p>
                    <FormNotice result=remove.value() lang />
                    <button type="submit" class="button danger">
                        {lang.pick("Retirer la validation en deux étapes", "Remove two-step sign-in")}
                    </button>
                </ActionForm>
            })}
        </section>
        <section class="card" aria-labelledby="ureset-title">
            <h2 id="ureset-title">{lang.pick("Mot de passe oublié", "Forgotten password")}</h2>
            <p class="hint">
                {match &v.recovery_address {
                    Some((a, true)) => crate::tr!(
                        lang,
                        "Plutôt que de lui lire un nouveau mot de passe, envoyez-lui un lien : il partira vers son adresse de secours ({a}).",
                        "Rather than reading a new password out, send a link: it goes to their recovery address ({a})."
                    ),
                    _ => lang
                        .pick(
                            "Plutôt que de lui lire un nouveau mot de passe, envoyez-lui un lien : sans adresse de secours, il est déposé dans sa boîte (son logiciel de messagerie le relèvera).",
                            "Rather than reading a new password out, send a link: without a recovery address it is put in their mailbox (their mail program will collect it).",
                        )
                        .to_string(),
                }}
            </p>
            <ActionForm action=reset attr:id=form_id(&reset) attr:class="form">
                <input type="hidden" name="login" value=v.login.clone() />
                <FormNotice result=reset.value() lang />
                <button type="submit" class="button">{lang.pick("Envoyer un lien de réinitialisation", "Send a reset link")}</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="uapps-title">
            <h2 id="uapps-title">{lang.pick("Mots de passe d'application", "App passwords")}</h2>
            {if v.app_passwords.is_empty() {
                view! { <p class="muted">{lang.pick("Aucun.", "None.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="log">
                        {v.app_passwords.clone().into_iter().map(|p| view! { <li><AppPasswordFacts p lang /></li> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="card" aria-labelledby="usessions-title">
            <h2 id="usessions-title">{lang.pick("Sessions ouvertes", "Open sessions")}</h2>
            <SessionList rows=v.sessions.clone() lang owner=false />
        </section>
        <section class="card" aria-labelledby="usignins-title">
            <h2 id="usignins-title">{lang.pick("Dernières connexions", "Last sign-ins")}</h2>
            <SignInList rows=v.sign_ins.clone() lang />
        </section>
    }
}

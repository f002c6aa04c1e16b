//! After "add user": the generated password, shown this once, and a printable welcome sheet
//! with the new user's connection settings (the seed's three parameters).

use super::{MANAGERS, domain_param, portal_href};
use crate::api::siteadmin::welcome_sheet;
use crate::i18n::Lang;
use crate::model::Welcome;
use crate::pages::components::client_settings::{SettingsList, SpelledPassword};
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::PrintButton;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn WelcomePage() -> impl IntoView {
    welcome(false)
}

/// The welcome sheet alone, to print (without JavaScript too): the password is on it in the
/// ten minutes after it was shown.
#[component]
pub fn WelcomePrintPage() -> impl IntoView {
    welcome(true)
}

fn welcome(print: bool) -> impl IntoView {
    // Created here, once per page, not inside the guard (which may render its content more
    // than once): reading the sheet takes the one-time password, so it must be read once.
    let login = use_params_map()
        .read_untracked()
        .get("login")
        .unwrap_or_default();
    let data = Resource::new(
        move || login.clone(),
        move |l| welcome_sheet(l, Some(print)),
    );
    view! { <Signed roles=MANAGERS render=move |_| view! { <WelcomeView data print /> } /> }
}

#[component]
fn WelcomeView(data: Resource<Result<Welcome, ServerFnError>>, print: bool) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Nouvel utilisateur — courrier", "New user — courrier") />
        <Loaded data render=move |w| view! { <Sheet w lang print /> } />
    }
}

#[component]
fn Sheet(w: Welcome, lang: Lang, print: bool) -> impl IntoView {
    let domain = domain_param();
    let reset = w.reset;
    let name = format!("{} {}", w.first_name, w.last_name)
        .trim()
        .to_string();
    let s = w.settings.clone();
    let password_line = match w.password.clone() {
        Some(p) => view! { <SpelledPassword password=p /> }.into_any(),
        None => lang
            .pick(
                "celui que votre webmaster vous a donné",
                "the one your webmaster gave you",
            )
            .into_any(),
    };
    let login = use_params_map()
        .read_untracked()
        .get("login")
        .unwrap_or_default();
    let print_href = portal_href(&format!("/siteadmin/welcome/{login}/print"), &domain);
    let back_href = portal_href(&format!("/siteadmin/user/{login}"), &domain);
    let secret = match w.password.clone() {
        Some(p) => view! {
            <div class="secret" role="status">
                <p>{lang.pick("Mot de passe de", "Password of")} " " {s.login.clone()}</p>
                <p>
                    <SpelledPassword password=p id="new-password" />
                </p>
                <p class="hint">
                    {lang.pick(
                        "Notez-le ou imprimez la fiche ci-dessous maintenant : il ne sera plus affiché.",
                        "Write it down or print the sheet below now: it will not be shown again.",
                    )}
                </p>
            </div>
        }
        .into_any(),
        None => view! {
            <p class="muted">
                {lang.pick(
                    "Le mot de passe n'est plus affiché. Pour en donner un nouveau, utilisez le crayon.",
                    "The password is no longer shown. To give a new one, use the pen.",
                )}
            </p>
        }
        .into_any(),
    };
    let aliases = (!w.aliases.is_empty()).then(|| {
        let domain_part = s.address.split_once('@').map_or("", |(_, d)| d);
        w.aliases
            .iter()
            .map(|a| format!("{a}@{domain_part}"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    // The print view shows the sheet alone (with a way back, not printed).
    let top = if print {
        view! {
            <p class="no-print">
                <a class="back" href=back_href>
                    {lang.pick("← Retour", "← Back")}
                </a>
            </p>
        }
        .into_any()
    } else {
        view! {
        <section class="card no-print" aria-labelledby="done-title">
            <p class="badge ok">
                {if reset {
                    lang.pick("Mot de passe réinitialisé", "Password reset")
                } else {
                    lang.pick("Utilisateur créé", "User created")
                }}
            </p>
            <h1 id="done-title">{name.clone()}</h1>
            {secret}
            <div class="button-row">
                <PrintButton lang />
                <a class="button" href=print_href.clone()>
                    {lang.pick("Version à imprimer", "Printable version")}
                </a>
                <a class="button" href=portal_href("/siteadmin/add", &domain)>
                    {lang.pick("Ajouter un autre utilisateur", "Add another user")}
                </a>
                <a class="button" href=portal_href("/siteadmin", &domain)>
                    {lang.pick("Retour à la liste", "Back to the list")}
                </a>
            </div>
        </section>
        }
        .into_any()
    };
    view! {
        {top}
        <section class="card sheet" aria-labelledby="sheet-title">
            <h2 id="sheet-title">
                {lang.pick("Votre messagerie", "Your mailbox")} " — " {name}
            </h2>
            <SettingsList
                s=s.clone()
                ports=w.ports.clone()
                lang
                password=password_line
                other_addresses=aliases
                personal_page=true
            />
            <p class="hint">
                {lang.pick(
                    "Attention aux majuscules et minuscules du mot de passe.",
                    "Mind the upper and lower case in the password.",
                )}
            </p>
            <p class="hint">
                {lang.pick(
                    "Si vous activez la validation en deux étapes (page personnelle, « Sécurité »), votre logiciel de messagerie ne prend plus ce mot de passe : créez-lui un mot de passe d'application sur la même page.",
                    "If you turn on two-step sign-in (personal page, \"Security\"), your mail program no longer takes this password: make it an app password on the same page.",
                )}
            </p>
        </section>
    }
}

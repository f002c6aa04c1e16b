//! Pages for signed-in people only: the visitor is sent to sign in first; someone signed in
//! without the role sees a plain refusal (the server functions refuse as well, whatever the
//! page shows).

use super::current_lang;
use crate::api::session::{Logout, whoami};
use crate::domain::Role;
use crate::i18n::Lang;
use crate::model::Me;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Every role: the pages of anyone signed in.
pub const EVERYONE: &[Role] = &[Role::User, Role::Webmaster, Role::ServerAdmin];

/// Renders `render` with the signed-in account when its role is one of `roles`.
#[component]
pub fn Signed<F, V>(roles: &'static [Role], render: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let lang = current_lang();
    let who = Resource::new(|| (), |_| whoami());
    // Where to come back to after signing in.
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let (path, query) = (
            location.pathname.get_untracked(),
            location.search.get_untracked(),
        );
        let asked = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.trim_start_matches('?'))
        };
        let login = crate::api::LocalPath::or("/login", "/login");
        if asked == "/" {
            // Home is where signing in leads anyway.
            return login.to_string();
        }
        login.with_query("next", &asked).to_string()
    };
    let render = std::sync::Arc::new(render);
    view! {
        <Suspense fallback=move || {
            view! { <p class="card">{lang.pick("Chargement…", "Loading…")}</p> }
        }>
            {
                let render = render.clone();
                move || {
                    let render = render.clone();
                    Suspend::new(async move {
                        match who.await {
                            Ok(Some(me)) if roles.contains(&me.role) => {
                                view! {
                                    <AccountBar me=me.clone() lang />
                                    {render(me)}
                                }
                                    .into_any()
                            }
                            Ok(Some(_)) => {
                                view! {
                                    <section class="card" role="alert">
                                        <h1>{lang.pick("Accès refusé", "Access denied")}</h1>
                                        <p>
                                            {lang.pick(
                                                "Cette page n'est pas pour votre compte.",
                                                "This page is not for your account.",
                                            )}
                                        </p>
                                        <a class="button" href="/">
                                            {lang.pick("Retour à l'accueil", "Back home")}
                                        </a>
                                    </section>
                                }
                                    .into_any()
                            }
                            Ok(None) => view! { <Redirect path=here() /> }.into_any(),
                            Err(e) => {
                                view! {
                                    <p class="card error" role="alert">
                                        {crate::api::error_text(&e)}
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }
            }
        </Suspense>
    }
}

/// Who is signed in, a way home and a way out, above every portal page.
#[component]
fn AccountBar(me: Me, lang: Lang) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <div class="account-bar">
            <a href="/" class="account-name">
                {me.display_name()}
                <span class="muted">" · " {me.login.clone()}</span>
            </a>
            <div class="account-actions">
                <a href="/personal/security" class="button small">
                    {lang.pick("Sécurité", "Security")}
                </a>
                <ActionForm action=logout attr:class="inline-form">
                    <button type="submit" class="button small">
                        {lang.pick("Se déconnecter", "Sign out")}
                    </button>
                </ActionForm>
            </div>
        </div>
    }
}

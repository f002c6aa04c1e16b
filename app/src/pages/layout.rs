//! The frame around every page: brand, language switch, footer.

use super::current_lang;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Header() -> impl IntoView {
    let lang = current_lang();
    let location = use_location();
    // The switch is a plain link to the server (rel=external: not a client-side route), which
    // remembers the choice in a cookie and comes back here.
    let switch_href = move || {
        let other = match lang {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        };
        format!("/lang/{}?next={}", other.tag(), location.pathname.get())
    };
    view! {
        <a class="skip" href="#main">{lang.pick("Aller au contenu", "Skip to content")}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/icons/courrier.svg" alt="" width="28" height="28" />
                <span>"courrier"</span>
            </a>
            <a
                class="lang-switch"
                rel="external"
                href=switch_href
                hreflang=match lang {
                    Lang::Fr => "en",
                    Lang::En => "fr",
                }
                lang=match lang {
                    Lang::Fr => "en",
                    Lang::En => "fr",
                }
            >
                {match lang {
                    Lang::Fr => "English",
                    Lang::En => "Français",
                }}
            </a>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let lang = current_lang();
    view! {
        <footer class="footer">
            <p>
                {lang.pick(
                    "courrier — la messagerie de votre domaine",
                    "courrier — mail for your domain",
                )}
            </p>
            <p>
                <a href="/help">{lang.pick("Aide en ligne", "Help")}</a>
            </p>
        </footer>
    }
}

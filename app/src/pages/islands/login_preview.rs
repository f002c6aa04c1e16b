//! The add-user form's first and last name, with the login they give shown as they are typed.
//! The login is asked of the server (`api::siteadmin::login_preview`, a quarter of a second
//! after the last key): it knows the logins already taken, and the transliteration tables stay
//! out of the browser.

use crate::api::siteadmin::login_preview;
use crate::i18n::Lang;
use leptos::prelude::*;
use std::time::Duration;

/// What the preview says before any name is typed.
pub fn login_hint(lang: Lang) -> &'static str {
    lang.pick(
        "Le login sera formé de l'initiale du prénom et du nom.",
        "The login will be the first name's initial and the last name.",
    )
}

/// The two name fields and the preview. `first` and `last` are the values typed before a
/// refusal (kept), `preview` what the server says of them, `first_error` and `last_error` the
/// refusals of the names if there were.
#[island]
pub fn LoginNames(
    lang: Lang,
    domain: Option<String>,
    first: String,
    last: String,
    preview: String,
    first_error: Option<String>,
    last_error: Option<String>,
) -> impl IntoView {
    let (text, set_text) = signal(preview);
    let names = RwSignal::new((first.clone(), last.clone()));
    // Each keystroke bumps the generation; only the newest question is sent and answered.
    let generation = StoredValue::new(0u64);
    let ask = move || {
        generation.update_value(|g| *g += 1);
        let asked = generation.get_value();
        let domain = domain.clone();
        set_timeout(
            move || {
                if generation.get_value() != asked {
                    return;
                }
                let (first, last) = names.get_untracked();
                leptos::task::spawn_local(async move {
                    if let Ok(said) = login_preview(domain, first, last).await
                        && generation.get_value() == asked
                    {
                        set_text.set(said);
                    }
                });
            },
            Duration::from_millis(250),
        );
    };
    let ask_first = ask.clone();
    // Names kept after a refusal: their login is asked for as soon as the island is alive.
    if !first.trim().is_empty() || !last.trim().is_empty() {
        let ask_now = ask.clone();
        Effect::new(move |_| ask_now());
    }
    let invalid = |e: &Option<String>| if e.is_some() { "true" } else { "false" };
    let (first_invalid, last_invalid) = (invalid(&first_error), invalid(&last_error));
    view! {
        <div class="field">
            <label for="first_name">{lang.pick("Prénom", "First name")}</label>
            <input
                id="first_name"
                name="first_name"
                type="text"
                autocomplete="off"
                value=first
                aria-describedby="login-preview first_name-error"
                aria-invalid=first_invalid
                on:input=move |ev| {
                    names.update(|n| n.0 = event_target_value(&ev));
                    ask_first();
                }
            />
            <p id="first_name-error" class="error" role="alert">
                {first_error}
            </p>
        </div>
        <div class="field">
            <label for="last_name">{lang.pick("Nom", "Last name")}</label>
            <input
                id="last_name"
                name="last_name"
                type="text"
                required
                autocomplete="off"
                value=last
                aria-describedby="login-preview last_name-error"
                aria-invalid=last_invalid
                on:input=move |ev| {
                    names.update(|n| n.1 = event_target_value(&ev));
                    ask();
                }
            />
            <p id="last_name-error" class="error" role="alert">
                {last_error}
            </p>
        </div>
        <output id="login-preview" class="preview" for="first_name last_name" aria-live="polite">
            {move || text.get()}
        </output>
    }
}

//! A new password's field with its judgement as it is typed, by the rule the server applies
//! (`domain::password`). The server judges again on submission.

use crate::domain::check_chosen_password;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The judgement of `typed` as a new password of `login` (empty while nothing is typed).
pub fn strength(typed: &str, login: &str, lang: Lang) -> String {
    if typed.is_empty() {
        return String::new();
    }
    match check_chosen_password(typed, login) {
        Ok(()) => lang
            .pick("Mot de passe acceptable.", "Acceptable password.")
            .to_string(),
        Err(problem) => problem.message(lang),
    }
}

/// `<input type=password>` named `name` with id `id`, then `<p id="strength">`. `invalid`
/// when the last submission refused this field (its error is shown by the page, with id
/// `{id}-error`).
#[island]
pub fn NewPasswordInput(
    id: String,
    name: String,
    login: String,
    lang: Lang,
    invalid: bool,
) -> impl IntoView {
    let (typed, set_typed) = signal(String::new());
    let described = format!("strength {id}-error");
    view! {
        <input
            id=id
            name=name
            type="password"
            required
            autocomplete="new-password"
            aria-describedby=described
            aria-invalid=if invalid { "true" } else { "false" }
            on:input=move |ev| set_typed.set(event_target_value(&ev))
        />
        <p id="strength" class="hint" aria-live="polite">
            {move || strength(&typed.get(), &login, lang)}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_as_the_server_does() {
        assert_eq!(strength("", "jdupont", Lang::Fr), "");
        assert!(strength("motdepasse", "jdupont", Lang::Fr).contains("courant"));
        assert_eq!(
            strength("Un-Autre-Secret-1871", "jdupont", Lang::En),
            "Acceptable password."
        );
    }
}

//! One labelled text field of a form, written once: the label, the input (with what was typed
//! before a refusal, else the stored value), its hint, its refusal next to it, and the ARIA
//! attributes that tie them together.

use crate::api::FormResult;
use leptos::prelude::*;

/// The refusals and kept values of one form: its action's answer and its server function.
#[derive(Clone, Copy)]
pub struct FormState {
    pub result: Signal<Option<FormResult>>,
    /// The server function's URL (`ServerFn::PATH`), which names the form in the flash.
    pub path: &'static str,
}

impl FormState {
    pub fn of<S: super::notice::FormFn>(action: ServerAction<S>) -> FormState {
        FormState {
            result: action.value().into(),
            path: S::PATH,
        }
    }

    /// What was typed in `name` before the form was refused, if it was.
    pub fn kept(&self, name: &str) -> Option<String> {
        crate::api::flash::kept(self.path, name)
    }

    /// Whether checkbox `name` is ticked: as it was sent before a refusal, else `stored`.
    pub fn checked(&self, name: &str, stored: bool) -> bool {
        match crate::api::flash::refused(self.path) {
            Some(f) => f.value(name).is_some(),
            None => stored,
        }
    }

    /// The refusal of `field`, if the last answer was one.
    pub fn error(&self, field: &str) -> Option<String> {
        crate::api::field_error(self.result.get_untracked(), field)
    }
}

/// A text input named `name` (its id too, unless `id` says otherwise) whose refusals come
/// under `error_key` (default: `name`); with `rows`, a text area.
#[component]
pub fn Field(
    form: FormState,
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] error_key: Option<&'static str>,
    #[prop(optional, into)] value: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    /// An address or a login: no capital letter added, no spelling checked.
    #[prop(optional)]
    verbatim: bool,
    #[prop(optional)] rows: Option<u32>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let id = id.unwrap_or(name);
    let error = form.error(error_key.unwrap_or(name));
    let value = form.kept(name).unwrap_or(value);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    let invalid = if error.is_some() { "true" } else { "false" };
    let input = match rows {
        Some(rows) => view! {
            <textarea
                id=id
                name=name
                rows=rows
                required=required
                placeholder=placeholder
                autocapitalize=verbatim.then_some("none")
                spellcheck=verbatim.then_some("false")
                aria-describedby=described
                aria-invalid=invalid
            >
                {value}
            </textarea>
        }
        .into_any(),
        None => view! {
            <input
                id=id
                name=name
                type=kind
                value=value
                inputmode=inputmode
                autocomplete=autocomplete
                required=required
                placeholder=placeholder
                autocapitalize=verbatim.then_some("none")
                spellcheck=verbatim.then_some("false")
                aria-describedby=described
                aria-invalid=invalid
            />
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            {hint.map(|h| view! { <p id=hint_id class="hint">{h}</p> })}
            <p id=error_id class="error" role="alert">{error}</p>
        </div>
    }
}

/// A checkbox and its label (the label after the box, as forms on phones have them).
#[component]
pub fn Check(
    name: &'static str,
    id: &'static str,
    #[prop(into)] label: String,
    checked: bool,
    #[prop(optional)] disabled: bool,
    /// The ids of the hint and refusal that speak of it.
    #[prop(optional)]
    described: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="check">
            <input
                id=id
                name=name
                type="checkbox"
                checked=checked
                disabled=disabled
                aria-describedby=described
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// One choice among a few, as radio buttons under a legend: `choices` are (value, label);
/// `current` is checked.
#[component]
pub fn Choices(
    name: &'static str,
    #[prop(into)] legend: String,
    choices: Vec<(&'static str, &'static str)>,
    current: String,
) -> impl IntoView {
    let buttons = choices
        .into_iter()
        .map(|(value, label)| {
            let id = format!("{name}-{value}");
            view! {
                <div class="check">
                    <input
                        type="radio"
                        id=id.clone()
                        name=name
                        value=value
                        checked=current == value
                    />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field">
            <legend>{legend}</legend>
            {buttons}
        </fieldset>
    }
}

/// A new password typed twice: the strength shown as it is typed (`login` must not be in it),
/// then again to confirm; each with its refusal from the form's last answer.
#[component]
pub fn NewPasswordFields(form: FormState, login: String, lang: crate::i18n::Lang) -> impl IntoView {
    let invalid = form.error("new_password").is_some();
    view! {
        <div class="field">
            <label for="new_password">{lang.pick("Nouveau mot de passe", "New password")}</label>
            <crate::pages::islands::NewPasswordInput
                id="new_password".to_string()
                name="new_password".to_string()
                login
                lang
                invalid
            />
            <p id="new_password-error" class="error" role="alert">{form.error("new_password")}</p>
        </div>
        <Field
            form
            name="confirm"
            kind="password"
            autocomplete="new-password"
            required=true
            label=lang.pick("Nouveau mot de passe, encore", "New password, again")
        />
    }
}

/// The login of a sign-in form, in either form (`pmartin` or `pmartin@votredomaine.com`).
#[component]
pub fn LoginField(form: FormState, lang: crate::i18n::Lang) -> impl IntoView {
    view! {
        <Field
            form
            name="login"
            label=lang.pick("Login", "Login")
            required=true
            verbatim=true
            autocomplete="username"
            inputmode="email"
            hint=lang.pick("pmartin ou pmartin@votredomaine.com", "pmartin or pmartin@yourdomain.com")
        />
    }
}

/// The account's current password, typed again before a change to its security (`id`: one
/// per form of a page).
#[component]
pub fn CurrentPasswordField(
    form: FormState,
    lang: crate::i18n::Lang,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <Field
            form
            name="current"
            id=id.unwrap_or("current")
            kind="password"
            autocomplete="current-password"
            required=true
            label=lang.pick("Mot de passe actuel", "Current password")
        />
    }
}

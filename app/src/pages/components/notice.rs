//! The answer under a form: "saved", or the refusal that belongs to no field.

use crate::api::{FormResult, general_error};
use crate::i18n::Lang;
use leptos::prelude::*;

/// Shows "Enregistré." on the page a successful submission returns to, or the general refusal.
#[component]
pub fn FormNotice(#[prop(into)] result: Signal<Option<FormResult>>, lang: Lang) -> impl IntoView {
    view! {
        <p class="notice" role="status" aria-live="polite">
            {move || {
                matches!(result.get(), Some(Ok(None)))
                    .then(|| lang.pick("Enregistré.", "Saved."))
            }}
        </p>
        <p class="error" role="alert">
            {move || general_error(result.get())}
        </p>
    }
}

/// `"true"` when the last answer refused `field` (for `aria-invalid`).
pub fn invalid<S>(
    result: S,
    field: &'static str,
) -> impl Fn() -> &'static str + Send + Sync + 'static
where
    S: Get<Value = Option<FormResult>> + Send + Sync + 'static,
{
    move || {
        if crate::api::field_error(result.get(), field).is_some() {
            "true"
        } else {
            "false"
        }
    }
}

/// The refusal of `field`, as a closure for the view.
pub fn error_of<S>(
    result: S,
    field: &'static str,
) -> impl Fn() -> Option<String> + Send + Sync + 'static
where
    S: Get<Value = Option<FormResult>> + Send + Sync + 'static,
{
    move || crate::api::field_error(result.get(), field)
}

/// Runs `reload` after each successful answer of a form (to show the new state).
pub fn reload_after<S>(result: S, reload: Callback<()>)
where
    S: Get<Value = Option<FormResult>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(None))) {
            reload.run(());
        }
    });
}

/// The action of a form posting to `S`. The form is a plain HTML post; the page it returns to
/// is rendered with the answer (`api::flash`): the refusal (carried as Leptos carries it) or,
/// after a success, `Some(Ok(None))`, so `FormNotice` says it was done.
pub fn form_action<S>() -> ServerAction<S>
where
    S: leptos::server_fn::ServerFn<Output = Option<String>, Error = ServerFnError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let action = ServerAction::<S>::new();
    if crate::api::flash::current().is_some_and(|f| f.path == S::PATH && f.error.is_none()) {
        action.value().set(Some(Ok(None)));
    }
    action
}

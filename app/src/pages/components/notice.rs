//! The answer under a form: "saved", or the refusal that belongs to no field.

use crate::api::{FormResult, general_error};
use crate::i18n::Lang;
use leptos::prelude::*;

/// On the page a successful submission returns to, what it did ("Renvoi arrêté.", else
/// "Enregistré."); or the general refusal.
#[component]
pub fn FormNotice(#[prop(into)] result: Signal<Option<FormResult>>, lang: Lang) -> impl IntoView {
    // The words of the success, if the action said more than "saved" (there is one flash per
    // page, and only the form it belongs to has a success as its value).
    let said = crate::api::flash::current().and_then(|f| f.notice);
    view! {
        <p class="notice" role="status" aria-live="polite">
            {move || {
                matches!(result.get(), Some(Ok(None)))
                    .then(|| {
                        said.clone()
                            .unwrap_or_else(|| lang.pick("Enregistré.", "Saved.").to_string())
                    })
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

/// What the last action did, at the top of the page it sent the browser on to ("Pierre
/// Martin a été supprimé.").
#[component]
pub fn ArrivalNotice() -> impl IntoView {
    crate::api::flash::arrival_notice()
        .map(|text| view! { <p class="notice banner" role="status">{text}</p> })
}

/// The `id` of the form posting to `S` (the browser comes back to it after the post).
pub fn form_id<S: leptos::server_fn::ServerFn>(_: &ServerAction<S>) -> String {
    crate::api::flash::anchor(S::PATH)
}

/// A form's server function: it answers `FormResult` (`None` done, `Some(reason)` refused).
pub trait FormFn:
    leptos::server_fn::ServerFn<Output = Option<String>, Error = ServerFnError>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> FormFn for S where
    S: leptos::server_fn::ServerFn<Output = Option<String>, Error = ServerFnError>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The action of a form posting to `S`. The form is a plain HTML post; the page it returns to
/// is rendered with the answer (`api::flash`): the refusal (carried as Leptos carries it) or,
/// after a success, `Some(Ok(None))`, so `FormNotice` says it was done.
pub fn form_action<S: FormFn>() -> ServerAction<S> {
    let action = ServerAction::<S>::new();
    if crate::api::flash::success_of(S::PATH).is_some() {
        action.value().set(Some(Ok(None)));
    }
    action
}

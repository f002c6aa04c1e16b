//! The second step of signing in (issue 16): `/login/code` asks for the code of the
//! authenticator app (or a recovery code); `/login/enrol` sets the app up first when the
//! account's role requires it. Plain HTML forms: they work before (or without) JavaScript.

use super::current_lang;
use crate::api::two_step::{EnableTwoFactor, SignInCode, enrolment, pending_login};
use crate::i18n::Lang;
use crate::pages::components::field::{CurrentPasswordField, Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, form_action, form_id};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The field a one-time code is typed in: digits on a phone's keypad, filled by the phone's
/// own code autofill where it has one.
#[component]
pub fn CodeField(form: FormState, lang: Lang, #[prop(optional)] recovery: bool) -> impl IntoView {
    let hint = if recovery {
        lang.pick(
            "Les 6 chiffres que l'application affiche maintenant, ou l'un de vos codes de secours.",
            "The 6 digits the app shows now, or one of your recovery codes.",
        )
    } else {
        lang.pick(
            "Les 6 chiffres que l'application affiche maintenant.",
            "The 6 digits the app shows now.",
        )
    };
    view! {
        <Field
            form
            name="code"
            label=lang.pick("Code", "Code")
            required=true
            verbatim=true
            autocomplete="one-time-code"
            inputmode=if recovery { "text" } else { "numeric" }
            hint=hint
        />
    }
}

/// Sends the browser back to `/login` when no sign-in waits for its second step.
#[component]
fn Waiting<F, V>(render: F) -> impl IntoView
where
    F: Fn(String) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let who = Resource::new(|| (), |_| pending_login());
    let render = std::sync::Arc::new(render);
    view! {
        <Suspense>
            {
                let render = render.clone();
                move || {
                    let render = render.clone();
                    Suspend::new(async move {
                        match who.await {
                            Ok(Some(login)) => render(login).into_any(),
                            _ => view! { <Redirect path="/login" /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Code de connexion — courrier", "Sign-in code — courrier") />
        <Waiting render=move |login| view! { <CodeForm login lang /> } />
    }
}

#[component]
fn CodeForm(login: String, lang: Lang) -> impl IntoView {
    let action = form_action::<SignInCode>();
    let form = FormState::of(action);
    view! {
        <section class="card narrow" aria-labelledby="code-title">
            <h1 id="code-title">{lang.pick("Validation en deux étapes", "Two-step sign-in")}</h1>
            <p class="lead">
                {crate::tr!(
                    lang,
                    "Le mot de passe de {login} est juste. Ouvrez votre application d'authentification et tapez le code qu'elle affiche.",
                    "The password of {login} is right. Open your authenticator app and type the code it shows."
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <CodeField form lang recovery=true />
                <FormNotice result=action.value() lang />
                <button type="submit" class="button primary">{lang.pick("Valider", "Confirm")}</button>
            </ActionForm>
            <p class="hint">
                {lang.pick(
                    "Téléphone perdu et plus de code de secours ? Votre webmaster peut retirer la validation en deux étapes de votre compte.",
                    "Phone lost and no recovery code left? Your webmaster can remove two-step sign-in from your account.",
                )}
            </p>
            <a class="back" href="/login">{lang.pick("← Recommencer", "← Start again")}</a>
        </section>
    }
}

#[component]
pub fn LoginEnrolPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Activer la validation en deux étapes — courrier", "Set up two-step sign-in — courrier") />
        <Waiting render=move |_| {
            view! {
                <section class="card narrow">
                    <h1>{lang.pick("Validation en deux étapes obligatoire", "Two-step sign-in required")}</h1>
                    <p class="lead">
                        {lang.pick(
                            "Votre compte doit se connecter en deux étapes. Installez une application d'authentification (FreeOTP, Aegis, Google Authenticator…) puis suivez ces deux étapes.",
                            "Your account must sign in in two steps. Install an authenticator app (FreeOTP, Aegis, Google Authenticator…) then follow these two steps.",
                        )}
                    </p>
                </section>
                <EnrolSection lang />
            }
        } />
    }
}

/// Setting up the authenticator app: scan (or type) the secret, then type a code back (and,
/// `signed_in`, the password: at a required enrolment it was typed a moment ago).
#[component]
pub fn EnrolSection(lang: Lang, #[prop(optional)] signed_in: bool) -> impl IntoView {
    let data = Resource::new(|| (), |_| enrolment());
    view! {
        <Loaded
            data
            render=move |e| {
                e.map(|e| view! { <EnrolForm e lang signed_in /> })
            }
        />
    }
}

#[component]
fn EnrolForm(e: crate::model::EnrolmentView, lang: Lang, signed_in: bool) -> impl IntoView {
    let action = form_action::<EnableTwoFactor>();
    let form = FormState::of(action);
    view! {
        <section class="card" aria-labelledby="enrol-title">
            <h2 id="enrol-title">{lang.pick("Activer la validation en deux étapes", "Turn on two-step sign-in")}</h2>
            <ol class="steps">
                <li>
                    {lang.pick(
                        "Dans l'application d'authentification, ajoutez un compte en scannant ce code :",
                        "In the authenticator app, add an account by scanning this code:",
                    )}
                    <div class="qr qr-code" role="img" aria-label=lang.pick("Code QR du secret", "QR code of the secret") inner_html=e.qr_svg.clone()></div>
                    <p class="hint">{lang.pick("Ou tapez ce secret à la main :", "Or type this secret by hand:")}</p>
                    <p><code class="value" id="totp-secret">{e.secret.clone()}</code></p>
                    <p class="hint">{e.label.clone()}</p>
                </li>
                <li>
                    {lang.pick("Tapez le code que l'application affiche :", "Type the code the app shows:")}
                    <ActionForm action attr:id=form_id(&action) attr:class="form">
                        <CodeField form lang />
                        {signed_in.then(|| view! {
                            <CurrentPasswordField form=form lang id="enrol-current" />
                        })}
                        <FormNotice result=action.value() lang />
                        <button type="submit" class="button primary">{lang.pick("Activer", "Turn on")}</button>
                    </ActionForm>
                </li>
            </ol>
        </section>
    }
}

//! `/personal/security` (issue 16): turn two-step sign-in on or off, keep recovery codes,
//! make app passwords for mail programs, see and end web sessions, see the last sign-ins.
//! Open to every role (webmasters and the admin secure their accounts here too).

use crate::api::security::{
    ConfirmRecoveryAddress, CreateAppPassword, DisableTwoFactor, EndOtherSessions,
    NewRecoveryCodes, RemoveRecoveryAddress, RevokeAppPassword, SetRecoveryAddress, my_security,
};
use crate::domain::security::Lifetime;
use crate::i18n::{Lang, format_datetime};
use crate::model::SecurityView;
use crate::pages::components::field::{Check, CurrentPasswordField, Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, form_action, form_id};
use crate::pages::components::security_lists::{AppPasswordFacts, SessionList, SignInList};
use crate::pages::current_lang;
use crate::pages::guard::{EVERYONE, Signed};
use crate::pages::login_code::EnrolSection;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_security());
    let lang = current_lang();
    view! {
        <Signed
            roles=EVERYONE
            render=move |me| {
                let mailbox = me.domain.is_some();
                view! {
                    <Title text=lang.pick("Sécurité — courrier", "Security — courrier") />
                    <Loaded data render=move |v| view! { <Security v lang mailbox /> } />
                }
            }
        />
    }
}

#[component]
fn Security(v: SecurityView, lang: Lang, mailbox: bool) -> impl IntoView {
    let on = v.two_factor_since.is_some();
    view! {
        <section class="card" aria-labelledby="security-title">
            <a class="back" href="/">{lang.pick("← Accueil", "← Home")}</a>
            <h1 id="security-title">{lang.pick("Sécurité de mon compte", "My account's security")}</h1>
            <p class="lead">{v.login.clone()}</p>
        </section>
        <FreshCodes codes=v.fresh_codes.clone() lang />
        {if on {
            view! { <TwoFactorOn v=v.clone() lang /> }.into_any()
        } else {
            view! {
                <section class="card">
                    <h2>{lang.pick("Validation en deux étapes : désactivée", "Two-step sign-in: off")}</h2>
                    <p class="hint">
                        {lang.pick(
                            "Après le mot de passe, le site demandera le code d'une application de votre téléphone : un mot de passe volé ne suffit plus à ouvrir votre compte.",
                            "After the password, the site will ask for the code of an app on your phone: a stolen password no longer opens your account.",
                        )}
                    </p>
                </section>
                <EnrolSection lang signed_in=true />
            }
                .into_any()
        }}
        {mailbox.then(|| view! { <AppPasswords v=v.clone() lang on /> })}
        {mailbox.then(|| view! { <RecoveryAddress v=v.clone() lang /> })}
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{lang.pick("Où je suis connecté", "Where I am signed in")}</h2>
            <SessionList rows=v.sessions.clone() lang owner=true />
            <EndOthers lang />
        </section>
        <section class="card" aria-labelledby="signins-title">
            <h2 id="signins-title">{lang.pick("Dernières connexions", "Last sign-ins")}</h2>
            <p class="hint">
                {lang.pick(
                    "Site, relève et envoi ; réussies et refusées, avec l'adresse d'où elles venaient (90 jours).",
                    "Website, collecting and sending; succeeded and refused, with the address they came from (90 days).",
                )}
            </p>
            <SignInList rows=v.sign_ins.clone() lang />
        </section>
    }
}

/// Recovery codes just made: shown once, to write down or print.
#[component]
fn FreshCodes(codes: Vec<String>, lang: Lang) -> impl IntoView {
    (!codes.is_empty()).then(|| {
        view! {
            <section class="card secret" aria-labelledby="codes-title">
                <h2 id="codes-title">{lang.pick("Vos codes de secours", "Your recovery codes")}</h2>
                <p>
                    {lang.pick(
                        "Notez-les ou imprimez-les maintenant : ils ne seront plus affichés. Chacun remplace une fois le code de l'application si vous perdez votre téléphone.",
                        "Write them down or print them now: they will not be shown again. Each stands in once for the app's code if you lose your phone.",
                    )}
                </p>
                <ul class="codes" id="recovery-codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
                <crate::pages::islands::PrintButton lang />
            </section>
        }
    })
}

#[component]
fn TwoFactorOn(v: SecurityView, lang: Lang) -> impl IntoView {
    let codes = form_action::<NewRecoveryCodes>();
    let codes_form = FormState::of(codes);
    let disable = form_action::<DisableTwoFactor>();
    let disable_form = FormState::of(disable);
    let since = v
        .two_factor_since
        .map(|t| format_datetime(t, lang))
        .unwrap_or_default();
    let left = crate::tr!(
        lang,
        "Codes de secours restants : {}.",
        "Recovery codes left: {}.",
        v.recovery_codes_left
    );
    view! {
        <section class="card" aria-labelledby="twofactor-title">
            <h2 id="twofactor-title">{lang.pick("Validation en deux étapes : activée", "Two-step sign-in: on")}</h2>
            <p>{lang.pick("Depuis le ", "Since ")} {since}</p>
            <p class=if v.recovery_codes_left < 3 { "warning" } else { "muted" }>{left}</p>
            <ActionForm action=codes attr:id=form_id(&codes) attr:class="form">
                <CurrentPasswordField form=codes_form lang id="codes-current" />
                <FormNotice result=codes.value() lang />
                <button type="submit" class="button">
                    {lang.pick("Faire de nouveaux codes de secours", "Make new recovery codes")}
                </button>
            </ActionForm>
            {(!v.required)
                .then(|| {
                    view! {
                        <h3>{lang.pick("Désactiver", "Turn off")}</h3>
                        <ActionForm action=disable attr:id=form_id(&disable) attr:class="form">
                            <CurrentPasswordField form=disable_form lang id="disable-current" />
                            <FormNotice result=disable.value() lang />
                            <button type="submit" class="button danger">
                                {lang.pick("Désactiver la validation en deux étapes", "Turn two-step sign-in off")}
                            </button>
                        </ActionForm>
                    }
                })}
        </section>
    }
}

#[component]
fn AppPasswords(v: SecurityView, lang: Lang, on: bool) -> impl IntoView {
    let create = form_action::<CreateAppPassword>();
    let form = FormState::of(create);
    let revoke = ServerAction::<RevokeAppPassword>::new();
    let lifetime = form.kept("lifetime").unwrap_or_else(|| "never".to_string());
    let intro = if on {
        lang.pick(
            "La validation en deux étapes est activée : votre logiciel de messagerie ne peut plus utiliser votre mot de passe principal. Créez-lui un mot de passe d'application et tapez-le à la place.",
            "Two-step sign-in is on: your mail program can no longer use your main password. Make it an app password and type that instead.",
        )
    } else {
        lang.pick(
            "Un mot de passe propre à chaque logiciel de messagerie : il ne sert qu'à relever ou envoyer, jamais à ouvrir ce site, et se révoque seul. Indispensable une fois la validation en deux étapes activée.",
            "A password for each mail program: it only collects or sends, never opens this site, and is revoked on its own. Needed once two-step sign-in is on.",
        )
    };
    view! {
        <section class="card" aria-labelledby="apps-title">
            <h2 id="apps-title">{lang.pick("Mots de passe d'application", "App passwords")}</h2>
            <p class="hint">{intro}</p>
            {v.fresh_app_password.clone().map(|(name, password)| view! {
                <div class="secret" role="status">
                    <p>{crate::tr!(lang, "Le mot de passe de « {name} », affiché une seule fois :", "The password of \"{name}\", shown only once:")}</p>
                    <p><code class="password" id="app-password">{password}</code></p>
                    <p class="hint">{lang.pick("Tapez-le dans votre logiciel à la place du mot de passe principal (les tirets peuvent être omis).", "Type it in your program instead of the main password (the dashes may be left out).")}</p>
                </div>
            })}
            <ul class="log app-passwords">
                {v.app_passwords.clone().into_iter().map(|p| {
                    let label = crate::tr!(lang, "Révoquer {}", "Revoke {}", p.name);
                    view! {
                        <li>
                            <AppPasswordFacts p=p.clone() lang />
                            <ActionForm action=revoke attr:class="inline-form">
                                <input type="hidden" name="id" value=p.id.to_string() />
                                <button type="submit" class="button small" aria-label=label>
                                    {lang.pick("Révoquer", "Revoke")}
                                </button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h3>{lang.pick("Nouveau mot de passe d'application", "New app password")}</h3>
            <ActionForm action=create attr:id=form_id(&create) attr:class="form">
                <Field
                    form
                    name="name"
                    label=lang.pick("Pour quel logiciel ?", "For which program?")
                    required=true
                    hint=lang.pick("Par exemple « Thunderbird à la maison ».", "For example \"Thunderbird at home\".")
                />
                <fieldset class="field">
                    <legend>{lang.pick("Il pourra…", "It may…")}</legend>
                    <Check name="pop3" id="scope-pop3" label=lang.pick("relever le courrier (POP3)", "collect mail (POP3)") checked=form.checked("pop3", true) />
                    <Check name="submission" id="scope-submission" label=lang.pick("envoyer (SMTP)", "send (SMTP)") checked=form.checked("submission", true) />
                    <p class="error" role="alert">{form.error("pop3")}</p>
                </fieldset>
                <div class="field">
                    <label for="lifetime">{lang.pick("Expire après", "Expires after")}</label>
                    <select id="lifetime" name="lifetime">
                        {Lifetime::CHOICES.into_iter().map(|c| view! {
                            <option value=c selected=lifetime == c>{Lifetime::label(c, lang)}</option>
                        }).collect_view()}
                    </select>
                    <p class="error" role="alert">{form.error("lifetime")}</p>
                </div>
                <CurrentPasswordField form=form lang id="app-current" />
                <FormNotice result=create.value() lang />
                <button type="submit" class="button primary">{lang.pick("Créer", "Create")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn EndOthers(lang: Lang) -> impl IntoView {
    let action = ServerAction::<EndOtherSessions>::new();
    view! {
        <ActionForm action attr:class="form">
            <button type="submit" class="button">
                {lang.pick("Fermer toutes les autres sessions", "Sign out all other sessions")}
            </button>
        </ActionForm>
    }
}

/// Where a forgotten password's link goes: an address outside the domain, confirmed by a code.
#[component]
fn RecoveryAddress(v: SecurityView, lang: Lang) -> impl IntoView {
    let set = form_action::<SetRecoveryAddress>();
    let set_form = FormState::of(set);
    let confirm = form_action::<ConfirmRecoveryAddress>();
    let confirm_form = FormState::of(confirm);
    let remove = form_action::<RemoveRecoveryAddress>();
    let state = match &v.recovery_address {
        Some((a, true)) => crate::tr!(lang, "Adresse de secours : {a} (confirmée).", "Recovery address: {a} (confirmed)."),
        Some((a, false)) => crate::tr!(
            lang,
            "Adresse de secours : {a}, pas encore confirmée : tapez le code qui lui a été envoyé.",
            "Recovery address: {a}, not confirmed yet: type the code sent to it."
        ),
        None => lang
            .pick(
                "Aucune adresse de secours : si vous oubliez votre mot de passe, seul votre webmaster pourra vous aider.",
                "No recovery address: if you forget your password, only your webmaster can help.",
            )
            .to_string(),
    };
    let pending = matches!(v.recovery_address, Some((_, false)));
    let current = v
        .recovery_address
        .clone()
        .map(|(a, _)| a)
        .unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">{lang.pick("Adresse de secours", "Recovery address")}</h2>
            <p id="recovery-state">{state}</p>
            {pending.then(|| view! {
                <ActionForm action=confirm attr:id=form_id(&confirm) attr:class="form">
                    <Field
                        form=confirm_form
                        name="confirmation"
                        label=lang.pick("Code de confirmation", "Confirmation code")
                        required=true
                        autocomplete="one-time-code"
                        inputmode="numeric"
                    />
                    <FormNotice result=confirm.value() lang />
                    <button type="submit" class="button primary">{lang.pick("Confirmer", "Confirm")}</button>
                </ActionForm>
            })}
            <ActionForm action=set attr:id=form_id(&set) attr:class="form">
                <Field
                    form=set_form
                    name="address"
                    kind="email"
                    label=lang.pick("Adresse e-mail hors de votre domaine", "E-mail address outside your domain")
                    value=current
                    required=true
                    autocomplete="email"
                    hint=lang.pick(
                        "Un lien pour choisir un nouveau mot de passe y sera envoyé si vous l'oubliez.",
                        "A link to choose a new password will be sent there if you forget it.",
                    )
                />
                <CurrentPasswordField form=set_form lang id="recovery-current" />
                <FormNotice result=set.value() lang />
                <button type="submit" class="button">{lang.pick("Envoyer un code de confirmation", "Send a confirmation code")}</button>
            </ActionForm>
            {v.recovery_address.is_some().then(|| view! {
                <ActionForm action=remove attr:class="inline-form">
                    <button type="submit" class="button small">{lang.pick("Retirer l'adresse", "Remove the address")}</button>
                </ActionForm>
            })}
        </section>
    }
}

//! "Importer mon courrier" (issue 17), for a user at `/personal/import` and for a webmaster
//! from the pen at `/siteadmin/user/:login/import`: the old server and its login, a look at
//! the old mailbox (how many messages, how much; nothing changed there), then the import,
//! which goes on in the background — the page follows it (it reloads itself every few
//! seconds while the import moves, with or without the WASM), and finds it again after a
//! reload or a restart of the server.

use crate::api::import::{ImportCancel, ImportCheck, ImportStart, import_status};
use crate::i18n::{Lang, format_size};
use crate::model::{ImportJobView, ImportView};
use crate::pages::backups::MAILBOX_OWNERS;
use crate::pages::components::field::{Check, Field, FormState};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{FormNotice, error_of, form_action, form_id};
use crate::pages::components::usage::Meter;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::ReloadSoon;
use crate::pages::siteadmin::user::login_param;
use crate::pages::siteadmin::{MANAGERS, domain_param, portal_href};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn PersonalImportPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| import_status(String::new()));
    view! {
        <Signed roles=MAILBOX_OWNERS render=move |_| view! { <Loaded data render=|v| view! { <ImportPanel v /> } /> } />
    }
}

#[component]
pub fn UserImportPage() -> impl IntoView {
    let data = Resource::new(login_param, import_status);
    view! {
        <Signed roles=MANAGERS render=move |_| view! { <Loaded data render=|v| view! { <ImportPanel v /> } /> } />
    }
}

#[component]
fn ImportPanel(v: ImportView) -> impl IntoView {
    let lang = current_lang();
    let login = if v.own {
        String::new()
    } else {
        v.login.clone()
    };
    let back = if v.own {
        (
            "/personal".to_string(),
            lang.pick("← Mon compte", "← My account"),
        )
    } else {
        (
            portal_href(&format!("/siteadmin/user/{}", v.login), &domain_param()),
            lang.pick("← L'utilisateur", "← The user"),
        )
    };
    let open = v.job.as_ref().is_some_and(|j| j.open);
    let moving = v.job.as_ref().is_some_and(|j| j.moving);
    view! {
        <Title text=lang.pick("Importer le courrier — courrier", "Import mail — courrier") />
        // While the import moves, the page reads it again every few seconds (no script needed).
        {moving.then(|| view! { <Meta http_equiv="refresh" content="3" /> <ReloadSoon seconds=3 /> })}
        <section class="card" aria-labelledby="import-title">
            <a class="back" href=back.0>{back.1}</a>
            <h1 id="import-title">{lang.pick("Importer le courrier de l'ancien hébergeur", "Import mail from the previous host")}</h1>
            <p class="lead">
                {lang.pick(
                    "Les messages de l'ancienne boîte sont copiés ici par POP3, chacun une seule fois. L'ancienne boîte reste telle quelle, sauf si vous demandez d'y effacer chaque message copié. Le mot de passe de l'ancienne boîte ne sert qu'à cet import : il est effacé à sa fin.",
                    "The messages of the old mailbox are copied here over POP3, each one once. The old mailbox stays as it is, unless you ask for each copied message to be deleted there. The old mailbox's password serves this import only: it is erased when it ends.",
                )}
            </p>
        </section>
        {v.job.map(|j| view! { <JobCard j login=login.clone() lang /> })}
        {(!open).then(|| view! { <CheckForm login lang /> })}
    }
}

#[component]
fn JobCard(j: ImportJobView, login: String, lang: Lang) -> impl IntoView {
    let start = form_action::<ImportStart>();
    let cancel = form_action::<ImportCancel>();
    let done = j.done_messages + j.skipped;
    let total = j.total_messages.max(done);
    let pct = if total > 0 {
        ((done as f64 / total as f64) * 100.0).round() as u32
    } else {
        100
    };
    let figures = crate::tr!(
        lang,
        "{} sur {} ({} copiés, {} déjà là)",
        "{} of {} ({} copied, {} here already)",
        crate::i18n::messages(done.max(0) as u64, lang),
        crate::i18n::format_count(total.max(0) as u64, lang),
        format_size(j.done_bytes, lang),
        crate::i18n::format_count(j.skipped.max(0) as u64, lang)
    );
    let ending = match j.state.as_str() {
        "done" => Some(lang.pick("Tout est arrivé.", "Everything has arrived.").to_string()),
        "full" => Some(lang.pick(
            "La boîte est pleine : libérez de la place ou demandez un quota plus grand, puis relancez l'import (ce qui est déjà là ne sera pas copié deux fois).",
            "The mailbox is full: free some room or ask for a larger quota, then run the import again (what is here already will not be copied twice).",
        ).to_string()),
        "failed" => Some(crate::tr!(
            lang,
            "L'ancien serveur a répondu : {}. Vérifiez ses réglages et relancez l'import.",
            "The old server answered: {}. Check its settings and run the import again.",
            j.error
        )),
        _ => None,
    };
    let checked = j.state == "checked";
    let label = lang
        .pick("Messages importés", "Messages imported")
        .to_string();
    let hidden_login = login.clone();
    view! {
        <section class="card" aria-labelledby="job-title">
            <h2 id="job-title">{j.state_label.clone()} " — " {j.source.clone()} " (" {j.login.clone()} ")"</h2>
            {if checked {
                view! { <p>{j.survey.clone()}</p> }.into_any()
            } else {
                view! { <Meter pct=Some(pct) text=figures label /> }.into_any()
            }}
            {j.delete_after.then(|| view! {
                <p class="hint">{lang.pick("Chaque message copié est effacé de l'ancien serveur.", "Each message copied is deleted from the old server.")}</p>
            })}
            {ending.map(|e| view! { <p role="status" class=if j.state == "done" { "state ok" } else { "warning" }>{e}</p> })}
            <div class="button-row">
                {checked.then(|| view! {
                    <ActionForm action=start attr:id=form_id(&start) attr:class="inline-form">
                        <input type="hidden" name="login" value=hidden_login.clone() />
                        <button type="submit" class="button primary">{lang.pick("Lancer l'import", "Start the import")}</button>
                    </ActionForm>
                })}
                {j.open.then(|| view! {
                    <ActionForm action=cancel attr:id=form_id(&cancel) attr:class="inline-form">
                        <input type="hidden" name="login" value=login.clone() />
                        <button type="submit" class="button danger">{lang.pick("Annuler l'import", "Cancel the import")}</button>
                    </ActionForm>
                })}
            </div>
            <p class="error" role="alert">{error_of(start.value(), "import")}</p>
            <FormNotice result=cancel.value() lang />
        </section>
    }
}

#[component]
fn CheckForm(login: String, lang: Lang) -> impl IntoView {
    let action = form_action::<ImportCheck>();
    let form = FormState::of(action);
    let r = action.value();
    let security = form.kept("security").unwrap_or_else(|| "tls".to_string());
    let choices = [
        (
            "tls",
            lang.pick("TLS (POP3S, port 995)", "TLS (POP3S, port 995)"),
        ),
        (
            "starttls",
            lang.pick("STARTTLS (port 110)", "STARTTLS (port 110)"),
        ),
        (
            "none",
            lang.pick(
                "Aucune : le mot de passe passe en clair",
                "None: the password crosses in clear",
            ),
        ),
    ];
    view! {
        <section class="card" aria-labelledby="check-title">
            <h2 id="check-title">{lang.pick("L'ancienne boîte", "The old mailbox")}</h2>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=login />
                <Field
                    form
                    name="host"
                    id="import-host"
                    label=lang.pick("Serveur POP3", "POP3 server")
                    required=true
                    verbatim=true
                    placeholder="mail.ancien-hebergeur.fr"
                />
                <fieldset class="field">
                    <legend>{lang.pick("Protection de la connexion", "Connection security")}</legend>
                    {choices.into_iter().map(|(value, text)| {
                        let id = format!("import-security-{value}");
                        view! {
                            <div class="check">
                                <input type="radio" id=id.clone() name="security" value=value checked=security == value />
                                <label for=id>{text}</label>
                            </div>
                        }
                    }).collect_view()}
                    <p class="error" role="alert">{error_of(r, "security")}</p>
                </fieldset>
                <Field
                    form
                    name="port"
                    id="import-port"
                    label=lang.pick("Port (facultatif)", "Port (optional)")
                    inputmode="numeric"
                    hint=lang.pick("Vide : 995 avec TLS, 110 sinon.", "Empty: 995 with TLS, 110 otherwise.")
                />
                <Field
                    form
                    name="user"
                    id="import-user"
                    label=lang.pick("Identifiant de l'ancienne boîte", "The old mailbox's login")
                    required=true
                    verbatim=true
                />
                <Field
                    form
                    name="password"
                    id="import-password"
                    kind="password"
                    label=lang.pick("Mot de passe de l'ancienne boîte", "The old mailbox's password")
                    required=true
                />
                <Check
                    name="delete_after"
                    id="import-delete"
                    checked=form.checked("delete_after", false)
                    label=lang.pick(
                        "Effacer chaque message de l'ancien serveur une fois copié ici",
                        "Delete each message from the old server once it is copied here",
                    )
                />
                <p class="error" role="alert">{error_of(r, "import")}</p>
                <FormNotice result=r lang />
                <button type="submit" class="button primary">
                    {lang.pick("Regarder l'ancienne boîte", "Look at the old mailbox")}
                </button>
            </ActionForm>
        </section>
    }
}

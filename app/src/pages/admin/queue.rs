//! The outbound queue: each message's state, attempts and last answer; retry now, delete.

use super::{ADMINS, AdminNav};
use crate::api::admin::{QueueAct, admin_queue};
use crate::i18n::{Lang, format_datetime};
use crate::model::QueueRow;
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::error_of;
use crate::pages::components::notice::form_action;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::ConfirmButton;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn QueuePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_queue());
    view! { <Signed roles=ADMINS render=move |_| view! { <Queue data /> } /> }
}

fn status_label(status: &str, lang: Lang) -> &str {
    match status {
        "queued" => lang.pick("en attente", "waiting"),
        "sending" => lang.pick("en cours d'envoi", "being sent"),
        "sent" => lang.pick("envoyé", "sent"),
        "failed" => lang.pick("échec", "failed"),
        other => other,
    }
}

fn kind_label(kind: &str, lang: Lang) -> &str {
    match kind {
        "forward" => lang.pick("renvoi", "forward"),
        "reply" => lang.pick("réponse automatique", "auto-reply"),
        "relay" => lang.pick("relais", "relay"),
        "bounce" => lang.pick("avis de non-remise", "bounce"),
        "submission" => lang.pick("envoi authentifié", "submission"),
        "srs-return" => lang.pick("retour de renvoi", "forward bounce"),
        "notice" => lang.pick("avis du serveur", "server notice"),
        other => other,
    }
}

#[component]
fn Queue(data: Resource<Result<Vec<QueueRow>, ServerFnError>>) -> impl IntoView {
    let lang = current_lang();
    let act = form_action::<QueueAct>();
    view! {
        <Title text=lang.pick("File d'envoi — courrier", "Outbound queue — courrier") />
        <section class="card">
            <h1>{lang.pick("File d'envoi", "Outbound queue")}</h1>
            <AdminNav current="/admin/queue" lang />
            <p class="hint">
                {lang.pick(
                    "Renvois, réponses automatiques, relais et avis de non-remise. Les messages envoyés restent visibles 7 jours, les échecs 30 jours.",
                    "Forwards, auto-replies, relayed mail and bounces. Sent messages stay listed 7 days, failures 30 days.",
                )}
            </p>
            <p class="error" role="alert">{error_of(act.value(), "queue")}</p>
        </section>
        <Loaded data render=move |list| {
                    if list.is_empty() { view! {
                        <p class="card muted">{lang.pick("La file est vide.", "The queue is empty.")}</p>
                    }.into_any() } else {
                    view! {
                        <ul class="users">
                            {list.into_iter().map(|m| {
                                let from = if m.mail_from.is_empty() { "<>".to_string() } else { m.mail_from.clone() };
                                let can_retry = m.status == "queued" || m.status == "failed";
                                let can_delete = m.status != "sending";
                                let next = (m.status == "queued").then(|| crate::tr!(lang, "prochain essai : {}", "next attempt: {}", format_datetime(m.next_attempt_at, lang)));
                                let attempts = match lang {
                                    Lang::Fr => crate::i18n::count(m.attempts as u64, lang, ("essai", "essais"), ("", "")),
                                    Lang::En => crate::i18n::count(m.attempts as u64, lang, ("", ""), ("attempt", "attempts")),
                                };
                                let (id1, id2) = (m.id.to_string(), m.id.to_string());
                                view! {
                                    <li class="user">
                                        <p class="log-head">
                                            <strong>{"n° "}{m.id}</strong>" "
                                            <span class="flag">{status_label(&m.status, lang).to_string()}</span>" "
                                            <span class="muted">{kind_label(&m.kind, lang).to_string()}</span>
                                        </p>
                                        <p class="aliases">{from}" → "{m.rcpt_to.clone()}</p>
                                        <p class="muted">{attempts}{next.map(|n| format!(" — {n}"))}</p>
                                        {(!m.last_answer.is_empty()).then(|| view! { <p class="log-detail">{m.last_answer.clone()}</p> })}
                                        <div class="actions">
                                            {can_retry.then(move || view! {
                                                <ActionForm action=act attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id1 />
                                                    <input type="hidden" name="act" value="retry" />
                                                    <button type="submit" class="button small">{lang.pick("Réessayer maintenant", "Retry now")}</button>
                                                </ActionForm>
                                            })}
                                            {can_delete.then(move || view! {
                                                <ActionForm action=act attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id2 />
                                                    <input type="hidden" name="act" value="delete" />
                                                    <ConfirmButton
                                                        label=lang.pick("Supprimer", "Delete").to_string()
                                                        question=crate::api::questions::unqueue(lang)
                                                        class="button small danger".to_string()
                                                    />
                                                </ActionForm>
                                            })}
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any() }
        } />
    }
}

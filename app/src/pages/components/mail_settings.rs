//! "Forward email to" and the automatic responder, as the seed describes them, with its
//! warnings in plain words: a forward stops keeping mail here (unless a copy is kept); the
//! responder and a forward are never on together. Used by the webmaster's blue mailbox and,
//! for a user's own mailbox, by `/personal`.

use super::notice::{FormNotice, error_of};
use crate::api::mailbox::{SaveForward, SaveResponder};
use crate::i18n::{Lang, format_datetime};
use crate::model::MailSettings;
use crate::pages::components::field::{Check, Field, FormState};
use crate::pages::components::notice::{form_action, form_id};
use leptos::prelude::*;

#[component]
pub fn ForwardForm(s: MailSettings, lang: Lang) -> impl IntoView {
    let action = form_action::<SaveForward>();
    let off = form_action::<SaveForward>();
    let result = action.value();
    let forward_form = FormState::of(action);
    let on = !s.forward_to.is_empty();
    let off_login = s.login.clone();
    let state = if on {
        if s.keep_copy {
            lang.pick(
                "Renvoi actif : le courrier est renvoyé et une copie reste ici.",
                "Forward on: mail is sent on and a copy stays here.",
            )
        } else {
            lang.pick(
                "Renvoi actif : le courrier est renvoyé et n'est plus conservé ici.",
                "Forward on: mail is sent on and no longer kept here.",
            )
        }
    } else {
        lang.pick(
            "Pas de renvoi : le courrier est conservé dans la boîte.",
            "No forward: mail is kept in the mailbox.",
        )
    };
    view! {
        <section class="card" aria-labelledby="forward-title">
            <h2 id="forward-title">{lang.pick("Renvoyer le courrier vers", "Forward email to")}</h2>
            <p class=if on { "state on" } else { "state" }>{state}</p>
            <p class="hint">
                {lang.pick(
                    "Quand un renvoi est actif, le serveur n'est plus utilisé pour recevoir le courrier : il n'est plus conservé ici, sauf si vous cochez « Garder une copie ». Le répondeur automatique ne peut pas être actif en même temps.",
                    "When a forward is on, this server no longer keeps the mail: it is not stored here unless you tick \"Keep a copy\". The automatic responder cannot be on at the same time.",
                )}
            </p>
            <ActionForm action=action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=s.login.clone() />
                <Field
                    form=forward_form
                    name="addresses"
                    id="forward-addresses"
                    label=lang.pick("Adresses de renvoi", "Forward addresses")
                    value=s.forward_to.join("\n")
                    rows=2
                    verbatim=true
                    hint=lang.pick(
                        "Une adresse par ligne (cinq au plus).",
                        "One address per line (five at most).",
                    )
                />
                <Check
                    name="keep_copy"
                    id="keep-copy"
                    checked=forward_form.checked("keep_copy", s.keep_copy)
                    label=lang.pick(
                        "Garder une copie ici (elle compte dans le quota)",
                        "Keep a copy here (it counts against the quota)",
                    )
                />
                <FormNotice result lang />
                <button type="submit" class="button primary">
                    {lang.pick("Enregistrer le renvoi", "Save the forward")}
                </button>
            </ActionForm>
            {on
                .then(move || {
                    view! {
                        <ActionForm action=off attr:class="inline">
                            <input type="hidden" name="login" value=off_login />
                            <input type="hidden" name="addresses" value="" />
                            <button type="submit" class="button">
                                {lang.pick("Arrêter le renvoi", "Stop forwarding")}
                            </button>
                        </ActionForm>
                    }
                })}
        </section>
    }
}

#[component]
pub fn ResponderForm(s: MailSettings, lang: Lang) -> impl IntoView {
    let action = form_action::<SaveResponder>();
    let result = action.value();
    let form = FormState::of(action);
    let forwarding = !s.forward_to.is_empty();
    let state = match (s.responder_enabled, s.end.as_deref()) {
        (true, Some(end)) => crate::tr!(
            lang,
            "Répondeur actif jusqu'au {end} inclus : chaque expéditeur reçoit votre message.",
            "Responder on until {end} (included): each sender gets your message."
        ),
        (true, None) => lang
            .pick(
                "Répondeur actif : chaque expéditeur reçoit votre message.",
                "Responder on: each sender gets your message.",
            )
            .to_string(),
        (false, _) => lang.pick("Répondeur arrêté.", "Responder off.").to_string(),
    };
    view! {
        <section class="card" aria-labelledby="responder-title">
            <h2 id="responder-title">{lang.pick("Répondeur automatique", "Automatic responder")}</h2>
            <p class=if s.responder_enabled { "state on" } else { "state" }>{state}</p>
            <p class="hint">
                {lang.pick(
                    "Il répond une fois par expéditeur et par intervalle, jamais aux listes de diffusion ni aux robots. Il ne peut pas être actif en même temps qu'un renvoi.",
                    "It answers each sender once per interval, never mailing lists or robots. It cannot be on together with a forward.",
                )}
            </p>
            {forwarding
                .then(|| {
                    view! {
                        <p class="warning">
                            {lang.pick(
                                "Un renvoi est actif : arrêtez-le avant d'activer le répondeur.",
                                "A forward is on: stop it before switching the responder on.",
                            )}
                        </p>
                    }
                })}
            <ActionForm action=action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=s.login.clone() />
                <Check
                    name="enabled"
                    id="responder-on"
                    checked=form.checked("enabled", s.responder_enabled)
                    label=lang.pick("Activer le répondeur", "Switch the responder on")
                />
                <Field
                    form
                    name="subject"
                    id="responder-subject"
                    label=lang.pick("Sujet", "Subject")
                    value=s.subject.clone()
                    placeholder=lang.pick("Absent(e)", "Out of office")
                />
                <Field
                    form
                    name="body"
                    id="responder-body"
                    label=lang.pick("Message", "Message")
                    value=s.body.clone()
                    rows=5
                />
                <div class="field-row">
                    <Field
                        form
                        name="start"
                        id="responder-start"
                        kind="date"
                        label=lang.pick("À partir du", "From")
                        value=s.start.clone().unwrap_or_default()
                    />
                    <Field
                        form
                        name="end"
                        id="responder-end"
                        kind="date"
                        label=lang.pick("Jusqu'au (inclus)", "Until (included)")
                        value=s.end.clone().unwrap_or_default()
                    />
                </div>
                <Field
                    form
                    name="interval_days"
                    id="responder-interval"
                    inputmode="numeric"
                    label=lang.pick(
                        "Répondre au même expéditeur au plus une fois tous les (jours)",
                        "Answer the same sender at most once every (days)",
                    )
                    value=s.interval_days.to_string()
                />
                <p id="responder-error" class="error" role="alert">
                    {error_of(result, "responder")}
                </p>
                <FormNotice result lang />
                <button type="submit" class="button primary">
                    {lang.pick("Enregistrer le répondeur", "Save the responder")}
                </button>
            </ActionForm>
            <h3>{lang.pick("Déjà répondu", "Already answered")}</h3>
            {if s.answered.is_empty() {
                view! {
                    <p class="muted">
                        {lang.pick(
                            "Personne ces 30 derniers jours.",
                            "Nobody in the last 30 days.",
                        )}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {s
                            .answered
                            .iter()
                            .map(|(sender, at)| {
                                view! {
                                    <li>
                                        {sender.clone()} " — "
                                        <span class="muted">{format_datetime(*at, lang)}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

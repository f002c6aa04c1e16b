//! A mailbox's own settings — "forward email to" and the automatic responder — for the
//! webmaster (the blue mailbox icon) and for the user themselves (`/personal`). The store
//! refuses a forward together with the responder, whatever the client sends.

use crate::model::MailSettings;
use leptos::prelude::*;

/// The current forward and responder of `login`.
#[server(endpoint = "mailbox/settings")]
pub async fn load_mail_settings(login: String) -> Result<MailSettings, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_account(&login).await?;
    settings_of(a, c.lang).await
}

/// The caller's own forward and responder (`/personal`).
#[server(endpoint = "mailbox/mine")]
pub async fn my_mail_settings() -> Result<MailSettings, ServerFnError> {
    let c = super::context::caller().await?;
    settings_of(c.account, c.lang).await
}

/// Senders shown under "already answered".
#[cfg(feature = "ssr")]
const ANSWERS_SHOWN: u64 = 20;

#[cfg(feature = "ssr")]
async fn settings_of(
    a: crate::store::entities::account::Model,
    lang: crate::i18n::Lang,
) -> Result<MailSettings, ServerFnError> {
    use super::context::*;
    use crate::domain::delivery::forward_list;
    use crate::i18n::iso_date;
    let own = state()?
        .store
        .addresses_of(&a)
        .await
        .map_err(|e| store_error(e, lang))?;
    let display_name = format!("{} {}", a.first_name, a.last_name)
        .trim()
        .to_string();
    let answered = state()?
        .store
        .responder_answers(a.id, ANSWERS_SHOWN)
        .await
        .map_err(|e| store_error(e, lang))?;
    Ok(MailSettings {
        answered,
        address: own.first().cloned().unwrap_or_default(),
        forward_to: forward_list(&a.forward_to),
        keep_copy: a.forward_keep_copy,
        responder_enabled: a.responder_enabled,
        subject: a.responder_subject,
        body: a.responder_body,
        // The end is stored as the end of its day: the last second belongs to that day.
        start: a.responder_start.map(iso_date),
        end: a.responder_end.map(|t| iso_date(t - 1)),
        interval_days: a.responder_interval_days,
        display_name,
        login: a.login,
    })
}

/// Sets "forward email to" (one address or more, separated by commas or new lines); an empty
/// list turns it off.
#[server(endpoint = "mailbox/forward")]
pub async fn save_forward(
    login: String,
    addresses: String,
    keep_copy: Option<String>,
) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_account(&login).await?;
    let list = super::siteadmin::split_list(&addresses);
    let result = state()?
        .store
        .set_forward(&c.actor, &a.login, &list, keep_copy.is_some())
        .await;
    match result {
        Ok(_) => {
            say(if list.is_empty() {
                c.lang.pick("Renvoi arrêté.", "Forward stopped.")
            } else {
                c.lang.pick("Renvoi enregistré.", "Forward saved.")
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("addresses"), e, c.lang),
    }
}

/// Switches the automatic responder on (with its subject, text, dates and interval) or off.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "mailbox/responder")]
pub async fn save_responder(
    login: String,
    enabled: Option<String>,
    subject: String,
    body: String,
    start: String,
    end: String,
    interval_days: String,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::mailtime::{end_of_day, start_of_day};
    use crate::domain::responder::{DEFAULT_INTERVAL_DAYS, Responder};
    let c = caller().await?;
    let a = c.managed_account(&login).await?;
    let lang = c.lang;
    // Every field judged first: all refusals at once.
    let mut problems: Vec<(&str, String)> = Vec::new();
    let mut day = |text: &str, f: fn(&str) -> Option<i64>, field: &'static str| {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let d = f(t);
        if d.is_none() {
            problems.push((field, bad_date(lang).to_string()));
        }
        d
    };
    let start = day(&start, start_of_day, "start");
    let end = day(&end, end_of_day, "end");
    let interval_days = match interval_days.trim() {
        "" => DEFAULT_INTERVAL_DAYS,
        t => t.parse::<i32>().unwrap_or(0),
    };
    let r = Responder {
        enabled: enabled.is_some(),
        subject,
        body,
        start,
        end,
        interval_days,
    };
    for p in r.problems(Some(crate::store::now())) {
        problems.push((p.field(), p.message(lang)));
    }
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    match state()?.store.set_responder(&c.actor, &a.login, &r).await {
        Ok(()) => {
            say(if r.enabled {
                lang.pick("Répondeur enregistré.", "Responder saved.")
            } else {
                lang.pick("Répondeur arrêté.", "Responder stopped.")
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("responder"), e, lang),
    }
}

#[cfg(feature = "ssr")]
fn bad_date(lang: crate::i18n::Lang) -> &'static str {
    lang.pick(
        "Une date au format AAAA-MM-JJ, par exemple 2026-12-24.",
        "A date written YYYY-MM-DD, for example 2026-12-24.",
    )
}

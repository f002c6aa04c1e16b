//! What the checks of inbound mail refused or marked, as a list: when, from whom, to whom,
//! what was done and why.

use crate::i18n::{Lang, format_datetime};
use crate::model::FilterRow;
use leptos::prelude::*;

#[component]
pub fn FilterLogList(
    rows: Vec<FilterRow>,
    lang: Lang,
    #[prop(optional)] with_recipient: bool,
) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="muted">
                {lang.pick(
                    "Rien de refusé ni de marqué ces 30 derniers jours.",
                    "Nothing refused or marked in the last 30 days.",
                )}
            </p>
        }
        .into_any();
    }
    view! {
        <ol class="log">
            {rows
                .into_iter()
                .map(|r| {
                    let done = match r.action.as_str() {
                        "refused" => lang.pick("Refusé", "Refused"),
                        _ => lang.pick("Marqué comme indésirable", "Marked as junk"),
                    };
                    let from = if r.sender.is_empty() { "<>".to_string() } else { r.sender };
                    let who = if with_recipient {
                        crate::tr!(lang, "{from} → {}", "{from} → {}", r.recipient)
                    } else {
                        from
                    };
                    view! {
                        <li>
                            <p class="log-head"><strong>{done}</strong> " · " {who}</p>
                            <p class="log-detail">{r.reason}</p>
                            <p class="muted log-meta">{format_datetime(r.at, lang)}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

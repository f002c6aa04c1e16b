//! Disk usage against the quota: a meter (yellow from 80 %, red from 95 %) and the figures.

use crate::i18n::{Lang, format_size, percent_used};
use leptos::prelude::*;

/// "1,5 Mo / 100 Mo (2 %)", or "1,5 Mo — sans limite".
pub fn usage_text(used: i64, quota: Option<i64>, lang: Lang) -> String {
    match quota {
        Some(q) => format!(
            "{} / {} ({} %)",
            format_size(used, lang),
            format_size(q, lang),
            percent_used(used, quota)
        ),
        None => format!(
            "{} — {}",
            format_size(used, lang),
            lang.pick("sans limite", "no limit")
        ),
    }
}

#[component]
pub fn UsageMeter(used: i64, quota: Option<i64>, lang: Lang) -> impl IntoView {
    let label = lang.pick("Espace utilisé", "Space used").to_string();
    view! {
        <Meter
            pct=quota.map(|_| percent_used(used, quota))
            text=usage_text(used, quota, lang)
            label
        />
    }
}

/// A meter (yellow from 80 %, red from 95 %; none when `pct` is None) and its figures:
/// disk usage, and a domain's use of the limits its host set.
#[component]
pub fn Meter(pct: Option<u32>, text: String, label: String) -> impl IntoView {
    view! {
        <div class="usage">
            {pct
                .map(|pct| {
                    view! {
                        <meter
                            min="0"
                            max="100"
                            low="80"
                            high="95"
                            optimum="0"
                            value=pct.min(100).to_string()
                            aria-label=label.clone()
                        ></meter>
                    }
                })}
            <span class="usage-text">{text}</span>
        </div>
    }
}

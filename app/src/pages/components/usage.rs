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
    let pct = percent_used(used, quota);
    view! {
        <div class="usage">
            {quota
                .map(|_| {
                    view! {
                        <meter
                            min="0"
                            max="100"
                            low="80"
                            high="95"
                            optimum="0"
                            value=pct.min(100).to_string()
                            aria-label=lang.pick("Espace utilisé", "Space used")
                        ></meter>
                    }
                })}
            <span class="usage-text">{usage_text(used, quota, lang)}</span>
        </div>
    }
}

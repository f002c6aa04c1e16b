//! A list of DNS records to publish, each with what it is for, its name, type and value
//! (selected whole at a tap, to copy), and what DNS says of it now.

use crate::i18n::Lang;
use crate::model::{DnsPageView, DnsRecordView};
use leptos::prelude::*;

/// The records of a DNS page, with the line that sums them up.
#[component]
pub fn DnsRecords(v: DnsPageView, lang: Lang) -> impl IntoView {
    let needed: Vec<&DnsRecordView> = v.records.iter().filter(|r| !r.optional).collect();
    let good = needed.iter().filter(|r| r.status == "found").count();
    let summary = match &v.error {
        Some(e) => crate::tr!(
            lang,
            "Le DNS n'a pas pu être interrogé ({e}) : voici les enregistrements à publier, sans vérification.",
            "DNS could not be asked ({e}): here are the records to publish, unchecked."
        ),
        None if good == needed.len() => lang
            .pick(
                "Tout ce qui est nécessaire est publié.",
                "Everything needed is published.",
            )
            .to_string(),
        None => crate::tr!(
            lang,
            "Publiés correctement : {good} sur {} nécessaires.",
            "Published correctly: {good} of {} needed.",
            needed.len()
        ),
    };
    let complete = v.error.is_none() && good == needed.len();
    let (required, optional): (Vec<DnsRecordView>, Vec<DnsRecordView>) =
        v.records.into_iter().partition(|r| !r.optional);
    let warnings = v.warnings.clone();
    view! {
        {warnings.into_iter().map(|w| view! { <p class="warning" role="alert">{w}</p> }).collect_view()}
        <p class=if complete { "state ok" } else { "state" } role="status">{summary}</p>
        <ul class="records">
            {required.into_iter().map(|r| view! { <Record r lang /> }).collect_view()}
        </ul>
        <h2>{lang.pick("Facultatifs, mais utiles", "Optional, but useful")}</h2>
        <ul class="records">
            {optional.into_iter().map(|r| view! { <Record r lang /> }).collect_view()}
        </ul>
    }
}

#[component]
fn Record(r: DnsRecordView, lang: Lang) -> impl IntoView {
    let (label, class) = match r.status.as_str() {
        "found" => (lang.pick("Publié", "Published"), "badge ok"),
        "missing" if r.optional => (lang.pick("Absent", "Not published"), "badge"),
        "missing" => (lang.pick("Manquant", "Missing"), "badge bad"),
        "different" => (lang.pick("Différent", "Different"), "badge bad"),
        _ => (lang.pick("Non vérifié", "Not checked"), "badge"),
    };
    let found = (!r.found.is_empty()).then(|| {
        view! {
            <p class="hint">
                {lang.pick("Trouvé à la place : ", "Found instead: ")}
                <code class="value">{r.found.join(" · ")}</code>
            </p>
        }
    });
    view! {
        <li class="record">
            <div class="record-head">
                <h3>{r.title}</h3>
                <span class=class>{label}</span>
            </div>
            <p class="hint">{r.words}</p>
            <dl class="record-fields">
                <dt>{lang.pick("Nom", "Name")}</dt>
                <dd><code class="value">{r.name}</code></dd>
                <dt>{lang.pick("Type", "Type")}</dt>
                <dd><code>{r.kind}</code></dd>
                <dt>{lang.pick("Valeur", "Value")}</dt>
                <dd><code class="value">{r.value}</code></dd>
            </dl>
            {found}
        </li>
    }
}

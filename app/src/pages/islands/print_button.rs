//! "Imprimer la fiche": the browser's print dialog. Without JavaScript the page links to its
//! print view instead (the link stays; this button is shown beside it once interactive).

use crate::i18n::Lang;
use leptos::prelude::*;

#[island]
pub fn PrintButton(lang: Lang) -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    view! {
        <button type="button" class="button" on:click=print>
            {lang.pick("Imprimer la fiche", "Print the sheet")}
        </button>
    }
}

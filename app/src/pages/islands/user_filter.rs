//! The search over a domain's users, narrowing the list at each key. Without JavaScript the
//! same field is a plain GET form (`?q=`) and the server hides what does not match.

use crate::i18n::Lang;
use leptos::prelude::*;

/// The text a search is matched against: the row's `data-search` (login, name and aliases,
/// in lower case). An empty query matches all.
pub fn search_matches(haystack: &str, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty() || haystack.contains(&q)
}

/// The search form, then the list (`children`): the `li[data-search]` items that do not match
/// are hidden, and `li.none` ("no user") shows when none is left.
#[island]
pub fn UserFilter(
    lang: Lang,
    domain: Option<String>,
    initial: String,
    children: Children,
) -> impl IntoView {
    let list = NodeRef::<leptos::html::Div>::new();
    let narrow = move |query: String| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = list.get_untracked() {
            use leptos::wasm_bindgen::JsCast;
            let mut shown = 0;
            if let Ok(items) = root.query_selector_all("li[data-search]") {
                for i in 0..items.length() {
                    if let Some(item) = items
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let hay = item.get_attribute("data-search").unwrap_or_default();
                        let keep = search_matches(&hay, &query);
                        item.set_hidden(!keep);
                        shown += usize::from(keep);
                    }
                }
            }
            if let Ok(Some(none)) = root.query_selector("li.none")
                && let Ok(none) = none.dyn_into::<web_sys::HtmlElement>()
            {
                none.set_hidden(shown > 0);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (query, list);
    };
    view! {
        <form method="get" role="search" class="search">
            {domain.map(|d| view! { <input type="hidden" name="domain" value=d /> })}
            <label for="q">{lang.pick("Rechercher", "Search")}</label>
            <div class="search-row">
                <input
                    id="q"
                    name="q"
                    type="search"
                    value=initial
                    autocomplete="off"
                    placeholder=lang.pick("nom, login ou alias", "name, login or alias")
                    on:input=move |ev| narrow(event_target_value(&ev))
                />
                <button type="submit" class="button">
                    {lang.pick("Chercher", "Search")}
                </button>
            </div>
        </form>
        <div node_ref=list>{children()}</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_on_any_part() {
        assert!(search_matches("jdupont jean dupont ventes", " Dupont "));
        assert!(search_matches("jdupont jean dupont ventes", ""));
        assert!(!search_matches("jdupont jean dupont ventes", "martin"));
    }
}

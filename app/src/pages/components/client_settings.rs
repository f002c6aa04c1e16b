//! The words a mail program's settings are given in, the same on the settings page and on the
//! printed welcome sheet: the POP3 ports, and how to send (submission with the same login, or
//! the access provider's server, as the seed says).

use crate::i18n::Lang;
use crate::model::{ClientPorts, ConnectionSettings};
use leptos::prelude::*;

/// "995 avec SSL/TLS, ou 110 avec STARTTLS".
pub fn pop3_ports(p: &ClientPorts, lang: Lang) -> String {
    crate::tr!(
        lang,
        "{} avec SSL/TLS, ou {} avec STARTTLS",
        "{} with SSL/TLS, or {} with STARTTLS",
        p.pop3s,
        p.pop3
    )
}

/// How to send: submission on this server when it is on, else the access provider's server.
pub fn sending(s: &ConnectionSettings, p: &ClientPorts, lang: Lang) -> String {
    match (p.submission, lang) {
        (Some(port), Lang::Fr) => format!(
            "{}, port {port} avec STARTTLS, authentification par le même login et mot de passe — ou le serveur SMTP de votre fournisseur d'accès à Internet.",
            s.pop_server
        ),
        (Some(port), Lang::En) => format!(
            "{}, port {port} with STARTTLS, signing in with the same login and password — or your Internet provider's SMTP server.",
            s.pop_server
        ),
        (None, _) => lang
            .pick(
                "Le serveur SMTP de votre fournisseur d'accès à Internet (celui qui vous relie à Internet).",
                "Your Internet provider's SMTP server (the company that connects you to the Internet).",
            )
            .to_string(),
    }
}

/// A password to copy by hand: in a monospace font, digits set apart from letters (the
/// generated ones have no 0/O or 1/l/I to confuse).
#[component]
pub fn SpelledPassword(
    password: String,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    // Runs of letters as text, runs of digits in a span each.
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in password.chars() {
        let digit = c.is_ascii_digit();
        match runs.last_mut() {
            Some((d, run)) if *d == digit => run.push(c),
            _ => runs.push((digit, c.to_string())),
        }
    }
    let chars = runs
        .into_iter()
        .map(|(digit, run)| {
            if digit {
                view! { <span class="digit">{run}</span> }.into_any()
            } else {
                run.into_any()
            }
        })
        .collect_view();
    view! { <code id=id class="password">{chars}</code> }
}

/// A mail program's settings as a list, the same on the settings page and the welcome sheet:
/// the address (and `other_addresses`), the POP3 server, its ports, the login, `password`
/// (what to say of it), how to send, and the personal page when `personal_page`.
#[component]
pub fn SettingsList(
    s: ConnectionSettings,
    ports: ClientPorts,
    lang: Lang,
    password: AnyView,
    #[prop(optional_no_strip)] other_addresses: Option<String>,
    #[prop(optional)] personal_page: bool,
) -> impl IntoView {
    let pop3 = pop3_ports(&ports, lang);
    let sending = sending(&s, &ports, lang);
    view! {
        <dl class="settings">
            <dt>{lang.pick("Adresse électronique", "Email address")}</dt>
            <dd>{s.address.clone()}</dd>
            {other_addresses
                .map(|list| {
                    view! {
                        <dt>{lang.pick("Autres adresses", "Other addresses")}</dt>
                        <dd>{list}</dd>
                    }
                })}
            <dt>{lang.pick("Serveur de réception (POP3)", "Incoming server (POP3)")}</dt>
            <dd>{s.pop_server.clone()}</dd>
            <dt>{lang.pick("Ports", "Ports")}</dt>
            <dd>{pop3}</dd>
            <dt>{lang.pick("Login", "Login")}</dt>
            <dd>
                <code>{s.login.clone()}</code>
                <span class="hint">
                    {lang.pick(
                        " — exactement ainsi, en minuscules",
                        " — exactly like this, in lower case",
                    )}
                </span>
            </dd>
            <dt>{lang.pick("Mot de passe", "Password")}</dt>
            <dd>{password}</dd>
            <dt>{lang.pick("Envoi (SMTP)", "Sending (SMTP)")}</dt>
            <dd>{sending}</dd>
            {personal_page
                .then(|| {
                    view! {
                        <dt>{lang.pick("Votre espace personnel", "Your personal page")}</dt>
                        <dd>{s.personal_url.clone()}</dd>
                    }
                })}
        </dl>
    }
}

//! The landing page after sign-in: who you are, which domain you manage, your mail settings.

use super::current_lang;
use crate::domain::Role;
use crate::i18n::{Lang, format_datetime};
use crate::model::Me;
use crate::pages::guard::{EVERYONE, Signed};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Home() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Accueil — courrier", "Home — courrier") />
        <Signed roles=EVERYONE render=move |me| view! { <Welcome me lang /> } />
    }
}

fn role_line(me: &Me, lang: Lang) -> String {
    match (me.role, lang, me.domain.as_deref()) {
        (Role::ServerAdmin, Lang::Fr, _) => {
            "Vous êtes administrateur du serveur : domaines, relais et file d'envoi.".into()
        }
        (Role::ServerAdmin, Lang::En, _) => {
            "You are the server's administrator: domains, relay and outgoing queue.".into()
        }
        (Role::Webmaster, Lang::Fr, Some(d)) => format!("Vous êtes webmaster du domaine {d}."),
        (Role::Webmaster, Lang::En, Some(d)) => format!("You are the webmaster of {d}."),
        (_, Lang::Fr, _) => "Vous gérez votre propre boîte aux lettres.".into(),
        (_, Lang::En, _) => "You manage your own mailbox.".into(),
    }
}

fn role_name(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::ServerAdmin => lang.pick("Administrateur du serveur", "Server administrator"),
        Role::Webmaster => lang.pick("Webmaster", "Webmaster"),
        Role::User => lang.pick("Utilisateur", "Mailbox user"),
    }
}

#[component]
fn Welcome(me: Me, lang: Lang) -> impl IntoView {
    let hello = crate::tr!(lang, "Bonjour, {}", "Hello, {}", me.display_name());
    let previous = me.previous_login_at.map(|t| {
        format!(
            "{} {}",
            lang.pick("Dernière connexion :", "Last sign-in:"),
            format_datetime(t, lang)
        )
    });
    let settings = me.domain.clone().map(|d| {
        let login = me.login.clone();
        let address = format!("{login}@{d}");
        view! {
            <section class="card" aria-labelledby="settings-title">
                <h2 id="settings-title">
                    {lang.pick("Vos paramètres de connexion", "Your connection settings")}
                </h2>
                <dl class="settings">
                    <dt>{lang.pick("Adresse", "Address")}</dt>
                    <dd>{address.clone()}</dd>
                    <dt>{lang.pick("Serveur entrant (POP)", "Incoming server (POP)")}</dt>
                    <dd>{d.clone()}</dd>
                    <dt>{lang.pick("Login", "Login")}</dt>
                    <dd>
                        {login}
                        <span class="muted">
                            {lang.pick(" ou ", " or ")}
                            {address}
                        </span>
                    </dd>
                    <dt>{lang.pick("Mot de passe", "Password")}</dt>
                    <dd>
                        {lang.pick(
                            "celui de cette page (attention aux majuscules)",
                            "the one you signed in with (mind the case)",
                        )}
                    </dd>
                    <dt>{lang.pick("Envoi (SMTP)", "Sending (SMTP)")}</dt>
                    <dd>
                        {lang.pick(
                            "le serveur de votre fournisseur d'accès habituel",
                            "your usual Internet provider's server",
                        )}
                    </dd>
                </dl>
            </section>
        }
    });
    view! {
        <section class="card" aria-labelledby="hello">
            <p class="badge">{role_name(me.role, lang)}</p>
            <h1 id="hello">{hello}</h1>
            <p class="lead">{role_line(&me, lang)}</p>
            <p class="muted">
                {lang.pick("Connecté en tant que ", "Signed in as ")} <strong>{me.login.clone()}</strong>
            </p>
            {previous.map(|p| view! { <p class="muted">{p}</p> })}
            {(me.role == Role::ServerAdmin)
                .then(|| {
                    view! {
                        <a class="button primary" href="/admin">
                            {lang.pick("Administrer le serveur", "Administer the server")}
                        </a>
                    }
                })}
            {(me.role != Role::ServerAdmin)
                .then(|| {
                    view! {
                        <a class="button" href="/personal">
                            {lang.pick("Mon espace personnel", "My personal page")}
                        </a>
                    }
                })}
            {(me.role == Role::Webmaster)
                .then(|| {
                    view! {
                        <a class="button primary" href="/siteadmin">
                            {lang.pick("Gérer les boîtes aux lettres", "Manage the mailboxes")}
                        </a>
                    }
                })}
        </section>
        {settings}
    }
}

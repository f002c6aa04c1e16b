//! The change log as people read it: when, who (and from where), what, on what.

use crate::i18n::{Lang, format_datetime};
use crate::model::{GrantRow, LogEntry};
use leptos::prelude::*;

/// The words for a logged action.
pub fn action_label(action: &str, lang: Lang) -> &str {
    let (fr, en) = match action {
        "account.add" => ("Compte créé", "Account created"),
        "account.backup" => ("Sauvegarde", "Backup"),
        "account.restore" => ("Restauration", "Restore"),
        "account.delete" => ("Compte supprimé", "Account deleted"),
        "account.forward" => ("Renvoi modifié", "Forward changed"),
        "account.password" => ("Mot de passe changé", "Password changed"),
        "account.responder" => ("Répondeur modifié", "Responder changed"),
        "account.update" => ("Compte modifié", "Account changed"),
        "account.suspend" => ("Connexions suspendues", "Logins suspended"),
        "account.resume" => ("Connexions rétablies", "Logins restored"),
        "alias.add" => ("Alias ajouté", "Alias added"),
        "alias.delete" => ("Alias retiré", "Alias removed"),
        "domain.add" => ("Domaine ajouté", "Domain added"),
        "domain.delete" => ("Domaine supprimé", "Domain deleted"),
        "domain.style" => ("Style de paramètres changé", "Settings style changed"),
        "domain.filter" => ("Filtrage modifié", "Filtering changed"),
        "account.junk" => ("Marquage des indésirables modifié", "Junk marking changed"),
        "relay.allow" => ("Relais ouvert", "Relay granted"),
        "relay.revoke" => ("Relais fermé", "Relay revoked"),
        "relay.use" => ("Message relayé", "Message relayed"),
        "account.role" => ("Rôle changé", "Role changed"),
        "domain.catch_all" => ("Attrape-tout modifié", "Catch-all changed"),
        "domain.limits" => ("Limites modifiées", "Limits changed"),
        "account.import" => ("Import du courrier", "Mail import"),
        "account.import_cancel" => ("Import annulé", "Import cancelled"),
        "domain.alias_add" => ("Autre nom ajouté", "Other name added"),
        "domain.alias_delete" => ("Autre nom retiré", "Other name removed"),
        "account.2fa_on" => (
            "Validation en deux étapes activée",
            "Two-step sign-in turned on",
        ),
        "account.2fa_off" => (
            "Validation en deux étapes retirée",
            "Two-step sign-in removed",
        ),
        "account.recovery_codes" => ("Nouveaux codes de secours", "New recovery codes"),
        "account.app_password_add" => ("Mot de passe d'application créé", "App password created"),
        "account.app_password_revoke" => {
            ("Mot de passe d'application révoqué", "App password revoked")
        }
        "account.recovery_address" => ("Adresse de secours modifiée", "Recovery address changed"),
        "account.reset_sent" => ("Lien de réinitialisation envoyé", "Reset link sent"),
        "account.reset" => ("Mot de passe réinitialisé", "Password reset"),
        other => return other,
    };
    lang.pick(fr, en)
}

/// Who acted, in words: a login, the command line, or the server itself.
pub fn actor_label(actor: &str, lang: Lang) -> String {
    match actor {
        "cli" => lang.pick("ligne de commande", "command line").to_string(),
        "system" => lang.pick("le serveur", "the server").to_string(),
        login => login.to_string(),
    }
}

#[component]
pub fn LogList(entries: Vec<LogEntry>, lang: Lang) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">{lang.pick("Aucune modification.", "No change yet.")}</p> }
            .into_any();
    }
    view! {
        <ol class="log">
            {entries
                .into_iter()
                .map(|e| {
                    let who = match &e.ip {
                        Some(ip) => format!("{} ({ip})", actor_label(&e.actor, lang)),
                        None => actor_label(&e.actor, lang),
                    };
                    view! {
                        <li>
                            <p class="log-head">
                                <strong>{action_label(&e.action, lang).to_string()}</strong>
                                " — "
                                <span class="log-target">{e.target.clone()}</span>
                            </p>
                            {(!e.detail.is_empty())
                                .then(|| view! { <p class="log-detail">{e.detail.clone()}</p> })}
                            <p class="muted log-meta">
                                <time datetime=crate::i18n::iso_date(e.at)>
                                    {format_datetime(e.at, lang)}
                                </time>
                                " · "
                                {who}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

/// Relay grants, read-only.
#[component]
pub fn GrantList(grants: Vec<GrantRow>, lang: Lang) -> impl IntoView {
    if grants.is_empty() {
        return view! {
            <p class="muted">
                {lang.pick(
                    "Aucun relais : vos utilisateurs envoient par le serveur SMTP de leur fournisseur d'accès, ou par le port de soumission avec leur mot de passe.",
                    "No relay: your users send through their provider's SMTP server, or through the submission port with their password.",
                )}
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="grants">
            {grants
                .into_iter()
                .map(|g| {
                    let state = if g.active {
                        lang.pick("actif", "active").to_string()
                    } else if g.revoked_at.is_some() {
                        lang.pick("fermé", "revoked").to_string()
                    } else {
                        lang.pick("expiré", "expired").to_string()
                    };
                    let until = g.expires_at.map(|t| crate::tr!(lang, "jusqu'au {}", "until {}", format_datetime(t - 1, lang)));
                    let cap = crate::tr!(lang, "{} messages par heure au plus", "{} messages an hour at most", g.hourly_cap);
                    view! {
                        <li class=if g.active { "grant" } else { "grant off" }>
                            <p>
                                <strong class="login">{g.network.clone()}</strong>
                                " "
                                <span class="flag">{state}</span>
                            </p>
                            {(!g.note.is_empty()).then(|| view! { <p>{g.note.clone()}</p> })}
                            <p class="muted">{cap} {until.map(|u| format!(", {u}"))}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action the store writes has words in both languages (no raw key on a page).
    #[test]
    fn every_logged_action_has_words() {
        for key in [
            "account.add",
            "account.backup",
            "account.delete",
            "account.forward",
            "account.password",
            "account.responder",
            "account.restore",
            "account.resume",
            "account.suspend",
            "account.update",
            "alias.add",
            "alias.delete",
            "domain.add",
            "domain.delete",
            "domain.style",
            "domain.filter",
            "account.junk",
            "relay.allow",
            "relay.revoke",
            "relay.use",
            "account.role",
            "domain.catch_all",
            "domain.limits",
            "account.import",
            "account.import_cancel",
            "domain.alias_add",
            "domain.alias_delete",
            "account.2fa_on",
            "account.2fa_off",
            "account.recovery_codes",
            "account.app_password_add",
            "account.app_password_revoke",
            "account.recovery_address",
            "account.reset_sent",
            "account.reset",
        ] {
            for lang in [Lang::Fr, Lang::En] {
                assert_ne!(action_label(key, lang), key, "{key}");
            }
        }
    }
}

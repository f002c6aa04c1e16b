//! `/personal`: a mailbox user's own page — disk usage and the last messages received ("is my
//! mail arriving?"), the addresses that reach them, "forward email to", the responder and the
//! password. The seed: "L'utilisateur pourra ensuite changer son répondeur automatique,
//! l'adresse de forward, son mot de passe, vérifier l'utilisation de son espace disque…".

mod security;
mod settings;
pub use security::SecurityPage;
pub use settings::SettingsPage;

use crate::api::mailbox::my_mail_settings;
use crate::api::personal::{ChangeMyPassword, personal_overview};
use crate::i18n::{Lang, format_datetime, format_size, percent_used};
use crate::model::{MailSettings, PersonalView};
use crate::pages::backups::MAILBOX_OWNERS;
use crate::pages::components::field::{CurrentPasswordField, FormState, NewPasswordFields};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::mail_settings::{ForwardForm, ResponderForm};
use crate::pages::components::notice::FormNotice;
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::components::usage::UsageMeter;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PersonalPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| personal_overview());
    let settings = Resource::new(|| (), |_| my_mail_settings());
    let filter = Resource::new(|| (), |_| crate::api::filter::my_filter());
    view! {
        <Signed
            roles=MAILBOX_OWNERS
            render=move |me| view! { <Personal overview settings filter login=me.login /> }
        />
    }
}

#[component]
fn Personal(
    overview: Resource<Result<PersonalView, ServerFnError>>,
    settings: Resource<Result<MailSettings, ServerFnError>>,
    filter: Resource<Result<crate::model::MyFilterView, ServerFnError>>,
    login: String,
) -> impl IntoView {
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Mon espace — courrier", "My mailbox — courrier") />
        <Loaded data=overview render=move |v| view! { <Overview v lang /> } />
        <Loaded
            data=settings
            render=move |s: MailSettings| {
                view! {
                    <ForwardForm s=s.clone() lang />
                    <ResponderForm s lang />
                }
            }
        />
        <Loaded data=filter render=move |f| view! { <JunkForm f lang /> } />
        <PasswordForm lang login />
    }
}

/// How junk reaches the mailbox, and what was refused or marked for it lately.
#[component]
fn JunkForm(f: crate::model::MyFilterView, lang: Lang) -> impl IntoView {
    use crate::domain::filter::JunkMode;
    let action = form_action::<crate::api::filter::SetJunkMode>();
    let current = FormState::of(action).kept("mode").unwrap_or(f.junk_mode);
    let choices = [JunkMode::Subject, JunkMode::Headers]
        .into_iter()
        .map(|m| (m.as_str(), m.label(lang)))
        .collect();
    view! {
        <section class="card" aria-labelledby="junk-title">
            <h2 id="junk-title">{lang.pick("Courrier indésirable", "Junk mail")}</h2>
            <p class="hint">
                {lang.pick(
                    "Le serveur vérifie chaque message avant de l'accepter. Ce qui ressemble à un indésirable arrive quand même, marqué ; ce qui est sûrement frauduleux ou infecté est refusé et n'arrive pas.",
                    "The server checks every message before accepting it. What looks like junk still arrives, marked; what is surely forged or infected is refused and does not arrive.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <crate::pages::components::field::Choices
                    name="mode"
                    legend=lang.pick("Un message marqué arrive avec…", "A marked message arrives with…")
                    choices
                    current
                />
                <FormNotice result=action.value() lang />
                <button type="submit" class="button primary">{lang.pick("Enregistrer", "Save")}</button>
            </ActionForm>
            <h3>{lang.pick("Refusés et marqués (30 jours)", "Refused and marked (30 days)")}</h3>
            <crate::pages::components::filter_log::FilterLogList rows=f.log lang />
        </section>
    }
}

/// The quota warning levels (percent): a note at 80, an alert at 95.
pub fn quota_level(pct: u32) -> Option<&'static str> {
    match pct {
        95.. => Some("alert"),
        80.. => Some("note"),
        _ => None,
    }
}

#[component]
fn Overview(v: PersonalView, lang: Lang) -> impl IntoView {
    let pct = percent_used(v.used_bytes, v.quota_bytes);
    let warning = quota_level(pct).map(|level| {
        let text = match (level, lang) {
            ("alert", Lang::Fr) => "Votre boîte est presque pleine : relevez votre courrier ou supprimez des messages, sinon les nouveaux seront refusés.",
            ("alert", Lang::En) => "Your mailbox is almost full: collect your mail or delete messages, or new ones will be refused.",
            (_, Lang::Fr) => "Votre boîte se remplit : pensez à relever votre courrier.",
            (_, Lang::En) => "Your mailbox is filling up: remember to collect your mail.",
        };
        view! { <p class="warning" role="status">{text}</p> }
    });
    let waiting = crate::tr!(
        lang,
        "{} en attente sur le serveur",
        "{} waiting on the server",
        crate::i18n::messages(v.messages, lang)
    );
    let collected = match (v.last_pop3_login, lang) {
        (Some(t), Lang::Fr) => format!("Dernière relève : {}", format_datetime(t, lang)),
        (Some(t), Lang::En) => format!("Last collected: {}", format_datetime(t, lang)),
        (None, Lang::Fr) => "Le courrier n'a encore jamais été relevé.".to_string(),
        (None, Lang::En) => "Mail has never been collected yet.".to_string(),
    };
    view! {
        <section class="card" aria-labelledby="me-title">
            <p class="badge">{lang.pick("Mon espace", "My mailbox")}</p>
            <h1 id="me-title">{v.display_name.clone()}</h1>
            <p class="login">{v.address.clone()}</p>
            <UsageMeter used=v.used_bytes quota=v.quota_bytes lang />
            {warning}
            <p class="muted">{waiting}</p>
            <p class="muted">{collected}</p>
            <nav class="button-row" aria-label=lang.pick("Mon espace", "My mailbox")>
                <a class="button" href="/personal/backups">
                    {lang.pick("Mes sauvegardes", "My backups")}
                </a>
                <a class="button" href="/personal/import">
                    {lang.pick("Importer mon courrier", "Import my mail")}
                </a>
                <a class="button" href="/personal/settings">
                    {lang.pick("Paramètres de connexion", "Connection settings")}
                </a>
                <a class="button" href="/help">{lang.pick("Aide en ligne", "Help")}</a>
            </nav>
        </section>
        <section class="card" aria-labelledby="addresses-title">
            <h2 id="addresses-title">{lang.pick("Les adresses qui m'arrivent", "The addresses that reach me")}</h2>
            <ul class="plain-list">
                <li><strong>{v.address.clone()}</strong></li>
                {v.aliases.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">{lang.pick("Mon courrier arrive-t-il ?", "Is my mail arriving?")}</h2>
            <p class="hint">
                {lang.pick(
                    "Les 20 derniers messages reçus par le serveur et pas encore relevés.",
                    "The last 20 messages the server received and that are not collected yet.",
                )}
            </p>
            {if v.recent.is_empty() {
                view! {
                    <p class="muted">{lang.pick("Aucun message en attente.", "No message waiting.")}</p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="log">
                        {v
                            .recent
                            .iter()
                            .map(|m| {
                                let from = if m.from.is_empty() { "<>".to_string() } else { m.from.clone() };
                                let subject = if m.subject.is_empty() {
                                    lang.pick("(sans sujet)", "(no subject)").to_string()
                                } else {
                                    m.subject.clone()
                                };
                                view! {
                                    <li>
                                        <p class="log-head"><strong>{subject}</strong></p>
                                        <p class="log-detail">{from}</p>
                                        <p class="muted log-meta">
                                            {format_datetime(m.received_at, lang)} " · "
                                            {format_size(m.size, lang)}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn PasswordForm(lang: Lang, login: String) -> impl IntoView {
    let action = form_action::<ChangeMyPassword>();
    let r = action.value();
    let form = FormState::of(action);
    view! {
        <section class="card" aria-labelledby="pw-title">
            <h2 id="pw-title">{lang.pick("Mon mot de passe", "My password")}</h2>
            <p class="hint">
                {lang.pick(
                    "Le même mot de passe sert pour relever le courrier et pour ce site. Après le changement, vos autres sessions sont fermées et votre logiciel de messagerie vous demandera le nouveau.",
                    "The same password serves to collect mail and for this site. After the change your other sessions end and your mail program will ask for the new one.",
                )}
            </p>
            <ActionForm action attr:id=form_id(&action) attr:class="form">
                <CurrentPasswordField form=form lang />
                <NewPasswordFields form login lang />
                <FormNotice result=r lang />
                <button type="submit" class="button primary">
                    {lang.pick("Changer mon mot de passe", "Change my password")}
                </button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quota_levels() {
        assert_eq!(super::quota_level(79), None);
        assert_eq!(super::quota_level(80), Some("note"));
        assert_eq!(super::quota_level(95), Some("alert"));
        assert_eq!(super::quota_level(130), Some("alert"));
    }
}

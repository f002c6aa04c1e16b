//! Backups and their restore, for a user at `/personal/backups` and for a webmaster from the
//! pen at `/siteadmin/user/:login/backups`: make one now, download it, give one back (upload),
//! see what a restore would do, then restore.
//!
//! The upload is a plain multipart form (it works the same before and after the WASM loads);
//! the server's `/backup-files/…` routes receive it and come back here.

use crate::api::backups::{DeleteBackup, MakeBackup, RestoreBackup, backup_list, preview_restore};
use crate::domain::Role;
use crate::i18n::{Lang, format_datetime, format_size, messages};
use crate::model::{BackupsView, RestorePreview};
use crate::pages::components::loaded::Loaded;
use crate::pages::components::notice::{form_action, form_id};
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use crate::pages::islands::ConfirmButton;
use crate::pages::siteadmin::user::login_param;
use crate::pages::siteadmin::{MANAGERS, domain_param, portal_href};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Everyone with a mailbox: users and webmasters.
pub const MAILBOX_OWNERS: &[Role] = &[Role::User, Role::Webmaster];

/// Where a mailbox's backups page is: `/personal/backups` for one's own (`login` empty),
/// else the pen's, keeping the server admin's `?domain=`.
fn base_path(login: &str) -> String {
    if login.is_empty() {
        "/personal/backups".to_string()
    } else {
        format!("/siteadmin/user/{login}/backups")
    }
}

fn href(login: &str, suffix: &str) -> String {
    portal_href(&format!("{}{suffix}", base_path(login)), &domain_param())
}

fn id_param() -> i64 {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default()
}

#[component]
pub fn PersonalBackupsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| backup_list(String::new()));
    view! {
        <Signed
            roles=MAILBOX_OWNERS
            render=move |_| view! { <BackupsPanel data login=String::new() /> }
        />
    }
}

#[component]
pub fn UserBackupsPage() -> impl IntoView {
    let data = Resource::new(login_param, backup_list);
    view! {
        <Signed
            roles=MANAGERS
            render=move |_| view! { <BackupsPanel data login=login_param() /> }
        />
    }
}

#[component]
pub fn PersonalRestorePage() -> impl IntoView {
    let data = Resource::new(id_param, |id| preview_restore(String::new(), id));
    view! {
        <Signed
            roles=MAILBOX_OWNERS
            render=move |_| view! { <RestorePanel data login=String::new() /> }
        />
    }
}

#[component]
pub fn UserRestorePage() -> impl IntoView {
    let data = Resource::new(
        || (login_param(), id_param()),
        |(login, id)| preview_restore(login, id),
    );
    view! {
        <Signed
            roles=MANAGERS
            render=move |_| view! { <RestorePanel data login=login_param() /> }
        />
    }
}

#[component]
fn BackupsPanel(
    data: Resource<Result<BackupsView, ServerFnError>>,
    login: String,
) -> impl IntoView {
    let lang = current_lang();
    let login = StoredValue::new(login);
    view! {
        <Title text=lang.pick("Sauvegardes — courrier", "Backups — courrier") />
        <Loaded data render=move |v| view! { <Backups v lang login=login.get_value() /> } />
    }
}

#[component]
fn Backups(v: BackupsView, lang: Lang, login: String) -> impl IntoView {
    let make = form_action::<MakeBackup>();
    let delete = form_action::<DeleteBackup>();
    let back = if login.is_empty() {
        "/personal".to_string()
    } else {
        portal_href(&format!("/siteadmin/user/{login}"), &domain_param())
    };
    let upload_action = portal_href(&format!("/backup-files/{}", v.login), &domain_param());
    let base = href(&login, "");
    let keep_text = crate::tr!(
        lang,
        "Le serveur garde vos {} dernières sauvegardes ; une nouvelle remplace la plus ancienne. Téléchargez celles que vous voulez garder plus longtemps.",
        "The server keeps your last {} backups; a new one replaces the oldest. Download those you want to keep longer.",
        v.keep
    );
    let (count, size) = (messages(v.messages, lang), format_size(v.used_bytes, lang));
    let now_text = crate::tr!(
        lang,
        "{count} sur le serveur ({size}), et vos réglages : nom, renvoi, répondeur.",
        "{count} on the server ({size}), and your settings: name, forward, responder.",
    );
    let limit = crate::tr!(
        lang,
        "Fichier .tar.gz d'une sauvegarde courrier, {} au plus.",
        "A courrier backup file (.tar.gz), {} at most.",
        format_size(v.max_upload, lang)
    );
    let flash = v.flash.clone().map(|f| {
        let class = if f.ok { "notice" } else { "error" };
        let role = if f.ok { "status" } else { "alert" };
        view! { <p class=class role=role>{f.text}</p> }
    });
    let login_value = StoredValue::new(v.login.clone());
    let rows = v
        .backups
        .iter()
        .map(|b| {
            let what = format!(
                "{} · {}",
                messages(b.messages.max(0) as u64, lang),
                format_size(b.size, lang)
            );
            let origin = if b.uploaded {
                lang.pick(
                    "envoyée depuis votre ordinateur",
                    "uploaded from your computer",
                )
            } else {
                lang.pick("faite sur le serveur", "made on the server")
            };
            let file = format!("/backup-files/{}/{}", v.login, b.id);
            let restore = href(&login, &format!("/{}", b.id));
            let id = b.id;
            view! {
                <li class="backup">
                    <p class="log-head">
                        <strong>{format_datetime(b.created_at, lang)}</strong>
                    </p>
                    <p class="log-detail">{what}</p>
                    <p class="muted log-meta">{origin}</p>
                    <div class="button-row">
                        <a class="button" href=file rel="external" download="">
                            {lang.pick("Télécharger", "Download")}
                        </a>
                        <a class="button" href=restore>{lang.pick("Restaurer…", "Restore…")}</a>
                        <ActionForm action=delete attr:class="inline-form">
                            <input type="hidden" name="login" value=login_value.get_value() />
                            <input type="hidden" name="id" value=id />
                            <ConfirmButton
                                label=lang.pick("Supprimer", "Delete").to_string()
                                question=crate::api::questions::delete_backup(lang)
                                class="button danger".to_string()
                            />
                        </ActionForm>
                    </div>
                </li>
            }
        })
        .collect_view();
    let empty = v.backups.is_empty().then(|| {
        view! { <p class="muted">{lang.pick("Aucune sauvegarde pour l'instant.", "No backup yet.")}</p> }
    });
    view! {
        <section class="card" aria-labelledby="backups-title">
            <a class="back" href=back>{lang.pick("← Retour", "← Back")}</a>
            <h1 id="backups-title">{lang.pick("Sauvegardes", "Backups")}</h1>
            <p class="login">{v.display_name.clone()} " · " {v.address.clone()}</p>
            {flash}
            <p>{now_text}</p>
            <ActionForm action=make attr:id=form_id(&make) attr:class="form">
                <input type="hidden" name="login" value=login_value.get_value() />
                <p class="error" role="alert">{move || crate::api::form_message(make.value().get())}</p>
                <button type="submit" class="button primary">
                    {lang.pick("Faire une sauvegarde maintenant", "Make a backup now")}
                </button>
            </ActionForm>
            <p class="hint">
                {lang.pick(
                    "Le fichier contient tous vos messages au format mbox (Thunderbird et mutt l'ouvrent) et vos réglages.",
                    "The file holds all your messages as an mbox (Thunderbird and mutt open it) and your settings.",
                )}
            </p>
        </section>
        <section class="card" aria-labelledby="kept-title">
            <h2 id="kept-title">{lang.pick("Sauvegardes gardées", "Kept backups")}</h2>
            <p class="hint">{keep_text}</p>
            {empty}
            <ul class="log">{rows}</ul>
        </section>
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">{lang.pick("Restaurer depuis un fichier", "Restore from a file")}</h2>
            <form class="form" method="post" enctype="multipart/form-data" action=upload_action>
                <input type="hidden" name="back" value=base />
                <div class="field">
                    <label for="backup-file">{lang.pick("Fichier de sauvegarde", "Backup file")}</label>
                    <input
                        id="backup-file"
                        name="file"
                        type="file"
                        accept=".gz,.tgz,application/gzip"
                        required
                        aria-describedby="backup-file-hint"
                    />
                    <p class="hint" id="backup-file-hint">{limit}</p>
                </div>
                <button type="submit" class="button">
                    {lang.pick("Envoyer et voir ce qui serait restauré", "Upload and see what would be restored")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn RestorePanel(
    data: Resource<Result<RestorePreview, ServerFnError>>,
    login: String,
) -> impl IntoView {
    let lang = current_lang();
    let login = StoredValue::new(login);
    view! {
        <Title text=lang.pick("Restaurer — courrier", "Restore — courrier") />
        <Loaded data render=move |p| view! { <Restore p lang login=login.get_value() /> } />
    }
}

#[component]
fn Restore(p: RestorePreview, lang: Lang, login: String) -> impl IntoView {
    let action = form_action::<RestoreBackup>();
    let back = href(&login, "");
    let heading = view! {
        <a class="back" href=back.clone()>{lang.pick("← Sauvegardes", "← Backups")}</a>
        <h1 id="restore-title">{lang.pick("Restaurer une sauvegarde", "Restore a backup")}</h1>
    };
    if let Some(why) = p.refusal.clone() {
        return view! {
            <section class="card" aria-labelledby="restore-title">
                {heading}
                <p class="error" role="alert">{why}</p>
            </section>
        }
        .into_any();
    }
    let (made, total, new, size, there) = (
        format_datetime(p.created_at, lang),
        messages(p.total, lang),
        messages(p.new_messages, lang),
        format_size(p.new_bytes, lang),
        messages(p.total - p.new_messages, lang),
    );
    let counts = crate::tr!(
        lang,
        "Sauvegarde du {made} : {total}. À ajouter, absents du serveur : {new} ({size}) ; déjà présents, laissés tels quels : {there}.",
        "Backup of {made}: {total}. To add, not on the server: {new} ({size}); already there, left as they are: {there}.",
    );
    let made_of = crate::tr!(
        lang,
        "Faite de la boîte {}.",
        "Made of the mailbox {}.",
        p.made_of
    );
    let settings_choice = if let Some(why) = p.settings_refused.clone() {
        view! {
            <p class="warning">
                {lang.pick(
                    "Seuls les messages peuvent être restaurés : les réglages de cette sauvegarde ne peuvent pas être repris. ",
                    "Only the messages can be restored: this backup's settings cannot be taken. ",
                )}
                {why}
            </p>
        }
        .into_any()
    } else if p.changes.is_empty() {
        view! {
            <p class="muted">
                {lang.pick(
                    "Les réglages de la sauvegarde sont ceux d'aujourd'hui.",
                    "The backup's settings are today's.",
                )}
            </p>
        }
        .into_any()
    } else {
        let rows = p
            .changes
            .iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.what.clone()}</th>
                        <td>{c.now.clone()}</td>
                        <td>{c.saved.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="changes">
                <caption>{lang.pick("Réglages qui changeraient", "Settings that would change")}</caption>
                <thead>
                    <tr>
                        <td></td>
                        <th scope="col">{lang.pick("Aujourd'hui", "Today")}</th>
                        <th scope="col">{lang.pick("Sauvegarde", "Backup")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="check">
                <input id="settings" name="settings" type="checkbox" value="on" />
                <label for="settings">
                    {lang.pick(
                        "Reprendre aussi les réglages de la sauvegarde",
                        "Also restore the backup's settings",
                    )}
                </label>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="restore-title">
            {heading}
            <p>{counts}</p>
            <p class="muted">{made_of}</p>
            <ActionForm action=action attr:id=form_id(&action) attr:class="form">
                <input type="hidden" name="login" value=p.login.clone() />
                <input type="hidden" name="id" value=p.id />
                <input type="hidden" name="back" value=back />
                {settings_choice}
                <p class="error" role="alert">{move || crate::api::form_message(action.value().get())}</p>
                <button type="submit" class="button primary">
                    {lang.pick("Restaurer", "Restore")}
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}

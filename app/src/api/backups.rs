//! Backups from the portals: a user's own (`/personal/backups`) or, from the pen, any mailbox
//! the webmaster manages. `login` empty means the caller's own mailbox. The file itself is
//! downloaded and uploaded through plain HTTP routes of the server (`server::backup_files`),
//! which check the caller the same way.

use crate::model::{BackupsView, RestorePreview};
use leptos::prelude::*;

/// The session key of the message shown once on the backups page (after an upload, a
/// restore): `(ok, text)`.
#[cfg(feature = "ssr")]
pub const BACKUP_FLASH: &str = "backup_flash";

#[server(endpoint = "backups/list")]
pub async fn backup_list(login: String) -> Result<BackupsView, ServerFnError> {
    use super::context::*;
    use crate::model::{BackupRow, Flash};
    let c = caller().await?;
    let a = c.own_or_managed(&login).await?;
    let st = state()?;
    let backups = st
        .store
        .backups_of(&a.login)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .map(|b| BackupRow {
            id: b.id,
            created_at: b.created_at,
            size: b.size,
            messages: b.message_count,
            uploaded: b.origin == "uploaded",
        })
        .collect();
    let address = st
        .store
        .addresses_of(&a)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .next()
        .unwrap_or_else(|| a.login.clone());
    let session = session().await?;
    let flash: Option<(bool, String)> = session.remove(BACKUP_FLASH).await.ok().flatten();
    Ok(BackupsView {
        login: a.login.clone(),
        own: a.id == c.account.id,
        address,
        display_name: format!("{} {}", a.first_name, a.last_name)
            .trim()
            .to_string(),
        messages: st
            .store
            .mailbox_count(a.id)
            .await
            .map_err(|e| store_error(e, c.lang))?,
        used_bytes: a.used_bytes,
        backups,
        keep: crate::store::backups::KEEP as u32,
        max_upload: st.backup_limits.max_file as i64,
        flash: flash.map(|(ok, text)| Flash { ok, text }),
    })
}

#[server(endpoint = "backups/make")]
pub async fn make_backup(login: String) -> Result<Option<String>, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let a = c.own_or_managed(&login).await?;
    let st = state()?;
    match st
        .store
        .make_backup(&c.actor, &a.login, &st.backup_limits)
        .await
    {
        Ok(b) => {
            let text = match c.lang {
                crate::i18n::Lang::Fr => format!(
                    "Sauvegarde faite : {}, {}.",
                    crate::i18n::messages(b.message_count as u64, c.lang),
                    crate::i18n::format_size(b.size, c.lang)
                ),
                crate::i18n::Lang::En => format!(
                    "Backup made: {}, {}.",
                    crate::i18n::messages(b.message_count as u64, c.lang),
                    crate::i18n::format_size(b.size, c.lang)
                ),
            };
            flash(&session().await?, true, text)
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// Deletes a kept backup, once confirmed.
#[server(endpoint = "backups/delete")]
pub async fn delete_backup(
    login: String,
    id: i64,
    confirmed: Option<String>,
) -> Result<Option<String>, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let a = c.own_or_managed(&login).await?;
    if !is_confirmed(&confirmed) {
        return ask(super::questions::delete_backup(c.lang));
    }
    match state()?.store.delete_backup(&c.actor, &a.login, id).await {
        Ok(()) => {
            announce(c.lang.pick("Sauvegarde supprimée.", "Backup deleted."));
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

#[server(endpoint = "backups/preview")]
pub async fn preview_restore(login: String, id: i64) -> Result<RestorePreview, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let a = c.own_or_managed(&login).await?;
    let st = state()?;
    let plan = st.store.restore_plan(&a.login, id, &st.backup_limits).await;
    let plan = match plan {
        Ok(p) => p,
        Err(e @ crate::store::StoreError::Backup(_)) => {
            return Ok(RestorePreview {
                id,
                refusal: Some(e.message(c.lang)),
                ..Default::default()
            });
        }
        Err(e) => return Err(store_error(e, c.lang)),
    };
    let changes = settings_changes(&plan.current, &plan.saved, c.lang);
    let refusal = plan.over_quota().map(|r| r.message(c.lang));
    Ok(RestorePreview {
        id,
        login: a.login.clone(),
        // The backup's own date, from its manifest (not when it was uploaded).
        created_at: plan.made_at,
        made_of: plan.made_of,
        total: plan.total,
        new_messages: plan.new_messages,
        new_bytes: plan.new_bytes as i64,
        changes,
        settings_refused: plan.settings_refused.map(|e| e.public_message(c.lang)),
        refusal,
    })
}

#[server(endpoint = "backups/restore")]
pub async fn restore_backup(
    login: String,
    id: i64,
    settings: Option<String>,
    back: String,
) -> Result<Option<String>, ServerFnError> {
    use super::context::*;
    use crate::i18n::{Lang, by_number};
    let c = caller().await?;
    let a = c.own_or_managed(&login).await?;
    let st = state()?;
    let with_settings = settings.is_some();
    let done = st
        .store
        .restore_backup(&c.actor, &a.login, id, with_settings, &st.backup_limits)
        .await;
    match done {
        Ok(r) => {
            let mut text = match c.lang {
                Lang::Fr => format!(
                    "Restauration faite : {} {}, {} déjà {}.",
                    crate::i18n::messages(r.added, c.lang),
                    by_number(r.added, c.lang, ("ajouté", "ajoutés"), ("", "")),
                    r.skipped,
                    by_number(r.skipped, c.lang, ("présent", "présents"), ("", ""))
                ),
                Lang::En => format!(
                    "Restore done: {} added, {} already there.",
                    crate::i18n::messages(r.added, c.lang),
                    r.skipped
                ),
            };
            if r.settings {
                text.push(' ');
                text.push_str(c.lang.pick("Réglages repris.", "Settings restored."));
            }
            flash(&session().await?, true, text)
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            go_to(super::LocalPath::or(&back, BACKUPS_PAGE));
            Ok(None)
        }
        Err(e) => refused_store(None, e, c.lang),
    }
}

/// Keeps a message for the next view of the backups page (server functions and the upload
/// route alike).
#[cfg(feature = "ssr")]
pub async fn flash(
    session: &tower_sessions::Session,
    ok: bool,
    text: String,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(BACKUP_FLASH, (ok, text)).await
}

/// Where the backups page is when a form does not say.
pub const BACKUPS_PAGE: &str = "/personal/backups";

/// What restoring the settings would change, in words.
#[cfg(feature = "ssr")]
fn settings_changes(
    now: &crate::backup::BackupSettings,
    saved: &crate::backup::BackupSettings,
    lang: crate::i18n::Lang,
) -> Vec<crate::model::SettingChange> {
    use crate::backup::ForwardSettings;
    use crate::domain::responder::Responder;
    use crate::model::SettingChange;
    let names = |s: &crate::backup::BackupSettings| {
        format!("{} {}", s.first_name, s.last_name)
            .trim()
            .to_string()
    };
    let forward = |f: &ForwardSettings| match (f.to.is_empty(), f.keep_copy, lang) {
        (true, _, _) => lang.pick("aucun", "none").to_string(),
        (false, true, crate::i18n::Lang::Fr) => format!("{} (copie gardée)", f.to.join(", ")),
        (false, true, crate::i18n::Lang::En) => format!("{} (copy kept)", f.to.join(", ")),
        (false, false, _) => f.to.join(", "),
    };
    let responder = |r: &Responder| match (r.enabled, lang) {
        (true, crate::i18n::Lang::Fr) => format!("en marche, « {} »", r.subject),
        (true, crate::i18n::Lang::En) => format!("on, \"{}\"", r.subject),
        (false, _) => lang.pick("arrêté", "off").to_string(),
    };
    let mut out = Vec::new();
    let mut push = |what: &str, a: String, b: String| {
        if a != b {
            out.push(SettingChange {
                what: what.into(),
                now: a,
                saved: b,
            });
        }
    };
    push(lang.pick("Nom", "Name"), names(now), names(saved));
    push(
        lang.pick("Renvoi", "Forward"),
        forward(&now.forward),
        forward(&saved.forward),
    );
    let (r_now, r_saved) = (responder(&now.responder), responder(&saved.responder));
    // The same subject but another text or other dates is still a change to show.
    let (r_now, r_saved) = if r_now == r_saved && now.responder != saved.responder {
        (
            format!(
                "{r_now} ({})",
                lang.pick("texte ou dates actuels", "current text or dates")
            ),
            format!(
                "{r_saved} ({})",
                lang.pick("autre texte ou dates", "other text or dates")
            ),
        )
    } else {
        (r_now, r_saved)
    };
    push(lang.pick("Répondeur", "Responder"), r_now, r_saved);
    out
}

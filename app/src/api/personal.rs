//! `/personal`: a mailbox user's own page (the seed: change the responder, the forward, the
//! password, check the disk usage). Everything here acts on the caller's own account only.

use crate::model::PersonalView;
use leptos::prelude::*;

/// Messages listed under "is my mail arriving?".
pub const RECENT: u64 = 20;

#[server(endpoint = "personal/overview")]
pub async fn personal_overview() -> Result<PersonalView, ServerFnError> {
    use super::context::*;
    use crate::model::RecentMessage;
    let c = caller().await?;
    // The server admin has no mailbox.
    if c.domain.is_none() {
        return Err(not_allowed(c.lang));
    }
    let st = state()?;
    let a = &c.account;
    let own = st
        .store
        .addresses_of(a)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let messages = st
        .store
        .mailbox_count(a.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let recent = st
        .store
        .recent_messages(a.id, RECENT)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .map(|(received_at, from, subject, size)| RecentMessage {
            received_at,
            from,
            subject,
            size,
        })
        .collect();
    let mut aliases: Vec<String> = own.iter().skip(1).cloned().collect();
    aliases.sort();
    Ok(PersonalView {
        display_name: format!("{} {}", a.first_name, a.last_name)
            .trim()
            .to_string(),
        address: own.first().cloned().unwrap_or_default(),
        aliases,
        used_bytes: a.used_bytes,
        quota_bytes: a.quota_bytes,
        messages,
        last_pop3_login: a.last_pop3_login_at,
        recent,
    })
}

/// Changes the caller's own password: the current one first (throttled like a sign-in),
/// then the new one twice. The same password serves mail and the web; every other session of
/// the user ends, this one stays.
#[server(endpoint = "personal/password")]
pub async fn change_my_password(
    current: String,
    new_password: String,
    confirm: String,
) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let st = state()?;
    // Every field judged before refusing: the new password's rule and the second entry, then
    // the current password (its check counts against guessing, whatever the others say).
    let mut problems = Vec::new();
    if let Err(p) = crate::domain::check_chosen_password(&new_password, &c.account.login) {
        problems.push((
            "new_password",
            crate::store::StoreError::from(p).message(c.lang),
        ));
    }
    if new_password != confirm {
        problems.push((
            "confirm",
            c.lang
                .pick(
                    "Les deux saisies du nouveau mot de passe sont différentes.",
                    "The two entries of the new password differ.",
                )
                .to_string(),
        ));
    }
    match recheck_current(&c, &current, "password change").await? {
        Recheck::Right => {}
        Recheck::Refused(words) => problems.insert(0, ("current", words)),
        Recheck::Answer(answer) => return answer,
    }
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    if let Err(e) = st
        .store
        .set_password(&c.actor, &c.account.login, Some(new_password))
        .await
    {
        return super::context::refused_store(Some("new_password"), e, c.lang);
    }
    // The change ended every session of the account; this one carries on, with a new id and
    // the new password epoch.
    let fresh = st
        .store
        .account_by_id(c.account.id)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .ok_or_else(|| not_allowed(c.lang))?;
    let session = session().await?;
    session
        .cycle_id()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    session
        .insert(EPOCH_KEY, fresh.auth_epoch)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    say(c.lang.pick(
        "Mot de passe changé : vos autres sessions sont fermées.",
        "Password changed: your other sessions have ended.",
    ));
    Ok(None)
}

/// The caller's connection settings (the seed's first question), the ports clients are told,
/// and a QR code of this page's address for a phone.
#[server(endpoint = "personal/settings")]
pub async fn my_connection_settings() -> Result<crate::model::SettingsView, ServerFnError> {
    use super::context::*;
    use crate::model::{ConnectionSettings, SettingsView};
    let c = caller().await?;
    let Some(d) = c.domain.clone() else {
        return Err(not_allowed(c.lang));
    };
    let st = state()?;
    let base = site_base(Some(&format!("www.{}", d.name)));
    let page_url = format!("{base}/personal/settings");
    Ok(SettingsView {
        settings: ConnectionSettings::for_user(&c.account.login, &d.name, &d.style),
        ports: st.client_ports.clone(),
        qr_svg: qr_svg(&page_url),
        two_factor: st
            .store
            .has_second_factor(c.account.id)
            .await
            .map_err(|e| store_error(e, c.lang))?,
        page_url,
    })
}

/// `text` as a QR code, an inline SVG (dark on white, with its quiet zone).
#[cfg(feature = "ssr")]
pub(crate) fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color>()
                .min_dimensions(176, 176)
                .dark_color(svg::Color("#1b1f24"))
                .light_color(svg::Color("#ffffff"))
                .build();
            // Inline in the page: no XML declaration.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

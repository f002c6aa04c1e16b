//! Bringing the mail of the previous host (issue 17), from the portals: a user's own mailbox
//! (`/personal/import`) or, from the pen, any mailbox the webmaster manages. `login` empty
//! means the caller's own. A look at the old mailbox first (what it holds; nothing changed
//! there), then the job, which runs in the background and survives a restart; its progress
//! is read again at each visit.

#[cfg(feature = "ssr")]
use crate::model::ImportJobView;
use crate::model::ImportView;
use leptos::prelude::*;

/// The mailbox `login` names (empty: the caller's own), if the caller may act on it and it
/// is a mailbox.
#[cfg(feature = "ssr")]
async fn target(
    c: &super::context::Caller,
    login: &str,
) -> Result<crate::store::entities::account::Model, ServerFnError> {
    let a = c.own_or_managed(login).await?;
    if a.domain_id.is_none() {
        return Err(super::context::not_allowed(c.lang));
    }
    Ok(a)
}

#[server(endpoint = "import/status")]
pub async fn import_status(login: String) -> Result<ImportView, ServerFnError> {
    use super::context::*;
    use crate::domain::import::State;
    let c = caller().await?;
    let a = target(&c, &login).await?;
    let st = state()?;
    let job = st
        .store
        .latest_import(a.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let free = a.quota_bytes.map(|q| (q - a.used_bytes).max(0));
    Ok(ImportView {
        login: a.login.clone(),
        own: a.id == c.account.id,
        free,
        job: job.map(|j| {
            let state = State::parse(&j.state).unwrap_or(State::Failed);
            let survey = crate::domain::import::Survey {
                messages: j.total_messages.max(0) as u64,
                bytes: j.total_bytes.max(0) as u64,
            };
            ImportJobView {
                source: j.source,
                login: j.login,
                state: j.state.clone(),
                state_label: state.label(c.lang).to_string(),
                open: state.is_open(),
                moving: state.is_moving(),
                survey: survey.describe(free.map(|f| f as u64), c.lang),
                total_messages: j.total_messages,
                done_messages: j.done_messages,
                done_bytes: j.done_bytes,
                skipped: j.skipped,
                delete_after: j.delete_after,
                error: j.error,
                updated_at: j.updated_at,
            }
        }),
    })
}

/// Looks at the old mailbox (sign in, count, sign out: nothing changed there) and keeps it
/// as an import waiting to be started.
#[server(endpoint = "import/check")]
#[allow(clippy::too_many_arguments)]
pub async fn import_check(
    login: String,
    host: String,
    port: String,
    security: String,
    user: String,
    password: String,
    delete_after: Option<String>,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::import::{ImportProblem, Source};
    let c = caller().await?;
    let a = target(&c, &login).await?;
    let mut problems: Vec<ImportProblem> = Vec::new();
    let source = Source::from_form(&host, &port, &security)
        .map_err(|mut p| problems.append(&mut p))
        .ok();
    if user.trim().is_empty() {
        problems.push(ImportProblem::Login);
    }
    if password.is_empty() {
        problems.push(ImportProblem::Password);
    }
    let (Some(source), true) = (source, problems.is_empty()) else {
        let fields: Vec<(&str, String)> = problems
            .iter()
            .map(|p| (p.field(), p.message(c.lang)))
            .collect();
        return refused_fields(&fields).unwrap_or(Ok(None));
    };
    let st = state()?;
    // The old server's answer counts as a password guess: throttled like every door.
    let survey = match st
        .importer
        .survey(a.id, &source, user.trim(), &password)
        .await
    {
        Ok(s) => s,
        Err(p) => return refused_at("import", p.message(c.lang)),
    };
    let new = crate::store::imports::NewImport {
        source,
        login: user.trim().to_string(),
        password,
        delete_after: delete_after.is_some(),
        survey,
    };
    match st.store.add_import(&c.actor, &a.login, &new, false).await {
        Ok(_) => Ok(None),
        Err(e) => refused_store(Some("import"), e, c.lang),
    }
}

/// Starts the import that was checked.
#[server(endpoint = "import/start")]
pub async fn import_start(login: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = target(&c, &login).await?;
    match state()?.store.start_import(&a.login).await {
        Ok(_) => {
            say(c.lang.pick(
                "L'import a commencé : vous pouvez quitter cette page, il continue.",
                "The import has started: you may leave this page, it goes on.",
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("import"), e, c.lang),
    }
}

/// Cancels the import waiting or running; what was brought stays.
#[server(endpoint = "import/cancel")]
pub async fn import_cancel(login: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = target(&c, &login).await?;
    match state()?.store.cancel_import(&c.actor, &a.login).await {
        Ok(()) => {
            say(c.lang.pick(
                "Import annulé ; les messages déjà importés restent.",
                "Import cancelled; the messages already brought stay.",
            ));
            Ok(None)
        }
        Err(e) => refused_store(Some("import"), e, c.lang),
    }
}

//! Backup files over plain HTTP, beside the server functions: download a kept backup, and
//! upload one to restore (a multipart form that works without JavaScript). Who may: the
//! signed-in owner, their domain's webmaster, the server admin — as for the server functions.
//! An upload is kept only once it has passed every check; then the browser goes on to the
//! restore preview, else back to the backups page with the refusal in words.

use app::api::backups::{BACKUPS_PAGE, flash};
use app::api::context::{lang_from_headers, may_act_on, signed_in};
use app::api::local_path;
use app::state::AppState;
use app::store::Actor;
use app::store::entities::account;
use axum::extract::{ConnectInfo, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use tower_sessions::Session;

/// The signed-in caller and the mailbox `login`, if the caller may act on it.
async fn caller_and_target(
    state: &AppState,
    session: &Session,
    login: &str,
) -> Result<(account::Model, account::Model), Response> {
    let Ok(Some(me)) = signed_in(&state.store, session).await else {
        return Err(Redirect::to("/login").into_response());
    };
    match state.store.account(login).await {
        Ok(target) if may_act_on(&me, &target) => Ok((me, target)),
        // Unknown or not yours: the same answer.
        _ => Err((StatusCode::NOT_FOUND, "no such backup").into_response()),
    }
}

/// `GET /backup-files/{login}/{id}`: the file, as an attachment.
pub async fn download(
    State(state): State<AppState>,
    Path((login, id)): Path<(String, i64)>,
    session: Session,
) -> Response {
    let (_, target) = match caller_and_target(&state, &session, &login).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    match state.store.backup_file(&target.login, id).await {
        Ok((name, data)) => {
            let disposition = format!("attachment; filename=\"{name}\"");
            let mut res = data.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/gzip"),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(app::store::StoreError::BackupNotFound(_)) => {
            (StatusCode::NOT_FOUND, "no such backup").into_response()
        }
        Err(e) => {
            tracing::error!("backup download: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again shortly").into_response()
        }
    }
}

/// `POST /backup-files/{login}` (multipart: `file`, `back`): keeps the file if it is a sound
/// backup that fits, then shows what restoring it would do.
pub async fn upload(
    State(state): State<AppState>,
    Path(login): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    mut form: Multipart,
) -> Response {
    let lang = lang_from_headers(&headers);
    let (me, target) = match caller_and_target(&state, &session, &login).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let limits = state.backup_limits;
    let mut back = String::from(BACKUPS_PAGE);
    let mut file: Option<Vec<u8>> = None;
    let mut too_large = false;
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) => match field.name() {
                Some("back") => {
                    back = local_path(&field.text().await.unwrap_or_default(), BACKUPS_PAGE)
                }
                Some("file") => {
                    let mut data = Vec::new();
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                data.extend_from_slice(&chunk);
                                if data.len() as u64 > limits.max_file {
                                    too_large = true;
                                    break;
                                }
                            }
                            Ok(None) => break,
                            Err(_) => {
                                too_large = true;
                                break;
                            }
                        }
                    }
                    file = Some(data);
                }
                _ => {}
            },
            Ok(None) => break,
            // The body limit cut the upload short (or the form is malformed).
            Err(_) => {
                too_large = true;
                break;
            }
        }
        if too_large {
            break;
        }
    }
    let (path, query) = match back.split_once('?') {
        Some((p, q)) => (p.to_string(), format!("?{q}")),
        None => (back.clone(), String::new()),
    };
    let refused = |text: String| async {
        let _ = flash(&session, false, text).await;
        Redirect::to(&back).into_response()
    };
    if too_large {
        let r = app::backup::Refusal::TooLarge {
            limit: limits.max_file,
        };
        return refused(r.message(lang)).await;
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        let text = lang.pick("Choisissez d'abord un fichier.", "Choose a file first.");
        return refused(text.to_string()).await;
    };
    let actor = Actor::web(&me.login, Some(peer.ip()));
    match state
        .store
        .keep_uploaded_backup(&actor, &target.login, file, &limits)
        .await
    {
        Ok(b) => Redirect::to(&format!("{path}/{}{query}", b.id)).into_response(),
        Err(e) => {
            if let app::store::StoreError::Db(detail)
            | app::store::StoreError::Unreachable(detail) = &e
            {
                tracing::error!("backup upload: {detail}");
            }
            refused(e.public_message(lang)).await
        }
    }
}

//! Backup files over plain HTTP, beside the server functions: download a kept backup, and
//! upload one to restore (a multipart form that works without JavaScript). Who may: the
//! signed-in owner, their domain's webmaster, the server admin — as for the server functions.
//! An upload is kept only once it has passed every check; then the browser goes on to the
//! restore preview, else back to the backups page with the refusal in words.

use app::api::backups::{BACKUPS_PAGE, flash};
use app::api::context::{lang_from_headers, may_act_on, signed_in};
use app::api::{LocalPath, local_path};
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
    match state.store.backup_download(&target.login, id).await {
        Ok((summary, name)) => {
            let disposition = format!("attachment; filename=\"{name}\"");
            // A chunk at a time from the database: a large backup is never whole in memory.
            let store = state.store.clone();
            let chunks = futures_util::stream::unfold(0i32, move |seq| {
                let store = store.clone();
                async move {
                    match store.backup_chunk(summary.id, seq).await {
                        Ok(Some(chunk)) => Some((Ok(axum::body::Bytes::from(chunk)), seq + 1)),
                        Ok(None) => None,
                        Err(e) => Some((Err(std::io::Error::other(e.to_string())), i32::MAX)),
                    }
                }
            });
            let mut res = axum::body::Body::from_stream(chunks).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(summary.size.max(0) as u64),
            );
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
    // The upload goes to a scratch file as it comes, never whole into memory.
    let mut file = None;
    let mut too_large = false;
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) => match field.name() {
                Some("back") => {
                    back = local_path(&field.text().await.unwrap_or_default(), BACKUPS_PAGE)
                }
                Some("file") => match receive(&state, &mut field, limits.max_file).await {
                    Ok(Received::File(f, size)) => file = Some((f, size)),
                    Ok(Received::TooLarge) => too_large = true,
                    Err(e) => {
                        tracing::error!("backup upload: {e}");
                        return (StatusCode::SERVICE_UNAVAILABLE, "try again shortly")
                            .into_response();
                    }
                },
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
    let Some((file, _)) = file.filter(|(_, size)| *size > 0) else {
        let text = lang.pick("Choisissez d'abord un fichier.", "Choose a file first.");
        return refused(text.to_string()).await;
    };
    let client = app::api::context::client_of(peer.ip(), &headers, &state.trusted_proxies);
    let actor = Actor::web(&me.login, Some(client));
    match state
        .store
        .keep_uploaded_backup(&actor, &target.login, file.path(), &limits)
        .await
    {
        Ok(b) => {
            let preview = LocalPath::or(&format!("{path}/{}{query}", b.id), BACKUPS_PAGE);
            Redirect::to(preview.as_str()).into_response()
        }
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

enum Received {
    /// The scratch file and its size.
    File(app::store::scratch::ScratchFile, u64),
    TooLarge,
}

/// Writes an uploaded file to a scratch file as its pieces come, stopping past `max` bytes
/// (or when the upload breaks off).
async fn receive(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    max: u64,
) -> Result<Received, String> {
    use tokio::io::AsyncWriteExt;
    let scratch = state
        .store
        .scratch_file("upload")
        .map_err(|e| e.to_string())?;
    let mut out = tokio::fs::File::create(scratch.path())
        .await
        .map_err(|e| e.to_string())?;
    let mut size = 0u64;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                size += chunk.len() as u64;
                if size > max {
                    return Ok(Received::TooLarge);
                }
                out.write_all(&chunk).await.map_err(|e| e.to_string())?;
            }
            Ok(None) => break,
            // The body limit cut the upload short, or the client went away.
            Err(_) => return Ok(Received::TooLarge),
        }
    }
    out.flush().await.map_err(|e| e.to_string())?;
    Ok(Received::File(scratch, size))
}

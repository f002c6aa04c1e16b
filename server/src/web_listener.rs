//! The web portals' listener: HTTP/1.1 connections served by hyper with the limits an
//! internet-facing server needs (docs/design.md, "Availability under abuse"):
//!
//! - a **header-read timeout**: a client has `header_timeout` to send a request's headers,
//!   counted from when the connection waits for a request — so the same timeout also closes
//!   an idle keep-alive connection (hyper starts it as soon as a response is done). A
//!   half-sent `GET` (slowloris) holds its descriptor for that long, not forever;
//! - **caps** on connections in all and per client address (the mail listeners' `Slots`);
//!   beyond them a connection gets `503` with `Retry-After` at once and is closed;
//! - the accept loop **pauses** when the process is out of descriptors instead of spinning;
//! - on shutdown, idle connections close and requests in flight finish.

use crate::net::{Slots, accept_failed};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_service::Service;

/// The web listener's limits (`[web_limits]` in the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebLimits {
    /// Time to send a request's headers, and the longest idle time between two requests.
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
}

impl Default for WebLimits {
    fn default() -> Self {
        WebLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_connections_per_ip: 64,
        }
    }
}

/// What a connection beyond the caps is told before it is closed.
const TOO_MANY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Retry-After: 5\r\n\
Connection: close\r\n\
Content-Length: 43\r\n\
\r\n\
Too many connections: try again in a moment";

/// Serves `router` on `listener` until `shutdown` turns true, then lets requests in flight
/// finish and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: WebLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Slots::default();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        accept_failed(&e, "HTTP").await;
                        continue;
                    }
                };
                let Some(slot) = slots.take(
                    peer.ip(),
                    limits.max_connections,
                    limits.max_connections_per_ip,
                ) else {
                    tracing::warn!(peer = %peer.ip(), "HTTP connection refused: too many connections");
                    // One try, without waiting: a client that does not read gets nothing.
                    let _ = stream.try_write(TOO_MANY);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let stop = shutdown.clone();
                connections.spawn(async move {
                    connection(stream, peer, router, limits, stop).await;
                    drop(slot);
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// One client's connection, until it closes, times out, or the server stops.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: WebLimits,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        // What `ConnectInfo<SocketAddr>` extractors (the client's address) read.
        req.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            let res = router.call(req.map(Body::new)).await;
            Ok::<_, Infallible>(match res {
                Ok(r) => r,
                Err(never) => match never {},
            })
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    // Shutting down: finish the request in flight (if any), then close.
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(30), conn).await;
}

//! The web portals' listener: HTTP/1.1 connections served by hyper with the limits an
//! internet-facing server needs (docs/design.md, "Availability under abuse"):
//!
//! - a **header-read timeout**: a client has `header_timeout` to send a request's headers,
//!   counted from when the connection waits for a request — so the same timeout also closes
//!   an idle keep-alive connection (hyper starts it as soon as a response is done). A
//!   half-sent `GET` (slowloris) holds its descriptor for that long, not forever;
//! - **caps** on connections in all and per client address (the mail listeners' `Slots`);
//!   beyond them a connection gets `503` with `Retry-After` at once and is closed;
//! - a **stall timeout**: a request body that stops arriving, or a response the client stops
//!   reading, for that long ends the connection (a slow-drip upload or a reader that never
//!   reads cannot keep a slot);
//! - the accept loop **pauses** when the process is out of descriptors instead of spinning;
//! - on shutdown, idle connections close and requests in flight finish.

use crate::net::{Slots, accept_failed};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
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
    /// The longest pause in a request body, or in the client's reading of a response.
    pub stall_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
}

impl Default for WebLimits {
    fn default() -> Self {
        WebLimits {
            header_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(30),
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

/// Serves `router` on `listener` (over TLS when `tls` is given: the `https` listener) until
/// `shutdown` turns true, then lets requests in flight finish and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: WebLimits,
    trusted_proxies: std::sync::Arc<Vec<app::domain::network::Network>>,
    tls: Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let name = if tls.is_some() { "https" } else { "http" };
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
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
                // A trusted reverse proxy carries everyone's connections: only the total caps it.
                let per_ip = if app::domain::network::Network::any_contains(
                    &trusted_proxies,
                    peer.ip(),
                ) {
                    limits.max_connections
                } else {
                    limits.max_connections_per_ip
                };
                let Some(slot) = slots.take(peer.ip(), limits.max_connections, per_ip) else {
                    tracing::warn!(peer = %peer.ip(), "HTTP connection refused: too many connections");
                    app::metrics::inc(app::metrics::CONNECTIONS_REFUSED, &[("listener", name)]);
                    // One try, without waiting: a client that does not read gets nothing.
                    let _ = stream.try_write(TOO_MANY);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let stop = shutdown.clone();
                let acceptor = acceptor.clone();
                let open = app::metrics::Open::new(name);
                connections.spawn(async move {
                    match acceptor {
                        None => connection(stream, peer, router, limits, stop).await,
                        // The handshake within the header timeout, like a request's headers.
                        Some(a) => {
                            if let Ok(Ok(tls)) =
                                tokio::time::timeout(limits.header_timeout, a.accept(stream)).await
                            {
                                connection(tls, peer, router, limits, stop).await;
                            }
                        }
                    }
                    drop((slot, open));
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
async fn connection<S>(
    stream: S,
    peer: SocketAddr,
    router: Router,
    limits: WebLimits,
    mut stop: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let stall = limits.stall_timeout;
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        // What `ConnectInfo<SocketAddr>` extractors (the client's address) read.
        req.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            let res = router
                .call(req.map(|body| Body::new(StallBody::new(body, stall))))
                .await;
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
    let io = StallIo::new(stream, limits.stall_timeout);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    // Shutting down: finish the request in flight (if any), then close.
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(30), conn).await;
}

/// A pause that ends after `stall` unless progress is made first.
struct Stall {
    limit: Duration,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
    waiting: bool,
}

impl Stall {
    fn new(limit: Duration) -> Stall {
        Stall {
            limit,
            timer: Box::pin(tokio::time::sleep(limit)),
            waiting: false,
        }
    }

    /// Progress was made.
    fn progress(&mut self) {
        self.waiting = false;
    }

    /// No progress this time: whether the pause has lasted too long (the timer wakes the
    /// task when it will have).
    fn too_long(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        if !self.waiting {
            self.waiting = true;
            let deadline = tokio::time::Instant::now() + self.limit;
            self.timer.as_mut().reset(deadline);
        }
        self.timer.as_mut().poll(cx).is_ready()
    }
}

/// A request body that fails when none of it arrives for the stall timeout.
struct StallBody {
    inner: Incoming,
    stall: Stall,
}

impl StallBody {
    fn new(inner: Incoming, limit: Duration) -> StallBody {
        StallBody {
            inner,
            stall: Stall::new(limit),
        }
    }
}

impl http_body::Body for StallBody {
    type Data = axum::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        let this = self.get_mut();
        match std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.stall.progress();
                Poll::Ready(frame.map(|r| r.map_err(Into::into)))
            }
            Poll::Pending if this.stall.too_long(cx) => {
                Poll::Ready(Some(Err("the request body stopped arriving".into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The client's socket, whose writes fail when the client has read nothing for the stall
/// timeout (reads are bounded by the header timeout and [`StallBody`]).
struct StallIo<S> {
    inner: S,
    stall: Stall,
}

impl<S> StallIo<S> {
    fn new(inner: S, limit: Duration) -> StallIo<S> {
        StallIo {
            inner,
            stall: Stall::new(limit),
        }
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for StallIo<S> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for StallIo<S> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        use std::task::Poll;
        let this = self.get_mut();
        match std::pin::Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                this.stall.progress();
                Poll::Ready(r)
            }
            Poll::Pending if this.stall.too_long(cx) => {
                Poll::Ready(Err(std::io::ErrorKind::TimedOut.into()))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

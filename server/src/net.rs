//! What the mail listeners (SMTP, POP3) share: the socket before and after TLS, writing
//! what is pending, and the caps on concurrent connections, in all and per client address.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

/// How much a connection asks the socket for at once.
pub const READ_CHUNK: usize = 128 * 1024;

/// The socket, before or after STARTTLS.
pub enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Only while the handshake owns the socket.
    Upgrading,
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s).poll_read(cx, buf),
            Io::Upgrading => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s).poll_write(cx, buf),
            Io::Upgrading => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s).poll_flush(cx),
            Io::Upgrading => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s).poll_shutdown(cx),
            Io::Upgrading => Poll::Ready(Ok(())),
        }
    }
}

impl Io {
    /// The TLS handshake on a plain socket (STARTTLS, STLS, or implicit TLS at accept),
    /// bounded by `timeout`; returns "TLSv1.3 with cipher …". On failure the socket is gone.
    pub async fn start_tls(
        &mut self,
        config: Arc<ServerConfig>,
        timeout: Duration,
    ) -> Option<String> {
        let Io::Plain(tcp) = std::mem::replace(self, Io::Upgrading) else {
            return None;
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let tls = match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
            Ok(Ok(s)) => s,
            _ => return None,
        };
        let description = crate::tls::describe(tls.get_ref().1);
        *self = Io::Tls(Box::new(tls));
        Some(description)
    }
}

/// Sends `out` and empties it.
pub async fn write_all(io: &mut Io, out: &mut Vec<u8>) -> io::Result<()> {
    if !out.is_empty() {
        io.write_all(out).await?;
        io.flush().await?;
        out.clear();
    }
    Ok(())
}

/// Counts open connections, in all and per client address.
#[derive(Clone, Default)]
pub struct Slots {
    inner: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open connection; dropping it frees the slot.
pub struct SlotGuard {
    slots: Slots,
    ip: IpAddr,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let mut s = self.slots.inner.lock().unwrap_or_else(|e| e.into_inner());
        s.total -= 1;
        if let Some(n) = s.per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                s.per_ip.remove(&self.ip);
            }
        }
    }
}

impl Slots {
    /// A slot for a connection from `ip`, unless that would pass `max_total` or `max_per_ip`.
    /// IPv6 clients are counted per /64 (what one subscriber holds), as the throttle does.
    pub fn take(&self, ip: IpAddr, max_total: usize, max_per_ip: usize) -> Option<SlotGuard> {
        let ip = app::auth::throttle::network_of(ip);
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mine = s.per_ip.get(&ip).copied().unwrap_or(0);
        if s.total >= max_total || mine >= max_per_ip {
            return None;
        }
        s.total += 1;
        *s.per_ip.entry(ip).or_insert(0) += 1;
        Some(SlotGuard {
            slots: self.clone(),
            ip,
        })
    }
}

/// How a listener caps its connections, and what it tells the one too many.
pub struct Caps {
    pub slots: Slots,
    pub max_total: usize,
    pub max_per_ip: usize,
    /// Sent before closing a connection over the cap (None: close at once, as on implicit
    /// TLS where nothing can be said before the handshake).
    pub refusal: Option<Vec<u8>>,
    /// "SMTP", "POP3"…, for the log.
    pub protocol: &'static str,
    /// The listener's name in the metrics ("smtp", "submissions", "pop3s"…).
    pub listener: &'static str,
    /// Load balancers (`[proxy] trusted`): their connections must start with a PROXY header,
    /// and the client it names is the one served, counted and logged.
    pub proxies: Arc<Vec<app::domain::network::Network>>,
}

/// Accepts connections and runs `serve` on each (within the caps) until `shutdown` turns
/// true; then stops accepting and waits for the sessions, which watch `shutdown` themselves.
pub async fn accept_loop<F, Fut>(
    listener: TcpListener,
    caps: Caps,
    mut shutdown: watch::Receiver<bool>,
    serve: F,
) where
    F: Fn(TcpStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let serve = Arc::new(serve);
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (mut stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        accept_failed(&e, caps.protocol).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                if app::domain::network::Network::any_contains(&caps.proxies, peer.ip()) {
                    // The balancer's connection: its header names the client, who is then
                    // served, counted and logged (a connection without one is closed).
                    let (serve, slots, refusal) = (serve.clone(), caps.slots.clone(), caps.refusal.clone());
                    let (max_total, max_per_ip, protocol, listener) = (caps.max_total, caps.max_per_ip, caps.protocol, caps.listener);
                    sessions.spawn(async move {
                        use crate::proxy::{HEADER_TIMEOUT, Proxied, read_header};
                        let client = match read_header(&mut stream, HEADER_TIMEOUT).await {
                            Ok(Proxied::Client(client)) => client,
                            Ok(Proxied::Local) => peer,
                            Err(e) => {
                                tracing::warn!(%peer, "{protocol}: closed, no valid PROXY header from the balancer ({e:?})");
                                return;
                            }
                        };
                        match slots.take(client.ip(), max_total, max_per_ip) {
                            Some(guard) => {
                                let open = app::metrics::Open::new(listener);
                                serve(stream, client).await;
                                drop((guard, open));
                            }
                            None => refuse(stream, refusal, protocol, listener, client).await,
                        }
                    });
                    continue;
                }
                match caps.slots.take(peer.ip(), caps.max_total, caps.max_per_ip) {
                    Some(guard) => {
                        let open = app::metrics::Open::new(caps.listener);
                        let session = serve(stream, peer);
                        sessions.spawn(async move {
                            session.await;
                            drop((guard, open));
                        });
                    }
                    None => {
                        tokio::spawn(refuse(stream, caps.refusal.clone(), caps.protocol, caps.listener, peer));
                    }
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
}

/// Closes a connection over the caps, with the listener's refusal when it has one.
async fn refuse(
    mut stream: TcpStream,
    refusal: Option<Vec<u8>>,
    protocol: &'static str,
    listener: &'static str,
    client: SocketAddr,
) {
    tracing::warn!(peer = %client.ip(), "{protocol} connection refused: too many connections");
    app::metrics::inc(app::metrics::CONNECTIONS_REFUSED, &[("listener", listener)]);
    if let Some(out) = refusal {
        let _ = stream.write_all(&out).await;
    }
    let _ = stream.shutdown().await;
}

/// After a failed `accept`: out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
/// `ENOMEM`) the pending connection stays in the kernel's queue and `accept` would fail again
/// at once — retrying without a pause spins a core. Wait a little (and say so, not in a flood);
/// other errors concern one connection only (`ECONNABORTED`…): go on.
pub async fn accept_failed(e: &io::Error, protocol: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST_WARNING: AtomicU64 = AtomicU64::new(0);
    use libc::{EMFILE, ENFILE, ENOBUFS, ENOMEM};
    if matches!(e.raw_os_error(), Some(EMFILE | ENFILE | ENOBUFS | ENOMEM)) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if LAST_WARNING.swap(now, Ordering::Relaxed) != now {
            tracing::warn!("{protocol}: cannot accept a connection ({e}); pausing the listener");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cap_in_all_and_per_ip() {
        let slots = Slots::default();
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let g1 = slots.take(a, 3, 2).unwrap();
        let _g2 = slots.take(a, 3, 2).unwrap();
        assert!(slots.take(a, 3, 2).is_none(), "per IP");
        let _g3 = slots.take(b, 3, 2).unwrap();
        assert!(slots.take(b, 3, 2).is_none(), "in all");
        drop(g1);
        assert!(slots.take(a, 3, 2).is_some(), "freed on drop");
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let slots = Slots::default();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let _g1 = slots.take(one, 10, 1).unwrap();
        assert!(slots.take(two, 10, 1).is_none(), "the same /64");
        assert!(slots.take(other, 10, 1).is_some());
    }
}

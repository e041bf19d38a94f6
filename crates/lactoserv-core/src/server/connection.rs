//! Serving one accepted connection by the endpoint's protocol (Lactoserv
//! `net-protocol/private/{Http1,Https,Http2}Wrangler.js`): cleartext
//! HTTP1, TLS then HTTP1, or TLS then HTTP2 when the client's ALPN offers it
//! (HTTP1 otherwise).

use std::cell::RefCell;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::activity::{Activity, Tracked};
use super::body::ResponseBody;
use super::handler::{EndpointContext, HostCache, handle};
use crate::endpoint::Protocol;
use crate::log::Logger;

/// How long an idle HTTP1 connection stays open (the reference's
/// `Keep-Alive: timeout=5`), counted from the last byte with no request in
/// progress.
const HTTP1_IDLE: Duration = Duration::from_secs(5);

/// How long an HTTP2 session with no stream in progress stays open.
const HTTP2_IDLE: Duration = Duration::from_secs(60);

/// How long a TLS handshake may take.
const TLS_HANDSHAKE: Duration = Duration::from_secs(30);

/// How an endpoint speaks.
#[derive(Clone)]
pub(crate) struct Speaker {
    pub(crate) protocol: Protocol,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) context: Arc<EndpointContext>,
}

impl Speaker {
    /// Serves `stream` until the client or a graceful stop ends it.
    pub(crate) async fn serve(
        &self,
        stream: TcpStream,
        remote: std::net::SocketAddr,
        watcher: Watcher,
        logger: Logger,
    ) {
        let _ = stream.set_nodelay(true);
        match (&self.tls, self.protocol) {
            (None, _) => {
                self.serve_http1(stream, watcher, self.connection(logger, remote))
                    .await
            }
            (Some(acceptor), protocol) => {
                let Ok(Ok(tls)) =
                    tokio::time::timeout(TLS_HANDSHAKE, acceptor.accept(stream)).await
                else {
                    return;
                };
                let h2 = protocol == Protocol::Http2
                    && tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                if h2 {
                    self.serve_http2(tls, watcher, self.connection(logger, remote))
                        .await;
                } else {
                    self.serve_http1(tls, watcher, self.connection(logger, remote))
                        .await;
                }
            }
        }
    }

    async fn serve_http1<S>(&self, stream: S, watcher: Watcher, state: Arc<Connection>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.keep_alive(true);
        let io = TokioIo::new(Tracked::new(stream, state.clone()));
        let connection = builder.serve_connection(io, connection_service(state.clone()));
        until_idle(watcher.watch(connection), &state.activity, HTTP1_IDLE).await;
    }

    async fn serve_http2<S>(&self, stream: S, watcher: Watcher, state: Arc<Connection>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        builder.timer(TokioTimer::new());
        let io = TokioIo::new(Tracked::new(stream, state.clone()));
        let connection = builder.serve_connection(io, connection_service(state.clone()));
        until_idle(watcher.watch(connection), &state.activity, HTTP2_IDLE).await;
    }

    fn connection(&self, logger: Logger, remote: std::net::SocketAddr) -> Arc<Connection> {
        Arc::new(Connection {
            endpoint: self.context.clone(),
            logger,
            activity: Activity::new(),
            remote: Some(remote),
        })
    }
}

/// What the requests of one connection share, behind one `Arc` so that
/// each request costs one reference count.
pub(crate) struct Connection {
    /// The endpoint's shared context.
    pub(crate) endpoint: Arc<EndpointContext>,
    /// The connection's logger (`…conn.<id>`).
    pub(crate) logger: Logger,
    /// Bytes moved and requests in progress, for the idle timeout.
    pub(crate) activity: Activity,
    /// The client's address.
    pub(crate) remote: Option<std::net::SocketAddr>,
}

impl AsRef<Activity> for Connection {
    fn as_ref(&self) -> &Activity {
        &self.activity
    }
}

/// Drives `connection` until it ends, or until it has been idle for
/// `limit` with no request in progress; then it is dropped, which closes
/// the socket. The timer is re-armed only when it fires.
async fn until_idle<F: Future>(connection: F, activity: &Activity, limit: Duration) {
    tokio::pin!(connection);
    let mut wake = activity.deadline(limit);
    loop {
        tokio::select! {
            biased;
            _ = &mut connection => return,
            _ = tokio::time::sleep_until(wake) => {
                if activity.is_idle(limit) {
                    return;
                }
                // Busy past the deadline (a request in progress): look
                // again a whole period later rather than spin.
                let now = tokio::time::Instant::now();
                let next = activity.deadline(limit);
                wake = if next > now { next } else { now + limit };
            }
        }
    }
}

/// The request handler of one connection, counting requests in progress.
fn connection_service(
    connection: Arc<Connection>,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = hyper::Response<ResponseBody>,
    Error = Infallible,
    Future = impl Future<Output = Result<hyper::Response<ResponseBody>, Infallible>> + Send,
> {
    // Only this handler uses the cache, one request at a time.
    let hosts = RefCell::new(HostCache::default());
    service_fn(move |request| {
        let host = hosts
            .borrow_mut()
            .host_of(&request, connection.endpoint.port);
        let connection = connection.clone();
        async move {
            let _in_flight = connection.activity.request();
            Ok(handle(&connection, host, request).await)
        }
    })
}

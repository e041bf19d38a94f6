//! Serving one accepted connection by the endpoint's protocol (Lactoserv
//! `net-protocol/private/{Http1,Https,Http2}Wrangler.js`): cleartext
//! HTTP1, TLS then HTTP1, or TLS then HTTP2 when the client's ALPN offers it
//! (HTTP1 otherwise).

use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::handler::{EndpointContext, handle};
use crate::endpoint::Protocol;
use crate::log::Logger;

/// How long an idle HTTP1 keep-alive connection stays open (the reference's
/// `Keep-Alive: timeout=5`).
const KEEP_ALIVE_IDLE: Duration = Duration::from_secs(5);

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
    pub(crate) async fn serve(&self, stream: TcpStream, watcher: Watcher, logger: Logger) {
        let _ = stream.set_nodelay(true);
        match (&self.tls, self.protocol) {
            (None, _) => self.serve_http1(stream, watcher, logger).await,
            (Some(acceptor), protocol) => {
                let Ok(Ok(tls)) =
                    tokio::time::timeout(TLS_HANDSHAKE, acceptor.accept(stream)).await
                else {
                    return;
                };
                let h2 = protocol == Protocol::Http2
                    && tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                if h2 {
                    self.serve_http2(tls, watcher, logger).await;
                } else {
                    self.serve_http1(tls, watcher, logger).await;
                }
            }
        }
    }

    async fn serve_http1<S>(&self, stream: S, watcher: Watcher, logger: Logger)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let context = self.context.clone();
        let service = service_fn(move |request| handle(context.clone(), logger.clone(), request));
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .keep_alive(true)
            .header_read_timeout(KEEP_ALIVE_IDLE);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let _ = watcher.watch(connection).await;
    }

    async fn serve_http2<S>(&self, stream: S, watcher: Watcher, logger: Logger)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let context = self.context.clone();
        let service = service_fn(move |request| handle(context.clone(), logger.clone(), request));
        let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        builder.timer(TokioTimer::new());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let _ = watcher.watch(connection).await;
    }
}

//! Serving one accepted connection by the endpoint's protocol (Lactoserv
//! `net-protocol/private/{Http1,Https,Http2}Wrangler.js`): cleartext
//! HTTP1, TLS then HTTP1, or TLS then HTTP2 when the client's ALPN offers it
//! (HTTP1 otherwise).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::OnceLock;

use http::{Method, Version};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::activity::{Activity, Tracked};
use super::body::ResponseBody;
use super::drain::{Ending, Phase, drive};
use super::handler::{Begun, EndpointContext, begin};
use super::host_cache::HostCache;
use super::http1::Http1;
use super::limits;
use super::throttle::Throttle;
use crate::endpoint::Protocol;
use crate::log::{LogValue, Logger};
use crate::quant::ByteCount;

/// How an endpoint speaks.
#[derive(Clone)]
pub(crate) struct Speaker {
    pub(crate) protocol: Protocol,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) context: Arc<EndpointContext>,
}

impl Speaker {
    /// Serves `stream` until the client or a graceful stop ends it, then
    /// logs how the connection ended.
    pub(crate) async fn serve(
        &self,
        stream: TcpStream,
        remote: std::net::SocketAddr,
        phase: watch::Receiver<Phase>,
        logger: Logger,
    ) {
        let _ = stream.set_nodelay(true);
        let state = Arc::new(Connection {
            endpoint: self.context.clone(),
            logger,
            activity: Activity::new(),
            remote: Some(remote),
            session: OnceLock::new(),
        });
        // Counted below TLS, so the bytes written are those on the wire.
        let throttle = self
            .context
            .data_limit
            .as_ref()
            .map(|limit| Throttle::new(limit, &state.logger));
        let stream = Tracked::new(stream, state.clone(), throttle);
        let ending = match &self.tls {
            None => serve_http1(stream, phase, &state).await,
            Some(acceptor) => self.serve_tls(acceptor, stream, phase, &state).await,
        };
        state.log_end(ending);
    }

    /// The TLS handshake, then HTTP2 if the client's ALPN offers it on an
    /// `http2` endpoint, HTTP1 otherwise. A handshake still going on when
    /// the server stops is abandoned: no request has been made on it yet.
    async fn serve_tls<S>(
        &self,
        acceptor: &TlsAcceptor,
        stream: S,
        mut phase: watch::Receiver<Phase>,
        state: &Arc<Connection>,
    ) -> Ending
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let handshake = tokio::time::timeout(limits::TLS_HANDSHAKE, acceptor.accept(stream));
        let stopping = phase.wait_for(|phase| matches!(phase, Phase::Closing | Phase::Abort));
        let shaken = tokio::select! {
            shaken = handshake => shaken,
            _ = stopping => return Ending::Aborted,
        };
        match shaken {
            Ok(Ok(tls)) => {
                let h2 = self.protocol == Protocol::Http2
                    && tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                if h2 {
                    let _counted = self.context.drain.session();
                    state.open_session();
                    serve_http2(tls, phase, state).await
                } else {
                    serve_http1(tls, phase, state).await
                }
            }
            Ok(Err(err)) => Ending::Error(Box::new(err)),
            Err(_) => Ending::Idle,
        }
    }
}

async fn serve_http1<S>(stream: S, phase: watch::Receiver<Phase>, state: &Arc<Connection>) -> Ending
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let connection = Http1::new(stream, state.clone());
    drive(
        connection,
        phase,
        false,
        None,
        &state.activity,
        &limits::HTTP1,
    )
    .await
}

async fn serve_http2<S>(stream: S, phase: watch::Receiver<Phase>, state: &Arc<Connection>) -> Ending
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(stream);
    let connection = limits::http2().serve_connection(io, connection_service(state.clone()));
    let session = state.session.get();
    drive(
        connection,
        phase,
        true,
        session,
        &state.activity,
        &limits::HTTP2,
    )
    .await
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
    /// The HTTP2 session's logger (`…sess.<id>`), when the connection
    /// speaks HTTP2 and logging is on.
    pub(crate) session: OnceLock<Logger>,
}

impl Connection {
    /// Logs the start of the connection's HTTP2 session.
    fn open_session(&self) {
        if !self.logger.is_enabled() {
            return;
        }
        let session = self.endpoint.logger.child("sess").with_new_id();
        let id = session.last_context().unwrap_or_default().to_owned();
        let connection_id = self.logger.last_context().unwrap_or_default().to_owned();
        self.logger.event("newSession", vec![id.into()]);
        session.event(
            "opened",
            vec![LogValue::object([(
                "connectionId",
                LogValue::from(connection_id),
            )])],
        );
        self.logger.event("totalSessions", vec![1.into()]);
        let _ = self.session.set(session);
    }

    /// Logs how the connection ended (`remoteClosed()`, `totalWritten()`,
    /// `closed(…)`), and its session's end.
    fn log_end(&self, ending: Ending) {
        let logger = &self.logger;
        if !logger.is_enabled() {
            return;
        }
        let session = self.session.get();
        let socket_timeout = || {
            let timeout = logger.child("socketTimeout");
            timeout.event("closing", Vec::new());
            timeout.event("closed", Vec::new());
        };
        match &ending {
            Ending::Idle => match session {
                Some(session) => session.event("idleTimeout", Vec::new()),
                // An HTTP1 connection idle after its requests is an
                // ordinary keep-alive end; one that never got a request
                // through timed out.
                None if !self.activity.had_requests() => socket_timeout(),
                None => {}
            },
            Ending::Inactive => socket_timeout(),
            Ending::HeaderTimeout => logger.event("headerTimeout", Vec::new()),
            Ending::Error(err) => {
                if let Some(limit) = limits::exceeded(&**err) {
                    logger.event(limit, Vec::new());
                }
            }
            Ending::Done | Ending::Aborted => {}
        }
        if self.activity.remote_closed() {
            logger.event("remoteClosed", Vec::new());
        }
        logger.event(
            "totalWritten",
            vec![LogValue::byte_count(ByteCount::new(
                self.activity.written() as f64,
            ))],
        );
        match &ending {
            Ending::Error(err) => logger.event(
                "closed",
                vec!["error".into(), LogValue::error("Error", &**err)],
            ),
            Ending::Done
            | Ending::Idle
            | Ending::Inactive
            | Ending::HeaderTimeout
            | Ending::Aborted => {
                logger.event("closed", vec!["ok".into()]);
            }
        }
        if let Some(session) = session {
            logger.event("totalSessions", vec![0.into()]);
            session.event("closed", vec!["ok".into()]);
        }
    }
}

impl AsRef<Activity> for Connection {
    fn as_ref(&self) -> &Activity {
        &self.activity
    }
}

/// The request handler of one connection, counting requests in progress.
pub(crate) fn connection_service(
    connection: Arc<Connection>,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = hyper::Response<ResponseBody>,
    Error = ConnectRefused,
    Future = impl Future<Output = Result<hyper::Response<ResponseBody>, ConnectRefused>> + Send,
> {
    // Only this handler uses the cache, one request at a time.
    let hosts = RefCell::new(HostCache::default());
    service_fn(move |request| {
        let host = hosts
            .borrow_mut()
            .host_of(&request, connection.endpoint.port);
        let connection = connection.clone();
        // HTTP1 `CONNECT` is not served: as in the reference, the
        // connection is closed with no answer (spec 02 §1.11).
        let connect = request.method() == Method::CONNECT && request.version() != Version::HTTP_2;
        let mut begun = (!connect).then(|| begin(&connection, host, request));
        async move {
            let _in_flight = connection.activity.request();
            // Matched by reference, so that the job is not copied again.
            match &mut begun {
                None => Err(ConnectRefused),
                Some(Begun::Answered(out)) => Ok(std::mem::take(out)),
                Some(Begun::Dispatch(job)) => Ok(job.run(&connection).await),
                Some(Begun::WithBody(future)) => Ok(future.await),
            }
        }
    })
}

/// Ends an HTTP1 connection that asks to `CONNECT`.
#[derive(Debug)]
pub(crate) struct ConnectRefused;

impl std::fmt::Display for ConnectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CONNECT is not supported")
    }
}

impl std::error::Error for ConnectRefused {}

//! One accepted connection, from the socket to its end (Lactoserv
//! `net-protocol/private/{Http1,Https,Http2}Wrangler.js`): cleartext
//! HTTP1, TLS then HTTP1, or TLS then HTTP2 when the client's ALPN offers
//! it (HTTP1 otherwise); driven until the client, the endpoint's stop
//! signal or a time limit ends it, and its end logged.
//!
//! Layout:
//! - `activity`, `tracked`: what the connection has been doing, recorded
//!   from its socket's reads and writes; `clock`: the coarse clock they
//!   read.
//! - `drive`: polling the protocol beside the stop signal and the timer.
//! - `stop`: the endpoint's stop signal.
//! - `limits`: time, size and stream limits; `throttle`: a data rate
//!   limiter's share of the socket's writes.
//! - `batched`: an HTTP2 session's writes gathered, one write per wake.

pub(crate) mod activity;
pub(crate) mod batched;
mod clock;
pub(crate) mod drive;
pub(crate) mod limits;
pub(crate) mod pace;
pub(crate) mod stop;
pub(crate) mod throttle;
pub(crate) mod tracked;

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::endpoint::{EndpointContext, Http1Engine, Http2Engine};
use super::http1::Http1;
use super::http2::Http2;
use super::via_hyper;
use crate::endpoint::Protocol;
use crate::log::{LogValue, Logger};
use crate::metrics::Event;
use crate::quant::ByteCount;
use activity::Activity;
use drive::{Ending, drive};
use stop::Phase;
use throttle::Throttle;
use tracked::Tracked;

pub(crate) use clock::coarse_unix_seconds;

/// Serves `stream` until the client, the endpoint's stop signal or a time
/// limit ends it, then logs how the connection ended.
pub(crate) async fn serve(
    endpoint: Arc<EndpointContext>,
    stream: TcpStream,
    remote: std::net::SocketAddr,
    mut phase: watch::Receiver<Phase>,
    logger: Logger,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new().timing_requests(endpoint.metrics.is_some());
    let connection = Arc::new(Connection {
        endpoint,
        logger,
        activity,
        remote: Some(remote),
        session: OnceLock::new(),
        chunks: OnceLock::new(),
    });
    // Counted below TLS, so the bytes written are those on the wire.
    let throttle = connection
        .endpoint
        .data_limit
        .as_ref()
        .map(|limit| Throttle::new(limit, &connection.logger));
    let stream = Tracked::new(stream, connection.clone(), throttle);
    let ending = match &connection.endpoint.tls {
        None => speak_http1(stream, &mut phase, &connection).await,
        Some(acceptor) => serve_tls(acceptor, stream, &mut phase, &connection).await,
    };
    if let Some(metrics) = &connection.endpoint.metrics {
        if let Ending::Error(err) = &ending
            && limits::exceeded(&**err) == Some("http2Abuse")
        {
            metrics.count(Event::Http2Abuse, 1);
        }
        metrics.count(Event::BytesWritten, connection.activity.written());
        metrics.count(Event::BytesRead, connection.activity.read());
    }
    connection.log_end(ending);
    // Only now does the stop signal stop counting the connection: a stop
    // waits for its last events.
    drop(phase);
}

/// The TLS handshake, then HTTP2 if the client's ALPN offers it on an
/// `http2` endpoint, HTTP1 otherwise. A handshake still going on when the
/// server stops is abandoned: no request has been made on it yet.
async fn serve_tls<S>(
    acceptor: &TlsAcceptor,
    stream: S,
    phase: &mut watch::Receiver<Phase>,
    connection: &Arc<Connection>,
) -> Ending
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let handshake = tokio::time::timeout(limits::TLS_HANDSHAKE, acceptor.accept(stream));
    let stopping = phase.wait_for(|phase| *phase >= Phase::Closing);
    let shaken = tokio::select! {
        shaken = handshake => shaken,
        _ = stopping => return Ending::Aborted,
    };
    if let Some(metrics) = &connection.endpoint.metrics {
        let event = match &shaken {
            Ok(Ok(_)) => Event::TlsHandshake,
            _ => Event::TlsFailure,
        };
        metrics.count(event, 1);
    }
    match shaken {
        Ok(Ok(tls)) => {
            let endpoint = &connection.endpoint;
            // A tls-alpn-01 validation ends with its handshake.
            if tls.get_ref().1.alpn_protocol() == Some(crate::host::acme::challenges::ACME_TLS) {
                return Ending::Done;
            }
            let h2 = endpoint.protocol == Protocol::Http2
                && tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
            if h2 {
                if let Some(metrics) = &endpoint.metrics {
                    metrics.count(Event::Http2Session, 1);
                }
                let _counted = endpoint.stop.session();
                connection.open_session();
                let logger = connection.session.get();
                let activity = &connection.activity;
                if endpoint.http2 == Http2Engine::Own {
                    let session = Http2::new(tls, connection.clone());
                    drive(session, phase, true, logger, activity, &limits::HTTP2).await
                } else {
                    let session = via_hyper::http2(tls, connection.clone());
                    drive(session, phase, true, logger, activity, &limits::HTTP2).await
                }
            } else {
                speak_http1(tls, phase, connection).await
            }
        }
        Ok(Err(err)) => Ending::Error(Box::new(err)),
        Err(_) => Ending::Idle,
    }
}

/// HTTP1: the server's own loop, or hyper throughout when the endpoint
/// asks for it (see [`Http1Engine`]).
pub(crate) async fn speak_http1<S>(
    stream: S,
    phase: &mut watch::Receiver<Phase>,
    connection: &Arc<Connection>,
) -> Ending
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = &connection.activity;
    match connection.endpoint.http1 {
        Http1Engine::Own => {
            let http1 = Http1::new(stream, connection.clone());
            drive(http1, phase, false, None, activity, &limits::HTTP1).await
        }
        Http1Engine::Hyper => {
            let http1 = via_hyper::http1(stream, connection.clone());
            drive(http1, phase, false, None, activity, &limits::HTTP1).await
        }
    }
}

/// What the requests of one connection share, behind one `Arc` so that
/// each request costs one reference count.
pub(crate) struct Connection {
    /// What every request on the endpoint shares.
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
    /// The permits of the chunks its streamed bodies hold (see `pace`).
    pub(crate) chunks: OnceLock<Arc<tokio::sync::Semaphore>>,
}

impl Connection {
    /// Logs the start of the connection's HTTP2 session.
    pub(crate) fn open_session(&self) {
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
    pub(crate) fn log_end(&self, ending: Ending) {
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

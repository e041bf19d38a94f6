//! HTTP/3 over QUIC (beyond Lactoserv; `docs/http3.md`): an `http2`
//! endpoint with `http3: true` also takes QUIC connections on UDP at its
//! address and port, and serves their requests through the same pipeline
//! as every other protocol (`request`), its answers written as HTTP/2's
//! are (`via_hyper::answer`), then framed by `h3`.
//!
//! Layout:
//! - `quic`: the QUIC configuration (the endpoint's rustls configuration
//!   with ALPN `h3`) and its limits.
//! - `accept`: the accept loop (connection slots, rate limiter, Retry).
//! - here: one connection; `request`: each of its requests.

pub(crate) mod accept;
pub(crate) mod quic;
mod request;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use h3::error::{Code, ConnectionError};
use tokio::sync::{Mutex, watch};

use super::conn::Connection;
use super::conn::activity::Activity;
use super::conn::drive::Ending;
use super::conn::limits;
use super::conn::stop::Phase;
use super::conn::throttle::Throttle;
use super::endpoint::EndpointContext;
use super::request::host::HostCache;
use crate::log::Logger;
use crate::metrics::Event;

/// An h3 connection over quinn, carrying `Bytes`.
type H3Quic = h3_quinn::Connection;

/// Serves one QUIC connection from its handshake until the client, the
/// endpoint's stop signal or its idle timeout ends it, then logs how it
/// ended. `handshakes` counts the endpoint's handshakes in progress.
pub(crate) async fn serve(
    endpoint: Arc<EndpointContext>,
    incoming: quinn::Incoming,
    handshakes: &AtomicUsize,
    mut phase: watch::Receiver<Phase>,
    logger: Logger,
) {
    let activity = Activity::new().timing_requests(endpoint.metrics.is_some());
    let connection = Arc::new(Connection {
        endpoint,
        logger,
        activity,
        remote: Some(incoming.remote_address()),
        session: OnceLock::new(),
        chunks: OnceLock::new(),
    });
    handshakes.fetch_add(1, Ordering::Relaxed);
    let shaken = handshake(incoming, &mut phase).await;
    handshakes.fetch_sub(1, Ordering::Relaxed);
    if let Some(metrics) = &connection.endpoint.metrics {
        let event = match &shaken {
            Ok(_) => Event::TlsHandshake,
            Err(_) => Event::TlsFailure,
        };
        metrics.count(event, 1);
    }
    let ending = match shaken {
        Ok(quic) => {
            // Requests are timed on the clock read as the task runs.
            let speaking = speak(&quic, &mut phase, &connection);
            let ending = connection.activity.ticking(speaking).await;
            if let Some(metrics) = &connection.endpoint.metrics {
                let stats = quic.stats();
                metrics.count(Event::BytesWritten, stats.udp_tx.bytes);
                metrics.count(Event::BytesRead, stats.udp_rx.bytes);
            }
            ending
        }
        Err(ending) => ending,
    };
    connection.log_end(ending);
    // Only now does the stop signal stop counting the connection.
    drop(phase);
}

/// The QUIC handshake (TLS 1.3 inside QUIC), abandoned when the server
/// stops: no request has been made on it yet.
async fn handshake(
    incoming: quinn::Incoming,
    phase: &mut watch::Receiver<Phase>,
) -> Result<quinn::Connection, Ending> {
    let connecting = incoming
        .accept()
        .map_err(|err| Ending::Error(Box::new(err)))?;
    let stopping = phase.wait_for(|phase| *phase >= Phase::Closing);
    tokio::select! {
        shaken = tokio::time::timeout(limits::TLS_HANDSHAKE, connecting) => match shaken {
            Ok(Ok(quic)) => Ok(quic),
            Ok(Err(err)) => Err(Ending::Error(Box::new(err))),
            Err(_) => Err(Ending::Idle),
        },
        _ = stopping => Err(Ending::Aborted),
    }
}

/// HTTP/3 on an established connection: its requests answered side by
/// side, until the client goes or the server stops. Retiring or closing,
/// the server sends `GOAWAY` and lets the requests it has taken finish;
/// past the grace period it closes the connection.
async fn speak(
    quic: &quinn::Connection,
    phase: &mut watch::Receiver<Phase>,
    connection: &Arc<Connection>,
) -> Ending {
    let endpoint = &connection.endpoint;
    if let Some(metrics) = &endpoint.metrics {
        metrics.count(Event::Http3Session, 1);
    }
    let _counted = endpoint.stop.session();
    connection.open_session();
    // No grease: `h3` would add a reserved frame to every answer (one
    // more write on each stream, and its bytes), and clients are not ours
    // to exercise.
    let built = h3::server::builder()
        .max_field_section_size(limits::HEAD_SIZE as u64)
        .send_grease(false)
        .build::<H3Quic, Bytes>(h3_quinn::Connection::new(quic.clone()))
        .await;
    let mut h3 = match built {
        Ok(h3) => h3,
        Err(err) => return ending_of(err),
    };
    // A data rate limiter paces the answers' bodies (QUIC's own framing
    // and the heads are not counted).
    let throttle = endpoint
        .data_limit
        .as_ref()
        .map(|limit| Arc::new(Mutex::new(Throttle::new(limit, &connection.logger))));
    // The requests run within the connection's task, as an HTTP/2
    // session's streams do: no task, and no copy of its future, for each.
    let mut requests = FuturesUnordered::new();
    let hosts = Arc::new(std::sync::Mutex::new(HostCache::default()));
    let mut going_away = false;
    loop {
        let now = *phase.borrow_and_update();
        if now >= Phase::Aborting {
            // The grace period is over: what is still in flight is cut.
            close(quic, Code::H3_REQUEST_CANCELLED);
            return Ending::Aborted;
        }
        if now > Phase::Serving && !going_away {
            going_away = true;
            // `GOAWAY` past the last request taken: that one and those
            // before are answered; later ones are refused, unprocessed,
            // for the client to send again elsewhere.
            if let Err(err) = h3.shutdown(1).await {
                return ending_of(err);
            }
        }
        if going_away && requests.is_empty() {
            // Every request taken is answered: the connection closes
            // without waiting for the client to.
            break;
        }
        tokio::select! {
            accepted = h3.accept() => match accepted {
                Ok(Some(resolver)) => {
                    let respond = request::respond(
                        resolver,
                        connection.clone(),
                        quic.clone(),
                        throttle.clone(),
                        hosts.clone(),
                    );
                    requests.push(respond);
                }
                // The client went away, and every request taken is
                // answered.
                Ok(None) => break,
                Err(err) => return ending_of(err),
            },
            Some(()) = requests.next(), if !requests.is_empty() => {}
            _ = phase.changed() => {}
        }
    }
    while requests.next().await.is_some() {}
    // Closed with no error only when every request taken was answered: a
    // client may send again whatever it had no answer to.
    close(quic, Code::H3_NO_ERROR);
    Ending::Done
}

/// Closes `quic` with the HTTP/3 error `code`.
pub(super) fn close(quic: &quinn::Connection, code: Code) {
    quic.close(code.value().try_into().unwrap_or_default(), b"");
}

/// How a connection that `err` ended, ended.
fn ending_of(err: ConnectionError) -> Ending {
    if err.is_h3_no_error() {
        Ending::Done
    } else if matches!(err, ConnectionError::Timeout { .. }) {
        Ending::Idle
    } else {
        Ending::Error(Box::new(err))
    }
}

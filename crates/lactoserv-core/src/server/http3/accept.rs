//! Accepting an HTTP/3 endpoint's QUIC connections: each takes one of
//! the endpoint's connection slots (shared with its TCP connections) or is
//! refused, passes the connection rate limiter if there is one, and is
//! served on its own task. Under a flood of handshakes, clients must first
//! prove their address (a QUIC Retry) before the server keeps any state
//! for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::serve;
use crate::log::{LogValue, Logger};
use crate::metrics::Event;
use crate::server::conn::stop::Phase;
use crate::server::endpoint::EndpointContext;
use crate::server::endpoint::accept::admitted;

/// Handshakes in progress beyond which a client whose address is not yet
/// validated is asked to retry with a token: one round trip more for it,
/// and no state in the server until it has shown it can receive there.
pub(crate) const RETRY_ABOVE: usize = 64;

/// Accepts connections until the endpoint's stop signal moves past
/// serving, then gives the QUIC endpoint back (to be closed, or handed to
/// the server that replaces this one, with the connections it carries).
pub(crate) async fn accept_loop(
    quic: quinn::Endpoint,
    endpoint: Arc<EndpointContext>,
) -> quinn::Endpoint {
    let mut phase = endpoint.stop.watch();
    let mut stopped = std::pin::pin!(async move {
        let _ = phase.wait_for(|phase| *phase > Phase::Serving).await;
    });
    let handshakes = Arc::new(AtomicUsize::new(0));
    let local = quic
        .local_addr()
        .map_or_else(|_| "<unknown>".to_owned(), |addr| addr.to_string());
    loop {
        let incoming = tokio::select! {
            incoming = quic.accept() => match incoming {
                Some(incoming) => incoming,
                None => return quic,
            },
            () = &mut stopped => return quic,
        };
        if !incoming.remote_address_validated()
            && incoming.may_retry()
            && handshakes.load(Ordering::Relaxed) >= RETRY_ABOVE
        {
            if let Some(metrics) = &endpoint.metrics {
                metrics.count(Event::QuicRetry, 1);
            }
            let _ = incoming.retry();
            continue;
        }
        // A QUIC client cannot wait in a listen queue: at the limit it is
        // refused, and may come back.
        let Ok(slot) = endpoint.slots.clone().try_acquire_owned() else {
            if let Some(metrics) = &endpoint.metrics {
                metrics.at_limit();
            }
            endpoint.logger.event(
                "atConnectionLimit",
                vec![LogValue::from(endpoint.max_connections)],
            );
            incoming.refuse();
            continue;
        };
        let endpoint = endpoint.clone();
        let counted = endpoint.metrics.as_ref().map(|metrics| metrics.accepted());
        let phase = endpoint.stop.watch();
        let logger = connection_logger(&endpoint.logger, &local, incoming.remote_address());
        let handshakes = handshakes.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _counted = counted;
            if !admitted(&endpoint, &logger).await {
                incoming.refuse();
                return;
            }
            serve(endpoint, incoming, &handshakes, phase, logger).await;
        });
    }
}

/// A new connection's logger (`…conn.<id>`), having logged its arrival
/// with the protocol it came by.
fn connection_logger(endpoint: &Logger, local: &str, remote: std::net::SocketAddr) -> Logger {
    if !endpoint.is_enabled() {
        return Logger::disabled();
    }
    let logger = endpoint.child("conn").with_new_id();
    let id = logger.last_context().unwrap_or_default().to_owned();
    endpoint.event("newConnection", vec![id.into()]);
    logger.event(
        "opened",
        vec![LogValue::object([
            ("local", LogValue::from(local)),
            ("remote", LogValue::from(remote.to_string())),
            ("protocol", LogValue::from("quic")),
        ])],
    );
    logger
}

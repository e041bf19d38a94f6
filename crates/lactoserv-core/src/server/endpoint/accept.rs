//! Accepting an endpoint's connections (Lactoserv
//! `net-protocol/private/TcpWrangler.js`): each gets an ID and a logger,
//! waits for the connection rate limiter if there is one, and is served on
//! its own task.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::EndpointContext;
use crate::log::{LogValue, Logger};
use crate::server::conn::{self, stop::Phase};

/// Accepts connections until the endpoint's stop signal moves past
/// serving, then gives the socket back (to be closed, or handed to the
/// server that replaces this one).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    endpoint: Arc<EndpointContext>,
) -> TcpListener {
    let mut phase = endpoint.stop.watch();
    let mut stopped = std::pin::pin!(async move {
        let _ = phase.wait_for(|phase| *phase > Phase::Serving).await;
    });
    let slots = endpoint.slots.clone();
    loop {
        // A connection is accepted only when it can be served: at the
        // limit, new ones wait in the listen queue. No slot is held while
        // waiting, so that an HTTP/3 endpoint's QUIC connections, which
        // share the slots, can take every one.
        if slots.available_permits() == 0 {
            if let Some(metrics) = &endpoint.metrics {
                metrics.at_limit();
            }
            endpoint.logger.event(
                "atConnectionLimit",
                vec![LogValue::from(endpoint.max_connections)],
            );
            tokio::select! {
                slot = slots.acquire() => if slot.is_err() { return listener },
                () = &mut stopped => return listener,
            }
            continue;
        }
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, remote)) = accepted else {
                    // Out of descriptors and the like: back off briefly
                    // rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                // The last slot may have gone to a QUIC connection since:
                // this one then waits, unanswered, for the next.
                let slot = match slots.clone().try_acquire_owned() {
                    Ok(slot) => slot,
                    Err(_) => tokio::select! {
                        slot = slots.clone().acquire_owned() => match slot {
                            Ok(slot) => slot,
                            Err(_) => return listener,
                        },
                        () = &mut stopped => return listener,
                    },
                };
                let endpoint = endpoint.clone();
                let counted = endpoint.metrics.as_ref().map(|metrics| metrics.accepted());
                let phase = endpoint.stop.watch();
                let logger = connection_logger(&endpoint.logger, &stream, remote);
                tokio::spawn(async move {
                    let _slot = slot;
                    let _counted = counted;
                    if admitted(&endpoint, &logger).await {
                        conn::serve(endpoint, stream, remote, phase, logger).await;
                    }
                });
            }
            () = &mut stopped => return listener,
        }
    }
}

/// Whether the endpoint's connection rate limiter, if it has one, admits a
/// new connection (logging on its `logger` a denial, or a wait): before
/// anything is read or written; a denied one is closed.
pub(crate) async fn admitted(endpoint: &EndpointContext, logger: &Logger) -> bool {
    let Some(bucket) = &endpoint.connection_bucket else {
        return true;
    };
    let grant = bucket.request(1.0, 1.0).await;
    if !grant.done {
        logger.event("rateLimiterDenied", Vec::new());
        return false;
    }
    if !grant.waited.is_zero() {
        logger.event_with("rateLimiterWaited", || {
            let waited = crate::quant::Duration::new(grant.waited.as_secs_f64());
            vec![LogValue::duration(waited)]
        });
    }
    true
}

/// A new connection's logger (`…conn.<id>`), having logged its arrival.
fn connection_logger(
    endpoint: &Logger,
    stream: &tokio::net::TcpStream,
    remote: std::net::SocketAddr,
) -> Logger {
    if !endpoint.is_enabled() {
        return Logger::disabled();
    }
    let logger = endpoint.child("conn").with_new_id();
    let id = logger.last_context().unwrap_or_default().to_owned();
    endpoint.event("newConnection", vec![id.into()]);
    let local = stream
        .local_addr()
        .map_or_else(|_| "<unknown>".to_owned(), |addr| addr.to_string());
    logger.event(
        "opened",
        vec![LogValue::object([
            ("local", LogValue::from(local)),
            ("remote", LogValue::from(remote.to_string())),
        ])],
    );
    logger
}

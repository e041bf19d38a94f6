//! One HTTP/3 request: its head and body read off its stream, answered
//! through the pipeline, the answer framed on the stream, its body paced
//! by the connection's data rate limiter if there is one.

use std::sync::{Arc, Mutex as StdMutex, PoisonError};

use bytes::{Buf, Bytes};
use h3::error::Code;
use h3::server::{RequestResolver, RequestStream};
use http_body_util::BodyExt;
use tokio::sync::Mutex;
use tokio::time::{Duration, timeout};

use super::H3Quic;
use crate::net::Response;
use crate::server::conn::throttle::Throttle;
use crate::server::conn::{Connection, limits};
use crate::server::request::host::HostCache;
use crate::server::request::intake::{body_limit, is_known_method, too_big};
use crate::server::request::{started, take};
use crate::server::via_hyper;

/// A request's stream.
type Stream = RequestStream<h3_quinn::BidiStream<Bytes>, Bytes>;

/// The connection's share of a data rate limiter, which its streams take
/// turns at.
pub(super) type SharedThrottle = Option<Arc<Mutex<Throttle>>>;

/// How long a request's head may take to arrive once its stream is open,
/// as for HTTP/1: a client cannot hold a stream, and its share of the
/// connection's buffers, by never finishing its head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a request's body, or its answer, may stand still (the
/// client sends nothing, or reads nothing) before the stream is given
/// up, as for an HTTP/2 stream.
const STILL_TIMEOUT: Duration = limits::HTTP2.inactive;

/// One request: its head and body read, answered through the pipeline,
/// the answer framed on its stream. `hosts`: the host its connection's
/// requests asked for last (a lock no other task takes: the requests of a
/// connection run in its task).
pub(super) async fn respond(
    resolver: RequestResolver<H3Quic, Bytes>,
    connection: Arc<Connection>,
    quic: quinn::Connection,
    throttle: SharedThrottle,
    hosts: Arc<StdMutex<HostCache>>,
) {
    let (request, mut stream) = match timeout(HEAD_TIMEOUT, resolver.resolve_request()).await {
        Ok(Ok(resolved)) => resolved,
        Ok(Err(_)) => return,
        Err(_) => {
            connection.logger.event("headerTimeout", Vec::new());
            return;
        }
    };
    let endpoint = &connection.endpoint;
    connection.activity.progressed();
    let _in_flight = connection.activity.request();
    let host = hosts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .host_of(&request, endpoint.port);
    let (parts, ()) = request.into_parts();
    let started = started(&connection);
    let read = if is_known_method(&parts.method) {
        read_body(&parts.method, &mut stream, endpoint.max_body).await
    } else {
        Ok(())
    };
    let outcome = take(&connection, host, parts, read, started, None)
        .outcome(&connection)
        .await;
    let (head, mut body) = via_hyper::answer(outcome, &connection).into_parts();
    connection.activity.progressed();
    let head = http::Response::from_parts(head, ());
    if !matches!(
        timeout(STILL_TIMEOUT, stream.send_response(head)).await,
        Ok(Ok(()))
    ) {
        stream.stop_stream(Code::H3_REQUEST_CANCELLED);
        return;
    }
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // A file that could not be read on: the answer is cut short.
            stream.stop_stream(Code::H3_INTERNAL_ERROR);
            return;
        };
        if let Ok(data) = frame.into_data() {
            match timeout(STILL_TIMEOUT, send(&mut stream, data, &throttle, &quic)).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(_) => {
                    // A client that does not read its answer.
                    stream.stop_stream(Code::H3_REQUEST_CANCELLED);
                    return;
                }
            }
        }
    }
    let _ = timeout(STILL_TIMEOUT, stream.finish()).await;
}

/// Reads a request's body off `stream`, counting it against the limit
/// for `method` (see `intake::body_limit`), never holding it.
async fn read_body(
    method: &http::Method,
    stream: &mut Stream,
    max: Option<u64>,
) -> Result<(), Response> {
    let limit = body_limit(method, max);
    let mut total: u64 = 0;
    loop {
        let Ok(read) = timeout(STILL_TIMEOUT, stream.recv_data()).await else {
            // A body that stopped coming: the stream is given up.
            stream.stop_sending(Code::H3_REQUEST_CANCELLED);
            return Err(Response::status_only(http::StatusCode::REQUEST_TIMEOUT));
        };
        match read {
            Ok(Some(data)) => {
                total = total.saturating_add(data.remaining() as u64);
                if total > limit {
                    stream.stop_sending(Code::H3_NO_ERROR);
                    return Err(too_big(method, limit));
                }
            }
            Ok(None) => return Ok(()),
            Err(_) => return Err(Response::status_only(http::StatusCode::BAD_REQUEST)),
        }
    }
}

/// Sends `data` on `stream`, as fast as `throttle` allows. Whether it
/// went; a denial by the limiter ends the whole connection, as it does a
/// TCP one.
async fn send(
    stream: &mut Stream,
    mut data: Bytes,
    throttle: &SharedThrottle,
    quic: &quinn::Connection,
) -> bool {
    let Some(throttle) = throttle else {
        return stream.send_data(data).await.is_ok();
    };
    while !data.is_empty() {
        let allowed = {
            let mut throttle = throttle.lock().await;
            let want = data.len();
            match std::future::poll_fn(|cx| throttle.poll_allowance(cx, want)).await {
                Ok(allowed) => {
                    throttle.spent(allowed);
                    allowed
                }
                Err(_) => {
                    super::close(quic, Code::H3_INTERNAL_ERROR);
                    return false;
                }
            }
        };
        if stream.send_data(data.split_to(allowed)).await.is_err() {
            return false;
        }
    }
    true
}

//! Connections hyper serves (Lactoserv `Http2Wrangler`, and
//! `Http1Wrangler` for what the server's own loop leaves): HTTP2 sessions,
//! and HTTP1 connections handed over by the server's own loop (or served
//! by hyper throughout, see `Http1Engine`). One hyper service per
//! connection runs each request through the pipeline (`request`); the
//! writer here turns its outcome into hyper's response.

use std::cell::RefCell;
use std::pin::Pin;
use std::sync::Arc;

use http::header::CONTENT_LENGTH;
use http::{HeaderMap, HeaderValue, Method, Version};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::conn::Connection;
use super::conn::batched::batched;
use super::conn::drive::Driven;
use super::conn::limits;
use super::request::host::{AskedHost, HostCache};
use super::request::intake::{is_known_method, read_body};
use super::request::{Intake, Outcome, started, take};
use super::response::body::ResponseBody;
use super::response::prepared::{Way, kept};
use super::response::{Answer, Headers, Link, assemble, completed};
use crate::net::Body;
use session::{LocalStreams, Session};

mod session;

/// An HTTP2 session on `io`, for `connection`: its streams run in its own
/// task, its writes batched (see `session`).
pub(crate) fn http2<S>(io: S, connection: Arc<Connection>) -> impl Driven + Send
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (io, outlet) = batched(io);
    let streams = LocalStreams::default();
    let session =
        limits::http2(streams.clone()).serve_connection(TokioIo::new(io), service(connection));
    Session::new(session, streams, outlet)
}

/// An HTTP1 connection on `io`, for `connection`.
pub(crate) fn http1<S>(io: S, connection: Arc<Connection>) -> impl Driven + Send
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    limits::http1().serve_connection(TokioIo::new(io), service(connection))
}

/// The request handler of one connection, counting requests in progress.
fn service(
    connection: Arc<Connection>,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = hyper::Response<ResponseBody>,
    Error = ConnectRefused,
    Future = impl Future<Output = Result<hyper::Response<ResponseBody>, ConnectRefused>> + Send,
> + Send {
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
        // A request starting, and later its answer's head being ready, are
        // a connection's progress (what HTTP2's time limits count).
        connection.activity.progressed();
        let mut begun = (!connect).then(|| begin(&connection, host, request));
        async move {
            let _in_flight = connection.activity.request();
            // Matched by reference, so that the job is not copied again.
            let out = match &mut begun {
                None => Err(ConnectRefused),
                Some(Begun::Done(out)) => Ok(std::mem::take(out)),
                Some(Begun::Job(job)) => {
                    let outcome = job.run(&connection).await;
                    Ok(send(outcome, &connection))
                }
                Some(Begun::WithBody(future)) => Ok(future.await),
            };
            connection.activity.progressed();
            out
        }
    })
}

/// How a request is handled, decided as it comes in.
enum Begun {
    /// Answered already: by the server, or by an application that could
    /// tell at once.
    Done(hyper::Response<ResponseBody>),
    /// For the endpoint's application, to be waited for.
    Job(super::request::Job),
    /// Its body is read first (rare: boxed, so that the future hyper keeps
    /// for every request stays small).
    WithBody(Pin<Box<dyn Future<Output = hyper::Response<ResponseBody>> + Send>>),
}

/// Takes in one request for `host`, outside of the future hyper keeps.
fn begin(
    connection: &Arc<Connection>,
    host: AskedHost,
    request: hyper::Request<Incoming>,
) -> Begun {
    // hyper hands over only the streams it accepted: those are counted.
    if request.version() == http::Version::HTTP_2
        && let Some(metrics) = &connection.endpoint.metrics
    {
        metrics.count(crate::metrics::Event::Http2Stream, 1);
    }
    let (parts, body) = request.into_parts();
    if hyper::body::Body::is_end_stream(&body) {
        return match take(connection, host, parts, Ok(()), started(connection), None) {
            Intake::Job(mut job) => match job.run_now(connection) {
                Some(outcome) => Begun::Done(send(outcome, connection)),
                None => Begun::Job(job),
            },
            Intake::Done(outcome) => Begun::Done(send(outcome, connection)),
        };
    }
    let started = started(connection);
    let connection = connection.clone();
    Begun::WithBody(Box::pin(async move {
        let max = connection.endpoint.max_body;
        let read = if is_known_method(&parts.method) {
            read_body(&parts.method, body, max).await
        } else {
            // Answered without reading, as any invalid method.
            Ok(())
        };
        let outcome = take(&connection, host, parts, read, started, None)
            .outcome(&connection)
            .await;
        send(outcome, &connection)
    }))
}

/// `outcome` as hyper's response on `connection`, its streamed body paced
/// by the connection.
pub(crate) fn send(
    outcome: Outcome,
    connection: &Arc<Connection>,
) -> hyper::Response<ResponseBody> {
    let mut out = answer(outcome, connection);
    // The endpoint's own header, after those kept with the answer.
    if let Some(alt_svc) = &connection.endpoint.alt_svc {
        out.headers_mut()
            .insert(http::header::ALT_SVC, alt_svc.clone());
    }
    out
}

/// [`send`] without the endpoint's `Alt-Svc`: for HTTP/3 answers, whose
/// client has found HTTP/3 already.
pub(crate) fn answer(
    outcome: Outcome,
    connection: &Arc<Connection>,
) -> hyper::Response<ResponseBody> {
    let mut out = write(outcome, &connection.endpoint.server_header);
    out.body_mut().pace(connection);
    out
}

/// `outcome` as hyper's response, with `server` as the `Server` header,
/// its end reported to the access log.
fn write(outcome: Outcome, server: &HeaderValue) -> hyper::Response<ResponseBody> {
    let Outcome { answer, record } = outcome;
    let Answer {
        status,
        headers,
        body,
        is_head,
        link,
    } = answer;
    // hyper's HTTP1 side writes the length of a body it is given (for
    // HEAD too, leaving the body out); its HTTP2 side would send a HEAD
    // body, so the body is left out and the length set here.
    let http2_head = is_head && link == Link::Session;
    let (headers, body) = match headers {
        Headers::Prepared {
            prepared,
            cacheable,
        } if !http2_head => {
            let way = Way { link, cacheable };
            let make = || completed(&prepared, cacheable, link, server);
            let headers = match kept(&prepared, way, server, make) {
                Some(headers) => headers.clone(),
                None => make(),
            };
            (headers, body)
        }
        Headers::Prepared {
            prepared,
            cacheable,
        } => {
            let (_, headers, body) = assemble(prepared.response(), cacheable, is_head);
            with_server_headers(headers, body, http2_head, link, server)
        }
        Headers::Own(headers) => with_server_headers(headers, body, http2_head, link, server),
    };
    let mut body = ResponseBody::from(body);
    if let Some(record) = record {
        body = record.watch_sent(body, status, &headers);
    }
    let mut out = hyper::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

/// `headers` with the server's own added; over HTTP2 the body's length
/// announced, and for `HEAD` the body left out.
fn with_server_headers(
    mut headers: HeaderMap,
    body: Body,
    http2_head: bool,
    link: Link,
    server: &HeaderValue,
) -> (HeaderMap, Body) {
    // HTTP2 answers say their length here, as prepared ones do (see
    // `completed`); hyper's HTTP1 side writes it itself.
    let body = match body {
        Body::Full(_) | Body::Parts(_) if link == Link::Session => {
            let length = body.content_length().unwrap_or(0);
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
            if http2_head { Body::Empty } else { body }
        }
        body => body,
    };
    link.add_headers(&mut headers, server);
    (headers, body)
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

#[cfg(test)]
mod tests;

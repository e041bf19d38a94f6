//! The request pipeline, the same for every protocol (Lactoserv
//! `IncomingRequest.fromNodeRequest` and
//! `NetworkEndpoint._impl_handleRequest`): a request's head is taken in
//! ([`take`]: its method, body and target checked, the host it asks for
//! given by the caller from `host`), logged, and either answered by the
//! server at once or made a [`Job`] for the endpoint's application
//! (through `dispatch`: [`Job::run_now`] when the application can tell
//! at once, [`Job::run`] when it is waited for). Either way the result is one
//! protocol-neutral [`Outcome`]: the answer, and the access record to
//! complete when its body is done with. The connection's writer (`http1`,
//! `via_hyper`) puts it on the wire.
//!
//! All the work around the application is done outside of any future:
//! the future a protocol keeps for each request then holds little more
//! than the request.

pub(crate) mod access;
mod dispatch;
pub(crate) mod host;
pub(crate) mod intake;

use http::{Method, StatusCode, Version};

use super::conn::Connection;
use super::conn::stop::Phase;
use super::endpoint::EndpointContext;
use super::response::{Answer, AnswerTo};
use crate::endpoint::Protocol;
use crate::log::{LogValue, Logger};
use crate::net::{HostInfo, Request, Response};
use access::{Record, access_url};
use host::AskedHost;
use intake::{Refused, invalid_method, is_known_method, origin_form};

/// What a request came to: the answer and, when the endpoint has an
/// access log, the record to complete with it.
pub(crate) struct Outcome {
    pub(crate) answer: Answer,
    pub(crate) record: Option<Box<Record>>,
}

/// A request taken in: see [`take`].
pub(crate) enum Intake {
    /// For the application.
    Job(Job),
    /// Answered by the server.
    Done(Outcome),
}

/// A request for the endpoint's application, and how its answer is to be
/// made and recorded.
pub(crate) struct Job {
    to: AnswerTo,
    request: Request,
    record: Option<Box<Record>>,
}

impl Intake {
    /// What the request comes to: the server's answer, or the
    /// application's, given at once or waited for.
    pub(crate) async fn outcome(self, connection: &Connection) -> Outcome {
        match self {
            Self::Job(mut job) => match job.run_now(connection) {
                Some(outcome) => outcome,
                None => job.run(connection).await,
            },
            Self::Done(outcome) => outcome,
        }
    }
}

/// When a request started, if the access log needs to know.
pub(crate) fn started(connection: &Connection) -> Option<std::time::Instant> {
    connection
        .endpoint
        .access_log
        .is_some()
        .then(std::time::Instant::now)
}

/// Takes in a request whose body has been dealt with (`read`: an answer
/// when it was refused), logging it: the job for the application, or the
/// server's own answer. `host`: the host it asks for, or why it is
/// refused. `close`: whether the request asks to close the connection, if
/// the caller knows already.
pub(crate) fn take(
    connection: &Connection,
    host: AskedHost,
    parts: http::request::Parts,
    read: Result<(), Response>,
    started: Option<std::time::Instant>,
    close: Option<bool>,
) -> Intake {
    let endpoint = &*connection.endpoint;
    let version = parts.version;
    let is_head = parts.method == Method::HEAD;
    // A winding-down endpoint closes each HTTP1 connection after its next
    // response, so that the client does not reuse it.
    let winding_down = endpoint.stop.phase() > Phase::Serving;
    let close =
        winding_down || close.unwrap_or_else(|| intake::wants_close(&parts.headers, version));
    let mut to = AnswerTo {
        version,
        is_head,
        cacheable: is_head || parts.method == Method::GET,
        close,
        fallback: endpoint.protocol == Protocol::Http2,
    };
    let record = |method: Method, url: String, headers: &http::HeaderMap, logger| {
        let (log, started) = endpoint.access_log.as_ref().zip(started)?;
        let record = Record::begin(
            log, connection, started, version, method, url, headers, logger,
        );
        Some(Box::new(record))
    };
    // A bad host, an unknown method or a refused body: answered with a 400
    // before any application sees the request, logged and recorded like any
    // other request. The HTTP1 connection closes after it (after a refused
    // body, the rest of it is never read).
    let refusal = if host.is_err() {
        Some(Response::status_only(StatusCode::BAD_REQUEST))
    } else if !is_known_method(&parts.method) {
        Some(invalid_method(parts.method.as_str()))
    } else {
        read.err()
    };
    let host = host.unwrap_or_else(|_| {
        HostInfo::localhost(host::default_port(&parts.uri, version, endpoint.port))
    });
    if let Some(response) = refusal {
        to.close = true;
        count(connection, version, &parts.method, response.status, None);
        let url = intake::log_url(&parts.uri, version, &host);
        let logger = log_incoming(connection, || url.clone());
        let record = record(parts.method, url, &parts.headers, logger);
        return done(response, &to, record);
    }
    match origin_form(parts, host) {
        Ok(request) => {
            let logger = log_incoming(connection, || {
                format!("//{}{}", request.host, request.target())
            });
            let url = || access_url(&request);
            let record = endpoint
                .access_log
                .is_some()
                .then(url)
                .and_then(|url| record(request.method.clone(), url, &request.headers, logger));
            // An ACME authority's look at a challenge is answered before
            // any application sees it.
            if let Some(answer) = challenge_answer(endpoint, &request) {
                count(connection, version, &request.method, answer.status, None);
                return done(answer, &to, record);
            }
            Intake::Job(Job {
                to,
                request,
                record,
            })
        }
        Err(refused) => {
            // A target not in origin form (`*`, `host:port`, an absolute
            // URL): logged, then refused.
            let Refused {
                method,
                url,
                headers,
            } = *refused;
            let logger = log_incoming(connection, || url.clone());
            count(connection, version, &method, StatusCode::BAD_REQUEST, None);
            let record = record(method, url, &headers, logger);
            done(Response::status_only(StatusCode::BAD_REQUEST), &to, record)
        }
    }
}

/// Counts a request answered with `status`, if the endpoint counts, and
/// how long it took since its answer was first asked for, at `asked` (on
/// the connection's clock, see `Activity::tick`). An answer given in the
/// run of the connection's task that took the request in (`asked` is
/// `None`: the server's own, and those applications give at once) took
/// no time on that clock.
#[inline]
fn count(
    connection: &Connection,
    version: Version,
    method: &Method,
    status: StatusCode,
    asked: Option<u64>,
) {
    if let Some(metrics) = &connection.endpoint.metrics {
        let nanos = asked.map_or(0, |asked| {
            connection.activity.polled().saturating_sub(asked)
        });
        metrics.request(version, method, status, nanos);
    }
}

/// The answer to an http-01 challenge (`host::acme`), if `request` asks
/// for one the endpoint knows.
fn challenge_answer(endpoint: &EndpointContext, request: &Request) -> Option<Response> {
    let tokens = endpoint.acme_tokens.as_ref()?;
    if !request.is_get_or_head() {
        return None;
    }
    let answer = tokens.answer(request.path())?;
    Some(Response::full(
        StatusCode::OK,
        http::HeaderValue::from_static("application/octet-stream"),
        bytes::Bytes::from(answer),
    ))
}

/// The server's own `response` to a request `to` describes.
fn done(response: Response, to: &AnswerTo, record: Option<Box<Record>>) -> Intake {
    Intake::Done(Outcome {
        answer: Answer::new(response, to),
        record,
    })
}

impl Job {
    /// The application's answer, when it can give it at once (a fixed
    /// response, a cached file): no future, no waiting. `None` when it
    /// cannot; [`Job::run`] then waits for it.
    #[inline]
    pub(crate) fn run_now(&mut self, connection: &Connection) -> Option<Outcome> {
        let response = dispatch::handle_now(&connection.endpoint, &self.request)?;
        Some(self.outcome(connection, response, None))
    }

    /// Has the application answer the request, waiting for it (for a job
    /// that [`Job::run_now`] could not answer). By reference, so that
    /// the job is not copied into this future.
    pub(crate) async fn run(&mut self, connection: &Connection) -> Outcome {
        // Its first run is in the run of the connection's task that took
        // the request in.
        let asked = connection.activity.polled();
        let response = dispatch::dispatch(&connection.endpoint, &self.request).await;
        self.outcome(connection, response, Some(asked))
    }

    #[inline]
    fn outcome(
        &mut self,
        connection: &Connection,
        response: Response,
        asked: Option<u64>,
    ) -> Outcome {
        count(
            connection,
            self.to.version,
            &self.request.method,
            response.status,
            asked,
        );
        Outcome {
            answer: Answer::new(response, &self.to),
            record: self.record.take(),
        }
    }

    /// The request's headers, when done with the job (for the next
    /// request's use).
    pub(crate) fn into_headers(self) -> http::HeaderMap {
        self.request.headers
    }
}

/// Logs `incomingRequest({ [sessionId,] connectionId, requestId, url })`
/// on the connection's (or HTTP2 session's) logger; `url` is made only
/// when the event is. The request's logger (`…req.<id>`) when the system
/// log is on.
fn log_incoming(connection: &Connection, url: impl FnOnce() -> String) -> Option<Logger> {
    let logger = &connection.logger;
    if !logger.is_enabled() {
        return None;
    }
    let request_logger = connection.endpoint.logger.child("req").with_new_id();
    // HTTP2 requests are logged on their session's logger.
    let session = connection.session.get();
    session.unwrap_or(logger).event_with("incomingRequest", || {
        let mut fields = Vec::with_capacity(4);
        if let Some(session) = session {
            let id = session.last_context().unwrap_or_default();
            fields.push(("sessionId".to_owned(), LogValue::from(id)));
        }
        let ids = [
            ("connectionId", logger.last_context()),
            ("requestId", request_logger.last_context()),
        ];
        for (key, id) in ids {
            fields.push((key.to_owned(), LogValue::from(id.unwrap_or_default())));
        }
        fields.push(("url".to_owned(), LogValue::from(url())));
        vec![LogValue::Object(fields)]
    });
    Some(request_logger)
}

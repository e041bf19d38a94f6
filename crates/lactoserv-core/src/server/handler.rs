//! One request, from hyper's form to an application and back (Lactoserv
//! `IncomingRequest.fromNodeRequest`, `NetworkEndpoint._impl_handleRequest`
//! and `ProtocolWrangler`'s response writing).

use http::{HeaderValue, Method, StatusCode};
use hyper::body::Incoming;

use super::access::{Answer, Logged, access_logged, access_url, log_start, watched};
use super::answer::{Head, answer, prepared_lines};
use super::body::ResponseBody;
use super::connection::Connection;
use super::drain::Drain;
use super::intake::{Refused, canonical_method, invalid_method, prepare, read_body};
use crate::app::AppRef;
use crate::log::{LogValue, Logger};
use crate::net::prepared::HeaderLines;
use crate::net::{Body, Dispatch, HostInfo, Request, Response};
use crate::service::AccessLog;
use std::pin::Pin;
use std::sync::Arc;

/// What every request on one endpoint shares.
pub(crate) struct EndpointContext {
    /// The endpoint's name, for messages.
    pub(crate) name: String,
    /// The endpoint's logger (`webapp.endpoint.<name>`).
    pub(crate) logger: Logger,
    /// The application requests go to.
    pub(crate) application: AppRef,
    /// The `Server` header value.
    pub(crate) server_header: HeaderValue,
    /// `dispatchLogging`: requests' dispatch is logged from here down.
    pub(crate) dispatch_logging: bool,
    /// The `accessLog` service, if one runs.
    pub(crate) access_log: Option<Arc<dyn AccessLog>>,
    /// The `connectionRateLimiter` service's bucket, if one runs.
    pub(crate) connection_bucket: Option<Arc<crate::bucket::TokenBucket>>,
    /// The `dataRateLimiter` service's bucket, if one runs.
    pub(crate) data_limit: Option<crate::service::DataLimit>,
    /// The name of `application`, for dispatch logging.
    pub(crate) application_name: String,
    /// The interface's port, for requests whose authority names none.
    pub(crate) port: u16,
    /// `maxRequestBodySize`, in bytes.
    pub(crate) max_body: Option<u64>,
    /// Winding the endpoint's connections down at a stop or reload.
    pub(crate) drain: Drain,
    /// One permit per connection served at once.
    pub(crate) slots: Arc<tokio::sync::Semaphore>,
    /// `maxConnections`: how many permits there are.
    pub(crate) max_connections: usize,
}

impl std::fmt::Debug for EndpointContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointContext")
            .field("name", &self.name)
            .field("drain", &self.drain)
            .finish_non_exhaustive()
    }
}

/// How a request is handled, decided as it comes in.
pub(crate) enum Begun {
    /// Answered by the server without the application.
    Answered(hyper::Response<ResponseBody>),
    /// To be answered by the endpoint's application: see [`Job::run`].
    Dispatch(Job),
    /// Its body is read first (rare: boxed, so that the future hyper keeps
    /// for every request stays small).
    WithBody(Pin<Box<dyn Future<Output = hyper::Response<ResponseBody>> + Send>>),
}

/// Takes in one request for `host` (see [`HostCache`]): every failure is
/// an HTTP answer, made here; the application's work is left to
/// [`Job::run`].
///
/// All the work around the application is done here, outside of any
/// future: the future hyper keeps (and moves) for every request then holds
/// little more than the request.
pub(crate) fn begin(
    connection: &Arc<Connection>,
    host: HostInfo,
    request: hyper::Request<Incoming>,
) -> Begun {
    let (parts, body) = request.into_parts();
    if hyper::body::Body::is_end_stream(&body) {
        return match begin_bodiless(connection, host, parts, None) {
            Taken::Job(job) => Begun::Dispatch(job),
            Taken::Answered(out) => Begun::Answered(out),
        };
    }
    let started = started(connection);
    let connection = connection.clone();
    Begun::WithBody(Box::pin(async move {
        let read = match canonical_method(&parts.method) {
            Some(method) => read_body(&method, body, connection.endpoint.max_body).await,
            // Answered without reading, as any invalid method.
            None => Ok(()),
        };
        match Job::take(&connection, host, parts, read, started, None) {
            Taken::Job(mut job) => job.run(&connection).await,
            Taken::Answered(out) => out,
        }
    }))
}

/// [`begin`] for a request without a body, from its head.
/// `close`: whether the request asks to close the connection, when the
/// caller knows already.
pub(crate) fn begin_bodiless(
    connection: &Connection,
    host: HostInfo,
    parts: http::request::Parts,
    close: Option<bool>,
) -> Taken {
    Job::take(connection, host, parts, Ok(()), started(connection), close)
}

/// When a request started, if the access log needs to know.
fn started(connection: &Connection) -> Option<std::time::Instant> {
    connection
        .endpoint
        .access_log
        .is_some()
        .then(std::time::Instant::now)
}

/// A request for the endpoint's application, and how to write and log its
/// answer.
pub(crate) struct Job {
    head: Head,
    request: Request,
    /// What the access log needs, when there is one.
    logged: Option<Box<Logged>>,
}

/// A request taken in: see [`Job::take`].
pub(crate) enum Taken {
    /// For the application.
    Job(Job),
    /// Answered by the server.
    Answered(hyper::Response<ResponseBody>),
}

impl Job {
    /// Takes in a request whose body has been dealt with (`read`: an
    /// answer when it was refused), logging it: the job for the
    /// application, or the server's own answer. `close`: whether the
    /// request asks to close the connection, if known already.
    fn take(
        connection: &Connection,
        host: HostInfo,
        parts: http::request::Parts,
        read: Result<(), Response>,
        started: Option<std::time::Instant>,
        close: Option<bool>,
    ) -> Taken {
        let ctx = &*connection.endpoint;
        let version = parts.version;
        let is_head = parts.method == Method::HEAD;
        // A retiring endpoint closes each HTTP1 connection after its next
        // response, so that the client does not reuse it.
        let wants_close = ctx.drain.is_winding_down()
            || close.unwrap_or_else(|| Head::wants_close(&parts.headers, version));
        let mut head = Head {
            version,
            is_head,
            cacheable: is_head || parts.method == Method::GET,
            wants_close,
        };
        let Some(method) = canonical_method(&parts.method) else {
            let response = invalid_method(parts.method.as_str());
            return Taken::Answered(answer(&ctx.server_header, response, &head));
        };
        if let Err(response) = read {
            // The rest of the body is not read: the connection cannot
            // carry another request.
            head.wants_close = true;
            return Taken::Answered(answer(&ctx.server_header, response, &head));
        }
        match prepare(method, parts, host) {
            Ok(request) => {
                let logger = log_incoming(ctx, connection, || {
                    format!("//{}{}", request.host, request.target())
                });
                let logged = started.map(|started| {
                    let url = access_url(&request);
                    let (method, headers) = (&request.method, &request.headers);
                    log_start(ctx, connection, version, method, &url, headers, &logger);
                    Box::new(Logged {
                        started,
                        method: method.clone(),
                        url,
                        logger,
                    })
                });
                Taken::Job(Self {
                    head,
                    request,
                    logged,
                })
            }
            Err(refused) => {
                // A target not in origin form (`*`, `host:port`, an
                // absolute URL): logged, then refused.
                let Refused {
                    method,
                    url,
                    headers,
                } = *refused;
                let logger = log_incoming(ctx, connection, || url.clone());
                let response = Response::status_only(StatusCode::BAD_REQUEST);
                let out = answer(&ctx.server_header, response, &head);
                let Some((log, started)) = ctx.access_log.as_ref().zip(started) else {
                    return Taken::Answered(out);
                };
                log_start(ctx, connection, version, &method, &url, &headers, &logger);
                let logged = Logged {
                    started,
                    method,
                    url,
                    logger,
                };
                Taken::Answered(access_logged(out, log.clone(), connection, logged))
            }
        }
    }

    /// Has the application answer the request. (By reference, so that the
    /// job is not copied into this future.)
    pub(crate) async fn run(&mut self, connection: &Connection) -> hyper::Response<ResponseBody> {
        let response = self.respond(connection).await;
        self.finish(connection, response)
    }

    /// The application's answer to the request, to be written by
    /// [`Job::finish`] (or, on HTTP1, by the prepared path: see
    /// [`Job::prepared_lines`]).
    pub(crate) async fn respond(&self, connection: &Connection) -> Response {
        dispatch(&connection.endpoint, &self.request).await
    }

    /// `response` in hyper's terms, its end reported to the access log.
    pub(crate) fn finish(
        &mut self,
        connection: &Connection,
        response: Response,
    ) -> hyper::Response<ResponseBody> {
        let ctx = &*connection.endpoint;
        let out = answer(&ctx.server_header, response, &self.head);
        match (&ctx.access_log, self.logged.take()) {
            (Some(log), Some(logged)) => access_logged(out, log.clone(), connection, *logged),
            _ => out,
        }
    }

    /// The request's headers, when done with the job.
    pub(crate) fn into_headers(self) -> http::HeaderMap {
        self.request.headers
    }

    /// The HTTP/1.1 header lines of `response` written beforehand, when it
    /// can be sent with them (a prepared response, not access-logged).
    pub(crate) fn prepared_lines(
        &self,
        connection: &Connection,
        response: &Response,
    ) -> Option<HeaderLines> {
        let ctx = &*connection.endpoint;
        // An access log that records response headers takes the long way.
        if self.logged.is_some()
            && ctx
                .access_log
                .as_ref()
                .is_some_and(|log| log.wants_headers())
        {
            return None;
        }
        prepared_lines(&ctx.server_header, response, &self.head)
    }

    /// The body of a response sent with its prepared lines (see
    /// [`Job::prepared_lines`]), its end reported to the access log.
    pub(crate) fn prepared_body(
        &mut self,
        connection: &Connection,
        status: StatusCode,
        body: ResponseBody,
    ) -> ResponseBody {
        let ctx = &*connection.endpoint;
        match (&ctx.access_log, self.logged.take()) {
            (Some(log), Some(logged)) => {
                let answer = Answer {
                    status: status.as_u16(),
                    version: self.head.version,
                    length: None,
                    headers: None,
                };
                watched(body, answer, log.clone(), connection, *logged)
            }
            _ => body,
        }
    }
}

/// Logs `incomingRequest({ [sessionId,] connectionId, requestId, url })`
/// on the connection's (or HTTP2 session's) logger; `url` is made only
/// when the event is. The request's logger (`…req.<id>`) when the system
/// log is on.
fn log_incoming(
    ctx: &EndpointContext,
    connection: &Connection,
    url: impl FnOnce() -> String,
) -> Option<Logger> {
    let logger = &connection.logger;
    if !logger.is_enabled() {
        return None;
    }
    let request_logger = ctx.logger.child("req").with_new_id();
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

async fn dispatch(ctx: &EndpointContext, request: &Request) -> Response {
    let dispatch = Dispatch::root(request);
    let logger = (ctx.dispatch_logging && ctx.logger.is_enabled())
        .then(|| ctx.logger.child("dispatch").with_new_id());
    if let Some(logger) = &logger {
        logger.event_with("dispatching", || {
            vec![LogValue::object([
                ("application", LogValue::from(ctx.application_name.as_str())),
                ("base", LogValue::from("/")),
                ("extra", LogValue::from(format!(".{}", request.path()))),
            ])]
        });
    }
    let dispatch = dispatch.with_logger(logger.as_ref());
    let answer = match ctx.application.answer_now(request, &dispatch) {
        Some(answer) => answer,
        None => ctx.application.handle_request(request, &dispatch).await,
    };
    match answer {
        Ok(Some(response)) => match response.body {
            // A bare 404 from an application gets the full not-found page.
            Body::Status { extra: None } if response.status == StatusCode::NOT_FOUND => {
                Response::not_found(&request.host.to_string(), request.target())
            }
            _ => response,
        },
        Ok(None) => Response::not_found(&request.host.to_string(), request.target()),
        Err(err) => {
            ctx.logger
                .event_with("applicationError", || vec![LogValue::error("Error", &err)]);
            Response::status_only(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

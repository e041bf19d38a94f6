//! One request, from hyper's form to an application and back (Lactoserv
//! `IncomingRequest.fromNodeRequest`, `NetworkEndpoint._impl_handleRequest`
//! and `ProtocolWrangler`'s response writing).

use http::header::HOST;
use http::{HeaderValue, Method, StatusCode, Version};
use hyper::body::Incoming;

use super::answer::{Head, answer};
use super::body::ResponseBody;
use super::connection::Connection;
use super::drain::Drain;
use super::intake::{Refused, canonical_method, invalid_method, prepare, read_body};
use crate::app::AppRef;
use crate::log::{LogValue, Logger};
use crate::net::{Body, Dispatch, HostInfo, Request, Response};
use crate::quant::Moment;
use crate::service::{AccessEntry, AccessLog, RequestStart};
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

/// Handles one request for `host` (see [`HostCache`]); every failure is
/// an HTTP answer.
pub(crate) async fn handle(
    connection: &Connection,
    host: HostInfo,
    request: hyper::Request<Incoming>,
) -> hyper::Response<ResponseBody> {
    let ctx = &*connection.endpoint;
    let (parts, body) = request.into_parts();
    let version = parts.version;
    let is_head = parts.method == Method::HEAD;
    let cacheable = is_head || parts.method == Method::GET;
    // A retiring endpoint closes each HTTP1 connection after its next
    // response, so that the client does not reuse it.
    let wants_close = ctx.drain.is_winding_down() || Head::wants_close(&parts.headers, version);

    let started = ctx.access_log.is_some().then(std::time::Instant::now);
    let mut logged = None;
    let mut request_logger = None;
    let mut body_refused = false;
    let response = match canonical_method(&parts.method) {
        None => invalid_method(parts.method.as_str()),
        Some(method) => match read_body(&method, body, ctx.max_body).await {
            Err(response) => {
                // The rest of the body is not read: the connection cannot
                // carry another request.
                body_refused = true;
                response
            }
            Ok(()) => match prepare(method, parts, host) {
                Ok(request) => {
                    request_logger = log_incoming(ctx, connection, || {
                        format!("//{}{}", request.host, request.target())
                    });
                    if let Some(log) = &ctx.access_log {
                        let url = access_url(&request);
                        if log.wants_headers()
                            && let Some(logger) = &request_logger
                        {
                            log.start(&RequestStart {
                                remote: connection.remote,
                                version: request.version,
                                method: &request.method,
                                url: &url,
                                headers: &request.headers,
                                logger,
                            });
                        }
                        logged = Some((request.method.clone(), url));
                    }
                    dispatch(ctx, &request).await
                }
                Err(refused) => {
                    // A target not in origin form (`*`, `host:port`, an
                    // absolute URL): logged, then refused.
                    let Refused {
                        method,
                        url,
                        headers,
                    } = *refused;
                    request_logger = log_incoming(ctx, connection, || url.clone());
                    if let Some(log) = &ctx.access_log {
                        if log.wants_headers()
                            && let Some(logger) = &request_logger
                        {
                            log.start(&RequestStart {
                                remote: connection.remote,
                                version,
                                method: &method,
                                url: &url,
                                headers: &headers,
                                logger,
                            });
                        }
                        logged = Some((method, url));
                    }
                    Response::status_only(StatusCode::BAD_REQUEST)
                }
            },
        },
    };
    let head = Head {
        version,
        is_head,
        cacheable,
        wants_close: wants_close || body_refused,
    };
    let out = answer(&ctx.server_header, response, &head);
    match (&ctx.access_log, started, logged) {
        (Some(log), Some(started), Some((method, url))) => {
            let request = (method, url, request_logger);
            access_logged(out, log.clone(), connection, started, request)
        }
        _ => out,
    }
}

/// `//<host>:<port><target>`, built without the formatting machinery (it
/// is made for every request when there is an access log).
fn access_url(request: &Request) -> String {
    let target = request.target();
    let name = &*request.host.name;
    let mut url = String::with_capacity(name.len() + target.len() + 10);
    url.push_str("//");
    let bracketed = name.contains(':');
    if bracketed {
        url.push('[');
    }
    url.push_str(name);
    if bracketed {
        url.push(']');
    }
    url.push(':');
    url.push_str(&request.host.port.to_string());
    url.push_str(target);
    url
}

/// `out`, reporting to `log` when its body is done with (spec 04 ALF-3,
/// ALF-7).
fn access_logged(
    mut out: hyper::Response<ResponseBody>,
    log: Arc<dyn AccessLog>,
    connection: &Connection,
    started: std::time::Instant,
    (method, url, logger): (Method, String, Option<Logger>),
) -> hyper::Response<ResponseBody> {
    let status = out.status().as_u16();
    let is_head = method == Method::HEAD;
    let no_body = (is_head && status < 400) || matches!(status, 100..=199 | 204 | 205 | 304);
    let body_size = if no_body {
        None
    } else {
        out.headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .or_else(|| hyper::body::Body::size_hint(out.body()).exact())
    };
    let (remote, version) = (connection.remote, out.version());
    let response_headers = log.wants_headers().then(|| out.headers().clone());
    let body = std::mem::replace(out.body_mut(), ResponseBody::empty());
    *out.body_mut() = body.watched(Box::new(move |whole| {
        log.record(AccessEntry {
            ended: Moment::now(),
            remote,
            version,
            method,
            url,
            status,
            body_size,
            duration: started.elapsed(),
            ok: whole || is_head,
            logger,
            response_headers,
        });
    }));
    out
}

/// The host each request of a connection asked for, remembered from the
/// last request: clients send the same `Host` on every request of a
/// connection, so each is parsed once. One per connection, used by its
/// request handler before each request's own work begins.
#[derive(Default)]
pub(crate) struct HostCache(Option<CachedHost>);

struct CachedHost {
    authority: Box<str>,
    fallback_port: u16,
    host: HostInfo,
}

impl HostCache {
    /// The host `request` asks for: HTTP2's `:authority` (the scheme
    /// giving the default port), or HTTP1's last `Host` header (the
    /// endpoint's port the default).
    pub(crate) fn host_of<B>(&mut self, request: &hyper::Request<B>, port: u16) -> HostInfo {
        if request.version() == Version::HTTP_2 {
            let uri = request.uri();
            let port = match uri.scheme_str() {
                Some("http") => 80,
                Some("https") => 443,
                _ => port,
            };
            self.host(uri.authority().map(|a| a.as_str()), port)
        } else {
            let host = request.headers().get_all(HOST).iter().next_back();
            self.host(host.and_then(|h| h.to_str().ok()), port)
        }
    }

    /// [`HostInfo::from_authority`], remembered.
    fn host(&mut self, authority: Option<&str>, fallback_port: u16) -> HostInfo {
        let Some(authority) = authority else {
            return HostInfo::from_authority(None, fallback_port);
        };
        if let Some(hit) = &self.0
            && hit.fallback_port == fallback_port
            && *hit.authority == *authority
        {
            return hit.host.clone();
        }
        let host = HostInfo::from_authority(Some(authority), fallback_port);
        self.0 = Some(CachedHost {
            authority: authority.into(),
            fallback_port,
            host: host.clone(),
        });
        host
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
    match ctx.application.handle_request(request, &dispatch).await {
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

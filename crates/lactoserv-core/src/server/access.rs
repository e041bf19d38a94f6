//! A request's access log entry: its start, for logs that want request
//! headers, and its end, when its body is done with (spec 04 ALF-3,
//! ALF-7).

use std::sync::Arc;

use http::{Method, Version};

use super::body::ResponseBody;
use super::connection::Connection;
use super::handler::EndpointContext;
use crate::log::Logger;
use crate::net::Request;
use crate::quant::Moment;
use crate::service::{AccessEntry, AccessLog, RequestStart};

/// A request as the access log records it.
pub(crate) struct Logged {
    pub(crate) started: std::time::Instant,
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) logger: Option<Logger>,
}

/// Tells an access log that wants request headers that a request has
/// come in.
pub(crate) fn log_start(
    ctx: &EndpointContext,
    connection: &Connection,
    version: Version,
    method: &Method,
    url: &str,
    headers: &http::HeaderMap,
    logger: &Option<Logger>,
) {
    if let (Some(log), Some(logger)) = (&ctx.access_log, logger)
        && log.wants_headers()
    {
        log.start(&RequestStart {
            remote: connection.remote,
            version,
            method,
            url,
            headers,
            logger,
        });
    }
}

/// `//<host>:<port><target>`, built without the formatting machinery (it
/// is made for every request when there is an access log).
pub(crate) fn access_url(request: &Request) -> String {
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
    url.push_str(itoa::Buffer::new().format(request.host.port));
    url.push_str(target);
    url
}

/// `out`, reporting to `log` when its body is done with (spec 04 ALF-3,
/// ALF-7).
pub(crate) fn access_logged(
    mut out: hyper::Response<ResponseBody>,
    log: Arc<dyn AccessLog>,
    connection: &Connection,
    logged: Logged,
) -> hyper::Response<ResponseBody> {
    let length = out
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let response_headers = log.wants_headers().then(|| out.headers().clone());
    let answer = Answer {
        status: out.status().as_u16(),
        version: out.version(),
        length,
        headers: response_headers,
    };
    let body = std::mem::take(out.body_mut());
    *out.body_mut() = watched(body, answer, log, connection, logged);
    out
}

/// What the access log records of an answer besides its body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) version: Version,
    /// Its `Content-Length` header's value, if it has one.
    pub(crate) length: Option<u64>,
    /// Its headers, for a log that wants them.
    pub(crate) headers: Option<http::HeaderMap>,
}

/// `body`, reporting `answer` to `log` when it is done with.
pub(crate) fn watched(
    body: ResponseBody,
    answer: Answer,
    log: Arc<dyn AccessLog>,
    connection: &Connection,
    logged: Logged,
) -> ResponseBody {
    let Logged {
        started,
        method,
        url,
        logger,
    } = logged;
    let Answer {
        status,
        version,
        length,
        headers: response_headers,
    } = answer;
    let is_head = method == Method::HEAD;
    let no_body = (is_head && status < 400) || matches!(status, 100..=199 | 204 | 205 | 304);
    let body_size = if no_body {
        None
    } else {
        length.or_else(|| hyper::body::Body::size_hint(&body).exact())
    };
    let remote = connection.remote;
    body.watched(Box::new(move |whole| {
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
    }))
}

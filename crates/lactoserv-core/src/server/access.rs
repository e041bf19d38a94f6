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
    url.push_str(&request.host.port.to_string());
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
    let Logged {
        started,
        method,
        url,
        logger,
    } = logged;
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
    let body = std::mem::take(out.body_mut());
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

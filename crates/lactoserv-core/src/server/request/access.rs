//! A request's access record: its start, told to logs that want request
//! headers, and its end, reported when the answer's body is done with
//! (spec 04 ALF-3, ALF-7).

use std::sync::Arc;

use http::{HeaderMap, Method, Version};

use crate::log::Logger;
use crate::net::Request;
use crate::quant::Moment;
use crate::server::conn::Connection;
use crate::server::response::body::ResponseBody;
use crate::service::{AccessEntry, AccessLog, RequestStart};

/// What the access log will record of one request, once its answer is
/// done with.
pub(crate) struct Record {
    log: Arc<dyn AccessLog>,
    remote: Option<std::net::SocketAddr>,
    started: std::time::Instant,
    version: Version,
    method: Method,
    /// `//<host>:<port><target>`.
    url: String,
    /// The request's logger (`…req.<id>`), when the system log is on.
    logger: Option<Logger>,
}

/// What the access log records of an answer besides its body.
pub(crate) struct Sent {
    pub(crate) status: u16,
    /// Its `Content-Length` header's value, if it has one.
    pub(crate) length: Option<u64>,
    /// Its headers, for a log that wants them.
    pub(crate) headers: Option<HeaderMap>,
}

impl Record {
    /// The record of a request to `log`, begun at `started`; a log that
    /// wants request headers is told of the request now.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn begin(
        log: &Arc<dyn AccessLog>,
        connection: &Connection,
        started: std::time::Instant,
        version: Version,
        method: Method,
        url: String,
        headers: &HeaderMap,
        logger: Option<Logger>,
    ) -> Self {
        if let Some(logger) = &logger
            && log.wants_headers()
        {
            log.start(&RequestStart {
                remote: connection.remote,
                version,
                method: &method,
                url: &url,
                headers,
                logger,
            });
        }
        Self {
            log: log.clone(),
            remote: connection.remote,
            started,
            version,
            method,
            url,
            logger,
        }
    }

    /// Whether the log wants the answer's headers (which then go the long
    /// way, as a header map).
    pub(crate) fn wants_headers(&self) -> bool {
        self.log.wants_headers()
    }

    /// `body`, reporting the request and an answer with `status` and
    /// `headers` (as sent) to the log when it is done with.
    pub(crate) fn watch_sent(
        self,
        body: ResponseBody,
        status: http::StatusCode,
        headers: &HeaderMap,
    ) -> ResponseBody {
        let sent = Sent {
            status: status.as_u16(),
            length: headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse().ok()),
            headers: self.wants_headers().then(|| headers.clone()),
        };
        self.watch(body, sent)
    }

    /// `body`, reporting the request and `sent` to the log when it is done
    /// with.
    pub(crate) fn watch(self, body: ResponseBody, sent: Sent) -> ResponseBody {
        let Self {
            log,
            remote,
            started,
            version,
            method,
            url,
            logger,
        } = self;
        let status = sent.status;
        let is_head = method == Method::HEAD;
        let no_body = (is_head && status < 400) || matches!(status, 100..=199 | 204 | 205 | 304);
        let body_size = if no_body {
            None
        } else {
            sent.length
                .or_else(|| hyper::body::Body::size_hint(&body).exact())
        };
        let response_headers = sent.headers;
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

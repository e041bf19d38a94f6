//! What the server checks before an application sees a request (spec 02
//! §3.2, §3.4, §3.6): the method, the body (counted against the endpoint's
//! limit as it streams in, never held), and the target, which must be in
//! origin form; and whether the client asks to close the connection.

use http::header::CONNECTION;
use http::{HeaderMap, HeaderValue, Method, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::net::{HostInfo, Request, Response};

/// The methods the server accepts, spelled as they must be: method names
/// are case-sensitive (RFC 9110 §9.1). The common ones first.
const METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::CONNECT,
    Method::DELETE,
    Method::OPTIONS,
    Method::PATCH,
    Method::POST,
    Method::PUT,
    Method::TRACE,
];

/// A request whose target cannot be dispatched (a 400), as it is logged.
pub(crate) struct Refused {
    pub(crate) method: Method,
    /// `//<host>:<port>:<type>=<target>` (spec 02 LOGF-4).
    pub(crate) url: String,
    pub(crate) headers: http::HeaderMap,
}

/// Builds the application's view of a request whose host, method and body
/// are acceptable, or says why its target is refused (one not in origin
/// form).
pub(crate) fn origin_form(
    parts: http::request::Parts,
    host: HostInfo,
) -> Result<Request, Box<Refused>> {
    let method = parts.method;
    let uri = parts.uri;
    let kind = target_kind(&uri, parts.version);
    let (method, host, headers) = match uri.path_and_query() {
        Some(target) if kind == "origin" => {
            match Request::checked(method, parts.version, target.clone(), host, parts.headers) {
                Ok(request) => return Ok(request),
                Err(back) => *back,
            }
        }
        _ => (method, host, parts.headers),
    };
    let url = match kind {
        // An origin-form target that cannot be canonicalised.
        "origin" => format!("//{host}:other={uri}"),
        _ => log_url(&uri, parts.version, &host),
    };
    Err(Box::new(Refused {
        method,
        url,
        headers,
    }))
}

/// What form a request's target has: `origin` (`/path?query`; HTTP2's
/// `:path` always is), `absolute`, `authority`, `asterisk` or `other`.
#[inline]
fn target_kind(uri: &http::Uri, version: Version) -> &'static str {
    if matches!(version, Version::HTTP_2 | Version::HTTP_3) {
        return "origin";
    }
    if uri.scheme().is_some() {
        return "absolute";
    }
    if uri.authority().is_some() {
        return "authority";
    }
    match uri.path().as_bytes() {
        [b'/', ..] => "origin",
        b"*" => "asterisk",
        _ => "other",
    }
}

/// A request's URL as the logs write it (spec 02 LOGF-4):
/// `//<host>:<port><target>` for an origin-form target,
/// `//<host>:<port>:<kind>=<target>` for the others (`*`, `host:port`, an
/// absolute URL).
pub(crate) fn log_url(uri: &http::Uri, version: Version, host: &HostInfo) -> String {
    let kind = target_kind(uri, version);
    match (kind, uri.path_and_query(), uri.authority()) {
        ("origin", Some(target), _) => format!("//{host}{target}"),
        ("authority", _, Some(authority)) => format!("//{host}:authority={authority}"),
        _ => format!("//{host}:{kind}={uri}"),
    }
}

/// Whether the server takes `method`: one of the nine standard methods,
/// in upper case (`get` is not `GET`).
pub(crate) fn is_known_method(method: &Method) -> bool {
    METHODS.contains(method)
}

/// The answer to a method the server does not take (the reference's text).
pub(crate) fn invalid_method(text: &str) -> Response {
    Response::bad_request(&format!("Invalid request method: {text}"))
}

/// Reads (and for now discards) the body: `POST`, `PUT` and `PATCH` may
/// have one up to the endpoint's limit; other methods none.
pub(crate) async fn read_body(
    method: &Method,
    body: Incoming,
    max: Option<u64>,
) -> Result<(), Response> {
    if hyper::body::Body::is_end_stream(&body) {
        return Ok(());
    }
    let limit = body_limit(method, max);
    if hyper::body::Body::size_hint(&body).lower() > limit {
        return Err(too_big(method, limit));
    }
    // Counted as it streams by, never held: no application reads bodies
    // yet, and a large one must not sit in memory.
    let mut body = body;
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| closed())?;
        if let Some(data) = frame.data_ref() {
            total = total.saturating_add(data.len() as u64);
            if total > limit {
                return Err(too_big(method, limit));
            }
        }
    }
    Ok(())
}

/// The most body bytes a request with `method` may have: `max`
/// (`maxRequestBodySize`, none for no limit) for the methods that take a
/// body, none at all for the others.
pub(crate) fn body_limit(method: &Method, max: Option<u64>) -> u64 {
    let takes_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    let limit = if takes_body { max } else { Some(0) };
    limit.unwrap_or(u64::MAX)
}

/// The answer to a request with `method` whose body goes past `limit`.
pub(crate) fn too_big(method: &Method, limit: u64) -> Response {
    if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        Response::bad_request(&format!(
            "Request body is larger than allowed maximum of {limit} bytes."
        ))
    } else {
        Response::bad_request("Expected empty request body, but there was data.")
    }
}

/// The answer to a request whose body broke off (the client is gone).
fn closed() -> Response {
    Response::bad_request("Request body could not be read.")
}

/// Whether an HTTP1 client's headers ask to close the connection:
/// HTTP/1.0 unless it says `keep-alive`, HTTP/1.1 when it says `close`.
pub(crate) fn wants_close(headers: &HeaderMap, version: Version) -> bool {
    let all = headers.get_all(CONNECTION);
    let says = |word: &str| {
        all.iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case(word))
    };
    match version {
        Version::HTTP_10 => !says("keep-alive"),
        Version::HTTP_11 => {
            // Most clients send one plain value, or none.
            let mut values = all.iter();
            let first = values.next();
            if values.next().is_none() {
                match first.map(HeaderValue::as_bytes) {
                    None => return false,
                    Some(value) if value.eq_ignore_ascii_case(b"keep-alive") => return false,
                    Some(value) if value.eq_ignore_ascii_case(b"close") => return true,
                    Some(_) => {}
                }
            }
            says("close")
        }
        _ => false,
    }
}

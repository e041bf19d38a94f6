//! Writing a response in hyper's terms (Lactoserv `ProtocolWrangler` and
//! `OutgoingResponse`'s writing): the server's own headers added, the body
//! left out for `HEAD` (its length kept, as for `GET`), and HTTP1
//! connections closed after server errors and 429s.
//!
//! A prepared response (see [`Prepared`]) skips the header-by-header work:
//! its completed header map is made once per way of answering and copied.

use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, SERVER};
use http::{HeaderMap, HeaderName, HeaderValue, Version};

use super::body::ResponseBody;
use super::http1::header_lines;
use crate::net::prepared::{Completed, HeaderLines};
use crate::net::{Body, Prepared, Response, status};

/// `Keep-Alive`, which `http` has no constant for.
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");

/// What writing a response needs to know about its request.
pub(crate) struct Head {
    pub(crate) version: Version,
    pub(crate) is_head: bool,
    /// The request is `GET` or `HEAD`, so an automatic `Cache-Control`
    /// applies.
    pub(crate) cacheable: bool,
    /// The client asked for the connection to close after this request.
    pub(crate) wants_close: bool,
}

impl Head {
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
}

/// How the connection carries on after a response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    /// HTTP1, kept open.
    KeepAlive,
    /// HTTP1, closed after this response.
    Close,
    /// HTTP2: the session decides.
    Session,
}

impl Link {
    fn of(head: &Head, status: u16) -> Self {
        match head.version {
            Version::HTTP_10 | Version::HTTP_11
                if head.wants_close || status::closes_connection(status) =>
            {
                Self::Close
            }
            Version::HTTP_10 | Version::HTTP_11 => Self::KeepAlive,
            _ => Self::Session,
        }
    }

    /// Which of a prepared response's ways of answering this is (see
    /// `Prepared::completed`).
    fn way(self, cacheable: bool) -> usize {
        self as usize * 2 + usize::from(cacheable)
    }

    /// Adds the server's own headers.
    fn add_headers(self, headers: &mut HeaderMap, server: &HeaderValue) {
        headers.insert(SERVER, server.clone());
        match self {
            Self::KeepAlive => {
                headers.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
                headers.insert(KEEP_ALIVE, HeaderValue::from_static("timeout=5"));
            }
            Self::Close => {
                headers.insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Self::Session => {}
        }
    }
}

/// Writes `response` to the request described by `head`.
pub(crate) fn answer(
    server: &HeaderValue,
    response: Response,
    head: &Head,
) -> hyper::Response<ResponseBody> {
    let link = Link::of(head, response.status.as_u16());
    // HTTP2 HEAD answers and server-written texts take the long way.
    let long_way = (head.is_head && head.version == Version::HTTP_2)
        || matches!(response.body, Body::Status { .. });
    match response.pure_prepared() {
        Some(prepared) if !long_way => {
            let headers = completed(prepared, server, link, head.cacheable);
            build(response.status, headers, response_body(response.body))
        }
        _ => assemble(server, response, head, link),
    }
}

/// The headers of `prepared` as the server sends them `link`-wise.
fn completed(prepared: &Prepared, server: &HeaderValue, link: Link, cacheable: bool) -> HeaderMap {
    let make = |response| complete(response, server, link, cacheable);
    match prepared.completed(link.way(cacheable), server, make) {
        Some(completed) => completed.headers.clone(),
        None => make(prepared.template().clone()).headers,
    }
}

/// The HTTP/1.1 header lines of `response` written beforehand (see
/// [`header_lines`]), with whether they close the connection, when it is
/// a prepared response sent as it was prepared.
pub(crate) fn prepared_lines(
    server: &HeaderValue,
    response: &Response,
    head: &Head,
) -> Option<HeaderLines> {
    if head.version != Version::HTTP_11
        || response.status.is_informational()
        || matches!(response.body, Body::Status { .. })
    {
        return None;
    }
    let prepared = response.pure_prepared()?;
    let link = Link::of(head, response.status.as_u16());
    let make = |response| complete(response, server, link, head.cacheable);
    prepared
        .completed(link.way(head.cacheable), server, make)?
        .http1
        .clone()
}

/// The headers the server sends for a prepared `response`, `link`-wise.
fn complete(response: Response, server: &HeaderValue, link: Link, cacheable: bool) -> Completed {
    let mut headers = response.finish(cacheable).headers;
    link.add_headers(&mut headers, server);
    let http1 = (link != Link::Session)
        .then(|| header_lines(&headers))
        .flatten();
    Completed { headers, http1 }
}

/// A body in hyper's terms.
pub(crate) fn response_body(body: Body) -> ResponseBody {
    match body {
        Body::Full(bytes) => ResponseBody::bytes(bytes),
        Body::Parts(parts) => ResponseBody::parts(parts),
        Body::Empty | Body::Status { .. } => ResponseBody::empty(),
    }
}

/// Writes a response header by header.
fn assemble(
    server: &HeaderValue,
    response: Response,
    head: &Head,
    link: Link,
) -> hyper::Response<ResponseBody> {
    let is_meta = matches!(response.body, Body::Status { .. });
    let response = response.finish(head.cacheable);
    let status = response.status;
    let mut headers = response.headers;
    let body = match response.body {
        // A HEAD answer below 400 with a server-written text has neither
        // that text's type nor its length, as in the reference.
        Body::Full(_) if head.is_head && is_meta && status.as_u16() < 400 => {
            headers.remove(CONTENT_TYPE);
            ResponseBody::empty()
        }
        // hyper's HTTP1 side writes the length of a body it is given (for
        // HEAD too, leaving the body out), without allocating a header
        // value; its HTTP2 side would send a HEAD body, so the body is left
        // out and the length set here.
        ref body @ (Body::Full(_) | Body::Parts(_))
            if head.is_head && head.version == Version::HTTP_2 =>
        {
            let length = body.content_length().unwrap_or(0);
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
            ResponseBody::empty()
        }
        Body::Full(bytes) => ResponseBody::bytes(bytes),
        Body::Parts(parts) => ResponseBody::parts(parts),
        Body::Empty | Body::Status { .. } => ResponseBody::empty(),
    };
    link.add_headers(&mut headers, server);
    build(status, headers, body)
}

fn build(
    status: http::StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
) -> hyper::Response<ResponseBody> {
    let mut out = hyper::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::header::{CACHE_CONTROL, ETAG};
    use http::{Method, StatusCode};
    use http_body_util::BodyExt;

    use super::*;

    fn template() -> Response {
        let mut response = Response::full(
            StatusCode::OK,
            HeaderValue::from_static("text/plain"),
            Bytes::from_static(b"hi\n"),
        );
        response
            .headers
            .insert(ETAG, HeaderValue::from_static("\"abc\""));
        response.cache_control = Some(HeaderValue::from_static("public, max-age=9"));
        response
    }

    async fn written(response: hyper::Response<ResponseBody>) -> (StatusCode, Vec<String>, Bytes) {
        let (parts, body) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
            .collect();
        (
            parts.status,
            headers,
            body.collect().await.unwrap().to_bytes(),
        )
    }

    #[tokio::test]
    async fn a_prepared_response_is_written_as_the_same_response_made_afresh() {
        let server = HeaderValue::from_static("lactoserv-test");
        let prepared = Prepared::new(template());
        for version in [Version::HTTP_10, Version::HTTP_11, Version::HTTP_2] {
            for method in [Method::GET, Method::HEAD, Method::POST] {
                for wants_close in [false, true] {
                    let head = Head {
                        version,
                        is_head: method == Method::HEAD,
                        cacheable: method != Method::POST,
                        wants_close,
                    };
                    // Twice: the first makes the completed headers, the
                    // second copies them.
                    for _ in 0..2 {
                        let fast = written(answer(&server, prepared.response(), &head)).await;
                        let slow = written(answer(&server, template(), &head)).await;
                        assert_eq!(fast, slow, "{version:?} {method} close: {wants_close}");
                    }
                }
            }
        }
        let keep_alive = Head {
            version: Version::HTTP_11,
            is_head: false,
            cacheable: true,
            wants_close: false,
        };
        let (_, headers, _) = written(answer(&server, prepared.response(), &keep_alive)).await;
        assert_eq!(
            headers,
            [
                "content-type: text/plain",
                "etag: \"abc\"",
                "cache-control: public, max-age=9",
                "server: lactoserv-test",
                "connection: keep-alive",
                "keep-alive: timeout=5",
            ]
        );
    }

    #[tokio::test]
    async fn headers_added_to_a_prepared_response_replace_its_own() {
        let server = HeaderValue::from_static("lactoserv-test");
        let prepared = Prepared::new(template());
        let mut response = prepared.response();
        response
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
            .headers
            .insert(ETAG, HeaderValue::from_static("\"other\""));
        assert_eq!(response.header(&CONTENT_TYPE).unwrap(), "text/plain");
        assert_eq!(response.header(&ETAG).unwrap(), "\"other\"");
        let head = Head {
            version: Version::HTTP_2,
            is_head: false,
            cacheable: true,
            wants_close: false,
        };
        let (_, headers, body) = written(answer(&server, response, &head)).await;
        assert_eq!(
            headers,
            [
                "content-type: text/plain",
                "etag: \"other\"",
                "cache-control: no-store",
                "server: lactoserv-test",
            ]
        );
        assert_eq!(body, "hi\n");
    }
}

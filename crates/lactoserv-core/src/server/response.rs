//! A protocol-neutral answer: what the request pipeline hands to the
//! writer of a connection's protocol (Lactoserv `OutgoingResponse`, whose
//! `ProtocolWrangler` writes it). The server's own headers are added by
//! the writer: `Server` always, and on HTTP1 `Connection` (with
//! `Keep-Alive`), which say whether the connection goes on.
//!
//! A prepared response (see [`Prepared`]) is handed on as it is: each
//! writer completes its headers once per way of answering, keeps them with
//! the prepared response (`prepared`), and copies them from then on.

pub(crate) mod body;
pub(crate) mod prepared;

use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, SERVER};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Version};

use crate::net::{Body, Prepared, Response, status};

/// `Keep-Alive`, which `http` has no constant for.
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");

/// What an answer must suit: the request's version and method, and
/// whether the connection is to close after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnswerTo {
    pub(crate) version: Version,
    pub(crate) is_head: bool,
    /// The request is `GET` or `HEAD`, so an automatic `Cache-Control`
    /// applies.
    pub(crate) cacheable: bool,
    /// The client asked for the connection to close after this request,
    /// or the endpoint is winding down.
    pub(crate) close: bool,
    /// HTTP1 on an `http2` endpoint (a TLS client that did not choose
    /// `h2`): a kept connection is not told a timeout, as in Lactoserv.
    pub(crate) fallback: bool,
}

/// How the connection carries on after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// HTTP1, kept open: `Connection: keep-alive`, `Keep-Alive: timeout=5`.
    KeepAlive,
    /// HTTP1 on an `http2` endpoint, kept open: `Connection: keep-alive`
    /// alone (see [`AnswerTo::fallback`]).
    KeepOpen,
    /// HTTP1, closed after this answer.
    Close,
    /// HTTP2: the session decides.
    Session,
}

impl Link {
    /// The link after an answer with `status` to a request `to` describes:
    /// HTTP1 connections also close after server errors and 429s.
    fn of(to: &AnswerTo, status: u16) -> Self {
        match to.version {
            Version::HTTP_10 | Version::HTTP_11
                if to.close || status::closes_connection(status) =>
            {
                Self::Close
            }
            Version::HTTP_10 | Version::HTTP_11 if to.fallback => Self::KeepOpen,
            Version::HTTP_10 | Version::HTTP_11 => Self::KeepAlive,
            _ => Self::Session,
        }
    }

    /// Adds the server's own headers.
    pub(crate) fn add_headers(self, headers: &mut HeaderMap, server: &HeaderValue) {
        headers.insert(SERVER, server.clone());
        match self {
            Self::KeepAlive => {
                headers.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
                headers.insert(KEEP_ALIVE, HeaderValue::from_static("timeout=5"));
            }
            Self::KeepOpen => {
                headers.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
            }
            Self::Close => {
                headers.insert(CONNECTION, HeaderValue::from_static("close"));
            }
            Self::Session => {}
        }
    }
}

/// An answer's headers, without the server's own.
pub(crate) enum Headers {
    /// Those of a prepared response the application added nothing to;
    /// `cacheable` as in [`AnswerTo`].
    Prepared { prepared: Prepared, cacheable: bool },
    /// Made for this answer alone.
    Own(HeaderMap),
}

/// One answer, ready for a writer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: Headers,
    /// The body; for `HEAD`, its length is announced and it is not sent.
    pub(crate) body: Body,
    pub(crate) is_head: bool,
    pub(crate) link: Link,
}

impl Answer {
    /// `response` as the answer to a request `to` describes: a prepared
    /// response as it is, anything else with its headers put together
    /// (see [`assemble`]).
    #[inline]
    pub(crate) fn new(response: Response, to: &AnswerTo) -> Self {
        let link = Link::of(to, response.status.as_u16());
        match response.pure_prepared() {
            Some(prepared) if !matches!(response.body, Body::Status { .. }) => Self {
                status: response.status,
                headers: Headers::Prepared {
                    prepared: prepared.clone(),
                    cacheable: to.cacheable,
                },
                body: response.body,
                is_head: to.is_head,
                link,
            },
            _ => {
                let (status, headers, body) = assemble(response, to.cacheable, to.is_head);
                Self {
                    status,
                    headers: Headers::Own(headers),
                    body,
                    is_head: to.is_head,
                    link,
                }
            }
        }
    }
}

/// `response` with its headers put together one by one: a prepared
/// response's folded in, the automatic `Cache-Control` if `cacheable`, the
/// text of a status-only body. (Not the server's own headers.)
pub(crate) fn assemble(
    response: Response,
    cacheable: bool,
    is_head: bool,
) -> (StatusCode, HeaderMap, Body) {
    let is_meta = matches!(response.body, Body::Status { .. });
    let response = response.finish(cacheable);
    let status = response.status;
    let mut headers = response.headers;
    let body = match response.body {
        // A HEAD answer below 400 with a server-written text has neither
        // that text's type nor its length, as in the reference.
        Body::Full(_) if is_head && is_meta && status.as_u16() < 400 => {
            headers.remove(CONTENT_TYPE);
            Body::Empty
        }
        body => body,
    };
    say_empty_length(&mut headers, &body);
    (status, headers, body)
}

/// Gives a body that is there but empty its `content-length: 0`, which
/// nothing else would write on HTTP2 or for a `HEAD` answer (Lactoserv
/// sends it for every body, empty or not; an answer with no body at all
/// has none).
fn say_empty_length(headers: &mut HeaderMap, body: &Body) {
    if has_content(body) && body.content_length() == Some(0) {
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
}

/// Whether `body` is content (not no body, nor a status text).
fn has_content(body: &Body) -> bool {
    matches!(body, Body::Full(_) | Body::Parts(_))
}

/// The headers the server sends for `prepared` answered `link`-wise: its
/// own, the automatic `Cache-Control` if `cacheable`, and the server's.
pub(crate) fn completed(
    prepared: &Prepared,
    cacheable: bool,
    link: Link,
    server: &HeaderValue,
) -> HeaderMap {
    let response = prepared.template().clone().finish(cacheable);
    let mut headers = response.headers;
    // Over HTTP2 the length is kept with the rest, rather than made anew
    // (by hyper) for each answer.
    match response.body.content_length() {
        Some(length) if link == Link::Session && has_content(&response.body) => {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        _ => say_empty_length(&mut headers, &response.body),
    }
    link.add_headers(&mut headers, server);
    headers
}

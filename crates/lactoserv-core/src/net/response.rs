//! What applications answer (Lactoserv `OutgoingResponse` and
//! `StatusResponse`), and the server's own answers: the 404 page, 400 and
//! 500 texts, and the diagnostic body of a status-only response.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

pub use super::body::Body;
use super::prepared::Prepared;
use super::status;

/// The content type of every server-written text body.
pub const META_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// Headers the application sets (for a response from
    /// [`Prepared::response`], on top of the prepared ones).
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
    /// A `Cache-Control` value the server adds when the request is `GET`
    /// or `HEAD` and the status is cacheable (an application's
    /// `cacheControl` binding).
    pub cache_control: Option<HeaderValue>,
    /// The prepared response this one answers with, whose headers (and
    /// `Cache-Control`) come under `headers`.
    pub(crate) prepared: Option<Prepared>,
}

impl Response {
    /// A response with `body` and no headers.
    pub fn new(status: StatusCode, body: Body) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body,
            cache_control: None,
            prepared: None,
        }
    }

    /// The value of header `name`, from `headers` or the prepared response
    /// this one answers with.
    pub fn header(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.headers.get(name).or_else(|| {
            self.prepared
                .as_ref()
                .and_then(|p| p.template().headers.get(name))
        })
    }

    /// The prepared response this one answers with, if its own headers
    /// add nothing to it.
    pub(crate) fn pure_prepared(&self) -> Option<&Prepared> {
        self.prepared.as_ref().filter(|_| self.headers.is_empty())
    }

    /// Folds the prepared response this one answers with (if any) into
    /// it: its headers first, replaced by any of the same name here.
    pub(crate) fn unprepare(&mut self) {
        let Some(prepared) = self.prepared.take() else {
            return;
        };
        let template = prepared.template();
        let mut headers = template.headers.clone();
        headers.extend(std::mem::take(&mut self.headers));
        self.headers = headers;
        if self.cache_control.is_none() {
            self.cache_control.clone_from(&template.cache_control);
        }
    }
    /// A status-only response.
    pub fn status_only(status: StatusCode) -> Self {
        Self::new(status, Body::Status { extra: None })
    }

    /// A response with `body` of type `content_type`.
    pub fn full(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Self {
        let mut response = Self::new(status, Body::Full(body));
        response.headers.insert(CONTENT_TYPE, content_type);
        response
    }

    /// The not-found page (the reference's, byte for byte): the URL as
    /// `//<host>:<port><target>`.
    pub fn not_found(host_and_port: &str, target: &str) -> Self {
        Self {
            body: Body::Status {
                extra: Some(format!("//{host_and_port}{target}")),
            },
            ..Self::status_only(StatusCode::NOT_FOUND)
        }
    }

    /// A plain-text answer to a request the server could not take (bad
    /// method, bad body): `<message>\n`, `text/plain` without a charset, as
    /// the reference sends it.
    pub fn bad_request(message: &str) -> Self {
        let text = if message.ends_with('\n') {
            message.to_owned()
        } else {
            format!("{message}\n")
        };
        Self::full(
            StatusCode::BAD_REQUEST,
            HeaderValue::from_static("text/plain"),
            Bytes::from(text),
        )
    }

    /// Folds in the prepared response this one answers with, if any, then
    /// turns a status-only body into the text the server writes for it
    /// (or no body where the status allows none), and applies the
    /// automatic `Cache-Control` if `cacheable_request` (GET or HEAD) and
    /// the status allows it.
    pub fn finish(mut self, cacheable_request: bool) -> Self {
        self.unprepare();
        // A `Cache-Control` header the application set itself stays.
        if let Some(value) = self.cache_control.take()
            && cacheable_request
            && status::is_cacheable(self.status.as_u16())
            && !self.headers.contains_key(CACHE_CONTROL)
        {
            self.headers.insert(CACHE_CONTROL, value);
        }
        if let Body::Status { extra } = &self.body {
            let code = self.status.as_u16();
            self.body = match meta_text(code, extra.as_deref()) {
                Some(text) if status::allows_meta_body(code) => {
                    self.headers
                        .insert(CONTENT_TYPE, HeaderValue::from_static(META_CONTENT_TYPE));
                    Body::Full(Bytes::from(text))
                }
                _ => Body::Empty,
            };
        }
        self
    }
}

/// `<status> <reason>\n`, or with extra text `<status> <reason>:\n\n<extra>\n`.
fn meta_text(status: u16, extra: Option<&str>) -> Option<String> {
    let reason = status::reason(status)?;
    Some(match extra {
        Some(extra) if extra != reason => {
            let newline = if extra.ends_with('\n') { "" } else { "\n" };
            format!("{status} {reason}:\n\n{extra}{newline}")
        }
        _ => format!("{status} {reason}\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: Response) -> String {
        match response.finish(true).body {
            Body::Full(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
            other => panic!("no text body: {other:?}"),
        }
    }

    #[test]
    fn not_found_page_matches_the_reference() {
        let text = body(Response::not_found("127.0.0.1:28380", "/nomatch?x=1&y"));
        assert_eq!(text, "404 Not Found:\n\n//127.0.0.1:28380/nomatch?x=1&y\n");
        assert_eq!(text.len(), 48);
    }

    #[test]
    fn status_only_bodies_follow_the_status() {
        assert_eq!(
            body(Response::status_only(StatusCode::FORBIDDEN)),
            "403 Forbidden\n"
        );
        assert_eq!(
            body(Response::status_only(StatusCode::IM_A_TEAPOT)),
            "418 I'm a Teapot\n"
        );
        let no_content = Response::status_only(StatusCode::NO_CONTENT).finish(true);
        assert_eq!(no_content.body, Body::Empty);
        assert!(no_content.headers.is_empty());
    }

    #[test]
    fn automatic_cache_control_only_for_cacheable_answers() {
        let mut response = Response::status_only(StatusCode::NOT_FOUND);
        response.cache_control = Some(HeaderValue::from_static("public"));
        let cached = response.clone().finish(true);
        assert_eq!(cached.headers[CACHE_CONTROL], "public");
        assert!(
            response
                .clone()
                .finish(false)
                .headers
                .get(CACHE_CONTROL)
                .is_none()
        );
        response.status = StatusCode::FORBIDDEN;
        assert!(response.finish(true).headers.get(CACHE_CONTROL).is_none());
    }

    #[test]
    fn bad_request_texts_end_in_a_newline() {
        let response = Response::bad_request("Invalid request method: PROPFIND");
        assert_eq!(response.headers[CONTENT_TYPE], "text/plain");
        assert_eq!(body(response), "Invalid request method: PROPFIND\n");
    }
}

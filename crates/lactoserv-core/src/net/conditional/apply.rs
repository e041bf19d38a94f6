//! Turning an [`Outcome`] into the response sent (spec 02 COND-20, RNG-4,
//! COND-15): 304s lose their `Content-*` headers, 412s and 416s are fresh
//! server answers, 206s carry a `Content-Range`, or, for several ranges, a
//! `multipart/byteranges` body.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::header::{CONTENT_RANGE, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, StatusCode};

use super::{ByteRange, Outcome};
use crate::net::{Body, Part, Response};

/// The most ranges answered as `multipart/byteranges`; a request for more
/// (after combining) gets the whole body, as RFC 9110 §14.2 allows.
pub const MAX_RANGES: usize = 32;

impl Outcome {
    /// The response to send: `response` is the prepared `200` or `204`
    /// this outcome was evaluated for.
    pub fn apply(self, mut response: Response) -> Response {
        match self {
            Self::Whole => response,
            Self::PreconditionFailed => Response::status_only(StatusCode::PRECONDITION_FAILED),
            Self::NotModified => {
                response.unprepare();
                let content: Vec<HeaderName> = response
                    .headers
                    .keys()
                    .filter(|name| name.as_str().starts_with("content-"))
                    .cloned()
                    .collect();
                for name in content {
                    response.headers.remove(name);
                }
                response.status = StatusCode::NOT_MODIFIED;
                response.body = Body::Empty;
                response
            }
            Self::Unsatisfiable => {
                let length = response.body.content_length().unwrap_or(0);
                let mut answer = Response::status_only(StatusCode::RANGE_NOT_SATISFIABLE);
                answer
                    .headers
                    .insert(CONTENT_RANGE, content_range(None, length));
                answer
            }
            Self::Partial(ranges) if ranges.len() > MAX_RANGES => response,
            Self::Partial(ranges) => {
                response.unprepare();
                let length = response.body.content_length().unwrap_or(0);
                response.status = StatusCode::PARTIAL_CONTENT;
                if let [range] = ranges[..] {
                    let parts = response.body.slice(range);
                    response
                        .headers
                        .insert(CONTENT_RANGE, content_range(Some(range), length));
                    response.body = Body::Parts(parts);
                } else {
                    multipart(&mut response, &ranges, length);
                }
                response
            }
        }
    }
}

/// `bytes <start>-<end>/<length>`, or `bytes */<length>`.
fn content_range(range: Option<ByteRange>, length: u64) -> HeaderValue {
    let text = match range {
        Some(range) => format!("bytes {}-{}/{length}", range.start, range.end),
        None => format!("bytes */{length}"),
    };
    HeaderValue::try_from(text).expect("digits and ASCII")
}

/// Makes `response` a `multipart/byteranges` answer for `ranges` of its
/// body (RFC 9110 §14.6): each part with the body's type and its range.
fn multipart(response: &mut Response, ranges: &[ByteRange], length: u64) {
    let boundary = boundary();
    let part_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| format!("Content-Type: {t}\r\n"))
        .unwrap_or_default();
    let mut parts = Vec::with_capacity(ranges.len() * 2 + 1);
    for range in ranges {
        let head = format!(
            "\r\n--{boundary}\r\n{part_type}Content-Range: bytes {}-{}/{length}\r\n\r\n",
            range.start, range.end
        );
        parts.push(Part::Bytes(Bytes::from(head)));
        parts.extend(response.body.slice(*range));
    }
    parts.push(Part::Bytes(Bytes::from(format!("\r\n--{boundary}--\r\n"))));
    let content_type = format!("multipart/byteranges; boundary={boundary}");
    response.headers.insert(
        CONTENT_TYPE,
        HeaderValue::try_from(content_type).expect("ASCII"),
    );
    response.body = Body::Parts(parts);
}

/// A boundary no body is likely to contain: `lactoserv-` and 16 hex digits
/// of a per-process random hash of a counter.
fn boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = SEED.get_or_init(RandomState::new).hash_one(count);
    format!("lactoserv-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use http::header::{ACCEPT_RANGES, ETAG, LAST_MODIFIED};

    use super::*;
    use crate::net::Prepared;

    fn prepared() -> Prepared {
        let mut response = Response::full(
            StatusCode::OK,
            HeaderValue::from_static("text/plain"),
            Bytes::from_static(b"0123456789"),
        );
        response
            .headers
            .insert(ETAG, HeaderValue::from_static("\"e\""));
        response
            .headers
            .insert(LAST_MODIFIED, HeaderValue::from_static("x"));
        response
            .headers
            .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        response.cache_control = Some(HeaderValue::from_static("public"));
        Prepared::new(response)
    }

    fn text(body: &Body) -> String {
        let Body::Parts(parts) = body else {
            panic!("{body:?}")
        };
        parts
            .iter()
            .map(|p| match p {
                Part::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
                Part::File { .. } => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn not_modified_keeps_all_but_content_headers() {
        let answer = Outcome::NotModified.apply(prepared().response());
        assert_eq!(answer.status, StatusCode::NOT_MODIFIED);
        assert_eq!(answer.body, Body::Empty);
        let mut names: Vec<&str> = answer.headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["accept-ranges", "etag", "last-modified"]);
        assert_eq!(answer.cache_control.unwrap(), "public");
    }

    #[test]
    fn a_single_range_is_a_partial_answer() {
        let range = ByteRange { start: 2, end: 5 };
        let answer = Outcome::Partial(vec![range]).apply(prepared().response());
        assert_eq!(answer.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(answer.headers[CONTENT_RANGE], "bytes 2-5/10");
        assert_eq!(answer.headers[ETAG], "\"e\"");
        assert_eq!(text(&answer.body), "2345");
    }

    #[test]
    fn several_ranges_are_multipart() {
        let ranges = vec![
            ByteRange { start: 0, end: 0 },
            ByteRange { start: 5, end: 9 },
        ];
        let answer = Outcome::Partial(ranges).apply(prepared().response());
        assert_eq!(answer.status, StatusCode::PARTIAL_CONTENT);
        let content_type = answer.headers[CONTENT_TYPE].to_str().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/byteranges; boundary=")
            .unwrap();
        assert_eq!(
            text(&answer.body),
            format!(
                "\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/10\r\n\r\n0\
                 \r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-9/10\r\n\r\n56789\
                 \r\n--{boundary}--\r\n"
            )
        );
        assert_eq!(answer.headers[ETAG], "\"e\"");
        assert!(answer.headers.get(CONTENT_RANGE).is_none());
    }

    #[test]
    fn unsatisfiable_and_failed_answers_are_bare() {
        let answer = Outcome::Unsatisfiable.apply(prepared().response());
        assert_eq!(answer.status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(answer.headers.len(), 1);
        assert_eq!(answer.headers[CONTENT_RANGE], "bytes */10");
        assert_eq!(answer.cache_control, None);
        let answer = Outcome::PreconditionFailed.apply(prepared().response());
        assert_eq!(answer.status, StatusCode::PRECONDITION_FAILED);
        assert!(answer.headers.is_empty());
    }

    #[test]
    fn too_many_ranges_get_the_whole_body() {
        let ranges = (0..=MAX_RANGES as u64)
            .map(|i| ByteRange {
                start: i * 2,
                end: i * 2,
            })
            .collect();
        let answer = Outcome::Partial(ranges).apply(prepared().response());
        assert_eq!(answer.status, StatusCode::OK);
    }
}

//! Conditional and range requests (Lactoserv `HttpConditional`,
//! `HttpRange`; spec 02 §4.1–4.4 with our RFC 9110 decisions): whether a
//! prepared `200`/`204` answer to a `GET` or `HEAD` becomes a 412, a 304,
//! a 206 or a 416.
//!
//! Evaluation order: preconditions (`If-Match`, else
//! `If-Unmodified-Since`), then freshness (`If-None-Match`, else
//! `If-Modified-Since`), then ranges (`If-Range`, `Range`) for a 200 only.

mod apply;
pub mod range;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{
    CACHE_CONTROL, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, RANGE,
};
use http::{HeaderMap, HeaderName, Method};

pub use apply::MAX_RANGES;
pub use range::{ByteRange, RangeRequest, parse_range};

/// What a responder knows of the representation it would send.
#[derive(Debug, Clone, Copy)]
pub struct Representation<'a> {
    /// Its `ETag`, if it has one.
    pub etag: Option<&'a str>,
    /// When it last changed, in whole seconds since the epoch.
    pub last_modified: Option<u64>,
    /// The body's length.
    pub length: u64,
    /// Whether ranges apply (the prepared status is 200, not 204).
    pub ranges: bool,
}

/// What to send instead of (or as) the prepared response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The prepared response, whole.
    Whole,
    /// `412 Precondition Failed`.
    PreconditionFailed,
    /// `304 Not Modified`.
    NotModified,
    /// `206` with these ranges (one, or several as `multipart/byteranges`).
    Partial(Vec<ByteRange>),
    /// `416 Range Not Satisfiable`.
    Unsatisfiable,
}

/// Whether `headers` may make a difference (`If-Match`,
/// `If-None-Match`, `If-Modified-Since`, `If-Unmodified-Since`, `If-Range`
/// or `Range`): a cheap first look, one pass over the header names without
/// lookups, so that plain requests skip the rest.
pub fn is_conditional(headers: &HeaderMap) -> bool {
    // Comparing with the standard names is a comparison of small numbers;
    // no other name matters to what follows.
    headers.keys().any(|name| {
        name == IF_MATCH
            || name == IF_NONE_MATCH
            || name == IF_MODIFIED_SINCE
            || name == IF_UNMODIFIED_SINCE
            || name == IF_RANGE
            || name == RANGE
    })
}

/// Evaluates a `method` request with `headers` against `rep`.
pub fn evaluate(method: &Method, headers: &HeaderMap, rep: &Representation<'_>) -> Outcome {
    if *method != Method::GET && *method != Method::HEAD {
        return Outcome::Whole;
    }
    if !preconditions_hold(headers, rep) {
        return Outcome::PreconditionFailed;
    }
    if is_fresh(headers, rep) {
        return Outcome::NotModified;
    }
    if !rep.ranges {
        return Outcome::Whole;
    }
    let Some(range) = text(headers, &RANGE) else {
        return Outcome::Whole;
    };
    if !if_range_applies(headers, rep) {
        return Outcome::Whole;
    }
    match parse_range(range, rep.length) {
        RangeRequest::Unsatisfiable => Outcome::Unsatisfiable,
        RangeRequest::Ranges(ranges) => Outcome::Partial(ranges),
    }
}

/// The last value of header `name`, if it is text.
fn text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers.get_all(name).iter().next_back()?.to_str().ok()
}

/// `If-Match` (strong comparison, `*` for any), or without it
/// `If-Unmodified-Since` (ignored when unparseable or when there is no
/// modification time).
fn preconditions_hold(headers: &HeaderMap, rep: &Representation<'_>) -> bool {
    if let Some(value) = text(headers, &IF_MATCH) {
        if value.trim() == "*" {
            return true;
        }
        let Some(etag) = rep.etag.filter(|tag| !tag.starts_with("W/")) else {
            return false;
        };
        return tags(value).any(|tag| tag == etag);
    }
    if let Some(date) = text(headers, &IF_UNMODIFIED_SINCE).and_then(parse_date)
        && let Some(modified) = rep.last_modified
    {
        return modified <= date;
    }
    true
}

/// Freshness: not when the request says `Cache-Control: no-cache`;
/// `If-None-Match` (weak comparison, `*` for any) when present, otherwise
/// `If-Modified-Since`.
fn is_fresh(headers: &HeaderMap, rep: &Representation<'_>) -> bool {
    if headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(says_no_cache)
    {
        return false;
    }
    if let Some(value) = text(headers, &IF_NONE_MATCH).filter(|v| !v.trim().is_empty()) {
        if value.trim() == "*" {
            return true;
        }
        let Some(etag) = rep.etag else {
            return false;
        };
        return tags(value).any(|tag| opaque(tag) == opaque(etag));
    }
    match (text(headers, &IF_MODIFIED_SINCE), rep.last_modified) {
        (Some(value), Some(modified)) => parse_date(value).is_some_and(|date| modified <= date),
        _ => false,
    }
}

/// Whether a request `Cache-Control` value has the token `no-cache`
/// (matched as the reference does: `(^|,) *no-cache *(,|$)`).
fn says_no_cache(value: &str) -> bool {
    value
        .split(',')
        .any(|item| item.trim_matches(' ') == "no-cache")
}

/// `If-Range`: absent, or an entity tag byte-identical to the response's,
/// or a date no earlier than the modification time.
fn if_range_applies(headers: &HeaderMap, rep: &Representation<'_>) -> bool {
    let Some(value) = text(headers, &IF_RANGE) else {
        return true;
    };
    if value.starts_with('"') {
        return rep.etag == Some(value);
    }
    match (parse_date(value), rep.last_modified) {
        (Some(date), Some(modified)) => modified <= date,
        _ => false,
    }
}

/// The entity tags of a list, split on commas with spaces or tabs around
/// them.
fn tags(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(|tag| tag.trim_matches([' ', '\t']))
        .filter(|tag| !tag.is_empty())
}

/// An entity tag without its weakness prefix, for weak comparison.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// An HTTP date (IMF-fixdate, RFC 850 or asctime) as whole seconds since
/// the epoch; `None` when it is not one.
pub fn parse_date(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    Some(seconds(time))
}

/// Whole seconds since the epoch (0 before it).
pub fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
mod tests;

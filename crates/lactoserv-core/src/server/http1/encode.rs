//! Writing a response's head on an HTTP1 connection served by the
//! server's own loop, byte for byte as hyper's HTTP1 server writes it (the
//! same header order, the same implicit `content-length`, `date` last),
//! and how its body is framed.
//!
//! Every rule here follows hyper's, so that a connection reads the same
//! whichever of the two served it; `the_fast_path_writes_what_hyper_writes`
//! compares the two on every shape of response.

use std::cell::RefCell;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, DATE, TRAILER, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, StatusCode};

/// Header fields written beforehand as the lines of an HTTP/1.1 head.
#[derive(Debug, Clone)]
pub(crate) struct HeaderLines {
    /// The lines, each ending in CRLF.
    pub(crate) text: Bytes,
    /// A `connection` line says `close`.
    pub(crate) closes: bool,
}

/// How a response's body goes on the wire, and whether the connection
/// ends after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) framing: Framing,
    pub(crate) last: bool,
}

/// How a body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `content-length` bytes (none for `HEAD`, 204, 304).
    Length(u64),
    /// `transfer-encoding: chunked` (when the response's headers ask
    /// for it).
    Chunked,
}

/// What a response's headers cannot be written as (hyper refuses them the
/// same way, closing the connection without an answer).
#[derive(Debug, thiserror::Error)]
#[error("response headers are invalid: {0}")]
pub(crate) struct InvalidHead(&'static str);

/// The response to an HTTP/1.1 `GET` or `HEAD` (`is_head`): its head
/// appended to `dst`, and how its body follows. `body` is the length of
/// its body, `None` for none (the server's bodies always know their
/// length). `request_close`: the request asked to close the connection.
pub(crate) fn encode_head(
    dst: &mut Vec<u8>,
    status: StatusCode,
    headers: &HeaderMap,
    body: Option<u64>,
    is_head: bool,
    request_close: bool,
) -> Result<Plan, InvalidHead> {
    let empty = HeaderMap::new();
    let (status, headers, body, last) = if status == StatusCode::SWITCHING_PROTOCOLS {
        (status, headers, body, true)
    } else if status.is_informational() {
        // Not a final answer: hyper sends a bare 500 instead.
        (StatusCode::INTERNAL_SERVER_ERROR, &empty, None, true)
    } else {
        (status, headers, body, request_close)
    };
    let shape = Shape::of(status, body, is_head, last);
    status_line(dst, status);
    let fields = write_fields(dst, headers, &shape)?;
    Ok(finish(dst, &shape, fields, last))
}

/// The head of a response whose header lines were written beforehand by
/// [`header_lines`] (`lines`, and whether they close the connection): the
/// same as [`encode_head`] writes for their headers. Lines that do not
/// close the connection are not for a request that asks to close it.
pub(crate) fn encode_prepared(
    dst: &mut Vec<u8>,
    status: StatusCode,
    lines: &HeaderLines,
    body: Option<u64>,
    is_head: bool,
    request_close: bool,
) -> Plan {
    debug_assert!(lines.closes || !request_close, "hyper would add `close`");
    let shape = Shape::of(status, body, is_head, false);
    status_line(dst, status);
    dst.extend_from_slice(&lines.text);
    let fields = Fields {
        framing: Framing::Length(0),
        wrote_len: false,
        wrote_date: false,
        closes: lines.closes,
    };
    finish(dst, &shape, fields, request_close)
}

/// `headers` as the header lines [`encode_head`] writes for them, with
/// whether they close the connection, when none of them bears on how a
/// body is framed or on the date (so that they read the same whatever the
/// body and the time); `None` otherwise.
pub(crate) fn header_lines(headers: &HeaderMap) -> Option<HeaderLines> {
    let framed = [CONTENT_LENGTH, TRANSFER_ENCODING, TRAILER, DATE];
    if framed.iter().any(|name| headers.contains_key(name)) {
        return None;
    }
    let mut dst = Vec::new();
    let shape = Shape::of(StatusCode::OK, None, false, false);
    let fields = write_fields(&mut dst, headers, &shape).ok()?;
    Some(HeaderLines {
        text: Bytes::from(dst),
        closes: fields.closes,
    })
}

/// What a response's status, body and request allow.
struct Shape {
    /// The request asked to close the connection: a `connection` header
    /// that does not say `close` gets it (as hyper does).
    add_close: bool,
    body: Option<u64>,
    is_head: bool,
    can_have_length: bool,
    can_have_body: bool,
}

impl Shape {
    fn of(status: StatusCode, body: Option<u64>, is_head: bool, add_close: bool) -> Self {
        let can_have_length = !status.is_informational()
            && status != StatusCode::NO_CONTENT
            && status != StatusCode::NOT_MODIFIED;
        Self {
            add_close,
            body,
            is_head,
            can_have_length,
            can_have_body: can_have_length && !is_head,
        }
    }
}

/// What writing the header fields found.
struct Fields {
    framing: Framing,
    wrote_len: bool,
    wrote_date: bool,
    /// A `connection` value says `close`.
    closes: bool,
}

fn status_line(dst: &mut Vec<u8>, status: StatusCode) {
    if status == StatusCode::OK {
        dst.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    } else {
        dst.extend_from_slice(b"HTTP/1.1 ");
        dst.extend_from_slice(status.as_str().as_bytes());
        dst.push(b' ');
        let reason = status.canonical_reason().unwrap_or("<none>");
        dst.extend_from_slice(reason.as_bytes());
        dst.extend_from_slice(b"\r\n");
    }
}

/// Writes the header fields, in order: the values of one name that go on
/// one line (`connection: a, b`) joined.
fn write_fields(
    dst: &mut Vec<u8>,
    headers: &HeaderMap,
    shape: &Shape,
) -> Result<Fields, InvalidHead> {
    let mut fields = Fields {
        framing: Framing::Length(0),
        wrote_len: false,
        wrote_date: false,
        closes: false,
    };
    let mut open_line = false;
    let mut must_write_chunked = false;
    let mut previous: Option<&HeaderName> = None;
    let mut saw_connection = false;
    for (name, value) in headers {
        if previous != Some(name) {
            if previous == Some(&CONNECTION) && shape.add_close && !fields.closes {
                joined(dst, b"close");
            }
            close_line(dst, &mut open_line, must_write_chunked);
            previous = Some(name);
        }
        if *name == CONTENT_LENGTH {
            if fields.wrote_len && !open_line {
                return Err(InvalidHead("unexpected content-length"));
            }
            match shape.body {
                Some(known) => {
                    if !open_line {
                        fields.framing = Framing::Length(known);
                        open(dst, &mut open_line, "content-length: ", value.as_bytes());
                        fields.wrote_len = true;
                    }
                    continue;
                }
                // No body: only a `HEAD` answer keeps the header.
                None if !shape.is_head => continue,
                None => fields.wrote_len = true,
            }
        } else if *name == TRANSFER_ENCODING {
            if fields.wrote_len && !open_line {
                return Err(InvalidHead("unexpected transfer-encoding"));
            }
            if !shape.can_have_body {
                continue;
            }
            fields.wrote_len = true;
            must_write_chunked = !is_chunked(value.as_bytes());
            if listed(dst, &mut open_line, "transfer-encoding: ", value.as_bytes()) {
                fields.framing = Framing::Chunked;
            }
            continue;
        } else if *name == CONNECTION {
            saw_connection = true;
            fields.closes = fields.closes || has_token(value.as_bytes(), b"close");
            listed(dst, &mut open_line, "connection: ", value.as_bytes());
            continue;
        } else if *name == TRAILER {
            if shape.can_have_body {
                listed(dst, &mut open_line, "trailer: ", value.as_bytes());
            }
            continue;
        } else if *name == DATE {
            fields.wrote_date = true;
        }
        dst.extend_from_slice(name.as_str().as_bytes());
        dst.extend_from_slice(b": ");
        dst.extend_from_slice(value.as_bytes());
        dst.extend_from_slice(b"\r\n");
    }
    if shape.add_close && !fields.closes {
        if previous == Some(&CONNECTION) {
            joined(dst, b"close");
        } else if !saw_connection {
            close_line(dst, &mut open_line, must_write_chunked);
            open(dst, &mut open_line, "connection: ", b"close");
        }
    }
    close_line(dst, &mut open_line, must_write_chunked);
    Ok(fields)
}

/// Writes the length the headers did not give, the date and the end of
/// the head.
fn finish(dst: &mut Vec<u8>, shape: &Shape, fields: Fields, request_close: bool) -> Plan {
    let mut framing = fields.framing;
    if !fields.wrote_len {
        framing = match shape.body {
            None | Some(0) => {
                if shape.can_have_body {
                    dst.extend_from_slice(b"content-length: 0\r\n");
                }
                Framing::Length(0)
            }
            Some(len) if shape.can_have_length => {
                dst.extend_from_slice(b"content-length: ");
                dst.extend_from_slice(itoa::Buffer::new().format(len).as_bytes());
                dst.extend_from_slice(b"\r\n");
                Framing::Length(len)
            }
            Some(_) => Framing::Length(0),
        };
    }
    if !shape.can_have_body {
        framing = Framing::Length(0);
    }
    if fields.wrote_date {
        dst.extend_from_slice(b"\r\n");
    } else {
        dst.extend_from_slice(b"date: ");
        extend_date(dst);
        dst.extend_from_slice(b"\r\n\r\n");
    }
    Plan {
        framing,
        last: request_close || fields.closes,
    }
}

/// A value of a header whose values go on one line: the line opened with
/// it (`name` is the line's start), or it joined to the open line. Whether
/// it opened the line.
fn listed(dst: &mut Vec<u8>, open_line: &mut bool, name: &str, value: &[u8]) -> bool {
    if *open_line {
        joined(dst, value);
        false
    } else {
        open(dst, open_line, name, value);
        true
    }
}

fn open(dst: &mut Vec<u8>, open_line: &mut bool, name: &str, value: &[u8]) {
    dst.extend_from_slice(name.as_bytes());
    dst.extend_from_slice(value);
    *open_line = true;
}

fn joined(dst: &mut Vec<u8>, value: &[u8]) {
    dst.extend_from_slice(b", ");
    dst.extend_from_slice(value);
}

fn close_line(dst: &mut Vec<u8>, open_line: &mut bool, must_write_chunked: bool) {
    if std::mem::take(open_line) {
        let end: &[u8] = if must_write_chunked {
            b", chunked\r\n"
        } else {
            b"\r\n"
        };
        dst.extend_from_slice(end);
    }
}

/// Whether a `transfer-encoding` value ends with `chunked`.
fn is_chunked(value: &[u8]) -> bool {
    value
        .rsplit(|&b| b == b',')
        .next()
        .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"))
}

/// Whether a comma-separated header value has `token`.
pub(super) fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

/// The `date` value of the current second, formatted once per second per
/// thread.
pub(crate) fn extend_date(dst: &mut Vec<u8>) {
    thread_local! {
        static DATE: RefCell<(u64, [u8; 29])> = const { RefCell::new((u64::MAX, [0; 29])) };
    }
    let now = crate::server::conn::coarse_unix_seconds();
    DATE.with_borrow_mut(|(second, text)| {
        if *second != now {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now);
            text.copy_from_slice(httpdate::fmt_http_date(time).as_bytes());
            *second = now;
        }
        dst.extend_from_slice(text);
    });
}

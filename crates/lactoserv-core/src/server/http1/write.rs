//! Writing an answer's head on the server's own HTTP/1.1 loop: the header
//! lines of a prepared response from what this writer keeps with it, any
//! other answer's headers encoded one by one; the body, as the head frames
//! it, reporting to the access log when it is done with.

use http::{HeaderMap, HeaderValue};

use super::encode::{HeaderLines, InvalidHead, Plan, encode_head, encode_prepared, header_lines};
use crate::server::request::Outcome;
use crate::server::request::access::{Record, Sent};
use crate::server::response::body::ResponseBody;
use crate::server::response::prepared::{Way, kept};
use crate::server::response::{Answer, Headers, completed};

/// What this writer keeps with a prepared response for one way of
/// answering: its complete headers, and the same as the lines of an
/// HTTP/1.1 head when they can be written beforehand.
struct Kept {
    headers: HeaderMap,
    lines: Option<HeaderLines>,
}

/// The head of `outcome`'s answer appended to `out` (the answer to an
/// HTTP/1.1 request that asked to close the connection if
/// `request_close`), and its body, with how the body goes on the wire.
pub(super) fn head(
    out: &mut Vec<u8>,
    outcome: Outcome,
    server: &HeaderValue,
    request_close: bool,
) -> Result<(Plan, ResponseBody), InvalidHead> {
    let Outcome { answer, record } = outcome;
    let Answer {
        status,
        headers,
        body,
        is_head,
        link,
    } = answer;
    let body = ResponseBody::from(body);
    let length = body.length();
    let encode = |out: &mut Vec<u8>, headers: &HeaderMap| {
        encode_head(out, status, headers, length, is_head, request_close)
    };
    match headers {
        Headers::Prepared {
            prepared,
            cacheable,
        } if !status.is_informational() => {
            let way = Way { link, cacheable };
            let make = || {
                let headers = completed(&prepared, cacheable, link, server);
                let lines = header_lines(&headers);
                Kept { headers, lines }
            };
            match kept(&prepared, way, server, make) {
                // A log that records response headers takes the long way.
                Some(Kept {
                    lines: Some(lines), ..
                }) if !record.as_deref().is_some_and(Record::wants_headers) => {
                    let plan = encode_prepared(out, status, lines, length, is_head, request_close);
                    let sent = Sent {
                        status: status.as_u16(),
                        length: None,
                        headers: None,
                    };
                    Ok((plan, watched(record, body, sent)))
                }
                Some(kept) => {
                    let plan = encode(out, &kept.headers)?;
                    Ok((plan, logged(record, body, status, &kept.headers)))
                }
                None => {
                    let headers = make().headers;
                    let plan = encode(out, &headers)?;
                    Ok((plan, logged(record, body, status, &headers)))
                }
            }
        }
        Headers::Prepared {
            prepared,
            cacheable,
        } => {
            let headers = completed(&prepared, cacheable, link, server);
            let plan = encode(out, &headers)?;
            Ok((plan, logged(record, body, status, &headers)))
        }
        Headers::Own(mut headers) => {
            link.add_headers(&mut headers, server);
            let plan = encode(out, &headers)?;
            Ok((plan, logged(record, body, status, &headers)))
        }
    }
}

/// Adds the header line `name: value` to the head that starts at `start`
/// in `out` and ends it (after the lines a writer keeps or encodes, which
/// are the same for every endpoint: an endpoint's own header goes in here).
pub(in crate::server) fn add_line(out: &mut Vec<u8>, start: usize, name: &[u8], value: &[u8]) {
    if out.len() < start + 4 || !out.ends_with(b"\r\n\r\n") {
        return;
    }
    out.truncate(out.len() - 2);
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n\r\n");
}

/// `body`, reporting `sent` to the access log if there is one.
fn watched(record: Option<Box<Record>>, body: ResponseBody, sent: Sent) -> ResponseBody {
    match record {
        Some(record) => record.watch(body, sent),
        None => body,
    }
}

/// `body`, reporting an answer with `status` and `headers` to the access
/// log if there is one.
fn logged(
    record: Option<Box<Record>>,
    body: ResponseBody,
    status: http::StatusCode,
    headers: &HeaderMap,
) -> ResponseBody {
    match record {
        Some(record) => record.watch_sent(body, status, headers),
        None => body,
    }
}

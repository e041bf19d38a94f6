//! The fast path's writing against hyper's, response shape by response
//! shape.

use std::convert::Infallible;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::encode::{encode_head, encode_prepared, header_lines};
use super::send::{COPIED_BODY, write_body};
use crate::server::conn::limits;
use crate::server::response::body::ResponseBody;

/// A response to write: status, headers, body.
#[derive(Clone)]
struct Case {
    status: StatusCode,
    headers: Vec<(&'static str, &'static str)>,
    body: Bytes,
}

impl Case {
    fn headers(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }
}

fn request(is_head: bool, close: bool) -> Vec<u8> {
    let method = if is_head { "HEAD" } else { "GET" };
    let close = if close { "Connection: close\r\n" } else { "" };
    format!("{method} / HTTP/1.1\r\nHost: a\r\n{close}\r\n").into_bytes()
}

/// What hyper's HTTP1 server writes for `case`.
async fn by_hyper(case: &Case, is_head: bool, close: bool) -> Vec<u8> {
    let (mut client, server) = tokio::io::duplex(1 << 20);
    let answer = case.clone();
    let service = service_fn(move |_request| {
        let answer = answer.clone();
        async move {
            let mut response = hyper::Response::new(ResponseBody::bytes(answer.body.clone()));
            *response.status_mut() = answer.status;
            *response.headers_mut() = answer.headers();
            Ok::<_, Infallible>(response)
        }
    });
    let serving = tokio::spawn(limits::http1().serve_connection(TokioIo::new(server), service));
    client.write_all(&request(is_head, close)).await.unwrap();
    // Half-closed: hyper answers, then ends the connection.
    client.shutdown().await.unwrap();
    let mut written = Vec::new();
    client.read_to_end(&mut written).await.unwrap();
    let _ = serving.await;
    written
}

/// What the fast path writes for `case`, and whether it closes.
async fn by_fast_path(case: &Case, is_head: bool, close: bool) -> (Vec<u8>, bool) {
    let body = ResponseBody::bytes(case.body.clone());
    let length = (!hyper::body::Body::is_end_stream(&body))
        .then(|| hyper::body::Body::size_hint(&body).exact().unwrap());
    let mut out = Vec::new();
    let plan = encode_head(
        &mut out,
        case.status,
        &case.headers(),
        length,
        is_head,
        close,
    )
    .unwrap();
    let mut written = Vec::new();
    write_body(&mut written, &mut out, body, plan)
        .await
        .unwrap();
    (written, plan.last)
}

/// `bytes` with the value of its `date` header blanked (the two may be
/// written in different seconds).
fn undated(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).into_owned();
    match text.find("date: ") {
        Some(at) => format!("{}date: *{}", &text[..at], &text[at + 6 + 29..]),
        None => text,
    }
}

fn cases() -> Vec<Case> {
    let big = Bytes::from(vec![b'x'; 3 * COPIED_BODY]);
    let hello = Bytes::from_static(b"hello\n");
    let plain = vec![("content-type", "text/plain"), ("server", "test")];
    let mut cases = Vec::new();
    for status in [200, 201, 204, 304, 404, 500, 599] {
        let status = StatusCode::from_u16(status).unwrap();
        for body in [Bytes::new(), hello.clone(), big.clone()] {
            cases.push(Case {
                status,
                headers: plain.clone(),
                body,
            });
        }
    }
    let shapes: [&[(&str, &str)]; 7] = [
        &[("connection", "keep-alive"), ("keep-alive", "timeout=5")],
        &[("connection", "close")],
        &[("connection", "keep-alive"), ("connection", "close")],
        &[
            ("set-cookie", "a=1"),
            ("etag", "\"x\""),
            ("set-cookie", "b=2"),
        ],
        &[("content-length", "6")],
        &[("date", "Thu, 01 Jan 2026 00:00:00 GMT")],
        &[("transfer-encoding", "chunked"), ("vary", "accept")],
    ];
    for headers in shapes {
        cases.push(Case {
            status: StatusCode::OK,
            headers: headers.to_vec(),
            body: hello.clone(),
        });
    }
    cases
}

#[tokio::test]
async fn the_fast_path_writes_what_hyper_writes() {
    for case in cases() {
        for is_head in [false, true] {
            for close in [false, true] {
                let expected = by_hyper(&case, is_head, close).await;
                let (written, _) = by_fast_path(&case, is_head, close).await;
                assert_eq!(
                    undated(&written),
                    undated(&expected),
                    "{} {:?} head: {is_head} close: {close}",
                    case.status,
                    case.headers
                );
            }
        }
    }
}

#[tokio::test]
async fn prepared_header_lines_write_the_same_head() {
    for case in cases() {
        let headers = case.headers();
        let Some(lines) = header_lines(&headers) else {
            continue;
        };
        for is_head in [false, true] {
            // Lines that keep the connection open are not used for a
            // request that asks to close it.
            for close in [false, lines.closes] {
                let length = (!case.body.is_empty()).then_some(case.body.len() as u64);
                let mut direct = Vec::new();
                let plan = encode_head(&mut direct, case.status, &headers, length, is_head, close)
                    .unwrap();
                let mut prepared = Vec::new();
                let prepared_plan =
                    encode_prepared(&mut prepared, case.status, &lines, length, is_head, close);
                assert_eq!(undated(&prepared), undated(&direct), "{:?}", case.headers);
                assert_eq!(prepared_plan, plan);
            }
        }
    }
}

#[tokio::test]
async fn only_a_connection_close_ends_the_connection() {
    let hello = Bytes::from_static(b"hello\n");
    let case = |headers: Vec<(&'static str, &'static str)>| Case {
        status: StatusCode::OK,
        headers,
        body: hello.clone(),
    };
    let (_, last) = by_fast_path(&case(vec![("connection", "keep-alive")]), false, false).await;
    assert!(!last);
    let (_, last) = by_fast_path(&case(vec![("connection", "Close")]), false, false).await;
    assert!(last);
    let (_, last) = by_fast_path(&case(Vec::new()), false, true).await;
    assert!(last, "the request asked to close");
}

#[test]
fn headers_that_frame_the_body_are_not_written_beforehand() {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("text/plain"));
    assert!(header_lines(&headers).is_some());
    headers.insert("content-length", HeaderValue::from_static("3"));
    assert!(header_lines(&headers).is_none());
}

#[test]
fn the_date_is_the_current_second() {
    let mut out = Vec::new();
    encode_head(
        &mut out,
        StatusCode::OK,
        &HeaderMap::new(),
        None,
        false,
        false,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let date = text
        .lines()
        .find_map(|line| line.strip_prefix("date: "))
        .unwrap();
    let sent = httpdate::parse_http_date(date).unwrap();
    let now = std::time::SystemTime::now();
    let apart = now.duration_since(sent).unwrap_or_else(|e| e.duration());
    assert!(apart < std::time::Duration::from_secs(2), "{date}");
}

/// The bytes and plan the loop's writer makes of `response`, answering an
/// HTTP/1.1 request (`HEAD` if `is_head`) that asks to close if
/// `request_close`, on a connection that closes after it if `close`.
async fn by_writer(
    response: crate::net::Response,
    is_head: bool,
    request_close: bool,
    close: bool,
) -> (String, super::encode::Plan) {
    use crate::server::request::Outcome;
    use crate::server::response::{Answer, AnswerTo};
    let to = AnswerTo {
        version: http::Version::HTTP_11,
        is_head,
        cacheable: true,
        close: request_close || close,
        fallback: false,
    };
    let outcome = Outcome {
        answer: Answer::new(response, &to),
        record: None,
    };
    let server = HeaderValue::from_static("lactoserv-test");
    let mut out = Vec::new();
    let (plan, body) = super::write::head(&mut out, outcome, &server, request_close).unwrap();
    let mut written = Vec::new();
    write_body(&mut written, &mut out, body, plan)
        .await
        .unwrap();
    (undated(&written), plan)
}

#[tokio::test]
async fn the_writer_sends_a_prepared_response_as_the_same_response_made_afresh() {
    let template = || {
        let mut response = crate::net::Response::full(
            StatusCode::OK,
            HeaderValue::from_static("text/plain"),
            Bytes::from_static(b"hi\n"),
        );
        response.cache_control = Some(HeaderValue::from_static("public"));
        response
    };
    let prepared = crate::net::Prepared::new(template());
    for is_head in [false, true] {
        // A request that asks to close, and a connection closed because
        // the endpoint winds down.
        for (request_close, close) in [(false, false), (true, false), (false, true)] {
            for _ in 0..2 {
                let fast = by_writer(prepared.response(), is_head, request_close, close).await;
                let slow = by_writer(template(), is_head, request_close, close).await;
                assert_eq!(fast, slow, "head: {is_head} close: {request_close} {close}");
                assert_eq!(fast.1.last, request_close || close);
            }
        }
    }
}

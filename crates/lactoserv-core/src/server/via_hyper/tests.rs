//! hyper's responses for prepared answers against the same answers made
//! afresh.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use http::{Method, StatusCode};
use http_body_util::BodyExt;

use super::*;
use crate::net::{Prepared, Response};
use crate::server::response::AnswerTo;

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

/// What hyper is handed for `response`, answering a request `to`
/// describes: status, headers in order, body.
async fn written(response: Response, to: &AnswerTo) -> (StatusCode, Vec<String>, Bytes) {
    let server = HeaderValue::from_static("lactoserv-test");
    let outcome = Outcome {
        answer: Answer::new(response, to),
        record: None,
    };
    let (parts, body) = write(outcome, &server).into_parts();
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
    let prepared = Prepared::new(template());
    for version in [Version::HTTP_10, Version::HTTP_11, Version::HTTP_2] {
        for method in [Method::GET, Method::HEAD, Method::POST] {
            for close in [false, true] {
                let to = AnswerTo {
                    version,
                    is_head: method == Method::HEAD,
                    cacheable: method != Method::POST,
                    close,
                    fallback: false,
                };
                // Twice: the first makes the completed headers, the second
                // copies them.
                for _ in 0..2 {
                    let fast = written(prepared.response(), &to).await;
                    let slow = written(template(), &to).await;
                    assert_eq!(fast, slow, "{version:?} {method} close: {close}");
                }
            }
        }
    }
    let keep_alive = AnswerTo {
        version: Version::HTTP_11,
        is_head: false,
        cacheable: true,
        close: false,
        fallback: false,
    };
    let (_, headers, _) = written(prepared.response(), &keep_alive).await;
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
    let to = AnswerTo {
        version: Version::HTTP_2,
        is_head: false,
        cacheable: true,
        close: false,
        fallback: false,
    };
    let (_, headers, body) = written(response, &to).await;
    assert_eq!(
        headers,
        [
            "content-type: text/plain",
            "etag: \"other\"",
            "cache-control: no-store",
            "content-length: 3",
            "server: lactoserv-test",
        ]
    );
    assert_eq!(body, "hi\n");
}

#[tokio::test]
async fn an_http2_head_answer_announces_its_length_and_sends_no_body() {
    let to = AnswerTo {
        version: Version::HTTP_2,
        is_head: true,
        cacheable: true,
        close: false,
        fallback: false,
    };
    let (_, headers, body) = written(Prepared::new(template()).response(), &to).await;
    assert!(
        headers.contains(&"content-length: 3".to_owned()),
        "{headers:?}"
    );
    assert!(body.is_empty());
}

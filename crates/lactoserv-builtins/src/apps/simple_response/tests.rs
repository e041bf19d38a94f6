//! Tests of SimpleResponse's bindings and of the response it serves.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::Application;
use lactoserv_core::bind::from_value;
use lactoserv_core::net::{Body, Dispatch, Request, Response};
use serde_json::{Value, json};

use super::*;

fn build(config: Value) -> Result<SimpleResponseConfig, BindError> {
    let mut config: SimpleResponseConfig = from_value(&config)?;
    config.validate()?;
    Ok(config)
}

fn content_type_of(config: Value) -> Option<String> {
    build(config.clone())
        .unwrap_or_else(|err| panic!("{config}: {err}"))
        .content_type
}

#[test]
fn accepts_an_empty_config_as_a_no_body_response() {
    let config = build(json!({})).unwrap();
    assert_eq!(config.body, None);
    assert_eq!(config.content_type, None);
    assert_eq!(config.file_path, None);
    assert_eq!(config.status_code, None);
    assert_eq!(config.cache_control, None);
    assert_eq!(config.etag, None);
    assert_eq!(config.check_environment(), Ok(()));
}

#[test]
fn resolves_content_types() {
    let cases = [
        (
            json!({ "body": "Hello body!\n", "contentType": "text/plain" }),
            "text/plain; charset=utf-8",
        ),
        (
            json!({ "body": "<p>x</p>", "contentType": ".html" }),
            "text/html; charset=utf-8",
        ),
        (
            json!({ "body": "{}", "contentType": "application/json" }),
            "application/json; charset=utf-8",
        ),
        (
            json!({ "body": { "$bytes": "YnVmYm9keQ==" }, "contentType": ".bin" }),
            "application/octet-stream",
        ),
        (
            json!({ "body": { "$bytes": "" }, "contentType": "image/png" }),
            "image/png",
        ),
        (
            json!({ "body": "", "contentType": "text/plain" }),
            "text/plain; charset=utf-8",
        ),
        (
            json!({ "filePath": "/x/digits.txt" }),
            "text/plain; charset=utf-8",
        ),
        (json!({ "filePath": "/x/data" }), "application/octet-stream"),
        (
            json!({ "filePath": "/x/data", "contentType": ".json" }),
            "application/json",
        ),
    ];
    for (config, expected) in cases {
        assert_eq!(
            content_type_of(config.clone()).as_deref(),
            Some(expected),
            "{config}"
        );
    }
}

#[test]
fn enforces_the_body_file_and_type_rules() {
    let cases = [
        (json!({ "body": "x" }), "contentType"),
        (json!({ "body": "x", "contentType": "html" }), "contentType"),
        (
            json!({ "body": "x", "contentType": "text/florp" }),
            "contentType",
        ),
        (json!({ "contentType": "text/plain" }), "contentType"),
        (
            json!({ "body": "x", "contentType": ".txt", "filePath": "/x/y.txt" }),
            "",
        ),
        (json!({ "filePath": "etc/hosts" }), "filePath"),
        (json!({ "filePath": "/etc/" }), "filePath"),
        (json!({ "body": 12, "contentType": ".txt" }), "body"),
        (json!({ "etag": false }), "etag"),
        (json!({ "cacheControl": ["x"] }), "cacheControl"),
    ];
    for (config, field) in cases {
        let err = build(config.clone()).unwrap_err();
        assert_eq!(err.field, field, "{config}: {err}");
    }
}

#[test]
fn status_code_is_an_integer_from_100_to_599() {
    for status in [100, 200, 204, 404, 599] {
        let config = build(json!({ "statusCode": status })).unwrap();
        assert_eq!(config.status_code, Some(status));
    }
    for status in [json!(99), json!(600), json!(200.5), json!("200")] {
        let err = build(json!({ "statusCode": status.clone() })).unwrap_err();
        assert_eq!(err.field, "statusCode", "{status}");
    }
}

#[test]
fn accepts_cache_control_and_etag() {
    let config = build(json!({
        "body": "etagged\n", "contentType": "text/plain", "etag": true,
        "cacheControl": { "public": true, "maxAge": "1 min" },
    }))
    .unwrap();
    assert_eq!(config.cache_control.unwrap().as_str(), "public, max-age=60");
    assert_eq!(config.etag, Some(EtagOptions::default()));
}

#[test]
fn file_must_exist_and_not_be_a_directory_at_start() {
    let dir = std::env::temp_dir().canonicalize().unwrap();
    let file = dir.join(format!("simple-response-test-{}.txt", std::process::id()));
    std::fs::write(&file, "digits").unwrap();
    let config = build(json!({ "filePath": file.to_str().unwrap() })).unwrap();
    let result = config.check_environment();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(result, Ok(()));

    let err = config.check_environment().unwrap_err();
    assert_eq!(err.field, "filePath");
    assert!(err.message.ends_with(file.to_str().unwrap()), "{err}");
    let config = build(json!({ "filePath": "/" })).unwrap();
    assert!(config.check_environment().is_err());
}

/// What the application answers to `method` with `headers`.
async fn answer(config: Value, method: http::Method, headers: &[(&'static str, &str)]) -> Response {
    let app = SimpleResponse::new(&build(config).unwrap()).unwrap();
    let mut request = Request::for_target(method, "/x").unwrap();
    for (name, value) in headers {
        request
            .headers
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let dispatch = Dispatch::root(&request);
    app.handle_request(&request, &dispatch)
        .await
        .unwrap()
        .unwrap()
        .finish(true)
}

#[tokio::test]
async fn answers_like_the_observed_exchanges() {
    use http::Method;
    let hello = json!({ "body": "Hello body!\n", "contentType": "text/plain" });
    let whole = answer(hello.clone(), Method::GET, &[]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.headers["accept-ranges"], "bytes");
    assert!(whole.headers.contains_key("last-modified"));
    let part = answer(hello.clone(), Method::GET, &[("range", "bytes=0-4")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers["content-range"], "bytes 0-4/12");
    let post = answer(hello, Method::POST, &[]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);

    let empty = json!({ "etag": true, "cacheControl": "public" });
    let no_body = answer(empty.clone(), Method::GET, &[]).await;
    assert_eq!(no_body.status, StatusCode::NO_CONTENT);
    assert_eq!(
        no_body.headers["etag"],
        "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\""
    );
    assert!(!no_body.headers.contains_key("accept-ranges"));
    let fresh = answer(
        empty,
        Method::GET,
        &[(
            "if-none-match",
            "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"",
        )],
    )
    .await;
    assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);
    assert_eq!(fresh.headers["cache-control"], "public");

    let fixed = json!({ "body": "Sorry!\n", "contentType": "text/plain", "statusCode": 404,
                        "cacheControl": "public, max-age=10" });
    for headers in [
        &[("range", "bytes=0-1")][..],
        &[("if-modified-since", "Tue, 01 Jan 2030 00:00:00 GMT")],
    ] {
        let answer = answer(fixed.clone(), Method::GET, headers).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body, Body::Full(Bytes::from_static(b"Sorry!\n")));
        assert!(!answer.headers.contains_key("accept-ranges"));
        assert_eq!(answer.headers["cache-control"], "public, max-age=10");
    }
}

//! The shaping applications against the spec's vectors.

use lactoserv_core::bind::from_value;
use lactoserv_core::component::ApplicationConfig;
use serde_json::{Value, json};

use super::*;
use crate::apps::request_filter::RequestFilterConfig;

fn request(method: Method, target: &str) -> Request {
    Request::for_target(method, target).unwrap()
}

async fn filtered(config: Value, method: Method, target: &str) -> Option<(u16, Option<String>)> {
    let mut config: RequestFilterConfig = from_value(&config).unwrap();
    config.validate().unwrap();
    let app = config.build().unwrap();
    let request = request(method, target);
    let response = app
        .handle_request(&request, &Dispatch::root(&request))
        .await
        .unwrap()?;
    let location = response
        .headers
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    Some((response.status.as_u16(), location))
}

#[tokio::test]
async fn request_filter_follows_the_spec_vectors() {
    let status = |code| Some((code, None));
    let methods = json!({ "acceptMethods": ["get", "post"], "filterResponseStatus": 599 });
    assert_eq!(filtered(methods, Method::POST, "/florp").await, None);
    let post = json!({ "acceptMethods": ["post"], "filterResponseStatus": 599 });
    assert_eq!(filtered(post, Method::GET, "/florp").await, status(599));
    let head = json!({ "acceptMethods": "head", "filterResponseStatus": 599 });
    assert_eq!(filtered(head.clone(), Method::HEAD, "/florp").await, None);
    assert_eq!(filtered(head, Method::GET, "/florp").await, status(599));

    let depth = json!({ "maxPathDepth": 2, "filterResponseStatus": 501 });
    for target in ["/florp/flop", "/florp/flop/"] {
        assert_eq!(
            filtered(depth.clone(), Method::GET, target).await,
            None,
            "{target}"
        );
    }
    for target in ["/florp/flop/oopsie", "/florp/flop/oopsie/"] {
        assert_eq!(
            filtered(depth.clone(), Method::GET, target).await,
            status(501),
            "{target}"
        );
    }
    let length = json!({ "maxPathLength": 20, "filterResponseStatus": 400 });
    for target in ["/23456/8901/34/67890", "/23456/8901/34/6789/"] {
        assert_eq!(
            filtered(length.clone(), Method::GET, target).await,
            None,
            "{target}"
        );
    }
    for target in ["/23456/8901/34/678901", "/23456/8901/34/67890/"] {
        assert_eq!(
            filtered(length.clone(), Method::GET, target).await,
            status(400),
            "{target}"
        );
    }
    let query = json!({ "maxQueryLength": 8, "filterResponseStatus": 420 });
    assert_eq!(
        filtered(query.clone(), Method::GET, "/beep/boop/bop/biff?abcd=ef").await,
        None
    );
    assert_eq!(
        filtered(query, Method::GET, "/beep/boop/bop/biff?abcd=efg").await,
        status(420)
    );
}

#[tokio::test]
async fn request_filter_redirects_and_rejects_by_form() {
    let redirect = |location: &str| Some((308, Some(location.to_owned())));
    let dirs = json!({ "redirectDirectories": true });
    assert_eq!(
        filtered(dirs.clone(), Method::GET, "/a/b/").await,
        redirect("../b")
    );
    assert_eq!(filtered(dirs.clone(), Method::GET, "/a/b").await, None);
    assert_eq!(filtered(dirs, Method::GET, "/").await, None);
    let files = json!({ "redirectFiles": true });
    assert_eq!(
        filtered(files.clone(), Method::GET, "/a/b").await,
        redirect("./b/")
    );
    assert_eq!(filtered(files, Method::GET, "/a/b/").await, None);
    let reject = json!({ "rejectDirectories": true });
    assert_eq!(
        filtered(reject.clone(), Method::GET, "/a/").await,
        Some((404, None))
    );
    assert_eq!(filtered(reject, Method::GET, "/a").await, None);
}

#[tokio::test]
async fn redirector_appends_the_rest_of_the_path_without_the_query() {
    let app = Redirector::new(
        "https://example.com/base/",
        StatusCode::PERMANENT_REDIRECT,
        None,
    );
    for (target, skip, location) in [
        ("/redir", 1, "https://example.com/base/"),
        ("/redir/", 1, "https://example.com/base/"),
        ("/redir/a/b?q=1", 1, "https://example.com/base/a/b"),
        ("/redir/a%20b/", 1, "https://example.com/base/a%20b/"),
    ] {
        let request = request(Method::GET, target);
        let at = Dispatch::root(&request).advance(skip).unwrap();
        let response = app.handle_request(&request, &at).await.unwrap().unwrap();
        assert_eq!(response.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(response.headers[LOCATION], location, "{target}");
        let text = match response.finish(true).body {
            Body::Full(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text, format!("308 Permanent Redirect:\n\n{location}\n"));
    }
}

#[tokio::test(start_paused = true)]
async fn request_delay_waits_then_declines() {
    let app = RequestDelay::new(1234.0, 1234.0);
    let request = request(Method::GET, "/");
    let started = tokio::time::Instant::now();
    let answer = app
        .handle_request(&request, &Dispatch::root(&request))
        .await
        .unwrap();
    assert!(answer.is_none());
    assert_eq!(started.elapsed(), Duration::from_secs(1234));
}

#[test]
fn random_delays_cover_every_millisecond() {
    let app = RequestDelay::new(0.020, 0.050);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let delay = app.pick();
        assert!((20..=50).contains(&delay.as_millis()), "{delay:?}");
        assert_eq!(delay.subsec_nanos() % 1_000_000, 0);
        seen.insert(delay.as_millis());
    }
    assert_eq!(seen.len(), 31);
}

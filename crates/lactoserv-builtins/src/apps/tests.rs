//! Tests of the shared binding helpers and of the catalog entries.

use super::*;
use lactoserv_core::app::AppRef;
use lactoserv_core::net::Dispatch;
use serde_json::json;

use crate::apps::host_router::HostRouterConfig;
use crate::apps::path_router::PathRouterConfig;
use crate::apps::serial_router::SerialRouterConfig;
use crate::apps::suffix_router::SuffixRouterConfig;
use crate::apps::testing::{Apps, body_text, request, route, router};

#[test]
fn catalog_holds_the_ten_built_in_applications_health_and_metrics() {
    let mut catalog = Catalog::new();
    register(&mut catalog);
    let classes: Vec<&str> = catalog.application_classes().collect();
    assert_eq!(
        classes,
        [
            "Health",
            "HostRouter",
            "Metrics",
            "PathRouter",
            "Redirector",
            "RequestDelay",
            "RequestFilter",
            "RequestRateLimiter",
            "SerialRouter",
            "SimpleResponse",
            "StaticFiles",
            "SuffixRouter",
        ]
    );
}

#[test]
fn keyed_field_quotes_the_key() {
    assert_eq!(keyed_field("paths", "/resp/one"), "paths['/resp/one']");
    assert_eq!(keyed_field("paths", "/it's"), r"paths['/it\'s']");
}

#[test]
fn target_names_allow_null_only_where_asked() {
    assert_eq!(target_name(&Value::from("app1")).unwrap().as_str(), "app1");
    assert_eq!(optional_target_name(&Value::Null), Ok(None));
    assert!(target_name(&Value::Null).is_err());
    for bad in [
        Value::from(false),
        Value::from(123),
        serde_json::json!(["x"]),
        serde_json::json!({"a": "x"}),
        Value::from(""),
        Value::from("-zonk"),
        Value::from("zonk-"),
        Value::from("ab$cd"),
        Value::from(" this "),
    ] {
        assert!(target_name(&bad).is_err(), "{bad}");
        assert!(optional_target_name(&bad).is_err(), "{bad}");
    }
}

/// The applications of the reference's example configuration
/// (`etc/example-setup/config/config.mjs`), less `name`, `class` and
/// `dispatchLogging`, with the references each one makes.
fn example_applications() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    use serde_json::json;
    vec![
        (
            "SerialRouter",
            json!({ "applications": ["requestRate", "actuallyRedirect"] }),
            vec!["applications[0]", "applications[1]"],
        ),
        (
            "Redirector",
            json!({ "statusCode": 308, "target": "https://localhost:8443/resp/",
            "cacheControl": { "public": true, "maxAge": "5 min" } }),
            vec![],
        ),
        (
            "HostRouter",
            json!({ "hosts": { "*": "myPaths", "127.0.0.1": "mySeries" } }),
            vec!["hosts['*']", "hosts['127.0.0.1']"],
        ),
        (
            "PathRouter",
            json!({ "paths": {
            "/*": "myStaticFun", "/bonk/*": "myStaticFun", "/florp/*": "myStaticFunNo404",
            "/resp/empty-body/*": "responseEmptyBody", "/resp/no-body/*": "responseNoBody",
            "/resp/dir-only/": "responseDirOnly", "/resp/one": "responseOne",
            "/resp/two": "responseTwo", "/resp/*": null } }),
            vec![
                "paths['/*']",
                "paths['/bonk/*']",
                "paths['/florp/*']",
                "paths['/resp/empty-body/*']",
                "paths['/resp/no-body/*']",
                "paths['/resp/dir-only/']",
                "paths['/resp/one']",
                "paths['/resp/two']",
            ],
        ),
        (
            "RequestRateLimiter",
            json!({ "maxBurst": "20 req", "flowRate": "600 req per min",
            "maxQueue": "100 req" }),
            vec![],
        ),
        ("RequestFilter", json!({ "maxQueryLength": 0 }), vec![]),
        (
            "RequestDelay",
            json!({ "minDelay": "0.5 sec", "maxDelay": "1 sec" }),
            vec![],
        ),
        (
            "SuffixRouter",
            json!({ "suffixes": { "*.bonk": "slowPoke" } }),
            vec!["suffixes['*.bonk']"],
        ),
        (
            "StaticFiles",
            json!({ "siteDirectory": "/site", "notFoundPath": "/site-extra/not-found.html",
            "indexFile": ["index.html", "index.txt"], "cacheControl": { "public": true, "maxAge": "5 min" },
            "etag": { "dataOnly": true, "hashLength": 20 } }),
            vec![],
        ),
        (
            "SimpleResponse",
            json!({ "filePath": "/site-extra/empty-file.txt",
            "cacheControl": "public, immutable, max-age=600" }),
            vec![],
        ),
        (
            "SimpleResponse",
            json!({ "body": "Sorry! Not found!\n", "contentType": "text/plain",
            "statusCode": 404 }),
            vec![],
        ),
        (
            "SimpleResponse",
            json!({ "cacheControl": { "public": true, "immutable": true,
            "maxAge": "11 min" }, "etag": true }),
            vec![],
        ),
        (
            "SimpleResponse",
            json!({ "contentType": "text/plain", "body": "One!\n",
            "cacheControl": { "public": true, "immutable": true, "maxAge": "12 min" },
            "etag": { "hashAlgorithm": "sha1", "hashLength": 12, "tagForm": "weak" } }),
            vec![],
        ),
    ]
}

#[test]
fn builds_the_example_applications_through_the_catalog() {
    let mut catalog = Catalog::new();
    register(&mut catalog);
    for (class, bindings, fields) in example_applications() {
        let ctor = catalog.application(class).unwrap();
        let config = ctor(bindings.as_object().unwrap())
            .unwrap_or_else(|err| panic!("{class} {bindings}: {err}"));
        let got: Vec<String> = config.references().into_iter().map(|r| r.field).collect();
        assert_eq!(got, fields, "{class}");
    }
}

#[test]
fn catalog_runs_validation() {
    let mut catalog = Catalog::new();
    register(&mut catalog);
    let ctor = catalog.application("PathRouter").unwrap();
    let bindings = serde_json::json!({ "paths": { "/x//y": "app" } });
    let err = ctor(bindings.as_object().unwrap()).unwrap_err();
    assert_eq!(err.field, "paths['/x//y']");
}

/// Every router, over the applications of `apps`.
fn every_router(apps: &Apps) -> Vec<AppRef> {
    vec![
        router::<PathRouterConfig>(
            json!({ "paths": { "/*": "a1", "/x/*": "a2", "/y": null, "/z/*": "a3" } }),
            apps,
        ),
        router::<HostRouterConfig>(json!({ "hosts": { "*": "a2", "other": "a1" } }), apps),
        router::<SerialRouterConfig>(json!({ "applications": ["a1", "a3", "a2"] }), apps),
        router::<SuffixRouterConfig>(json!({ "suffixes": { "*.txt": "a2", "*": "a1" } }), apps),
    ]
}

#[tokio::test]
async fn routers_answer_at_once_as_they_would_answer_later() {
    let apps = Apps::handling_now(&["2", "3"]);
    for app in every_router(&apps) {
        for target in ["/", "/x/1", "/y", "/z/q", "/a.txt", "/x/"] {
            let request = request(target, "x");
            let now = app
                .handle_now(&request, &Dispatch::root(&request))
                .expect("every application asked answers at once")
                .unwrap()
                .and_then(body_text);
            assert!(apps.taken().is_empty(), "answering at once has no effect");
            let later = route(&app, target).await;
            apps.taken();
            assert_eq!(now, later, "{target}");
        }
    }
}

#[tokio::test]
async fn routers_wait_when_an_application_they_ask_cannot_answer_at_once() {
    let apps = Apps::new(&["2"]);
    for app in every_router(&apps) {
        let request = request("/x/1", "x");
        assert!(
            app.handle_now(&request, &Dispatch::root(&request))
                .is_none()
        );
    }
    assert!(apps.taken().is_empty());
}

//! Tests of PathRouter's config and of path-pattern parsing.

use lactoserv_core::bind::from_value;
use serde_json::json;

use super::*;
use crate::apps::testing::{Apps, calls, request, route, router};
use lactoserv_core::net::Dispatch;

fn build(config: Value) -> Result<PathRouterConfig, BindError> {
    let mut config: PathRouterConfig = from_value(&config)?;
    config.validate()?;
    Ok(config)
}

fn key(components: &[&str], wildcard: bool) -> PathKey {
    PathKey {
        components: components.iter().map(|c| (*c).to_owned()).collect(),
        wildcard,
    }
}

#[test]
fn parses_path_patterns() {
    let cases = [
        ("/", key(&[""], false)),
        ("/*", key(&[], true)),
        ("/x", key(&["x"], false)),
        ("/x/", key(&["x", ""], false)),
        ("/x/*", key(&["x"], true)),
        ("/x/y/zorp", key(&["x", "y", "zorp"], false)),
        ("/:foo:", key(&[":foo:"], false)),
        ("/beep/@$floop", key(&["beep", "@$floop"], false)),
        ("/a*", key(&["a*"], false)),
        ("/caf%C3%A9", key(&["caf%C3%A9"], false)),
    ];
    for (pattern, expected) in cases {
        let parsed = parse_path_pattern(pattern).unwrap();
        assert_eq!(parsed, expected, "{pattern}");
        assert_eq!(parsed.to_string(), pattern, "renders back");
    }
    assert_eq!(key(&["a", "b"], true).bracketed(), "[a, b, *]");
    assert_eq!(key(&["a"], false).bracketed(), "[a]");
}

#[test]
fn rejects_invalid_path_patterns() {
    for pattern in [
        "//",
        "/foo//",
        "/foo//bar",
        "/./x",
        "/x/.",
        "/x/y/../z",
        "/x/y/..",
        "/*/x",
        "/a/*/x",
        "/*/",
        "/foo/bar?query",
        "/foo/bar#hash",
        "/foo/**/bar",
        "/foo/a%/bar",
        "/foo/b%1/bar",
        "/foo/c%1z/bar",
        "/foo/d%x5/bar",
        "/foo/e%ab/bar",
        "/\u{1234}",
        "x",
        "",
    ] {
        assert!(parse_path_pattern(pattern).is_err(), "{pattern:?}");
    }
}

#[test]
fn rejection_messages_follow_the_reference() {
    let cases = [
        ("", "Empty path."),
        ("x", "Path must start with a slash: x"),
        (
            "/foo//bar",
            "Invalid path component `` (empty) in: /foo//bar",
        ),
        (
            "/x/y/..",
            "Invalid path component `..` (navigation) in: /x/y/..",
        ),
        (
            "/*/x",
            "Invalid path component `*` (non-final wildcard) in: /*/x",
        ),
        ("/**", "Invalid path component `**` in: /**"),
        ("/e%ab", "Invalid path component `e%ab` in: /e%ab"),
        (
            "/foo/bar?q",
            "Invalid path component `bar?q` in: /foo/bar?q",
        ),
    ];
    for (pattern, message) in cases {
        assert_eq!(parse_path_pattern(pattern).unwrap_err(), message);
    }
}

#[test]
fn accepts_valid_paths_and_null_targets() {
    let config = build(json!({ "paths": {
        "/": null, "/*": "yes", "/foo/*": null, "/foo/bar": "superYes",
    }}))
    .unwrap();
    assert_eq!(config.routes.len(), 4);
    assert_eq!(config.routes[0].target, None);
    let refs = config.references();
    assert_eq!(
        refs,
        [
            Reference::new("paths['/*']", Kind::Application, "yes"),
            Reference::new("paths['/foo/bar']", Kind::Application, "superYes"),
        ]
    );
}

#[test]
fn names_the_entry_with_a_bad_key_or_target() {
    let err =
        build(json!({ "paths": { "/a": "a", "/foo//bar": "pathApp", "/z": "z" } })).unwrap_err();
    assert_eq!(err.field, "paths['/foo//bar']");
    for target in [
        json!(false),
        json!(true),
        json!(123),
        json!(["x"]),
        json!({ "a": "x" }),
        json!(""),
        json!("-zonk"),
        json!("zonk-"),
        json!("ab$cd"),
        json!(" this "),
    ] {
        let err = build(json!({ "paths": { "/": target } })).unwrap_err();
        assert_eq!(err.field, "paths['/']", "{target}");
    }
}

#[test]
fn requires_a_plain_object_of_paths() {
    assert!(build(json!({})).is_err());
    assert!(build(json!({ "paths": ["/x"] })).is_err());
    assert!(build(json!({ "paths": {}, "florp": 1 })).is_err());
    assert!(
        build(json!({ "paths": {} }))
            .unwrap()
            .references()
            .is_empty()
    );
}

#[tokio::test]
async fn path_router_falls_back_from_most_to_least_specific() {
    let apps = Apps::new(&[]);
    let table_a = json!({ "paths": {
        "/*": "a1", "/": "a2", "/x/*": "a3", "/x": "a4", "/x/": "a5",
        "/x/y": "a6", "/x/y/z": "a7", "/a": "a8", "/z": "a9" } });
    let app = router::<PathRouterConfig>(table_a, &apps);
    assert_eq!(route(&app, "/").await, None);
    assert_eq!(apps.taken(), calls(&[("2", "/", ""), ("1", "", "/")]));
    route(&app, "/x/").await;
    assert_eq!(
        apps.taken(),
        calls(&[("5", "/x/", ""), ("3", "/x", "/"), ("1", "", "/x/")])
    );
    route(&app, "/x").await;
    assert_eq!(
        apps.taken(),
        calls(&[("4", "/x", ""), ("3", "/x", ""), ("1", "", "/x")])
    );
    route(&app, "/x/y/z").await;
    assert_eq!(
        apps.taken(),
        calls(&[
            ("7", "/x/y/z", ""),
            ("3", "/x", "/y/z"),
            ("1", "", "/x/y/z")
        ])
    );
}

#[tokio::test]
async fn path_router_stops_at_an_answer_or_a_null_route() {
    let apps = Apps::new(&["2"]);
    let app = router::<PathRouterConfig>(
        json!({ "paths": { "/*": "a1", "/x/*": "a2", "/x/y/*": "a3", "/x/y/z": "a4" } }),
        &apps,
    );
    assert_eq!(route(&app, "/x/y/z").await.as_deref(), Some("2"));
    let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
    assert_eq!(called, ["4", "3", "2"]);

    let apps = Apps::new(&["1"]);
    let app = router::<PathRouterConfig>(
        json!({ "paths": { "/*": "a1", "/x/*": null, "/x/y/*": "a2" } }),
        &apps,
    );
    assert_eq!(route(&app, "/x/y/z").await, None);
    let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
    assert_eq!(called, ["2"]);
}

#[tokio::test]
async fn nested_path_routers_route_on_the_rest_of_the_path() {
    let apps = Apps::new(&["1"]);
    let inner = router::<PathRouterConfig>(json!({ "paths": { "/zonk/*": "a1" } }), &apps);
    let request = request("/beep/zonk/zorch/florp", "x");
    let at = Dispatch::root(&request).advance(1).unwrap();
    inner.handle_request(&request, &at).await.unwrap();
    assert_eq!(apps.taken(), calls(&[("1", "/beep/zonk", "/zorch/florp")]));
}

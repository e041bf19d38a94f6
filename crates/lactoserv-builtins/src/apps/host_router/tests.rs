//! Tests of HostRouter's config. Host-pattern syntax itself is tested with
//! `lactoserv_core::host`.

use lactoserv_core::bind::from_value;
use serde_json::json;

use super::*;
use crate::apps::testing::{Apps, request, router};
use lactoserv_core::net::Dispatch;

fn build(config: Value) -> Result<HostRouterConfig, BindError> {
    let mut config: HostRouterConfig = from_value(&config)?;
    config.validate()?;
    Ok(config)
}

#[test]
fn accepts_valid_configurations() {
    for hosts in [
        json!({}),
        json!({ "127.0.0.1": "app1", "::1": "app2", "[1234::5:abcd]": "app2",
                "localhost": "app3", "x.y.localhost": "app3" }),
        json!({ "*": "app1", "*.florp": "app2", "*.florp.like": "app3" }),
        json!({ "*": "app1", "*.org": "app1", "*.example.com": "app2", "beep.boop": "app2",
                "10.0.0.123": "app2", "0:0::1": "app3", "1234:abcd::98": "app3" }),
    ] {
        assert!(build(json!({ "hosts": hosts.clone() })).is_ok(), "{hosts}");
    }
}

#[test]
fn accepts_and_ignores_ignore_case() {
    for value in [json!(true), json!(false), json!(null)] {
        assert!(build(json!({ "hosts": {}, "ignoreCase": value })).is_ok());
    }
    assert!(build(json!({ "hosts": {}, "ignoreCase": "yes" })).is_err());
}

#[test]
fn rejects_hosts_that_are_not_an_object() {
    assert!(build(json!({})).is_err());
    assert!(build(json!({ "hosts": ["*"] })).is_err());
    assert!(build(json!({ "hosts": "*" })).is_err());
}

#[test]
fn references_every_target_by_its_entry() {
    let config = build(json!({ "hosts": { "*": "myPaths", "127.0.0.1": "mySeries" } })).unwrap();
    assert_eq!(
        config.references(),
        [
            Reference::new("hosts['*']", Kind::Application, "myPaths"),
            Reference::new("hosts['127.0.0.1']", Kind::Application, "mySeries"),
        ]
    );
}

#[test]
fn rejects_names_that_are_the_same_host() {
    for hosts in [
        json!({ "Boop.bop": "app1", "booP.bop": "app2" }),
        json!({ "*.ZONK": "app1", "*.ZoNK": "app2" }),
        json!({ "::1": "app1", "0:0::1": "app2" }),
    ] {
        let err = build(json!({ "hosts": hosts.clone() })).unwrap_err();
        assert!(
            err.message.starts_with("Key already bound: "),
            "{hosts}: {err}"
        );
    }
    let err = build(json!({ "hosts": { "Boop.bop": "a", "booP.bop": "b" } })).unwrap_err();
    assert_eq!(err.field, "hosts['booP.bop']");
    assert!(
        err.message.starts_with("Key already bound: [bop, boop]"),
        "{err}"
    );
}

#[test]
fn rejects_bad_targets() {
    for name in [
        json!(null),
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
        let err = build(json!({ "hosts": { "*": name.clone() } })).unwrap_err();
        assert_eq!(err.field, "hosts['*']", "{name}");
    }
}

#[test]
fn rejects_invalid_host_patterns() {
    for host in [
        "",
        "foo.*",
        "foo.*.bar",
        "*.123.45",
        "*:1::2",
        "*foo.bar",
        "1.2.3",
        "1.2",
        "123",
        "1.2.3.4.5",
        "abcd::ghij",
        "0:1:2:3:4:5:6",
        "0:1:2:3:4:5",
        "0:1:2:3:4",
        "0:1:2:3",
        "0:1:2",
        "0:1",
        "0:1:2:3:4:5:6:7:8",
        "0:1:2:3:4::5:6:7:8",
        "0:1:2:3:4::5:6:7",
        "0::1::2",
        "123:::456:7",
        "foo.bar:123",
        "127.0.0.1:8443",
        "[12::34]:123",
        "ab#cd.e.f",
        "foo.",
        ".foo",
        "a..b",
        "-a.b",
        "a-.b",
        "*.",
        "0.0.0.0",
        "::",
    ] {
        let err = build(json!({ "hosts": { "a": "a", host: "hostApp", "z": "z" } })).unwrap_err();
        assert_eq!(err.field, keyed_field("hosts", host), "{host}");
        assert_eq!(
            err.message,
            format!("Invalid hostname (wildcards allowed): {host}")
        );
    }
}

#[test]
fn routes_go_to_the_most_specific_pattern() {
    let config = build(json!({ "hosts": {
        "*": "any", "*.example.com": "wild", "www.example.com": "www", "[::1]": "local"
    } }))
    .unwrap();
    let target = |host: &str| config.routes.find(host).map(|r| r.target.as_str());
    assert_eq!(target("www.example.com"), Some("www"));
    assert_eq!(target("WWW.Example.Com"), Some("www"));
    assert_eq!(target("example.com"), Some("wild"));
    assert_eq!(target("a.b.example.com"), Some("wild"));
    assert_eq!(target("0:0::1"), Some("local"));
    assert_eq!(target("10.0.0.1"), Some("any"));
    let config = build(json!({ "hosts": { "*.example.com": "wild" } })).unwrap();
    assert_eq!(config.routes.find("example.org"), None);
}

#[test]
fn accepts_wildcard_patterns_longer_than_a_dns_name() {
    // The reference's 255-character limit does not apply after a `*`.
    let pattern = format!("*.{}com", "abc.".repeat(70));
    assert!(build(json!({ "hosts": { pattern: "app" } })).is_ok());
}

#[tokio::test]
async fn host_router_picks_the_most_specific_pattern_without_fallback() {
    let apps = Apps::new(&["1", "2", "3"]);
    let app = router::<HostRouterConfig>(
        json!({ "hosts": { "*.zonk": "a1", "beep.zonk": "a2", "*.x.y.z.zonk": "a3", "zorch": "a4" } }),
        &apps,
    );
    let host = |name: &'static str| {
        let app = app.clone();
        async move {
            let request = request("/", name);
            let response = app
                .handle_request(&request, &Dispatch::root(&request))
                .await
                .unwrap();
            response.map(|_| ())
        }
    };
    for name in ["zonk", "bonk.zonk", "a.b.c.zonk", "blorp.beep.zonk"] {
        host(name).await;
        assert_eq!(apps.taken()[0].0, "1", "{name}");
    }
    host("beep.zonk").await;
    assert_eq!(apps.taken()[0].0, "2");
    host("abc.x.y.z.zonk").await;
    assert_eq!(apps.taken()[0].0, "3");
    assert_eq!(host("florp").await, None);
    assert!(apps.taken().is_empty());

    let apps = Apps::new(&[]);
    let app = router::<HostRouterConfig>(
        json!({ "hosts": { "*": "a1", "*.zonk": "a2", "beep.zonk": "a3", "12.3.4.5": "a4" } }),
        &apps,
    );
    for (name, called) in [
        ("beep.zonk", "3"),
        ("flump.zonk", "2"),
        ("12.3.4.5", "4"),
        ("ZORCH.splat", "1"),
    ] {
        let request = request("/", name);
        let answer = app
            .handle_request(&request, &Dispatch::root(&request))
            .await
            .unwrap();
        assert!(answer.is_none());
        let taken: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
        assert_eq!(taken, [called], "{name}");
    }
}

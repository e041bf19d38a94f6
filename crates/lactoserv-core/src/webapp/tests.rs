//! Build and link checks, with small stand-in component types (the real
//! built-ins live in another crate and have their own tests).

use serde::Deserialize;
use serde_json::{Value, json};

use super::*;
use crate::component::{Reference, Role, Roles};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Router {
    #[serde(default)]
    targets: Vec<String>,
}

impl ApplicationConfig for Router {
    fn references(&self) -> Vec<Reference> {
        self.targets
            .iter()
            .enumerate()
            .map(|(i, name)| Reference::new(format!("targets[{i}]"), Kind::Application, name))
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Leaf {}

impl ApplicationConfig for Leaf {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Log {}

impl ServiceConfig for Log {
    fn roles(&self) -> Roles {
        Role::AccessLog.into()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Limiter {}

impl ServiceConfig for Limiter {
    fn roles(&self) -> Roles {
        Role::ConnectionRateLimiter.into()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fan {
    services: Vec<String>,
}

impl ServiceConfig for Fan {
    fn references(&self) -> Vec<Reference> {
        self.services
            .iter()
            .enumerate()
            .map(|(i, name)| Reference::new(format!("services[{i}]"), Kind::Service, name))
            .collect()
    }

    fn forwards_roles(&self) -> bool {
        true
    }
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog
        .add_application::<Router>("Router")
        .add_application::<Leaf>("SimpleResponse")
        .add_service::<Log>("Log")
        .add_service::<Limiter>("Limiter")
        .add_service::<Fan>("EventFan");
    catalog
}

fn build(value: Value) -> Result<WebappConfig, ConfigErrors> {
    WebappConfig::from_value(&value, &catalog())
}

fn messages(value: Value) -> Vec<String> {
    build(value)
        .expect_err("config should be rejected")
        .errors()
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn endpoint(application: &str) -> Value {
    json!({ "name": "main", "protocol": "http", "interface": "*:8080", "application": application })
}

#[test]
fn sections_may_be_lists_or_single_objects() {
    let config = build(json!({
        "applications": { "name": "a", "class": "SimpleResponse" },
        "services": [{ "name": "log", "class": "Log" }],
        "endpoints": endpoint("a"),
        "hosts": null,
        "name": "ignored"
    }))
    .unwrap();
    assert_eq!(config.applications.len(), 1);
    assert_eq!(config.services[0].name, "log");
    assert_eq!(config.endpoints[0].name, "main");
    assert!(config.hosts.is_empty());
}

#[test]
fn unnamed_components_get_names_made_from_their_class() {
    let config = build(json!({
        "applications": [
            { "class": "SimpleResponse" },
            { "name": "simpleResponse1", "class": "Router" },
            { "class": "SimpleResponse" }
        ],
        "endpoints": [endpoint("simpleResponse2"), { "protocol": "http", "interface": "*:8081", "application": "simpleResponse3" }]
    }))
    .unwrap();
    let names: Vec<&str> = config
        .applications
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["simpleResponse2", "simpleResponse1", "simpleResponse3"]
    );
    assert!(config.applications[0].synthesized);
    assert_eq!(config.endpoints[1].name, "networkEndpoint1");
}

#[test]
fn top_level_and_item_shape_errors_are_named() {
    assert_eq!(
        messages(json!({ "florp": 1 })),
        ["config: Extra property: `florp`"]
    );
    assert_eq!(
        messages(json!({ "a": 1, "b": 2 })),
        ["config: Extra properties: `a, b`"]
    );
    assert_eq!(
        messages(json!({ "applications": ["x"] })),
        ["applications[0]: Item must be an object of some sort."]
    );
    assert_eq!(
        messages(json!({ "logging": { "service/x": false } })),
        ["config: `logging`: Not an absolute component path: service/x"]
    );
}

#[test]
fn classes_must_be_given_known_and_in_the_right_section() {
    let texts = messages(json!({
        "applications": [
            { "name": "a" },
            { "name": "b", "class": "Nope" },
            { "name": "c", "class": "Log" },
            { "name": "d", "class": 7 }
        ],
        "endpoints": [{ "class": "Router", "name": "e" }]
    }));
    assert_eq!(
        texts[0],
        "applications[0] (`a`): `class`: Missing required property: `class`"
    );
    assert_eq!(
        texts[1],
        "applications[1] (Nope `b`): `class`: Unknown application class `Nope`; known: Router, SimpleResponse"
    );
    assert_eq!(
        texts[2],
        "applications[2] (Log `c`): `class`: `Log` is a service class, not an application class; list it under `services`"
    );
    assert!(
        texts[3].starts_with("applications[3] (`d`): `class`: Must be a class"),
        "{}",
        texts[3]
    );
    assert_eq!(
        texts[4],
        "endpoints[0] (`e`): `class`: endpoints entries take no `class`"
    );
}

#[test]
fn common_bindings_are_checked() {
    let texts = messages(json!({
        "applications": [
            { "name": "bad name", "class": "SimpleResponse" },
            { "name": 7, "class": "SimpleResponse" },
            { "name": "x", "class": "SimpleResponse", "dispatchLogging": "yes" },
            { "name": "y", "class": "SimpleResponse", "zork": 1 }
        ]
    }));
    assert_eq!(
        texts[0],
        "applications[0] (SimpleResponse): `name`: Invalid component name: bad name"
    );
    assert_eq!(
        texts[1],
        "applications[1] (SimpleResponse): `name`: Must be of type `string`."
    );
    assert_eq!(
        texts[2],
        "applications[2] (SimpleResponse `x`): `dispatchLogging`: Must be of type `boolean`."
    );
    assert!(
        texts[3].starts_with("applications[3] (SimpleResponse `y`): Extra property: `zork`"),
        "{}",
        texts[3]
    );
}

#[test]
fn duplicate_names_are_reported_per_section() {
    let texts = messages(json!({
        "services": [{ "name": "resp", "class": "Log" }],
        "applications": [
            { "name": "resp", "class": "SimpleResponse" },
            { "name": "resp", "class": "Router" }
        ]
    }));
    assert_eq!(
        texts,
        [
            "applications[1] (Router `resp`): Key already bound: [application, resp] (also used by applications[0] (SimpleResponse `resp`))"
        ]
    );
}

#[test]
fn dangling_references_name_the_field() {
    let texts = messages(json!({
        "services": [{ "name": "fan", "class": "EventFan", "services": ["log", "gone"] }, { "name": "log", "class": "Log" }],
        "applications": [{ "name": "r", "class": "Router", "targets": ["r2", "missing"] }, { "name": "r2", "class": "SimpleResponse" }],
        "endpoints": [{
            "name": "main", "protocol": "http", "interface": "*:8080", "application": "noSuchApp",
            "services": { "accessLog": "nobody" }
        }]
    }));
    assert_eq!(
        texts,
        [
            "applications[0] (Router `r`): `targets[1]`: No such component: /application/missing",
            "services[0] (EventFan `fan`): `services[1]`: No such component: /service/gone",
            "endpoints[0] (NetworkEndpoint `main`): `application`: No such component: /application/noSuchApp",
            "endpoints[0] (NetworkEndpoint `main`): `services.accessLog`: No such component: /service/nobody",
        ]
    );
}

#[test]
fn services_must_fill_the_role_they_are_used_for() {
    let base = |access_log: &str| {
        json!({
            "services": [
                { "name": "log", "class": "Log" },
                { "name": "fan", "class": "EventFan", "services": ["log"] },
                { "name": "emptyFan", "class": "EventFan", "services": [] }
            ],
            "applications": [{ "name": "a", "class": "SimpleResponse" }],
            "endpoints": [{
                "name": "main", "protocol": "http", "interface": "*:8080", "application": "a",
                "services": { "accessLog": access_log }
            }]
        })
    };
    assert!(build(base("log")).is_ok());
    assert!(
        build(base("fan")).is_ok(),
        "an event fan takes on its targets' roles"
    );
    assert_eq!(
        messages(base("emptyFan")),
        [
            "endpoints[0] (NetworkEndpoint `main`): `services.accessLog`: Component `/service/emptyFan` not of expected class: IntfAccessLog (EventFan `emptyFan` cannot serve as `accessLog`)"
        ]
    );
}

#[test]
fn an_event_fan_does_not_pass_on_calls() {
    let texts = messages(json!({
        "services": [
            { "name": "limiter", "class": "Limiter" },
            { "name": "fan", "class": "EventFan", "services": ["limiter"] }
        ],
        "applications": [{ "name": "a", "class": "SimpleResponse" }],
        "endpoints": [{
            "name": "main", "protocol": "http", "interface": "*:8080", "application": "a",
            "services": { "connectionRateLimiter": "fan" }
        }]
    }));
    assert_eq!(
        texts,
        [
            "endpoints[0] (NetworkEndpoint `main`): `services.connectionRateLimiter`: Component `/service/fan` not of expected class: IntfConnectionRateLimiter (EventFan `fan` cannot serve as `connectionRateLimiter`)"
        ]
    );
}

#[test]
fn event_fan_cycles_are_reported() {
    let texts = messages(json!({
        "services": [
            { "name": "f1", "class": "EventFan", "services": ["f2"] },
            { "name": "f2", "class": "EventFan", "services": ["f1"] }
        ]
    }));
    assert_eq!(
        texts,
        ["services refer to each other in a cycle: f1 -> f2 -> f1"]
    );
}

#[test]
fn reference_cycles_are_reported() {
    let texts = messages(json!({
        "applications": [
            { "name": "a", "class": "Router", "targets": ["b"] },
            { "name": "b", "class": "Router", "targets": ["c"] },
            { "name": "c", "class": "Router", "targets": ["a"] },
            { "name": "self", "class": "Router", "targets": ["self"] }
        ]
    }));
    assert_eq!(
        texts,
        [
            "applications refer to each other in a cycle: a -> b -> c -> a",
            "applications refer to each other in a cycle: self -> self",
        ]
    );
}

#[test]
fn shared_targets_are_not_cycles() {
    let config = build(json!({
        "applications": [
            { "name": "a", "class": "Router", "targets": ["b", "c"] },
            { "name": "b", "class": "Router", "targets": ["c"] },
            { "name": "c", "class": "SimpleResponse" }
        ]
    }));
    assert!(config.is_ok());
}

#[test]
fn tls_endpoints_need_a_host_for_each_hostname() {
    let config = |hostnames: Value| {
        json!({
            "hosts": [{ "hostnames": ["localhost", "*.localhost"], "selfSigned": true }],
            "applications": [{ "name": "a", "class": "SimpleResponse" }],
            "endpoints": [{
                "name": "tls", "protocol": "https", "interface": "*:8443", "application": "a",
                "hostnames": hostnames
            }]
        })
    };
    let built = build(config(json!(["localhost", "x.localhost"]))).unwrap();
    assert_eq!(built.hosts[0].name, "localhost+1");
    let texts = messages(config(json!(["example.com"])));
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].starts_with("endpoints[0] (NetworkEndpoint `tls`): `hostnames[0]`: No bindings found for hostname: example.com"),
        "{}",
        texts[0]
    );
}

#[test]
fn a_hostname_may_be_bound_by_one_host_only() {
    let texts = messages(json!({
        "hosts": [
            { "hostnames": ["localhost"], "selfSigned": true },
            { "hostnames": ["*", "localhost"], "selfSigned": true }
        ]
    }));
    assert_eq!(
        texts,
        [
            "hosts[1] (NetworkHost `_star_+1`): `hostnames[1]`: Duplicate hostname: localhost (already bound by host `localhost`)"
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let texts = messages(json!({
        "applications": [
            { "name": "a", "class": "Router", "targets": ["x"] },
            { "name": "b", "class": "Router", "targets": ["y"] }
        ],
        "endpoints": endpoint("z")
    }));
    assert_eq!(texts.len(), 3, "{texts:?}");
}

//! Tests of endpoint configs.

use serde_json::{Map, Value, json};

use super::*;
use crate::bind::from_value;

/// A valid endpoint's bindings with `changes` applied (`null` removes).
fn bindings(changes: Value) -> Value {
    let mut base: Map<String, Value> = json!({
        "protocol": "http",
        "interface": "*:8080",
        "application": "mySite",
    })
    .as_object()
    .cloned()
    .unwrap();
    for (key, value) in changes.as_object().unwrap() {
        if value == &json!("<absent>") {
            base.remove(key);
        } else {
            base.insert(key.clone(), value.clone());
        }
    }
    Value::Object(base)
}

fn endpoint(changes: Value) -> Result<EndpointConfig, BindError> {
    let mut config: EndpointConfig = from_value(&bindings(changes))?;
    config.validate()?;
    Ok(config)
}

fn name(text: &str) -> Name {
    Name::try_from(text.to_owned()).unwrap()
}

#[test]
fn accepts_the_reference_example_with_defaults() {
    let config = endpoint(json!({
        "protocol": "http2",
        "interface": "*:1234",
        "application": "florp",
        "services": { "accessLog": "loggyLogLog" },
    }))
    .unwrap();
    assert_eq!(config.protocol, Protocol::Http2);
    assert_eq!(config.interface.to_string(), "*:1234");
    assert_eq!(config.application, name("florp"));
    assert_eq!(config.hostnames, [Hostname::any()]);
    assert_eq!(config.max_request_body_size, None);
    assert_eq!(config.services, [(Role::AccessLog, name("loggyLogLog"))]);
    assert!(config.needs_certificates());
}

#[test]
fn needs_certificates_only_for_tls_protocols() {
    for (protocol, tls) in [("http", false), ("https", true), ("http2", true)] {
        let config = endpoint(json!({ "protocol": protocol })).unwrap();
        assert_eq!(config.needs_certificates(), tls, "{protocol}");
        assert_eq!(config.protocol.to_string(), protocol);
    }
}

#[test]
fn rejects_unknown_protocols_case_sensitively() {
    for protocol in ["HTTP", "http3", "h2", ""] {
        let err = endpoint(json!({ "protocol": protocol })).unwrap_err();
        assert_eq!(err.field, "protocol");
        assert_eq!(err.message, format!("Unknown protocol: {protocol}"));
    }
    assert!(endpoint(json!({ "protocol": 1 })).is_err());
}

#[test]
fn requires_protocol_interface_and_application() {
    for key in ["protocol", "interface", "application"] {
        let err = endpoint(json!({ key: "<absent>" })).unwrap_err();
        assert_eq!(err.message, format!("Missing required property: `{key}`"));
    }
}

#[test]
fn reports_interface_errors_at_the_interface() {
    let err = endpoint(json!({ "interface": "::1:8080" })).unwrap_err();
    assert_eq!(err.field, "interface");
    assert!(err.message.contains("missing brackets"), "{err}");
    let err = endpoint(json!({ "interface": { "address": "*", "portNumber": "x" } }));
    assert_eq!(err.unwrap_err().field, "interface.portNumber");
}

#[test]
fn canonicalizes_hostnames_given_as_string_or_list() {
    let config = endpoint(json!({ "protocol": "https", "hostnames": "*.Example.COM" })).unwrap();
    assert_eq!(config.hostnames[0].as_str(), "*.example.com");
    let config = endpoint(json!({ "hostnames": ["a.com", "[::1]", "*"] })).unwrap();
    let texts: Vec<&str> = config.hostnames.iter().map(Hostname::as_str).collect();
    assert_eq!(texts, ["a.com", "::1", "*"]);

    let err = endpoint(json!({ "hostnames": ["a.com", "foo.*.bar"] })).unwrap_err();
    assert_eq!(err.field, "hostnames[1]");
    assert!(endpoint(json!({ "hostnames": null })).is_err());
}

#[test]
fn rejects_empty_hostnames_only_where_tls_needs_them() {
    assert!(endpoint(json!({ "protocol": "http", "hostnames": [] })).is_ok());
    let err = endpoint(json!({ "protocol": "https", "hostnames": [] })).unwrap_err();
    assert_eq!(err.field, "hostnames");
}

#[test]
fn reads_max_request_body_size() {
    let config = endpoint(json!({ "maxRequestBodySize": "1.5 KiB" })).unwrap();
    assert_eq!(
        config.max_request_body_size.map(ByteCount::value),
        Some(1536.0)
    );
    let config = endpoint(json!({ "maxRequestBodySize": "0 byte" })).unwrap();
    assert_eq!(
        config.max_request_body_size.map(ByteCount::value),
        Some(0.0)
    );
    let config = endpoint(json!({ "maxRequestBodySize": null })).unwrap();
    assert_eq!(config.max_request_body_size, None);

    for bad in [json!(100), json!("100"), json!("1 sec")] {
        let err = endpoint(json!({ "maxRequestBodySize": bad })).unwrap_err();
        assert_eq!(err.field, "maxRequestBodySize", "{bad}");
    }
}

#[test]
fn rejects_negative_max_request_body_size() {
    let mut config = endpoint(json!({})).unwrap();
    config.max_request_body_size = Some(ByteCount::new(-1.0));
    assert_eq!(config.validate().unwrap_err().field, "maxRequestBodySize");
}

#[test]
fn keeps_services_in_config_order() {
    let config = endpoint(json!({ "services": {
        "dataRateLimiter": "limit",
        "accessLog": "log",
        "connectionRateLimiter": "conns",
    }}))
    .unwrap();
    let roles: Vec<Role> = config.services.iter().map(|(role, _)| *role).collect();
    assert_eq!(
        roles,
        [
            Role::DataRateLimiter,
            Role::AccessLog,
            Role::ConnectionRateLimiter
        ]
    );
    assert_eq!(config.service(Role::AccessLog), Some(&name("log")));
    assert!(
        endpoint(json!({ "services": {} }))
            .unwrap()
            .services
            .is_empty()
    );
}

#[test]
fn rejects_unknown_roles_and_bad_service_names() {
    let err = endpoint(json!({ "services": { "accessLog": "a", "florp": "b" } })).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.message.as_str()),
        ("services", "Invalid role: florp")
    );
    let err = endpoint(json!({ "services": { "bad name": "b" } })).unwrap_err();
    assert_eq!(err.message, "Invalid role: bad name");

    let err = endpoint(json!({ "services": { "accessLog": "-abc" } })).unwrap_err();
    assert_eq!(err.field, "services.accessLog");
    assert_eq!(err.message, "Invalid component name: -abc");
    assert!(endpoint(json!({ "services": { "accessLog": null } })).is_err());
    assert!(endpoint(json!({ "services": null })).is_err());
    assert!(endpoint(json!({ "services": ["log"] })).is_err());
}

#[test]
fn rejects_invalid_application_names_and_extra_bindings() {
    let err = endpoint(json!({ "application": "bad name" })).unwrap_err();
    assert_eq!(err.field, "application");
    let err = endpoint(json!({ "florp": 1 })).unwrap_err();
    assert!(err.message.starts_with("Extra property: `florp`"), "{err}");
}

#[test]
fn lists_its_references() {
    let config =
        endpoint(json!({ "services": { "connectionRateLimiter": "c", "accessLog": "a" } }));
    let refs = config.unwrap().references();
    let got: Vec<(&str, Kind, &str)> = refs
        .iter()
        .map(|r| (r.field.as_str(), r.kind, r.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("application", Kind::Application, "mySite"),
            ("services.connectionRateLimiter", Kind::Service, "c"),
            ("services.accessLog", Kind::Service, "a"),
        ]
    );
}

#[test]
fn max_connections_defaults_and_must_be_a_whole_number_from_one() {
    let config = endpoint(json!({})).unwrap();
    assert_eq!(
        config.connection_limit(),
        crate::endpoint::DEFAULT_MAX_CONNECTIONS
    );
    let config = endpoint(json!({ "maxConnections": 2 })).unwrap();
    assert_eq!(config.connection_limit(), 2);
    for bad in [json!(0), json!(1.5), json!(-3), json!(1e12)] {
        let err = endpoint(json!({ "maxConnections": bad })).unwrap_err();
        assert_eq!(err.field, "maxConnections", "{bad}");
    }
    let err = endpoint(json!({ "maxConnections": "many" })).unwrap_err();
    assert_eq!(err.field, "maxConnections");
}

#[test]
fn http3_is_for_http2_endpoints() {
    let config = endpoint(json!({})).unwrap();
    assert!(!config.http3);
    let config = endpoint(json!({ "protocol": "http2", "http3": true })).unwrap();
    assert!(config.http3);
    for protocol in ["http", "https"] {
        let err = endpoint(json!({ "protocol": protocol, "http3": true })).unwrap_err();
        assert_eq!(err.field, "http3", "{protocol}");
        assert!(
            err.to_string().contains(&format!("not `{protocol}`")),
            "{err}"
        );
    }
    // An inherited interface finds its UDP twin when the server starts.
    let inherited = json!({ "protocol": "http2", "http3": true, "interface": "/dev/fd/3" });
    assert!(endpoint(inherited).unwrap().http3);
    let err = endpoint(json!({ "protocol": "http2", "http3": "yes" })).unwrap_err();
    assert_eq!(err.field, "http3");
}

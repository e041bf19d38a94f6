//! Tests of HostRouter's config and of host-pattern and IP address parsing.

use lactoserv_core::bind::from_value;
use serde_json::json;

use super::*;

fn build(config: Value) -> Result<HostRouterConfig, BindError> {
    let mut config: HostRouterConfig = from_value(&config)?;
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
fn parses_host_patterns_into_reversed_keys() {
    let cases = [
        ("*", key(&[], true)),
        ("*.example.com", key(&["com", "example"], true)),
        ("*.ZONK", key(&["zonk"], true)),
        ("foo.Example.COM", key(&["com", "example", "foo"], false)),
        ("localhost", key(&["localhost"], false)),
        ("123.com", key(&["com", "123"], false)),
        ("127.0.0.1", key(&["127.0.0.1"], false)),
        ("[::1]", key(&["::1"], false)),
        ("0034::0:0:00ab:cd", key(&["34::ab:cd"], false)),
    ];
    for (pattern, expected) in cases {
        assert_eq!(
            parse_host_pattern(pattern).as_ref(),
            Ok(&expected),
            "{pattern}"
        );
    }
    let long_label = "a".repeat(63);
    assert!(parse_host_pattern(&format!("{long_label}.com")).is_ok());
    assert!(parse_host_pattern(&format!("a{long_label}.com")).is_err());
    let long_name = vec!["abcdefg"; 32].join("."); // 255 characters
    assert!(parse_host_pattern(&long_name).is_ok());
    assert!(parse_host_pattern(&format!("x{long_name}")).is_err());
}

#[test]
fn renders_host_patterns_in_label_order() {
    for pattern in ["*", "*.example.com", "beep.boop", "::1", "10.0.0.123"] {
        let key = parse_host_pattern(pattern).unwrap();
        assert_eq!(host_pattern_string(&key), pattern);
    }
}

#[test]
fn canonicalizes_ip_addresses() {
    let cases = [
        ("010.0.0.1", "10.0.0.1"),
        ("10.02.0.1", "10.2.0.1"),
        ("10.0.004.1", "10.0.4.1"),
        ("123.0.0.009", "123.0.0.9"),
        ("123.0.009.1", "123.0.9.1"),
        ("0:0:0:0:0:0:0:a", "::a"),
        ("00:00:00:00:00:00:00:a", "::a"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("3:0:0:0:0:0:0:4", "3::4"),
        ("0000::1", "::1"),
        ("f::0000", "f::"),
        ("aa:bb:0::cc:dd:ee:ff", "aa:bb::cc:dd:ee:ff"),
        ("0:0:0:0:12:34:56::", "::12:34:56:0"),
        ("::1:2:0:0:0:3", "0:0:1:2::3"),
        ("0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"),
        ("0034::0:0:00ab:cd", "34::ab:cd"),
        ("ABCD::EF", "abcd::ef"),
        ("[12:Ab::34:cD]", "12:ab::34:cd"),
        ("[1234::]", "1234::"),
        ("::ffff:102:304", "::ffff:1.2.3.4"),
        ("0:0::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("1:0:2:3:4:5:6:7", "1::2:3:4:5:6:7"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
    ];
    for (input, expected) in cases {
        assert_eq!(canonical_ip(input).as_deref(), Some(expected), "{input}");
    }
}

#[test]
fn rejects_non_addresses_and_any_addresses() {
    for input in [
        "::",
        "[::]",
        "0::",
        "0:0:0:0:0:0:0:0",
        "0.0.0.0",
        "000.000.000.000",
        "*",
        "*.23",
        "foo",
        "123.foo",
        "123::45::67",
        "123:::45:67",
        "123:45:67:89:ab",
        "123::g:456",
        "123::45678:9",
        "1:2::3:4:5:6:7:8",
        "10.0.0.0099",
        "10.256.0.1",
        "[1.2.3.4]",
        "@1.2.3.45",
        "14.25.37.24.",
        "[foo.bar]",
        "1:2:3::4]",
        "[aa:bc::d:e:f",
        "1234::78:10.20.30.40",
        "::1.2.3.4",
        "1.2.3.4::",
    ] {
        assert_eq!(canonical_ip(input), None, "{input}");
    }
}

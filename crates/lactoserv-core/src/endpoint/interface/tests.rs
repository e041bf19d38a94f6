//! Tests of interface parsing, canonical text and the object form.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Value, json};

use super::*;

fn port(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

fn parse(text: &str) -> Result<Interface, InterfaceError> {
    text.parse()
}

#[test]
fn accepts_the_reference_vectors() {
    for text in [
        "*:1",
        "10.0.0.255:123",
        "[12::34]:567",
        "/dev/fd/777",
        "/dev/fd/777:654",
        "/dev/fd/0",
        "/dev/fd/65535",
        "localhost:80",
        "*:65535",
        "Some-Host.example:8443",
        "[::ffff:1.2.3.4]:80",
    ] {
        let interface = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        assert_eq!(interface.to_string(), text, "round trip of {text}");
    }
}

#[test]
fn parses_into_address_or_fd_parts() {
    let ip = |ip: IpAddr| ListenAddress::Ip(ip);
    let cases = [
        (
            "12.34.56.78:123",
            Interface::Address {
                address: ip(Ipv4Addr::new(12, 34, 56, 78).into()),
                port: port(123),
            },
        ),
        (
            "[abc::123:4567]:999",
            Interface::Address {
                address: ip("abc::123:4567".parse::<Ipv6Addr>().unwrap().into()),
                port: port(999),
            },
        ),
        (
            "*:17777",
            Interface::Address {
                address: ListenAddress::Any,
                port: port(17777),
            },
        ),
        (
            "/dev/fd/109",
            Interface::Fd {
                fd: 109,
                port: None,
            },
        ),
        (
            "/dev/fd/109:914",
            Interface::Fd {
                fd: 109,
                port: Some(port(914)),
            },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse(text).unwrap(), want, "{text}");
    }
    assert_eq!(parse("*:8080").unwrap().port(), Some(port(8080)));
    assert_eq!(parse("/dev/fd/3").unwrap().port(), None);
}

#[test]
fn canonicalizes_addresses_ports_and_fds() {
    for (text, want) in [
        ("010.0.0.1:09", "10.0.0.1:9"),
        ("[0aa:0bb:00:0::0:cdef]:012", "[aa:bb::cdef]:12"),
        ("bip.bop.blorp:00003", "bip.bop.blorp:3"),
        ("/dev/fd/099:00021", "/dev/fd/99:21"),
        ("/dev/fd/0071", "/dev/fd/71"),
        ("[::FFFF:7f00:1]:80", "[::ffff:127.0.0.1]:80"),
    ] {
        let canonical = parse(text).unwrap().to_string();
        assert_eq!(canonical, want, "{text}");
        assert_eq!(parse(&canonical).unwrap(), parse(text).unwrap(), "{text}");
    }
}

#[test]
fn rejects_the_reference_invalid_vectors() {
    for text in [
        "",
        ":123",
        "10.0.0.120",
        "10.0.0.120:",
        "[::1234]:",
        "192.168.0.33:65536",
        "a:b:c::1234:8080",
        "[::]:8080",
        "[0.0.0.0]:8080",
        "12.34.5.66:0",
        "[12:34::5:66]:*",
        "dev/fd/3",
        "/dev/fd/123a",
        "/dev/florp",
        "/home/zorch/123",
        "/dev/fd/-1",
        "/dev/fd/65536",
        "[127.0.0.1]:8",
        "999.88.7.6:9",
        "foo_bar:80",
        "*.foo:80",
        "*:8080 ",
        "0.0.0.0:80",
        "/dev/fd/3:0",
        "/dev/fd/:80",
        "*:123456",
    ] {
        assert!(parse(text).is_err(), "{text:?} should be invalid");
    }
}

#[test]
fn explains_the_common_mistakes() {
    let message = |text: &str| parse(text).unwrap_err().to_string();
    assert_eq!(
        message("::1:8080"),
        "Invalid network interface (missing brackets): ::1:8080"
    );
    assert_eq!(
        message("10.0.0.120"),
        "Invalid network interface (missing port): 10.0.0.120"
    );
    assert_eq!(message("12.34.5.66:0"), "Not a port number: 0");
    assert_eq!(message("192.168.0.33:65536"), "Not a port number: 65536");
    assert!(message("0.0.0.0:80").contains("use `*`"));
    assert!(message("[::]:80").contains("use `*`"));
    assert_eq!(
        message("/dev/florp"),
        "Invalid network interface: /dev/florp"
    );
}

fn from_json(value: Value) -> Result<Interface, crate::bind::BindError> {
    crate::bind::from_value(&value)
}

#[test]
fn accepts_the_object_form() {
    let got = from_json(json!({ "address": "::1", "portNumber": 8443 })).unwrap();
    assert_eq!(got.to_string(), "[::1]:8443");
    let got = from_json(json!({ "address": "*", "portNumber": 80.0 })).unwrap();
    assert_eq!(got.to_string(), "*:80");
    let got = from_json(json!({ "fd": 3 })).unwrap();
    assert_eq!(got, Interface::Fd { fd: 3, port: None });
    let got = from_json(json!({ "fd": 4, "portNumber": 443, "address": null })).unwrap();
    assert_eq!(got.to_string(), "/dev/fd/4:443");
    assert_eq!(from_json(json!("*:8080")).unwrap().to_string(), "*:8080");
}

#[test]
fn rejects_bad_object_forms() {
    let message = |value: Value| from_json(value).unwrap_err().to_string();
    assert_eq!(
        message(json!({ "portNumber": 80 })),
        "Must pass one of `address` or `fd`."
    );
    assert_eq!(
        message(json!({ "address": "*", "fd": 3, "portNumber": 80 })),
        "Must pass only one of `address` or `fd`."
    );
    assert_eq!(
        message(json!({ "address": "localhost" })),
        "Must pass `portNumber` when using `address`."
    );
    assert_eq!(
        message(json!({ "address": "*", "portNumber": 0 })),
        "Not a port number: 0"
    );
    assert!(message(json!({ "address": "*", "portNumber": "80" })).contains("portNumber"));
    assert!(message(json!({ "address": "*", "portNumber": 80.5 })).contains("portNumber"));
    assert!(message(json!({ "fd": -1 })).contains("fd"));
    assert!(message(json!({ "fd": 65536 })).contains("65536"));
    assert!(message(json!({ "address": "0.0.0.0", "portNumber": 1 })).contains("use `*`"));
    let extra = message(json!({ "address": "*", "portNumber": 1, "backlog": 5 }));
    assert!(extra.contains("Extra property: `backlog`"), "{extra}");
    assert!(from_json(json!(8080)).is_err());
    assert!(from_json(json!(null)).is_err());
}

//! Tests of IP address parsing and canonical text.

use super::*;

fn canon(text: &str) -> Option<String> {
    canonicalize_ip(text)
}

#[test]
fn canonicalizes_ipv4_with_decimal_leading_zeros() {
    for (input, want) in [
        ("010.0.0.1", "10.0.0.1"),
        ("10.02.0.1", "10.2.0.1"),
        ("10.0.004.1", "10.0.4.1"),
        ("123.0.0.009", "123.0.0.9"),
        ("123.0.009.1", "123.0.9.1"),
        ("127.000.0.1", "127.0.0.1"),
    ] {
        assert_eq!(canon(input).as_deref(), Some(want), "{input}");
    }
}

#[test]
fn canonicalizes_ipv6_like_the_reference() {
    for (input, want) in [
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
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7::"),
    ] {
        assert_eq!(canon(input).as_deref(), Some(want), "{input}");
    }
}

#[test]
fn rejects_any_addresses() {
    for input in [
        "::",
        "[::]",
        "0::",
        "0:0:0:0:0:0:0:0",
        "0.0.0.0",
        "000.000.000.000",
    ] {
        assert_eq!(canon(input), None, "{input}");
        assert!(is_any_address(input), "{input}");
    }
    assert!(!is_any_address("::1"));
}

#[test]
fn rejects_text_that_is_not_an_ip_address() {
    for input in [
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
        "64:ff9b::1.2.3.4",
        "::1.2.3.4",
        "::ffff:0.0.0.0",
        "1.2.3.4::",
        "1:2",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5::6:7:8",
        "123",
        "1.234",
        "1.23.45",
        ":1:2:3:4:5:6:7",
        "",
        "ab",
    ] {
        assert_eq!(canon(input), None, "{input}");
    }
}

#[test]
fn parsed_addresses_are_the_real_ones() {
    assert_eq!(
        parse_ip("010.0.0.1"),
        Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
    );
    assert_eq!(parse_ip("[::1]"), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    assert_eq!(
        parse_ip("::ffff:1.2.3.4"),
        Some(IpAddr::V6(Ipv4Addr::new(1, 2, 3, 4).to_ipv6_mapped()))
    );
}

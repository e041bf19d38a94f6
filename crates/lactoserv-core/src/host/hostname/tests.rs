//! Tests of hostname syntax, paths and wildcard coverage.

use super::*;

fn longest_name() -> String {
    format!("{}vwxyz.com", "florp.".repeat(41))
}

#[test]
fn accepts_names_and_addresses_with_or_without_wildcard_permission() {
    let label = "x".repeat(63);
    let two_labels = format!("{label}.{label}");
    let longest = longest_name();
    for (input, want) in [
        ("a", "a"),
        ("abc.boop", "abc.boop"),
        ("floop.a", "floop.a"),
        ("foo.bar.baz.biff", "foo.bar.baz.biff"),
        ("123.bar", "123.bar"),
        ("foo.0123456789.bar", "foo.0123456789.bar"),
        (
            "ABC.DEF.GHI.JKL.MNO.PQR.STU.VWX.YZ",
            "abc.def.ghi.jkl.mno.pqr.stu.vwx.yz",
        ),
        ("foo-bar.biff-baz", "foo-bar.biff-baz"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        (label.as_str(), label.as_str()),
        (two_labels.as_str(), two_labels.as_str()),
        (longest.as_str(), longest.as_str()),
    ] {
        assert_eq!(
            Hostname::parse_name(input).unwrap().as_str(),
            want,
            "{input}"
        );
        assert_eq!(
            Hostname::parse_pattern(input).unwrap().as_str(),
            want,
            "{input}"
        );
    }
}

#[test]
fn accepts_wildcards_only_in_patterns() {
    for input in [
        "*",
        "*.a",
        "*.foo.bar",
        "*.beep.boop.blork",
        "*.EXAMPLE.com",
    ] {
        let pattern = Hostname::parse_pattern(input).unwrap();
        assert!(pattern.is_wildcard());
        assert_eq!(pattern.as_str(), input.to_ascii_lowercase());
        assert_eq!(
            Hostname::parse_name(input).unwrap_err(),
            HostnameError::Wildcard(input.to_owned())
        );
    }
}

#[test]
fn rejects_invalid_hostnames() {
    let too_long_label = format!("m{}", "x".repeat(63));
    let too_long_name = format!("m{}", longest_name());
    let mut inputs = vec![
        "",
        "foo.-foo",
        "foo-.foo",
        "foo.*.bar",
        "foo.*",
        "*foo",
        "*foo.bar",
        "*.123.4.5.6",
        "*.1.234.5",
        "*.12.34",
        "*.100",
        "*::",
        "*::1234",
        "*:a:b::c:d",
        "foo.b$r",
        "foo.b_r",
        "foo..bar",
        ".foo.bar",
        "foo.bar.",
        "foo.bar:123",
        "127.0.0.1:8443",
        "[12::34]:80",
        "0.0.0.0",
        "::",
        "123",
        "1.234",
        "1.23.45",
        "1:2",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5::6:7:8",
        "bücher.de",
        "*.",
        "**",
    ];
    inputs.push(&too_long_label);
    inputs.push(&too_long_name);
    for input in inputs {
        assert_eq!(
            Hostname::parse_pattern(input).unwrap_err(),
            HostnameError::Invalid(input.to_owned()),
            "{input}"
        );
        assert!(Hostname::parse_name(input).is_err(), "{input}");
    }
}

#[test]
fn paths_are_reversed_labels_without_the_wildcard() {
    let path = |text: &str| {
        let hostname = Hostname::parse_pattern(text).unwrap();
        hostname
            .path()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(path("foo.Example.com"), ["com", "example", "foo"]);
    assert_eq!(path("*.example.com"), ["com", "example"]);
    assert_eq!(path("*"), Vec::<String>::new());
    assert_eq!(path("[0::1]"), ["::1"]);
    assert_eq!(path("*.ZONK"), ["zonk"]);
    assert_eq!(path("123.com"), ["com", "123"]);
    assert_eq!(path("127.0.0.1"), ["127.0.0.1"]);
    assert_eq!(path("0034::0:0:00ab:cd"), ["34::ab:cd"]);
}

#[test]
fn wildcard_patterns_have_no_length_limit() {
    // As in the reference, whose length look-ahead stops at the `*`.
    let base = format!("{}com", "abc.".repeat(70));
    let pattern = format!("*.{base}");
    assert!(base.len() > 255);
    assert_eq!(Hostname::parse_pattern(&pattern).unwrap().as_str(), pattern);
    assert_eq!(
        Hostname::parse_name(&pattern).unwrap_err(),
        HostnameError::Wildcard(pattern.clone())
    );
    assert_eq!(
        Hostname::parse_pattern(&base).unwrap_err(),
        HostnameError::Invalid(base.clone())
    );
}

#[test]
fn wildcards_cover_their_base_at_any_depth() {
    let pattern = Hostname::parse_pattern("*.example.com").unwrap();
    for name in [
        "example.com",
        "a.example.com",
        "a.b.example.com",
        "A.EXAMPLE.COM",
    ] {
        assert!(
            pattern.matches(&Hostname::parse_name(name).unwrap()),
            "{name}"
        );
    }
    for name in [
        "com",
        "other.com",
        "example.com.evil",
        "xexample.com",
        "127.0.0.1",
    ] {
        assert!(
            !pattern.matches(&Hostname::parse_name(name).unwrap()),
            "{name}"
        );
    }
    let any = Hostname::any();
    assert!(any.matches(&Hostname::parse_name("10.0.0.2").unwrap()));
    assert!(any.matches(&Hostname::parse_name("123::abc").unwrap()));
}

#[test]
fn deserializes_one_or_many_and_names_the_bad_element() {
    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "deserialize_list")]
        hostnames: Vec<Hostname>,
    }
    let one: Holder = serde_json::from_str(r#"{"hostnames": "Foo.com"}"#).unwrap();
    assert_eq!(one.hostnames, [Hostname::parse_name("foo.com").unwrap()]);
    let value = serde_json::json!({"hostnames": ["a.com", "bad_name"]});
    let err = crate::bind::from_value::<Holder>(&value).unwrap_err();
    assert_eq!(err.field, "hostnames[1]");
    assert_eq!(err.message, "Not a valid hostname: bad_name");
    let err = crate::bind::from_value::<Holder>(&serde_json::json!({"hostnames": 12}));
    assert!(err.is_err());
}

//! Tests of host configs, hostname lookup and endpoint subsets.

use serde_json::{Value, json};

use super::*;
use crate::bind::from_value;

const CERT: &str =
    "-----BEGIN CERTIFICATE-----\nABCDEFG+/abcdefg1234567890=\n-----END CERTIFICATE-----\n";
const KEY: &str =
    "-----BEGIN PRIVATE KEY-----\nABCDEFG+/abcdefg1234567890=\n-----END PRIVATE KEY-----\n";

fn host(value: Value) -> Result<HostConfig, BindError> {
    let mut config: HostConfig = from_value(&value)?;
    config.validate()?;
    Ok(config)
}

fn self_signed(hostnames: &[&str]) -> HostConfig {
    host(json!({ "hostnames": hostnames, "selfSigned": true })).unwrap()
}

fn names(host: &HostConfig) -> Vec<&str> {
    host.hostnames.iter().map(Hostname::as_str).collect()
}

#[test]
fn accepts_minimal_self_signed_host() {
    let config = host(json!({ "hostnames": "*", "selfSigned": true })).unwrap();
    assert_eq!(names(&config), ["*"]);
    assert!(config.self_signed);
    assert_eq!(config.certificate, None);
}

#[test]
fn accepts_certificate_and_key_as_text_or_bytes() {
    let config = host(json!({
        "hostnames": ["Localhost", "*.LOCALHOST", "[0:0::1]"],
        "certificate": CERT,
        "privateKey": { "$bytes": base64_of(KEY) },
    }))
    .unwrap();
    assert_eq!(names(&config), ["localhost", "*.localhost", "::1"]);
    assert_eq!(config.certificate_pem(), Some(CERT));
    assert_eq!(config.private_key, Some(Blob::Text(KEY.to_owned())));
    assert!(!config.self_signed);
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn requires_exactly_one_certificate_source() {
    let err = host(json!({ "hostnames": "a.com" })).unwrap_err();
    assert_eq!(err.field, "certificate");
    assert!(
        err.message
            .starts_with("Need either `certificate` and `privateKey`"),
        "{err}"
    );

    let err = host(json!({ "hostnames": "a.com", "certificate": CERT })).unwrap_err();
    assert_eq!(err.field, "privateKey");
    let err = host(json!({ "hostnames": "a.com", "privateKey": KEY, "selfSigned": false }));
    assert_eq!(err.unwrap_err().field, "certificate");

    let err = host(json!({ "hostnames": "a.com", "certificate": CERT, "selfSigned": true }));
    let err = err.unwrap_err();
    assert_eq!(err.field, "certificate");
    assert_eq!(
        err.message,
        "Cannot use `certificate` with `selfSigned: true`."
    );
    let err = host(json!({ "hostnames": "a.com", "privateKey": KEY, "selfSigned": true }));
    assert_eq!(err.unwrap_err().field, "privateKey");

    let ok = host(json!({ "hostnames": "a.com", "certificate": null, "selfSigned": true }));
    assert!(ok.is_ok());
}

#[test]
fn rejects_text_that_is_not_pem_shaped() {
    let err = host(json!({ "hostnames": "a", "certificate": "florp\n", "privateKey": KEY }));
    let err = err.unwrap_err();
    assert_eq!(err.field, "certificate");
    assert!(err.message.contains("PEM certificate chain"), "{err}");

    let err = host(json!({ "hostnames": "a", "certificate": CERT, "privateKey": CERT }));
    assert_eq!(err.unwrap_err().field, "privateKey");

    let err =
        host(json!({ "hostnames": "a", "certificate": {"$bytes": "/w=="}, "privateKey": KEY }));
    let err = err.unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.message.as_str()),
        ("certificate", "Must be UTF-8 text (PEM).")
    );
}

#[test]
fn rejects_bad_hostnames_and_bindings() {
    let err = host(json!({ "hostnames": ["a.com", "foo.*"], "selfSigned": true })).unwrap_err();
    assert_eq!(err.field, "hostnames[1]");
    assert_eq!(err.message, "Not a valid hostname: foo.*");

    let err = host(json!({ "hostnames": [], "selfSigned": true })).unwrap_err();
    assert_eq!(err.field, "hostnames");

    let err = host(json!({ "selfSigned": true })).unwrap_err();
    assert_eq!(err.message, "Missing required property: `hostnames`");
    let err = host(json!({ "hostnames": "a", "selfSigned": "true" })).unwrap_err();
    assert_eq!(err.field, "selfSigned");
    let err = host(json!({ "hostnames": "a", "selfSigned": true, "dispatchLogging": true }));
    assert!(
        err.unwrap_err()
            .message
            .starts_with("Extra property: `dispatchLogging`")
    );
}

#[test]
fn display_name_follows_the_reference() {
    assert_eq!(self_signed(&["*"]).display_name(), "_star_");
    assert_eq!(
        self_signed(&["*.foo.com", "bar.com", "10.0.0.1"]).display_name(),
        "_star_.foo.com+2"
    );
    assert_eq!(self_signed(&["Localhost"]).display_name(), "localhost");
}

#[test]
fn host_map_rejects_duplicate_hostnames() {
    let hosts = [
        self_signed(&["a.com", "*.a.com"]),
        self_signed(&["b.com", "A.COM"]),
    ];
    let err = host_map(&hosts).unwrap_err();
    assert_eq!(
        (err.first, err.host, err.field.as_str()),
        (0, 1, "hostnames[1]")
    );
    assert_eq!(
        err.to_bind_error().to_string(),
        "`hostnames[1]`: Duplicate hostname: a.com"
    );

    let within = [self_signed(&["::1", "[0::1]"])];
    assert_eq!(host_map(&within).unwrap_err().host, 0);

    let distinct = [self_signed(&["a.com"]), self_signed(&["*.a.com", "*"])];
    assert_eq!(host_map(&distinct).unwrap().iter().count(), 3);
}

/// Runs lookups over hosts with one numbered hostname list each.
fn lookup(hosts: &[&[&str]], query: &str) -> Option<usize> {
    let hosts: Vec<HostConfig> = hosts.iter().map(|names| self_signed(names)).collect();
    find_host(&hosts, query).map(|found| hosts.iter().position(|h| h == found).unwrap())
}

#[test]
fn find_host_prefers_exact_then_longest_wildcard() {
    let hosts: &[&[&str]] = &[&["*.zonk"], &["beep.zonk"], &["*.x.y.z.zonk"], &["zorch"]];
    for query in ["zonk", "bonk.zonk", "a.b.c.zonk", "blorp.beep.zonk"] {
        assert_eq!(lookup(hosts, query), Some(0), "{query}");
    }
    assert_eq!(lookup(hosts, "beep.zonk"), Some(1));
    assert_eq!(lookup(hosts, "x.y.z.zonk"), Some(2));
    assert_eq!(lookup(hosts, "abc.x.y.z.zonk"), Some(2));
    assert_eq!(lookup(hosts, "zorch"), Some(3));
    assert_eq!(lookup(hosts, "florp"), None);

    let hosts: &[&[&str]] = &[&["splat", "*.splat", "*"], &["ZORCH.splat"]];
    assert_eq!(lookup(hosts, "zorCH.splAT"), Some(1));
    let hosts: &[&[&str]] = &[&["zorch.splat"]];
    assert_eq!(lookup(hosts, "foo.zorch.splat"), None);
}

#[test]
fn find_host_matches_addresses_only_exactly_or_by_star() {
    let hosts: &[&[&str]] = &[&["127.0.0.1"], &["127.0.0.2"], &["0034::0:0:00ab:cd"]];
    assert_eq!(lookup(hosts, "127.0.0.1"), Some(0));
    assert_eq!(lookup(hosts, "127.000.0.2"), Some(1));
    assert_eq!(lookup(hosts, "[34::ab:cd]"), Some(2));
    assert_eq!(lookup(hosts, "10.0.0.1"), None);

    let hosts: &[&[&str]] = &[&["*"], &["zorch"]];
    for query in ["florp", "10.0.0.2", "123::abc"] {
        assert_eq!(lookup(hosts, query), Some(0), "{query}");
    }
    assert_eq!(lookup(hosts, "zorch"), Some(1));
}

#[test]
fn find_host_gives_nothing_for_invalid_or_wildcard_queries() {
    let hosts: &[&[&str]] = &[&["*"]];
    for query in ["bad_name", "*.foo.com", "*", "", "0.0.0.0"] {
        assert_eq!(lookup(hosts, query), None, "{query}");
    }
}

#[test]
fn sni_selection_matches_observed_reference_tls4() {
    let hosts: &[&[&str]] = &[&["localhost", "*.localhost"], &["*", "127.0.0.1", "::1"]];
    for sni in ["localhost", "LOCALHOST", "foo.localhost", "a.b.localhost"] {
        assert_eq!(lookup(hosts, sni), Some(0), "{sni}");
    }
    for sni in ["example.com", "127.0.0.1"] {
        assert_eq!(lookup(hosts, sni), Some(1), "{sni}");
    }
    let configs: Vec<HostConfig> = hosts.iter().map(|n| self_signed(n)).collect();
    let map = host_map(&configs).unwrap();
    assert_eq!(map.default_value(), Some(&1));
}

fn patterns(texts: &[&str]) -> Vec<Hostname> {
    texts
        .iter()
        .map(|t| Hostname::parse_pattern(t).unwrap())
        .collect()
}

#[test]
fn subsets_follow_endpoint_hostnames_tls5() {
    let hosts = [
        self_signed(&["10.0.0.1", "Example.COM"]),
        self_signed(&["*.example.com"]),
    ];
    let all = host_map(&hosts).unwrap();
    assert_eq!(all.default_value(), None);
    assert_eq!(all.find("www.example.com"), Some(&1));
    assert_eq!(all.find("EXAMPLE.com"), Some(&0));

    let star = all.subset(&patterns(&["*"])).unwrap();
    assert_eq!(star.iter().count(), 3);

    let narrow = all
        .subset(&patterns(&["a.example.com", "10.0.0.1"]))
        .unwrap();
    assert_eq!(narrow.find("a.example.com"), Some(&1));
    assert_eq!(narrow.find("10.0.0.1"), Some(&0));
    for sni in ["b.example.com", "www.example.com", "example.com"] {
        assert_eq!(narrow.find(sni), None, "{sni}");
    }
    assert_eq!(narrow.default_value(), None);

    let under = all.subset(&patterns(&["*.example.com"])).unwrap();
    let keys: Vec<&str> = under.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["example.com", "*.example.com"]);
}

#[test]
fn subset_fails_for_a_hostname_nothing_covers() {
    let hosts = [self_signed(&["localhost", "*.localhost"])];
    let all = host_map(&hosts).unwrap();
    let err = all
        .subset(&patterns(&["localhost", "other.com"]))
        .unwrap_err();
    assert_eq!(err.field, "hostnames[1]");
    assert_eq!(err.message, "No bindings found for hostname: other.com");
    assert!(all.subset(&patterns(&["*.org"])).is_err());
    assert!(all.subset(&patterns(&["*"])).is_ok());

    let only = all.subset(&patterns(&["localhost"])).unwrap();
    assert_eq!(only.find("localhost"), Some(&0));
    assert_eq!(only.find("foo.localhost"), None);
}

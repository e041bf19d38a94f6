//! Tests of the `acme` bindings.

use serde_json::{Value, json};

use super::super::HostConfig;
use super::*;
use crate::bind::from_value;

const ROOT: &str =
    "-----BEGIN CERTIFICATE-----\nABCDEFG+/abcdefg1234567890=\n-----END CERTIFICATE-----\n";

fn host(value: Value) -> Result<HostConfig, BindError> {
    let mut config: HostConfig = from_value(&value)?;
    config.validate()?;
    Ok(config)
}

/// A host for `example.com` with `acme` bindings `extra` added to the
/// least a host needs.
fn acme(extra: Value) -> Result<HostConfig, BindError> {
    let mut bindings = json!({
        "acceptTerms": true,
        "challenge": "http-01",
        "storeDirectory": "/var/lib/lactoserv/acme",
    });
    for (key, value) in extra.as_object().unwrap() {
        bindings[key] = value.clone();
    }
    host(json!({ "hostnames": ["example.com", "www.example.com"], "acme": bindings }))
}

fn error(result: Result<HostConfig, BindError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn accepts_a_minimal_acme_host_for_lets_encrypt() {
    let config = acme(json!({})).unwrap();
    let acme = config.acme.unwrap();
    assert_eq!(acme.directory(), LETS_ENCRYPT);
    assert_eq!(acme.challenge, Challenge::Http01);
    assert_eq!(acme.contact_email, None);
}

#[test]
fn names_the_staging_directory_and_takes_any_https_directory() {
    let staging = acme(json!({ "directoryUrl": "letsencrypt-staging" })).unwrap();
    assert_eq!(staging.acme.unwrap().directory(), LETS_ENCRYPT_STAGING);
    let own = acme(json!({
        "directoryUrl": "https://127.0.0.1:14000/dir",
        "directoryCertificate": ROOT,
        "challenge": "tls-alpn-01",
        "contactEmail": "ops@example.com",
    }))
    .unwrap()
    .acme
    .unwrap();
    assert_eq!(own.directory(), "https://127.0.0.1:14000/dir");
    assert_eq!(own.challenge, Challenge::TlsAlpn01);
    assert_eq!(own.directory_certificate, Some(Blob::Text(ROOT.to_owned())));
}

#[test]
fn refuses_wildcards_and_addresses_which_need_other_challenges() {
    for name in ["*.example.com", "*", "127.0.0.1"] {
        let result = host(json!({
            "hostnames": [name],
            "acme": { "acceptTerms": true, "challenge": "http-01", "storeDirectory": "/acme" }
        }));
        let message = error(result);
        assert!(message.starts_with("`hostnames`"), "{message}");
        assert!(message.contains(name), "{message}");
    }
    let message = error(host(json!({
        "hostnames": ["*.example.com"],
        "acme": { "acceptTerms": true, "challenge": "http-01", "storeDirectory": "/acme" }
    })));
    assert!(message.contains("DNS-01"), "{message}");
}

#[test]
fn refuses_bad_bindings_naming_each() {
    let cases = [
        (json!({ "acceptTerms": false }), "acme.acceptTerms"),
        (
            json!({ "directoryUrl": "http://example.com/dir" }),
            "acme.directoryUrl",
        ),
        (
            json!({ "directoryUrl": "letsencrypt" }),
            "acme.directoryUrl",
        ),
        (json!({ "contactEmail": "ops" }), "acme.contactEmail"),
        (
            json!({ "contactEmail": "mailto:ops@example.com" }),
            "acme.contactEmail",
        ),
        (json!({ "storeDirectory": "acme" }), "acme.storeDirectory"),
        (
            json!({ "directoryCertificate": "not PEM" }),
            "acme.directoryCertificate",
        ),
    ];
    for (extra, field) in cases {
        let message = error(acme(extra.clone()));
        assert!(
            message.starts_with(&format!("`{field}`")),
            "{extra}: {message}"
        );
    }
    for (extra, what) in [
        (json!({ "challenge": "dns-01" }), "dns-01"),
        (json!({ "renew": true }), "renew"),
    ] {
        let message = error(acme(extra));
        assert!(message.contains(what), "{message}");
    }
}

#[test]
fn acme_excludes_the_other_certificate_sources() {
    let bindings =
        json!({ "acceptTerms": true, "challenge": "http-01", "storeDirectory": "/acme" });
    for (other, field) in [
        (json!({ "selfSigned": true }), "selfSigned"),
        (json!({ "certificate": ROOT }), "certificate"),
    ] {
        let mut value = json!({ "hostnames": "example.com", "acme": bindings });
        for (key, v) in other.as_object().unwrap() {
            value[key] = v.clone();
        }
        let message = error(host(value));
        assert!(
            message.starts_with(&format!("`{field}`: Cannot use `{field}` with `acme`")),
            "{message}"
        );
    }
}

#[test]
fn http_01_is_answered_by_the_endpoints_serving_the_host() {
    let http_01 = acme(json!({})).unwrap();
    let alpn = acme(json!({ "challenge": "tls-alpn-01" })).unwrap();
    let names = |names: &[&str]| -> Vec<Hostname> {
        names
            .iter()
            .map(|name| Hostname::parse_pattern(name).unwrap())
            .collect()
    };
    let answers = crate::host::tls::TlsHosts::answers_http_01;
    assert!(answers(&[&http_01], &names(&["*"])));
    assert!(answers(&[&http_01], &names(&["*.example.com"])));
    assert!(answers(
        &[&http_01],
        &names(&["other.org", "www.example.com"])
    ));
    assert!(!answers(
        &[&http_01],
        &names(&["other.org", "*.example.org"])
    ));
    // A host proved with tls-alpn-01 needs no http-01 answers.
    assert!(!answers(&[&alpn], &names(&["*"])));
}

//! Redirector: answers every request with a redirect to a fixed base URL
//! plus the remaining path (Lactoserv `webapp-builtins/export/Redirector.js`;
//! spec 03 §4.5).
//!
//! The target is checked here ([`check_basic_uri`], Lactoserv
//! `UriUtil.mustBeBasicUri`), since at request time it is only glued to the
//! path. Unlike the reference, `statusCode` must be an integer (spec 03
//! RED-4: a fraction would fail every request).

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;

use http::StatusCode;
use lactoserv_core::app::AppRef;
use lactoserv_core::component::ApplicationConfig;

use lactoserv_core::host::ip::parse_ip;
use running::Redirector;
pub(crate) use running::redirect;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::support::cache_control::{self, CacheControl};

/// The redirect status when none is given.
const DEFAULT_STATUS: u16 = 308;

/// The checked configuration of a Redirector.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RedirectorConfig {
    /// The base URL: absolute, `http` or `https`, ending in `/`.
    #[serde(deserialize_with = "deserialize_target")]
    pub(crate) target: String,
    /// The redirect status, 300…399.
    #[serde(default = "default_status", deserialize_with = "status_or_default")]
    pub(crate) status_code: u16,
    /// The automatic `Cache-Control` value, if any.
    #[serde(default, deserialize_with = "cache_control::deserialize")]
    pub(crate) cache_control: Option<CacheControl>,
}

impl ApplicationConfig for RedirectorConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if (300..=399).contains(&self.status_code) {
            Ok(())
        } else {
            Err(BindError::new(
                "statusCode",
                format!(
                    "Must be an integer from 300 to 399; got: {}",
                    self.status_code
                ),
            ))
        }
    }

    fn build(&self) -> Result<AppRef, BindError> {
        let status = StatusCode::from_u16(self.status_code)
            .map_err(|err| BindError::new("statusCode", err.to_string()))?;
        let cache_control = cache_control::header_value(self.cache_control.as_ref())?;
        Ok(Arc::new(Redirector::new(
            &self.target,
            status,
            cache_control,
        )))
    }
}

fn default_status() -> u16 {
    DEFAULT_STATUS
}

fn status_or_default<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    Ok(Option::<u16>::deserialize(deserializer)?.unwrap_or(DEFAULT_STATUS))
}

fn deserialize_target<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let target = String::deserialize(deserializer)?;
    check_basic_uri(&target).map_err(de::Error::custom)?;
    Ok(target)
}

/// Checks that `uri` is a "basic absolute URI" (spec 03 RED-1): `http://` or
/// `https://`, a host (and optional port) with no user info, then a path
/// that ends in `/`, has no empty, `.` or `..` segments, and needs no
/// percent-encoding; no query or fragment.
///
/// The reference checks the path by letting Node's URL parser normalize it
/// and comparing. This accepts the same paths, but holds the host to plain
/// ASCII (names, IPv4, bracketed IPv6): the reference's parser would also
/// take hosts such as `café.com` or `@foo`, which make no sense in a
/// `Location` header.
pub(crate) fn check_basic_uri(uri: &str) -> Result<(), String> {
    let pattern_error = || {
        "Must be of type `string` and match: \
         ^(http|https):[/][/](?![/])(?!.*[/][.]{0,2}[/]).*/$"
            .to_owned()
    };
    let rest = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))
        .ok_or_else(pattern_error)?;
    let has_bad_segment = ["//", "/./", "/../"].iter().any(|s| rest.contains(s));
    if rest.starts_with('/') || !rest.ends_with('/') || has_bad_segment {
        return Err(pattern_error());
    }
    let basic_error = || "Must be a basic absolute URI.".to_owned();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if !is_basic_authority(authority) || !path.bytes().all(is_verbatim_path_byte) {
        return Err(basic_error());
    }
    Ok(())
}

/// Whether `authority` is `host[:port]` with a plain host: a bracketed
/// IPv6 address, or letters, digits and the characters URL parsing keeps in
/// a host name.
fn is_basic_authority(authority: &str) -> bool {
    let (host_ok, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((inside, after)) = bracketed.split_once(']') else {
            return false;
        };
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return false,
        };
        (inside.contains(':') && parse_ip(inside).is_some(), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_byte = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b);
        (!host.is_empty() && host.bytes().all(host_byte), port)
    };
    // An empty port (`http://x:/`) means the default one, as in URL parsing.
    let port_ok = port.is_none_or(|p| {
        p.bytes().all(|b| b.is_ascii_digit()) && (p.is_empty() || p.parse::<u16>().is_ok())
    });
    host_ok && port_ok
}

/// Whether URL parsing keeps `b` as is in a path: printable ASCII other than
/// space, `"`, `<`, `>`, `\`, `` ` ``, `{`, `}` (which it would encode or
/// rewrite), `?` and `#` (which would end the path).
fn is_verbatim_path_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !b"\"<>\\`{}?#".contains(&b)
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn build(config: Value) -> Result<RedirectorConfig, BindError> {
        let mut config: RedirectorConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_target_alone_with_defaults() {
        let config = build(json!({ "target": "https://florp.zorp/" })).unwrap();
        assert_eq!(config.target, "https://florp.zorp/");
        assert_eq!(config.status_code, 308);
        assert_eq!(config.cache_control, None);
        let config = build(json!({ "target": "https://florp.zorp/", "statusCode": null })).unwrap();
        assert_eq!(config.status_code, 308);
    }

    #[test]
    fn accepts_status_and_cache_control() {
        let config = build(json!({
            "target": "http://other.example:8000/",
            "statusCode": 302,
            "cacheControl": { "noStore": true },
        }))
        .unwrap();
        assert_eq!(config.status_code, 302);
        assert_eq!(config.cache_control.unwrap().as_str(), "no-store");
    }

    #[test]
    fn rejects_statuses_outside_3xx_and_fractions() {
        for status in [
            json!(299),
            json!(400),
            json!(200),
            json!(301.5),
            json!("301"),
            json!(-1),
        ] {
            let err = build(json!({ "target": "http://foo/", "statusCode": status.clone() }))
                .unwrap_err();
            assert_eq!(err.field, "statusCode", "{status}");
        }
        for status in [300, 301, 307, 399] {
            assert!(build(json!({ "target": "http://foo/", "statusCode": status })).is_ok());
        }
    }

    #[test]
    fn rejects_acceptmethods_and_other_extra_bindings() {
        let err = build(json!({ "target": "http://foo/", "acceptMethods": ["get"] })).unwrap_err();
        assert!(
            err.message.starts_with("Extra property: `acceptMethods`"),
            "{err}"
        );
        assert!(build(json!({})).is_err());
    }

    #[test]
    fn accepts_basic_uris() {
        for uri in [
            "http://foo/",
            "http://foo.bar/",
            "https://foo.bar/baz/",
            "https://foo.bar/b%20az/",
            "http://x.y:8080/",
            "http://X.Y/",
            "http://[::1]:8443/a/",
            "https://example.com/a:b@c;d=e,f!g$h&i'j(k)l*m+n~o|p^q[r]s/",
        ] {
            assert_eq!(check_basic_uri(uri), Ok(()), "{uri}");
        }
    }

    #[test]
    fn rejects_other_uris() {
        for uri in [
            "ftp://foo/bar/",
            "https:foo/bar/",
            "https:/foo/bar/",
            "https:///foo/bar/",
            "https://foo/bar",
            "https://foo//bar/",
            "https://foo/bar//",
            "https://foo///bar/",
            "http://foo/./bar/",
            "http://foo/../bar/",
            "http://foo/bar?x=123/",
            "http://foo/bar#123/",
            "http://foo/b ar/",
            "https://user@foo/bar/",
            "https://user:pass@foo/bar/",
            "https://foo .bar/",
            "HTTP://X.Y/",
            "http://foo?x/",
            "http://foo:99999/",
            "http://foo:+80/",
            "http://café.com/",
            "http://foo/a\\b/",
            "http://foo/a{b}/",
            "http://foo/a\nb/",
        ] {
            assert!(check_basic_uri(uri).is_err(), "{uri:?}");
        }
        for target in [json!(123), json!(null), json!(["http://foo/"])] {
            assert!(
                build(json!({ "target": target.clone() })).is_err(),
                "{target}"
            );
        }
    }
}

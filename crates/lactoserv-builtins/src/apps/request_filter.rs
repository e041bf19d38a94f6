//! RequestFilter: rejects or redirects requests by method, path shape, path
//! length or query length, and otherwise declines so that the next
//! application runs (Lactoserv `webapp-builtins/export/RequestFilter.js`;
//! spec 03 §4.7).
//!
//! Two configs the reference accepts are errors here (spec 00-index
//! decision): `acceptMethods: []`, which would filter out every request
//! (`null` means "no method filtering"), and a `filterResponseStatus` that is
//! not 4xx or 5xx, which would fail at send time or make no sense as a
//! rejection.

mod running;

use std::fmt;
use std::str::FromStr;

use std::sync::Arc;

use lactoserv_core::bind::BindError;

use http::StatusCode;
use lactoserv_core::app::AppRef;
use lactoserv_core::component::ApplicationConfig;

use running::{FormRule, RequestFilter};
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::null_as_default;
use crate::support::bindings::OneOrMany;

/// The largest integer a JavaScript number holds exactly; the reference's
/// limit for the three `max*` bindings.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The filtered-out status when none is given.
const DEFAULT_STATUS: u16 = 404;

/// A request method, as the reference names them (lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RequestMethod {
    /// `CONNECT`.
    Connect,
    /// `DELETE`.
    Delete,
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// `OPTIONS`.
    Options,
    /// `PATCH`.
    Patch,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `TRACE`.
    Trace,
}

impl RequestMethod {
    /// Every method, in the reference's order.
    pub(crate) const ALL: [RequestMethod; 9] = [
        Self::Connect,
        Self::Delete,
        Self::Get,
        Self::Head,
        Self::Options,
        Self::Patch,
        Self::Post,
        Self::Put,
        Self::Trace,
    ];

    /// The lower-case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Delete => "delete",
            Self::Get => "get",
            Self::Head => "head",
            Self::Options => "options",
            Self::Patch => "patch",
            Self::Post => "post",
            Self::Put => "put",
            Self::Trace => "trace",
        }
    }
}

impl fmt::Display for RequestMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestMethod {
    type Err = String;

    /// Parses a lower-case name; upper case is rejected, as in the reference.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
                format!("String is not in set [{}]: {name}", all.join(", "))
            })
    }
}

impl<'de> Deserialize<'de> for RequestMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(de::Error::custom)
    }
}

/// The checked configuration of a RequestFilter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RequestFilterConfig {
    /// The methods let through; `None` for all.
    #[serde(default)]
    pub(crate) accept_methods: Option<OneOrMany<RequestMethod>>,
    /// The status of a filtered-out response, 400…599.
    #[serde(default = "default_status", deserialize_with = "status_or_default")]
    pub(crate) filter_response_status: u16,
    /// The most `extra` path components allowed (a final empty one does not
    /// count).
    #[serde(default)]
    pub(crate) max_path_depth: Option<u64>,
    /// The longest `extra` path allowed, as an absolute path string.
    #[serde(default)]
    pub(crate) max_path_length: Option<u64>,
    /// The longest query allowed, counting its `?`.
    #[serde(default)]
    pub(crate) max_query_length: Option<u64>,
    /// Redirect directory-form paths to file form.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) redirect_directories: bool,
    /// Redirect file-form paths to directory form.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) redirect_files: bool,
    /// Filter out directory-form paths.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) reject_directories: bool,
    /// Filter out file-form paths.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) reject_files: bool,
}

impl ApplicationConfig for RequestFilterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self
            .accept_methods
            .as_ref()
            .is_some_and(|methods| methods.0.is_empty())
        {
            return Err(BindError::new(
                "acceptMethods",
                "Must not be empty (it would filter out every request); \
                 use `null` for no method filtering.",
            ));
        }
        if !(400..=599).contains(&self.filter_response_status) {
            return Err(BindError::new(
                "filterResponseStatus",
                format!(
                    "Must be an integer from 400 to 599; got: {}",
                    self.filter_response_status
                ),
            ));
        }
        for (field, value) in [
            ("maxPathDepth", self.max_path_depth),
            ("maxPathLength", self.max_path_length),
            ("maxQueryLength", self.max_query_length),
        ] {
            if value.is_some_and(|v| v > MAX_SAFE_INTEGER) {
                return Err(BindError::new(
                    field,
                    "Must be a safe integer (at most 2^53 - 1).",
                ));
            }
        }
        let flags = [
            self.redirect_directories,
            self.redirect_files,
            self.reject_directories,
            self.reject_files,
        ];
        if flags.iter().filter(|on| **on).count() > 1 {
            return Err(BindError::new(
                "",
                "Cannot configure more than one `redirect*` or `reject*` option as `true`.",
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<AppRef, BindError> {
        let form = match (
            self.reject_directories,
            self.redirect_directories,
            self.reject_files,
            self.redirect_files,
        ) {
            (true, _, _, _) => FormRule::RejectDirectories,
            (_, true, _, _) => FormRule::RedirectDirectories,
            (_, _, true, _) => FormRule::RejectFiles,
            (_, _, _, true) => FormRule::RedirectFiles,
            _ => FormRule::None,
        };
        let methods = self.accept_methods.as_ref().map(|methods| {
            methods
                .0
                .iter()
                .map(|method| {
                    http::Method::from_bytes(method.as_str().to_ascii_uppercase().as_bytes())
                        .expect("a standard method")
                })
                .collect()
        });
        let status = StatusCode::from_u16(self.filter_response_status)
            .map_err(|err| BindError::new("filterResponseStatus", err.to_string()))?;
        Ok(Arc::new(RequestFilter {
            form,
            methods,
            status,
            max_depth: self.max_path_depth,
            max_length: self.max_path_length,
            max_query: self.max_query_length,
        }))
    }
}

fn default_status() -> u16 {
    DEFAULT_STATUS
}

fn status_or_default<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    Ok(Option::<u16>::deserialize(deserializer)?.unwrap_or(DEFAULT_STATUS))
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn build(config: Value) -> Result<RequestFilterConfig, BindError> {
        let mut config: RequestFilterConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_an_empty_config_with_defaults() {
        let config = build(json!({})).unwrap();
        assert_eq!(config.accept_methods, None);
        assert_eq!(config.filter_response_status, 404);
        assert_eq!(
            (
                config.max_path_depth,
                config.max_path_length,
                config.max_query_length
            ),
            (None, None, None)
        );
        assert!(!config.redirect_directories && !config.redirect_files);
        assert!(!config.reject_directories && !config.reject_files);
    }

    #[test]
    fn accepts_the_omnibus_config() {
        let config = build(json!({
            "acceptMethods": ["get"], "filterResponseStatus": 503, "maxPathDepth": 5,
            "maxPathLength": 50, "maxQueryLength": 123, "redirectDirectories": true,
        }))
        .unwrap();
        assert_eq!(
            config.accept_methods,
            Some(OneOrMany(vec![RequestMethod::Get]))
        );
        assert_eq!(config.filter_response_status, 503);
        assert_eq!(config.max_path_depth, Some(5));
        assert!(config.redirect_directories);
    }

    #[test]
    fn accepts_a_lone_method() {
        let config = build(json!({ "acceptMethods": "head" })).unwrap();
        assert_eq!(
            config.accept_methods,
            Some(OneOrMany(vec![RequestMethod::Head]))
        );
    }

    #[test]
    fn rejects_unknown_and_upper_case_methods() {
        for methods in [json!("GET"), json!(["get", "florp"]), json!([1])] {
            let err = build(json!({ "acceptMethods": methods.clone() })).unwrap_err();
            assert!(err.field.starts_with("acceptMethods"), "{methods}: {err}");
        }
        let err = build(json!({ "acceptMethods": ["get", "GET"] })).unwrap_err();
        assert_eq!(err.field, "acceptMethods[1]");
        assert_eq!(
            err.message,
            "String is not in set [connect, delete, get, head, options, patch, post, put, trace]: GET"
        );
    }

    #[test]
    fn rejects_an_empty_method_list() {
        let err = build(json!({ "acceptMethods": [] })).unwrap_err();
        assert_eq!(err.field, "acceptMethods");
    }

    #[test]
    fn filter_status_must_be_4xx_or_5xx() {
        for status in [400, 404, 405, 420, 501, 599] {
            assert!(
                build(json!({ "filterResponseStatus": status })).is_ok(),
                "{status}"
            );
        }
        for status in [
            json!(200),
            json!(302),
            json!(399),
            json!(600),
            json!(99),
            json!(404.5),
            json!("404"),
        ] {
            let err = build(json!({ "filterResponseStatus": status.clone() })).unwrap_err();
            assert_eq!(err.field, "filterResponseStatus", "{status}");
        }
    }

    #[test]
    fn limits_must_be_non_negative_safe_integers() {
        for field in ["maxPathDepth", "maxPathLength", "maxQueryLength"] {
            assert!(build(json!({ field: 0 })).is_ok());
            assert!(build(json!({ field: null })).is_ok());
            for bad in [
                json!(-1),
                json!(1.5),
                json!("5"),
                json!(MAX_SAFE_INTEGER + 1),
            ] {
                let err = build(json!({ field: bad.clone() })).unwrap_err();
                assert_eq!(err.field, field, "{bad}");
            }
        }
    }

    #[test]
    fn allows_at_most_one_redirect_or_reject_flag() {
        let flags = [
            "redirectDirectories",
            "redirectFiles",
            "rejectDirectories",
            "rejectFiles",
        ];
        for flag in flags {
            assert!(build(json!({ flag: true })).is_ok(), "{flag}");
        }
        for (a, b) in [(0, 1), (1, 2), (2, 3), (0, 3)] {
            let err = build(json!({ flags[a]: true, flags[b]: true })).unwrap_err();
            assert!(
                err.message.starts_with("Cannot configure more than one"),
                "{err}"
            );
        }
        let all = json!({ flags[0]: true, flags[1]: true, flags[2]: true, flags[3]: true });
        assert!(build(all).is_err());
    }
}

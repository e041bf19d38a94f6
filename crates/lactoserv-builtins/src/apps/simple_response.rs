//! SimpleResponse: serves one fixed response, from a body given in the
//! config, a file read at start-up, or nothing (Lactoserv
//! `webapp-builtins/export/SimpleResponse.js`; spec 03 §4.9).
//!
//! Differences from the reference's config handling: `body: ''` is a body
//! (an empty 200, as the docs say; spec 00-index decision), and `body` may
//! be given as bytes from any config format (a `Buffer` in JavaScript,
//! `{"$bytes": …}` in JSON).

use lactoserv_core::bind::BindError;
use lactoserv_core::blob::Blob;
use lactoserv_core::component::ApplicationConfig;
use serde::Deserialize;

use crate::support::bindings::AbsolutePath;
use crate::support::cache_control::{self, CacheControl};
use crate::support::content_type;
use crate::support::etag::{self, EtagOptions};

/// The checked configuration of a SimpleResponse.
///
/// After `validate`, `content_type` holds the resolved type (charset added
/// where it applies) whenever there is a body or file, and is `None` for a
/// no-body response.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "read when building the response (a later issue)")
)]
pub(crate) struct SimpleResponseConfig {
    /// The body, as text or bytes.
    #[serde(default)]
    pub(crate) body: Option<Blob>,
    /// A MIME type or `.ext`; see the struct docs.
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    /// A file whose contents are the body, read once at start-up.
    #[serde(default)]
    pub(crate) file_path: Option<AbsolutePath>,
    /// A fixed status, 100…599, which also turns off conditional and range
    /// handling.
    #[serde(default)]
    pub(crate) status_code: Option<u16>,
    /// The automatic `Cache-Control` value, if any.
    #[serde(default, deserialize_with = "cache_control::deserialize")]
    pub(crate) cache_control: Option<CacheControl>,
    /// How to make `ETag`s, if at all.
    #[serde(default, deserialize_with = "etag::deserialize")]
    pub(crate) etag: Option<EtagOptions>,
}

impl ApplicationConfig for SimpleResponseConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if let Some(status) = self.status_code
            && !(100..=599).contains(&status)
        {
            return Err(BindError::new(
                "statusCode",
                format!("Must be an integer from 100 to 599; got: {status}"),
            ));
        }
        let resolve = |given: &str, is_text: bool| {
            content_type::type_from_extension_or_type(given, is_text)
                .map_err(|msg| BindError::new("contentType", msg))
        };
        self.content_type = match (&self.body, &self.file_path, self.content_type.as_deref()) {
            (Some(_), Some(_), _) => {
                return Err(BindError::new(
                    "",
                    "Cannot specify both `body` and `filePath`.",
                ));
            }
            (Some(_), None, None) => {
                return Err(BindError::new(
                    "contentType",
                    "Must specify `contentType` if `body` is used.",
                ));
            }
            // A string body is text whatever its type, so it gets a charset.
            (Some(body), None, Some(given)) => Some(resolve(given, matches!(body, Blob::Text(_)))?),
            (None, Some(path), None) => Some(content_type::type_from_path(path.as_str(), false)),
            (None, Some(_), Some(given)) => Some(resolve(given, false)?),
            (None, None, None) => None,
            (None, None, Some(_)) => {
                return Err(BindError::new(
                    "contentType",
                    "Cannot specify `contentType` on a no-body response.",
                ));
            }
        };
        Ok(())
    }

    fn check_environment(&self) -> Result<(), BindError> {
        let Some(path) = &self.file_path else {
            return Ok(());
        };
        // Following symlinks, as reading the file at start-up will.
        match std::fs::metadata(path.as_path()) {
            Ok(meta) if !meta.is_dir() => Ok(()),
            _ => Err(BindError::new(
                "filePath",
                format!("Not found or not a non-directory file: {path}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn build(config: Value) -> Result<SimpleResponseConfig, BindError> {
        let mut config: SimpleResponseConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    fn content_type_of(config: Value) -> Option<String> {
        build(config.clone())
            .unwrap_or_else(|err| panic!("{config}: {err}"))
            .content_type
    }

    #[test]
    fn accepts_an_empty_config_as_a_no_body_response() {
        let config = build(json!({})).unwrap();
        assert_eq!(config.body, None);
        assert_eq!(config.content_type, None);
        assert_eq!(config.file_path, None);
        assert_eq!(config.status_code, None);
        assert_eq!(config.cache_control, None);
        assert_eq!(config.etag, None);
        assert_eq!(config.check_environment(), Ok(()));
    }

    #[test]
    fn resolves_content_types() {
        let cases = [
            (
                json!({ "body": "Hello body!\n", "contentType": "text/plain" }),
                "text/plain; charset=utf-8",
            ),
            (
                json!({ "body": "<p>x</p>", "contentType": ".html" }),
                "text/html; charset=utf-8",
            ),
            (
                json!({ "body": "{}", "contentType": "application/json" }),
                "application/json; charset=utf-8",
            ),
            (
                json!({ "body": { "$bytes": "YnVmYm9keQ==" }, "contentType": ".bin" }),
                "application/octet-stream",
            ),
            (
                json!({ "body": { "$bytes": "" }, "contentType": "image/png" }),
                "image/png",
            ),
            (
                json!({ "body": "", "contentType": "text/plain" }),
                "text/plain; charset=utf-8",
            ),
            (
                json!({ "filePath": "/x/digits.txt" }),
                "text/plain; charset=utf-8",
            ),
            (json!({ "filePath": "/x/data" }), "application/octet-stream"),
            (
                json!({ "filePath": "/x/data", "contentType": ".json" }),
                "application/json",
            ),
        ];
        for (config, expected) in cases {
            assert_eq!(
                content_type_of(config.clone()).as_deref(),
                Some(expected),
                "{config}"
            );
        }
    }

    #[test]
    fn enforces_the_body_file_and_type_rules() {
        let cases = [
            (json!({ "body": "x" }), "contentType"),
            (json!({ "body": "x", "contentType": "html" }), "contentType"),
            (
                json!({ "body": "x", "contentType": "text/florp" }),
                "contentType",
            ),
            (json!({ "contentType": "text/plain" }), "contentType"),
            (
                json!({ "body": "x", "contentType": ".txt", "filePath": "/x/y.txt" }),
                "",
            ),
            (json!({ "filePath": "etc/hosts" }), "filePath"),
            (json!({ "filePath": "/etc/" }), "filePath"),
            (json!({ "body": 12, "contentType": ".txt" }), "body"),
            (json!({ "etag": false }), "etag"),
            (json!({ "cacheControl": ["x"] }), "cacheControl"),
        ];
        for (config, field) in cases {
            let err = build(config.clone()).unwrap_err();
            assert_eq!(err.field, field, "{config}: {err}");
        }
    }

    #[test]
    fn status_code_is_an_integer_from_100_to_599() {
        for status in [100, 200, 204, 404, 599] {
            let config = build(json!({ "statusCode": status })).unwrap();
            assert_eq!(config.status_code, Some(status));
        }
        for status in [json!(99), json!(600), json!(200.5), json!("200")] {
            let err = build(json!({ "statusCode": status.clone() })).unwrap_err();
            assert_eq!(err.field, "statusCode", "{status}");
        }
    }

    #[test]
    fn accepts_cache_control_and_etag() {
        let config = build(json!({
            "body": "etagged\n", "contentType": "text/plain", "etag": true,
            "cacheControl": { "public": true, "maxAge": "1 min" },
        }))
        .unwrap();
        assert_eq!(config.cache_control.unwrap().as_str(), "public, max-age=60");
        assert_eq!(config.etag, Some(EtagOptions::default()));
    }

    #[test]
    fn file_must_exist_and_not_be_a_directory_at_start() {
        let dir = std::env::temp_dir().canonicalize().unwrap();
        let file = dir.join(format!("simple-response-test-{}.txt", std::process::id()));
        std::fs::write(&file, "digits").unwrap();
        let config = build(json!({ "filePath": file.to_str().unwrap() })).unwrap();
        let result = config.check_environment();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(result, Ok(()));

        let err = config.check_environment().unwrap_err();
        assert_eq!(err.field, "filePath");
        assert!(err.message.ends_with(file.to_str().unwrap()), "{err}");
        let config = build(json!({ "filePath": "/" })).unwrap();
        assert!(config.check_environment().is_err());
    }
}

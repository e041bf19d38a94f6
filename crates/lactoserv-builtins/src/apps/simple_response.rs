//! SimpleResponse: serves one fixed response, from a body given in the
//! config, a file read at start-up, or nothing (Lactoserv
//! `webapp-builtins/export/SimpleResponse.js`; spec 03 §4.9).
//!
//! Differences from the reference's config handling: `body: ''` is a body
//! (an empty 200, as the docs say; spec 00-index decision), and `body` may
//! be given as bytes from any config format (a `Buffer` in JavaScript,
//! `{"$bytes": …}` in JSON).

mod running;

use std::sync::Arc;

use lactoserv_core::app::AppRef;
use lactoserv_core::bind::BindError;
use lactoserv_core::blob::Blob;
use lactoserv_core::component::ApplicationConfig;
use serde::Deserialize;

use running::SimpleResponse;

use crate::support::bindings::AbsolutePath;
use crate::support::cache_control::{self, CacheControl};
use crate::support::compress::{self, Compress};
use crate::support::content_type;
use crate::support::etag::{self, EtagOptions};

/// The checked configuration of a SimpleResponse.
///
/// After `validate`, `content_type` holds the resolved type (charset added
/// where it applies) whenever there is a body or file, and is `None` for a
/// no-body response.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    /// How the body is compressed, if it is (an addition to the
    /// reference; off by default).
    #[serde(default, deserialize_with = "compress::deserialize")]
    pub(crate) compress: Option<Compress>,
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

    fn build(&self) -> Result<AppRef, BindError> {
        Ok(Arc::new(SimpleResponse::new(self)?))
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
mod tests;

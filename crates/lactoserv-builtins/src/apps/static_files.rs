//! StaticFiles: serves the files under a directory, with index files,
//! directory redirects and an optional not-found page (Lactoserv
//! `webapp-builtins/export/StaticFiles.js` and the config checks of
//! `webapp-util/export/StaticFileResponder.js`; spec 03 §4.10).

mod cache;
mod look_up;
mod not_found;
mod path;
mod running;

#[cfg(feature = "fuzzing")]
pub(crate) use path::wanted;
mod shared;
mod watch;

use std::fmt;
use std::sync::Arc;

use lactoserv_core::app::AppRef;
use lactoserv_core::bind::BindError;
use lactoserv_core::component::{ApplicationConfig, Applications};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::{default_true, null_as_default, null_as_true};
use crate::support::bindings::AbsolutePath;
use crate::support::cache_control::{self, CacheControl};
use crate::support::compress::{self, Compress};
use crate::support::etag::{self, EtagOptions};
use running::{StaticFiles, StaticFilesApp};

/// The index file looked for when `indexFile` is not given.
const DEFAULT_INDEX_FILE: &str = "index.html";

/// The checked configuration of a StaticFiles application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StaticFilesConfig {
    /// The directory the files are served from.
    pub(crate) site_directory: AbsolutePath,
    /// The page served (as a 404) for files not found; without it, the
    /// application declines instead.
    #[serde(default)]
    pub(crate) not_found_path: Option<AbsolutePath>,
    /// The names tried, in order, for a directory request; empty for none.
    #[serde(
        default = "default_index_files",
        deserialize_with = "deserialize_index_files"
    )]
    pub(crate) index_file: Vec<String>,
    /// The automatic `Cache-Control` value, if any.
    #[serde(default, deserialize_with = "cache_control::deserialize")]
    pub(crate) cache_control: Option<CacheControl>,
    /// How to make `ETag`s, if at all.
    #[serde(default, deserialize_with = "etag::deserialize")]
    pub(crate) etag: Option<EtagOptions>,
    /// Whether a symlink inside the site directory may lead to a file
    /// outside it (an addition to the reference, which always follows
    /// them; the default keeps its behaviour).
    #[serde(default = "default_true", deserialize_with = "null_as_true")]
    pub(crate) allow_symlinks_outside: bool,
    /// How file bodies are compressed, if they are (an addition to the
    /// reference; off by default).
    #[serde(default, deserialize_with = "compress::deserialize")]
    pub(crate) compress: Option<Compress>,
    /// Whether a precompressed copy beside a file (`x.br`, `x.zst`,
    /// `x.gz`) is served for it to clients that take its coding (an
    /// addition to the reference; off by default).
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) precompressed: bool,
}

impl ApplicationConfig for StaticFilesConfig {
    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        let cache_control = cache_control::header_value(self.cache_control.as_ref())?;
        let counts = applications
            .name()
            .and_then(|name| lactoserv_core::metrics::process().cache(name));
        let files = StaticFiles::new(applications.logger(), self, cache_control, counts)?;
        let files = Arc::new(files);
        files.start_watching();
        Ok(Arc::new(StaticFilesApp(files)))
    }

    fn check_environment(&self) -> Result<(), BindError> {
        // Both follow symlinks, as serving does.
        let dir = &self.site_directory;
        if !dir.as_path().is_dir() {
            return Err(BindError::new(
                "siteDirectory",
                format!("Not found or not a directory: {dir}"),
            ));
        }
        if let Some(page) = &self.not_found_path
            && !page.as_path().is_file()
        {
            return Err(BindError::new(
                "notFoundPath",
                format!("Not found or not a file: {page}"),
            ));
        }
        Ok(())
    }
}

fn default_index_files() -> Vec<String> {
    vec![DEFAULT_INDEX_FILE.to_owned()]
}

/// `indexFile`: a name, a list of names, or `null` (as is `[]`: no index
/// files). Names must not contain `/`; the reference allows `''` and `..`,
/// which can never name a regular file and so are harmless.
fn deserialize_index_files<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(IndexFileVisitor)
}

const BAD_CONTENTS: &str = "Invalid `indexFile` option (bad contents).";
const BAD_TYPE: &str = "Invalid `indexFile` option (bad type).";

struct IndexFileVisitor;

impl IndexFileVisitor {
    fn check<E: de::Error>(name: String) -> Result<String, E> {
        if name.contains('/') {
            Err(E::custom(BAD_CONTENTS))
        } else {
            Ok(name)
        }
    }
}

impl<'de> Visitor<'de> for IndexFileVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a file name, a list of file names, or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(vec![Self::check(name.to_owned())?])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut names = Vec::new();
        while let Some(item) = seq.next_element::<serde_json::Value>()? {
            match item {
                serde_json::Value::String(name) => names.push(Self::check(name)?),
                _ => return Err(de::Error::custom(BAD_CONTENTS)),
            }
        }
        Ok(names)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(E::custom(BAD_TYPE))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(E::custom(BAD_TYPE))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(E::custom(BAD_TYPE))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(BAD_TYPE))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(BAD_TYPE))
    }
}

#[cfg(test)]
mod tests;

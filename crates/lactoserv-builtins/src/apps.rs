//! The built-in applications (Lactoserv `webapp-builtins/export/*.js`), plus
//! the binding helpers their config structs share.
//!
//! Layout:
//! - routers: [`host_router`], [`path_router`], [`serial_router`],
//!   [`suffix_router`];
//! - filters and pass-throughs: [`request_delay`], [`request_filter`],
//!   [`request_rate_limiter`];
//! - leaf responders: [`redirector`], [`simple_response`], [`static_files`].
//!
//! Only configuration lives here so far: each module's `XConfig` struct
//! checks its bindings, names the applications it dispatches to, and checks
//! the files it needs at start-up.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use lactoserv_core::catalog::Catalog;
use lactoserv_core::names::Name;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::Value;

pub(crate) mod host_router;
pub(crate) mod path_router;
pub(crate) mod redirector;
pub(crate) mod request_delay;
pub(crate) mod request_filter;
pub(crate) mod request_rate_limiter;
pub(crate) mod serial_router;
pub(crate) mod simple_response;
pub(crate) mod static_files;
pub(crate) mod suffix_router;

/// Adds every built-in application type to `catalog`.
pub(crate) fn register(catalog: &mut Catalog) {
    catalog
        .add_application::<host_router::HostRouterConfig>("HostRouter")
        .add_application::<path_router::PathRouterConfig>("PathRouter")
        .add_application::<redirector::RedirectorConfig>("Redirector")
        .add_application::<request_delay::RequestDelayConfig>("RequestDelay")
        .add_application::<request_filter::RequestFilterConfig>("RequestFilter")
        .add_application::<request_rate_limiter::RequestRateLimiterConfig>("RequestRateLimiter")
        .add_application::<serial_router::SerialRouterConfig>("SerialRouter")
        .add_application::<simple_response::SimpleResponseConfig>("SimpleResponse")
        .add_application::<static_files::StaticFilesConfig>("StaticFiles")
        .add_application::<suffix_router::SuffixRouterConfig>("SuffixRouter");
}

// === Binding helpers ===

/// A binding that takes either one item or a list of items (SerialRouter's
/// `applications`, RequestFilter's `acceptMethods`): the reference accepts a
/// lone string wherever it takes a list of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

struct OneOrManyVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let one = T::deserialize(de::value::StrDeserializer::<E>::new(value))?;
        Ok(OneOrMany(vec![one]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Elements go through `next_element`, so a bad one is reported with
        // its index (`applications[2]`).
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(OneOrMany(items))
    }
}

/// Deserializes an optional binding whose explicit `null` means "use the
/// default", as it does for every optional binding in the reference
/// (serde's `default` only covers an absent binding).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `true`, the default of boolean bindings that are on unless turned off.
pub(crate) fn default_true() -> bool {
    true
}

/// Like [`null_as_default`], for booleans whose default is `true`.
pub(crate) fn null_as_true<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.unwrap_or(true))
}

/// The binding path of the entry `key` in the object binding `binding`, as
/// the reference's docs write it: `paths['/resp/one']`.
pub(crate) fn keyed_field(binding: &str, key: &str) -> String {
    let quoted = key.replace('\\', "\\\\").replace('\'', "\\'");
    format!("{binding}['{quoted}']")
}

/// Checks a router's target: an application name (FW-10).
pub(crate) fn target_name(value: &Value) -> Result<Name, String> {
    match value {
        Value::String(name) => Name::try_from(name.clone()),
        _ => Err("Must be of type `string`.".to_owned()),
    }
}

/// Checks a router's target that may also be `null`, PathRouter's explicit
/// "not handled".
pub(crate) fn optional_target_name(value: &Value) -> Result<Option<Name>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(name) => Name::try_from(name.clone()).map(Some),
        _ => Err("Must be an application name or `null`.".to_owned()),
    }
}

/// An absolute file-system path binding (Lactoserv `Paths.mustBeAbsolutePath`,
/// spec 03 SR-2): starts with `/`, has no empty, `.` or `..` components, and
/// ends with `/` only if it is `/` itself.
///
/// Being this strict means the path is already in the form the reference
/// logs and hashes (ETags of files include the path), with no normalizing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AbsolutePath(String);

impl AbsolutePath {
    /// The path as given.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The path, for file-system calls.
    pub(crate) fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl fmt::Display for AbsolutePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AbsolutePath {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let components_ok = value.strip_prefix('/').is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .split('/')
                    .all(|c| !c.is_empty() && c != "." && c != "..")
        });
        if components_ok {
            Ok(Self(value))
        } else {
            Err(format!("Not an absolute path: {value}"))
        }
    }
}

impl<'de> Deserialize<'de> for AbsolutePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::try_from(raw).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests;

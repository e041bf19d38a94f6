//! The built-in applications (Lactoserv `webapp-builtins/export/*.js`), plus
//! the binding helpers their config structs share.
//!
//! Layout:
//! - routers: [`host_router`], [`path_router`], [`serial_router`],
//!   [`suffix_router`];
//! - filters and pass-throughs: [`request_delay`], [`request_filter`],
//!   [`request_rate_limiter`];
//! - leaf responders: [`redirector`], [`simple_response`], [`static_files`];
//! - for load balancers and monitoring: [`health`], [`metrics`] (additions
//!   to the reference).
//!
//! Each module `x.rs` holds the type's `XConfig` struct (its bindings, their
//! checks, the applications it names, the files it needs) and builds the
//! running application, which lives in `x/running.rs`. The routers are
//! [`Router`](lactoserv_core::app::Router)s: they only choose, and the
//! framework walks their choices.

use lactoserv_core::bind::BindError;
use lactoserv_core::catalog::Catalog;
use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::{Map, Value};

pub(crate) mod health;
pub(crate) mod host_router;
pub(crate) mod metrics;
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
        .add_application::<health::HealthConfig>("Health")
        .add_application::<host_router::HostRouterConfig>("HostRouter")
        .add_application::<metrics::MetricsConfig>("Metrics")
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

/// A router's `routes` event: its table, key → application name (Lactoserv
/// routers log it when they initialize).
pub(crate) fn routes_event(
    routes: impl Iterator<Item = (String, LogValue)>,
) -> Vec<(&'static str, Vec<LogValue>)> {
    vec![("routes", vec![LogValue::Object(routes.collect())])]
}

/// The binding path of the entry `key` in the object binding `binding`, as
/// the reference's docs write it: `paths['/resp/one']`.
pub(crate) fn keyed_field(binding: &str, key: &str) -> String {
    let quoted = key.replace('\\', "\\\\").replace('\'', "\\'");
    format!("{binding}['{quoted}']")
}

/// Checks each entry of the object binding `binding` (a router's routing
/// table) with `check`, in config order, stopping at the first error, which
/// names its entry (`paths['/x//y']`). Checking after deserializing, rather
/// than while, is what lets the error name the entry.
pub(crate) fn check_entries<R, C: FromIterator<R>>(
    binding: &str,
    table: &Map<String, Value>,
    mut check: impl FnMut(&str, &Value) -> Result<R, String>,
) -> Result<C, BindError> {
    table
        .iter()
        .map(|(key, value)| {
            check(key, value).map_err(|msg| BindError::new(keyed_field(binding, key), msg))
        })
        .collect()
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

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

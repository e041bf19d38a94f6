//! PathRouter: routes on path prefixes of the dispatch's remaining path, most
//! specific first, falling back to less specific ones when an application
//! declines (Lactoserv `webapp-builtins/export/PathRouter.js`; spec 03 §4.2).
//!
//! Also home of [`PathKey`], the component list + wildcard flag both path
//! and host routing tables are keyed by (Lactoserv
//! `collections/export/PathKey.js`, spec 03 §3), and of the path-pattern
//! syntax ([`parse_path_pattern`]).

use std::fmt;

mod running;

use lactoserv_core::bind::BindError;

use lactoserv_core::app::{AppRef, Routing};
use lactoserv_core::component::{ApplicationConfig, Applications, Kind, Reference};

use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use running::PathRouter;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{check_entries, keyed_field, optional_target_name};

/// A routing-table key: components, and whether the key also matches every
/// path that continues past them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PathKey {
    /// The components, in match order.
    pub(crate) components: Vec<String>,
    /// Whether the key matches longer paths too.
    pub(crate) wildcard: bool,
}

impl PathKey {
    /// The key as the reference renders it in `Key already bound` errors:
    /// `[a, b]`, or `[a, b, *]` for a wildcard.
    pub(crate) fn bracketed(&self) -> String {
        let mut parts: Vec<&str> = self.components.iter().map(String::as_str).collect();
        if self.wildcard {
            parts.push("*");
        }
        format!("[{}]", parts.join(", "))
    }
}

impl fmt::Display for PathKey {
    /// The path pattern this key parses from: `/`, `/*`, `/a/b`, `/a/b/`,
    /// `/a/b/*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.components.join("/"))?;
        match (self.wildcard, self.components.is_empty()) {
            (true, true) => f.write_str("*"),
            (true, false) => f.write_str("/*"),
            (false, _) => Ok(()),
        }
    }
}

/// Parses a PathRouter key (spec 03 PR-1): `/` is the root directory, a
/// final `/` makes a directory-form key, a final `/*` a wildcard; every
/// other component must be a literal URI path component.
pub(crate) fn parse_path_pattern(path: &str) -> Result<PathKey, String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(if path.is_empty() {
            "Empty path.".to_owned()
        } else {
            format!("Path must start with a slash: {path}")
        });
    };
    let mut components: Vec<&str> = rest.split('/').collect();
    let mut wildcard = false;
    let mut directory = false;
    match components.last() {
        Some(&"") => directory = true,
        Some(&"*") => wildcard = true,
        _ => {}
    }
    if directory || wildcard {
        components.pop();
    }
    for component in &components {
        let detail = match *component {
            "" => Some(" (empty)"),
            "." | ".." => Some(" (navigation)"),
            "*" => Some(" (non-final wildcard)"),
            c if c.chars().all(|ch| ch == '*') || !is_path_component(c) => Some(""),
            _ => None,
        };
        if let Some(detail) = detail {
            return Err(format!(
                "Invalid path component `{component}`{detail} in: {path}"
            ));
        }
    }
    let mut components: Vec<String> = components.into_iter().map(str::to_owned).collect();
    if directory {
        components.push(String::new());
    }
    Ok(PathKey {
        components,
        wildcard,
    })
}

/// Whether `component` is a valid URI path component as written in a route
/// (Lactoserv `UriUtil.isPathComponent`): ASCII letters, digits and
/// `-_.~!$&'()*+,;=:@%`, with each `%` starting an escape of two
/// upper-case hex digits, and not `.` or `..`. Upper case only, because
/// routes match the request's still-encoded text literally.
pub(crate) fn is_path_component(component: &str) -> bool {
    if component == "." || component == ".." {
        return false;
    }
    let bytes = component.as_bytes();
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:@%".contains(&b);
    if !bytes.iter().copied().all(allowed) {
        return false;
    }
    let upper_hex = |b: &u8| b.is_ascii_digit() || (b'A'..=b'F').contains(b);
    bytes.iter().enumerate().all(|(at, &b)| {
        b != b'%'
            || bytes
                .get(at + 1..at + 3)
                .is_some_and(|pair| pair.iter().all(upper_hex))
    })
}

/// One entry of the `paths` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathRoute {
    /// The key as written in the config.
    pub(crate) pattern: String,
    /// The parsed key.
    pub(crate) key: PathKey,
    /// The application to dispatch to; `None` (`null`) stops the fallback
    /// and declines.
    pub(crate) target: Option<Name>,
}

/// The checked configuration of a PathRouter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PathRouterConfig {
    /// Path pattern → application name or `null`, as written; parsed into
    /// `routes` by `validate`.
    paths: Map<String, Value>,
    /// The parsed `paths`, in config order.
    #[serde(skip)]
    pub(crate) routes: Vec<PathRoute>,
}

impl ApplicationConfig for PathRouterConfig {
    fn init_events(&self) -> Vec<(&'static str, Vec<LogValue>)> {
        super::routes_event(self.routes.iter().map(|route| {
            let target = route
                .target
                .as_ref()
                .map_or(LogValue::Null, |name| name.as_str().into());
            (route.key.to_string(), target)
        }))
    }

    fn validate(&mut self) -> Result<(), BindError> {
        self.routes = check_entries("paths", &self.paths, |pattern, target| {
            Ok(PathRoute {
                pattern: pattern.to_owned(),
                key: parse_path_pattern(pattern)?,
                target: optional_target_name(target)?,
            })
        })?;
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        self.routes
            .iter()
            .filter_map(|route| {
                let name = route.target.as_ref()?;
                let field = keyed_field("paths", &route.pattern);
                Some(Reference::new(field, Kind::Application, name.as_str()))
            })
            .collect()
    }

    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        Ok(Routing::app(PathRouter::new(&self.routes, applications)?))
    }
}

#[cfg(test)]
mod tests;

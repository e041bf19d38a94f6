//! HostRouter: routes on the request's host name to the application bound to
//! the most specific matching host pattern, with no fallback (Lactoserv
//! `webapp-builtins/export/HostRouter.js`; spec 03 §4.1).
//!
//! Host patterns, their canonical form and most-specific lookup are the same
//! as for `hosts` (Lactoserv `HostUtil`; spec 02 HOST-10…HOST-20), so the
//! routing table is a core [`HostMap`].

mod running;

use lactoserv_core::bind::BindError;

use lactoserv_core::app::{AppRef, Routing};
use lactoserv_core::component::{ApplicationConfig, Applications, Kind, Reference};

use lactoserv_core::host::{HostMap, Hostname};
use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use running::HostRouter;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::path_router::PathKey;
use super::{check_entries, keyed_field, target_name};

/// One entry of the `hosts` table, bound in [`HostRouterConfig::routes`] to
/// its parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostRoute {
    /// The pattern as written in the config.
    pub(crate) pattern: String,
    /// The application to dispatch to.
    pub(crate) target: Name,
}

/// The checked configuration of a HostRouter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HostRouterConfig {
    /// Host pattern → application name, as written; parsed into `routes` by
    /// `validate`.
    hosts: Map<String, Value>,
    /// Accepted (boolean or `null`) and ignored: the reference declared it
    /// removed in v0.9.1 but still accepts it, and existing configs may
    /// carry it (spec 03 HR-9). Host matching is always case-insensitive.
    #[serde(default, rename = "ignoreCase")]
    _ignore_case: Option<bool>,
    /// The parsed `hosts`, in config order; a request goes to the most
    /// specific pattern covering its host ([`HostMap::find`]).
    #[serde(skip)]
    pub(crate) routes: HostMap<HostRoute>,
}

impl ApplicationConfig for HostRouterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        let mut routes: HostMap<HostRoute> = HostMap::new();
        check_entries::<_, ()>("hosts", &self.hosts, |pattern, target| {
            let target = target_name(target)?;
            let hostname = Hostname::parse_pattern(pattern)
                .map_err(|_| format!("Invalid hostname (wildcards allowed): {pattern}"))?;
            if let Some(earlier) = routes.get(&hostname) {
                return Err(format!(
                    "Key already bound: {} (`{}` and `{pattern}` are the same host)",
                    bracketed_key(&hostname),
                    earlier.pattern,
                ));
            }
            let route = HostRoute {
                pattern: pattern.to_owned(),
                target,
            };
            routes.insert(hostname, route);
            Ok(())
        })?;
        self.routes = routes;
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        self.routes
            .iter()
            .map(|(_, route)| {
                let field = keyed_field("hosts", &route.pattern);
                Reference::new(field, Kind::Application, route.target.as_str())
            })
            .collect()
    }

    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        Ok(Routing::app(HostRouter::new(&self.routes, applications)?))
    }

    fn init_events(&self) -> Vec<(&'static str, Vec<LogValue>)> {
        super::routes_event(
            self.routes.iter().map(|(hostname, route)| {
                (hostname.as_str().to_owned(), route.target.as_str().into())
            }),
        )
    }
}

/// The reference's rendering of a host's routing key in `Key already bound`
/// errors: its labels from the top-level domain down, then `*` for a
/// wildcard (`[com, example, *]`).
fn bracketed_key(hostname: &Hostname) -> String {
    let key = PathKey {
        components: hostname.path().into_iter().map(str::to_owned).collect(),
        wildcard: hostname.is_wildcard(),
    };
    key.bracketed()
}

#[cfg(test)]
mod tests;

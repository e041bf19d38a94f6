//! The whole configuration as a checked, typed, linked model (Lactoserv
//! `webapp-core/export/WebappRoot.js` and `ComponentManager.js`, up to the
//! point where they would start anything).
//!
//! Building happens in two phases, both before any socket is bound:
//! 1. *build* (`build.rs`): the top-level object is split into its sections;
//!    every entry is bound to its type's config struct through the catalog,
//!    checks the files it needs (read-only), and gets its name (given or
//!    synthesized).
//! 2. *link* (`link.rs`): names are resolved: duplicates, dangling names,
//!    references of the wrong kind or role, cycles, endpoints whose
//!    hostnames no host covers. It runs only on a configuration that built,
//!    so a component that failed to build is not also reported as missing.
//!
//! Errors are collected rather than stopping at the first, so one dry run
//! shows everything that is wrong.

mod build;
mod error;
mod link;

use std::fmt;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::component::{ApplicationConfig, Kind, ServiceConfig};
use crate::endpoint::EndpointConfig;
use crate::host::HostConfig;
use crate::logging::LoggingConfig;

pub use error::{ConfigError, ConfigErrors, Site};

/// One configured component: its identity plus its type's config.
#[derive(Debug)]
pub struct Entry<C> {
    /// Where it was declared (section and index), for messages.
    pub site: Site,
    /// Its name, as given or synthesized.
    pub name: String,
    /// Whether the name was synthesized (no `name` binding).
    pub synthesized: bool,
    /// Its class name (`StaticFiles`); for hosts and endpoints, the
    /// framework's class (`NetworkHost`, `NetworkEndpoint`).
    pub class: String,
    /// The `dispatchLogging` binding.
    pub dispatch_logging: bool,
    /// The type's own config.
    pub config: C,
}

/// A configured host.
pub type HostEntry = Entry<HostConfig>;
/// A configured service.
pub type ServiceEntry = Entry<Box<dyn ServiceConfig>>;
/// A configured application.
pub type ApplicationEntry = Entry<Box<dyn ApplicationConfig>>;
/// A configured endpoint.
pub type EndpointEntry = Entry<EndpointConfig>;

/// A whole configuration, built and linked.
#[derive(Debug)]
pub struct WebappConfig {
    /// `hosts`, in config order.
    pub hosts: Vec<HostEntry>,
    /// `services`, in config order.
    pub services: Vec<ServiceEntry>,
    /// `applications`, in config order.
    pub applications: Vec<ApplicationEntry>,
    /// `endpoints`, in config order.
    pub endpoints: Vec<EndpointEntry>,
    /// `logging`.
    pub logging: LoggingConfig,
}

impl WebappConfig {
    /// Builds and links the configuration value tree `root` with the types
    /// of `catalog`, and checks the files its components need (read-only).
    pub fn from_value(root: &Value, catalog: &Catalog) -> Result<Self, ConfigErrors> {
        let config = build::build(root, catalog)?;
        link::link(&config)?;
        Ok(config)
    }

    /// The service named `name`.
    pub fn service(&self, name: &str) -> Option<&ServiceEntry> {
        self.services.iter().find(|entry| entry.name == name)
    }

    /// The application named `name`.
    pub fn application(&self, name: &str) -> Option<&ApplicationEntry> {
        self.applications.iter().find(|entry| entry.name == name)
    }

    /// A short, human-readable inventory (what `--dry-run` prints).
    pub fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

/// See [`WebappConfig::summary`].
#[derive(Debug)]
pub struct Summary<'a>(&'a WebappConfig);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.0;
        let hosts = config.hosts.iter().map(|host| {
            let names: Vec<&str> = host.config.hostnames.iter().map(|h| h.as_str()).collect();
            let kind = if host.config.self_signed {
                " (self-signed)"
            } else {
                ""
            };
            (host.name.as_str(), format!("{}{kind}", names.join(", ")))
        });
        let services = config
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.class.clone()));
        let applications = config
            .applications
            .iter()
            .map(|a| (a.name.as_str(), a.class.clone()));
        let endpoints = config.endpoints.iter().map(|e| {
            let c = &e.config;
            let http3 = if c.http3 { " + http3" } else { "" };
            let what = format!(
                "{}{http3} on {} -> {}",
                c.protocol, c.interface, c.application
            );
            (e.name.as_str(), what)
        });
        write_section(f, Kind::Host, hosts.collect())?;
        write_section(f, Kind::Service, services.collect())?;
        write_section(f, Kind::Application, applications.collect())?;
        write_section(f, Kind::Endpoint, endpoints.collect())
    }
}

/// One section of the summary: a heading, then a line per component with
/// the names in a column.
fn write_section(
    f: &mut fmt::Formatter<'_>,
    kind: Kind,
    items: Vec<(&str, String)>,
) -> fmt::Result {
    writeln!(f, "  {} ({}):", kind.section(), items.len())?;
    let width = items.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, what) in items {
        writeln!(f, "    {name:<width$}  {what}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

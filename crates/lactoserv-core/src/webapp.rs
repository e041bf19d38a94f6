//! The whole configuration as a checked, typed, linked model (Lactoserv
//! `webapp-core/export/WebappRoot.js` and `ComponentManager.js`, up to the
//! point where they would start anything).
//!
//! Building happens in two phases, both before any socket is bound:
//! 1. *build* (`build.rs`): the top-level object is split into its sections;
//!    every entry is bound to its type's config struct through the catalog,
//!    and gets its name (given or synthesized).
//! 2. *link* (`link.rs`): names are resolved: duplicates, dangling names,
//!    references of the wrong kind or role, cycles, endpoints whose
//!    hostnames no host covers; then each component checks the files it
//!    needs.
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
        let section = |f: &mut fmt::Formatter<'_>, kind: Kind, items: Vec<String>| {
            write!(f, "  {}: {}", kind.section(), items.len())?;
            if !items.is_empty() {
                write!(f, " ({})", items.join(", "))?;
            }
            writeln!(f)
        };
        let named = |name: &str, class: &str| format!("{name}: {class}");
        section(
            f,
            Kind::Host,
            config.hosts.iter().map(|h| h.name.clone()).collect(),
        )?;
        section(
            f,
            Kind::Service,
            config
                .services
                .iter()
                .map(|s| named(&s.name, &s.class))
                .collect(),
        )?;
        section(
            f,
            Kind::Application,
            config
                .applications
                .iter()
                .map(|a| named(&a.name, &a.class))
                .collect(),
        )?;
        section(
            f,
            Kind::Endpoint,
            config
                .endpoints
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} on {} -> {}",
                        e.name, e.config.protocol, e.config.interface, e.config.application
                    )
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;

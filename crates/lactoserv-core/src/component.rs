//! What every configured component looks like to the framework: its kind,
//! the service roles it can fill, the names it refers to, and the traits a
//! component type's config struct implements (Lactoserv
//! `compy/export/BaseComponent.js`, `webapp-core/export/BaseApplication.js`,
//! `BaseService.js`).
//!
//! A config struct is what the catalog builds from a config file entry. The
//! framework asks it for its references (to link names before anything
//! starts) and lets it check the outside world it depends on (files that
//! must exist), so `--dry-run` and start-up find the same errors.

use std::fmt;

use crate::app::AppRef;
use crate::bind::BindError;
use crate::service::{ServiceContext, ServiceRef};

/// The four sections of a configuration, each a separate name space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `hosts`: hostnames with their certificates.
    Host,
    /// `services`: long-running helpers (logs, limiters, monitors).
    Service,
    /// `applications`: request handlers.
    Application,
    /// `endpoints`: network listeners.
    Endpoint,
}

impl Kind {
    /// The singular name used in component paths (`/application/mySite`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Service => "service",
            Self::Application => "application",
            Self::Endpoint => "endpoint",
        }
    }

    /// The top-level config key of the section (`applications`).
    pub fn section(self) -> &'static str {
        match self {
            Self::Host => "hosts",
            Self::Service => "services",
            Self::Application => "applications",
            Self::Endpoint => "endpoints",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role a service can fill for an endpoint (Lactoserv's `Intf*` service
/// interfaces), named by the keys of an endpoint's `services` binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Receives one event per request/response (`IntfAccessLog`).
    AccessLog,
    /// Admits, delays or refuses connections (`IntfConnectionRateLimiter`).
    ConnectionRateLimiter,
    /// Limits the byte rate of a connection (`IntfDataRateLimiter`).
    DataRateLimiter,
}

impl Role {
    /// Every role, in the order the endpoint binding documents them.
    pub const ALL: [Role; 3] = [
        Role::AccessLog,
        Role::ConnectionRateLimiter,
        Role::DataRateLimiter,
    ];

    /// The key naming this role in an endpoint's `services` binding.
    pub fn key(self) -> &'static str {
        match self {
            Self::AccessLog => "accessLog",
            Self::ConnectionRateLimiter => "connectionRateLimiter",
            Self::DataRateLimiter => "dataRateLimiter",
        }
    }

    /// The reference's interface name, used in "not of expected class" errors.
    pub fn interface_name(self) -> &'static str {
        match self {
            Self::AccessLog => "IntfAccessLog",
            Self::ConnectionRateLimiter => "IntfConnectionRateLimiter",
            Self::DataRateLimiter => "IntfDataRateLimiter",
        }
    }

    /// Whether the role is served by events (which an event fan passes on)
    /// rather than calls whose answer matters (which it does not).
    pub fn is_event(self) -> bool {
        matches!(self, Self::AccessLog)
    }

    /// The role an endpoint `services` key names, if any.
    pub fn from_key(key: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|role| role.key() == key)
    }
}

/// A set of [`Role`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Roles(u8);

impl Roles {
    /// No role at all.
    pub const NONE: Roles = Roles(0);

    /// The set holding just `role`.
    pub const fn of(role: Role) -> Roles {
        Roles(1 << role as u8)
    }

    /// This set plus `other`.
    pub const fn with(self, other: Roles) -> Roles {
        Roles(self.0 | other.0)
    }

    /// The event roles of this set (see [`Role::is_event`]).
    pub fn events(self) -> Roles {
        Role::ALL
            .into_iter()
            .filter(|role| role.is_event() && self.contains(*role))
            .fold(Roles::NONE, |roles, role| roles.with(role.into()))
    }

    /// Whether `role` is in the set.
    pub const fn contains(self, role: Role) -> bool {
        self.0 & (1 << role as u8) != 0
    }
}

impl From<Role> for Roles {
    fn from(role: Role) -> Self {
        Roles::of(role)
    }
}

/// A name one component uses to refer to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The binding holding the name (`paths['/resp/*']`, `services[1]`).
    pub field: String,
    /// The section the name is looked up in.
    pub kind: Kind,
    /// The name referred to.
    pub name: String,
}

impl Reference {
    /// A reference from binding `field` to the component `name` of `kind`.
    pub fn new(field: impl Into<String>, kind: Kind, name: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind,
            name: name.into(),
        }
    }
}

/// The checked configuration of one application type.
///
/// Implemented by each application's config struct; the catalog builds one
/// from the component's bindings (less `class`, `name` and
/// `dispatchLogging`, which the framework handles for every component).
pub trait ApplicationConfig: fmt::Debug + Send + Sync + 'static {
    /// Cross-field validation, run once the bindings have deserialized.
    fn validate(&mut self) -> Result<(), BindError> {
        Ok(())
    }

    /// The other applications this one dispatches to (routers).
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// Checks the outside world the application needs (files that must
    /// exist), without changing anything; run by `--dry-run` and start-up.
    fn check_environment(&self) -> Result<(), BindError> {
        Ok(())
    }

    /// Whether a configuration with this application counts what it does
    /// (a `Metrics` application's does; see `crate::metrics`). No by
    /// default.
    fn counts(&self) -> bool {
        false
    }

    /// Builds the application that serves requests with this
    /// configuration, at start-up. A type that does not override this can
    /// be configured and checked but not served.
    fn build(&self) -> Result<AppRef, BindError> {
        Err(BindError::new(
            "class",
            "this application type cannot serve requests in this version",
        ))
    }

    /// Builds the application given the others, by name: for types that
    /// dispatch to other applications (routers), which they name in
    /// [`references`](Self::references). By default
    /// [`build`](Self::build).
    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        let _ = applications;
        self.build()
    }

    /// What the application reports on its own logger when it initializes
    /// (routers log their `routes`), as `(event type, arguments)`; by
    /// default nothing.
    fn init_events(&self) -> Vec<(&'static str, Vec<crate::log::LogValue>)> {
        Vec::new()
    }
}

/// What [`ApplicationConfig::build_with`] builds an application with: the
/// other running applications by name (what a router dispatches to), and
/// the application's own logger. References are checked (and cycles
/// refused) before anything is built, so every name a type declared
/// resolves.
pub trait Applications {
    /// The application named `name`, built if it was not yet.
    fn get(&self, name: &str) -> Result<AppRef, BindError>;

    /// The logger of the application being built
    /// (`webapp.application.<name>`), for events of its own; disabled when
    /// nothing would write them.
    fn logger(&self) -> crate::log::Logger {
        crate::log::Logger::disabled()
    }

    /// The name of the application being built, for counts kept by name
    /// (`crate::metrics`); `None` outside of a build.
    fn name(&self) -> Option<&str> {
        None
    }
}

/// The checked configuration of one service type.
///
/// Implemented by each service's config struct, like [`ApplicationConfig`].
pub trait ServiceConfig: fmt::Debug + Send + Sync + 'static {
    /// Cross-field validation, run once the bindings have deserialized.
    fn validate(&mut self) -> Result<(), BindError> {
        Ok(())
    }

    /// The endpoint roles this service fills by itself.
    fn roles(&self) -> Roles {
        Roles::NONE
    }

    /// The other services this one refers to.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// Whether this service also fills the event roles of the services it
    /// refers to, by passing events on to them (EventFan). Calls are not
    /// passed on, so a fan over a rate limiter is no rate limiter.
    fn forwards_roles(&self) -> bool {
        false
    }

    /// Checks the outside world the service needs, without changing
    /// anything; run by `--dry-run` and start-up.
    fn check_environment(&self) -> Result<(), BindError> {
        Ok(())
    }

    /// Whether the service writes the system log out (SyslogToFile), so
    /// that the system log must be kept even without `--log-to-stdout`.
    fn writes_system_log(&self) -> bool {
        false
    }

    /// Builds the running service. `None` for a type that is configured
    /// and checked but does not run in this version.
    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let _ = context;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_set_holds_what_was_added() {
        let roles = Roles::of(Role::AccessLog).with(Role::DataRateLimiter.into());
        assert!(roles.contains(Role::AccessLog));
        assert!(roles.contains(Role::DataRateLimiter));
        assert!(!roles.contains(Role::ConnectionRateLimiter));
        assert!(!Roles::NONE.contains(Role::AccessLog));
    }

    #[test]
    fn role_keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        assert_eq!(Role::from_key("florp"), None);
    }
}

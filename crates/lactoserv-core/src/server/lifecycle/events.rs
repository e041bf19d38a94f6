//! The webapp tree's lifecycle events (spec 01 LOG-5, LIFE-3, LIFE-9): every
//! manager and component logs `initializing()`, `initialized()`,
//! `starting()`, `started()`, `stopping('<fate>')` and `stopped('<fate>')` on
//! its own logger, in the reference's order.

use crate::endpoint::Protocol;
use crate::endpoint::interface::Interface;
use crate::log::{LogValue, Logger};
use crate::server::component_logger;
use crate::webapp::WebappConfig;

/// A component with its name and logger.
#[derive(Debug)]
pub(crate) struct Running<T> {
    /// The configured name.
    pub(crate) name: String,
    /// `webapp.<kind>.<name>`, or disabled.
    pub(crate) logger: Logger,
    /// The component.
    pub(crate) item: T,
}

/// The loggers of the parts of the tree that only log their lifecycle here:
/// the root, the managers, the applications and the hosts.
#[derive(Debug)]
pub(crate) struct Tree {
    /// `webapp`.
    pub(crate) webapp: Logger,
    /// `webapp.service`.
    pub(crate) services: Logger,
    /// `webapp.application`.
    pub(crate) applications: Logger,
    /// `webapp.host`.
    pub(crate) hosts: Logger,
    /// `webapp.endpoint`.
    pub(crate) endpoints: Logger,
    /// Each application's logger, in config order.
    pub(crate) application_loggers: Vec<Logger>,
    /// Each host's logger, in config order.
    pub(crate) host_loggers: Vec<Logger>,
}

impl Tree {
    /// The loggers for `config`, each subject to the `logging` section.
    pub(crate) fn new(config: &WebappConfig, webapp: &Logger) -> Self {
        let manager = |kind: &str| {
            if config.logging.is_enabled(&[kind]) {
                webapp.child(kind)
            } else {
                Logger::disabled()
            }
        };
        let root = if config.logging.is_enabled(&[]) {
            webapp.clone()
        } else {
            Logger::disabled()
        };
        Self {
            webapp: root,
            services: manager("service"),
            applications: manager("application"),
            hosts: manager("host"),
            endpoints: manager("endpoint"),
            application_loggers: config
                .applications
                .iter()
                .map(|entry| component_logger(config, webapp, "application", &entry.name))
                .collect(),
            host_loggers: config
                .hosts
                .iter()
                .map(|entry| component_logger(config, webapp, "host", &entry.name))
                .collect(),
        }
    }

    /// The managers, in the order the reference initializes them.
    pub(crate) fn managers(&self) -> [&Logger; 4] {
        [
            &self.services,
            &self.applications,
            &self.hosts,
            &self.endpoints,
        ]
    }
}

/// Logs an event with no arguments.
pub(crate) fn mark(logger: &Logger, kind: &str) {
    logger.event(kind, Vec::new());
}

/// Logs `kind('<fate>')`.
pub(crate) fn mark_fate(logger: &Logger, kind: &str, fate: &str) {
    logger.event_with(kind, || vec![LogValue::from(fate)]);
}

/// Logs `initializing()`, whatever `body` logs, then `initialized()`.
pub(crate) fn initialize<R>(logger: &Logger, body: impl FnOnce() -> R) -> R {
    mark(logger, "initializing");
    let result = body();
    mark(logger, "initialized");
    result
}

/// What an endpoint logs about itself at start and stop.
#[derive(Debug)]
pub(crate) struct EndpointInfo {
    pub(crate) logger: Logger,
    protocol: Protocol,
    pub(crate) interface: Interface,
    /// Where it listens, once it does.
    pub(crate) listening: Option<LogValue>,
}

impl EndpointInfo {
    pub(crate) fn new(logger: Logger, protocol: Protocol, interface: Interface) -> Self {
        Self {
            logger,
            protocol,
            interface,
            listening: None,
        }
    }

    /// Logs `kind({ protocol, interface[, listening] })`.
    pub(crate) fn log(&self, kind: &str, with_listening: bool) {
        self.logger.event_with(kind, || {
            let interface = match &self.interface {
                Interface::Fd { fd, .. } => LogValue::interface_fd(u32::from(*fd)),
                Interface::Address { address, port } => {
                    LogValue::interface_address(&address.to_string(), Some(port.get()))
                }
            };
            let mut fields = vec![
                (
                    "protocol".to_owned(),
                    LogValue::from(self.protocol.as_str()),
                ),
                ("interface".to_owned(), interface),
            ];
            if let (true, Some(listening)) = (with_listening, &self.listening) {
                fields.push(("listening".to_owned(), listening.clone()));
            }
            vec![LogValue::Object(fields)]
        });
    }
}

/// Logs `stopping` and `stopped` for components that have nothing to stop
/// (applications, hosts).
pub(crate) fn stop_each(loggers: &[Logger], fate: &str) {
    for logger in loggers {
        mark_fate(logger, "stopping", fate);
        mark_fate(logger, "stopped", fate);
    }
}

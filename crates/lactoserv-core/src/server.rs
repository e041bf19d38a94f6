//! The running server: applications built from the checked configuration,
//! endpoints listening, and a graceful stop (Lactoserv `WebappRoot`'s start
//! and stop, `NetworkEndpoint`, `ProtocolWrangler`).
//!
//! Starting has two steps so that a reload can be atomic: [`Server::prepare`]
//! does everything that can fail without disturbing a running server
//! (building applications, loading certificates, binding new sockets), and
//! [`Prepared::launch`] starts the services and the accept loops, taking
//! over the listening sockets a predecessor [stashed](Stash). Stopping has
//! two steps for the same reason: [`Server::retire`] stops accepting at
//! once and hands the listening sockets over; [`Draining::finish`] lets the
//! requests in flight finish and stops what is left.

mod accept;
mod access;
mod activity;
mod answer;
mod body;
mod build;
mod clock;
mod connection;
mod drain;
mod handler;
mod host_cache;
mod http1;
mod inherited;
mod intake;
mod launch;
mod lifecycle;
mod limits;
mod listen;
mod stop;
mod throttle;
mod winding;

use std::sync::Arc;

pub use activity::time_connections_coarsely;

use http::HeaderValue;

use crate::component::Role;
use crate::log::LogStream;
use crate::log::Logger;
use crate::service::{HeapProbe, ServiceRef, Shutdown};
use crate::webapp::WebappConfig;

pub use launch::Prepared;
pub use stop::{Draining, Fate, Stash};

/// What the server needs from the program running it.
#[derive(Clone)]
pub struct ServerOptions {
    /// The `Server` header value (`lactoserv-<version> <commit>`).
    pub server_header: HeaderValue,
    /// The `webapp` logger; [`Logger::disabled`] logs nothing.
    pub logger: Logger,
    /// The system log's event stream, for services that write it out.
    pub log_stream: Option<Arc<LogStream>>,
    /// The allocator's count of bytes in use, for MemoryMonitor.
    pub heap: Option<HeapProbe>,
    /// How services ask for a shutdown.
    pub shutdown: Shutdown,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("server_header", &self.server_header)
            .finish_non_exhaustive()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// An application could not be built.
    #[error("applications[{index}] (`{name}`): {message}")]
    Application {
        /// Its index in `applications`.
        index: usize,
        /// Its name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// A service could not be built or started.
    #[error("services[{index}] (`{name}`): {message}")]
    Service {
        /// Its index in `services`.
        index: usize,
        /// Its name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// TLS could not be set up for the hosts or an endpoint.
    #[error("{0}")]
    Tls(String),
    /// An endpoint's socket could not be opened.
    #[error("endpoints[{index}] (`{name}`): cannot listen on {interface}: {cause}")]
    Listen {
        /// Its index in `endpoints`.
        index: usize,
        /// Its name.
        name: String,
        /// The interface.
        interface: String,
        /// Why.
        cause: std::io::Error,
    },
}

/// A started server.
#[derive(Debug)]
pub struct Server {
    endpoints: Vec<stop::RunningEndpoint>,
    /// The running services, in start order.
    services: Vec<lifecycle::Running<ServiceRef>>,
    /// What else logs lifecycle events: the managers, applications and
    /// hosts.
    tree: lifecycle::Tree,
    /// The addresses the endpoints listen on, in config order.
    pub local_addrs: Vec<std::net::SocketAddr>,
}

impl Server {
    /// Builds, binds and starts everything `config` describes, logging the
    /// webapp's initialization and start.
    pub async fn start(config: &WebappConfig, options: &ServerOptions) -> Result<Self, StartError> {
        let prepared = Self::prepare(config, options, &[])?;
        prepared.launch(&mut Stash::default()).await
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`),
    /// then closes what is left and stops the services. Whether every
    /// connection finished within `grace`.
    pub async fn stop(self, grace: std::time::Duration) -> bool {
        let (_, draining) = self.retire(Fate::Shutdown).await;
        draining.finish(grace).await
    }
}

/// The logger of component `name` of `kind` (`webapp.<kind>.<name>`), or a
/// disabled one when the `logging` section turns it off.
pub(crate) fn component_logger(
    config: &WebappConfig,
    webapp: &Logger,
    kind: &str,
    name: &str,
) -> Logger {
    if config.logging.is_enabled(&[kind, name]) {
        webapp.child(kind).child(name)
    } else {
        Logger::disabled()
    }
}

/// The running service an endpoint names for `role`, if any.
fn role_service<'a>(
    roles: &[(Role, crate::names::Name)],
    services: &'a [lifecycle::Running<ServiceRef>],
    role: Role,
) -> Option<&'a ServiceRef> {
    let (_, name) = roles.iter().find(|(r, _)| *r == role)?;
    services
        .iter()
        .find(|running| running.name == name.as_str())
        .map(|running| &running.item)
}

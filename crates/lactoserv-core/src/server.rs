//! The running server: applications built from the checked configuration,
//! endpoints listening, requests answered, and a graceful stop (Lactoserv
//! `WebappRoot`, `NetworkEndpoint`, `ProtocolWrangler`).
//!
//! One request, from accept to the last byte, passes through:
//! 1. `endpoint`: the endpoint's accept loop takes the connection.
//! 2. `conn`: the connection is served (TLS, the protocol its client
//!    speaks), driven beside the endpoint's stop signal and its timer.
//! 3. `http1` or `via_hyper`: the protocol reads the request's head.
//! 4. `request`: the pipeline takes the request in, hands it to the
//!    application (or answers it itself) and returns an outcome.
//! 5. `response`: the outcome's protocol-neutral answer, which the same
//!    protocol writer (`http1`, `via_hyper`) puts on the wire.
//!
//! And the server's own life (`lifecycle`): staged, launched, retired,
//! drained. `docs/architecture.md` maps every file.

mod conn;
mod endpoint;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod http1;
mod http2;
mod http3;
mod lifecycle;
mod request;
mod response;
mod via_hyper;

use std::sync::Arc;

use http::HeaderValue;

use crate::component::Role;
use crate::endpoint::interface::Interface;
use crate::log::{LogStream, Logger};
use crate::service::{HeapProbe, ServiceRef, Shutdown};
use crate::webapp::WebappConfig;

pub use crate::service::Fate;
pub use conn::activity::time_connections_coarsely;
pub use endpoint::{Http1Engine, Http2Engine};
pub use lifecycle::{Draining, Staged, Stash};

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
    /// Who serves HTTP1 requests.
    pub http1: Http1Engine,
    /// Who serves HTTP/2 sessions.
    pub http2: Http2Engine,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("server_header", &self.server_header)
            .field("http1", &self.http1)
            .field("http2", &self.http2)
            .finish_non_exhaustive()
    }
}

/// Why the server could not start: the component at fault, and the error
/// that stopped it as the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// An application could not be built.
    #[error("applications[{index}] (`{name}`) could not be built")]
    Application {
        /// Its index in `applications`.
        index: usize,
        /// Its name.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A service could not be built or started.
    #[error("services[{index}] (`{name}`) could not start")]
    Service {
        /// Its index in `services`.
        index: usize,
        /// Its name.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// TLS could not be set up for the hosts, or for an endpoint.
    #[error("{}", match endpoint {
        Some((index, name)) => format!("endpoints[{index}] (`{name}`): TLS could not be set up"),
        None => "TLS could not be set up for the hosts".to_owned(),
    })]
    Tls {
        /// The endpoint's index and name, when it is one endpoint's.
        endpoint: Option<(usize, String)>,
        /// What went wrong.
        #[source]
        source: crate::host::tls::TlsError,
    },
    /// An endpoint's socket could not be opened.
    #[error("endpoints[{index}] (`{name}`): cannot listen on {interface}")]
    Listen {
        /// Its index in `endpoints`.
        index: usize,
        /// Its name.
        name: String,
        /// The interface.
        interface: String,
        /// Why.
        #[source]
        cause: std::io::Error,
    },
}

/// A started server.
#[derive(Debug)]
pub struct Server {
    endpoints: Vec<lifecycle::Listening>,
    /// The running services, in start order.
    services: Vec<lifecycle::events::Running<ServiceRef>>,
    /// What else logs lifecycle events: the managers, applications and
    /// hosts.
    tree: lifecycle::events::Tree,
    /// The addresses the endpoints listen on, in config order.
    pub local_addrs: Vec<std::net::SocketAddr>,
}

impl Server {
    /// Builds, binds and starts everything `config` describes, logging the
    /// webapp's initialization and start.
    pub async fn start(config: &WebappConfig, options: &ServerOptions) -> Result<Self, StartError> {
        let staged = Self::stage(config, options, &[])?;
        staged.launch(&mut Stash::default()).await
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`),
    /// then closes what is left and stops the services. Whether every
    /// connection finished within `grace`.
    pub async fn stop(self, grace: std::time::Duration) -> bool {
        let (_, draining) = self.retire(Fate::Shutdown).await;
        draining.finish(grace).await
    }

    /// The interfaces the endpoints listen on.
    pub fn interfaces(&self) -> Vec<Interface> {
        self.endpoints
            .iter()
            .map(|endpoint| endpoint.info.interface.clone())
            .collect()
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
    services: &'a [lifecycle::events::Running<ServiceRef>],
    role: Role,
) -> Option<&'a ServiceRef> {
    let (_, name) = roles.iter().find(|(r, _)| *r == role)?;
    services
        .iter()
        .find(|running| running.name == name.as_str())
        .map(|running| &running.item)
}

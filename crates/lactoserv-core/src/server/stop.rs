//! Stopping a server (spec 01 LIFE-9, LIFE-17): stop accepting, hand the
//! listening sockets to a successor when reloading, let the connections
//! finish, then stop the services.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Server;
use super::drain::Phase;
use super::handler::EndpointContext;
use super::lifecycle::{Running, Tree, mark_fate};
use crate::bucket::TokenBucket;
use crate::endpoint::Protocol;
use crate::endpoint::interface::Interface;
use crate::log::{LogValue, Logger};
use crate::service::ServiceRef;

pub use crate::service::Fate;

/// Listening sockets a stopped server handed over, by interface, for the
/// server that replaces it. Whatever is not taken is closed when this is
/// dropped, with a `stashTimeout()` event from the endpoint that stashed
/// it. (The reference keeps such sockets for 5 s in case a later start
/// wants them; here the successor has started by the time the stash is
/// dropped, so nothing else could take them, and the port is freed at
/// once.)
#[derive(Debug, Default)]
pub struct Stash {
    listeners: Vec<Stashed>,
}

#[derive(Debug)]
struct Stashed {
    interface: Interface,
    listener: std::net::TcpListener,
    /// The stashing endpoint's logger.
    logger: Logger,
}

impl Stash {
    /// Takes the socket listening on `interface`, if there is one.
    pub fn take(&mut self, interface: &Interface) -> Option<std::net::TcpListener> {
        let at = self
            .listeners
            .iter()
            .position(|stashed| stashed.interface == *interface)?;
        Some(self.listeners.swap_remove(at).listener)
    }

    /// The interfaces of the sockets held.
    pub fn interfaces(&self) -> Vec<Interface> {
        self.listeners
            .iter()
            .map(|stashed| stashed.interface.clone())
            .collect()
    }
}

impl Drop for Stash {
    fn drop(&mut self) {
        for stashed in &self.listeners {
            stashed.logger.event("stashTimeout", Vec::new());
        }
    }
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

/// An endpoint that is accepting connections.
#[derive(Debug)]
pub(crate) struct RunningEndpoint {
    pub(crate) info: EndpointInfo,
    pub(crate) local: std::net::SocketAddr,
    /// Tells the accept loop to end.
    pub(crate) stop: watch::Sender<bool>,
    /// The accept loop, which gives its socket back when it ends.
    pub(crate) task: JoinHandle<TcpListener>,
    /// What its connections share, among which the drain they watch.
    pub(crate) context: Arc<EndpointContext>,
    /// The connection rate limiter's bucket: connections still queued are
    /// refused at stop.
    pub(crate) bucket: Option<Arc<TokenBucket>>,
}

/// A server that no longer accepts connections, whose connections may
/// still be in progress.
#[derive(Debug)]
pub struct Draining {
    fate: Fate,
    endpoints: Vec<(EndpointInfo, Arc<EndpointContext>)>,
    services: Vec<Running<ServiceRef>>,
    tree: Tree,
}

impl Server {
    /// The interfaces the endpoints listen on.
    pub fn interfaces(&self) -> Vec<Interface> {
        self.endpoints
            .iter()
            .map(|endpoint| endpoint.info.interface.clone())
            .collect()
    }

    /// Stops accepting connections at once. For a reload the listening
    /// sockets are handed over in the stash (queued connections stay
    /// queued for the successor); otherwise they are closed.
    pub async fn retire(self, fate: Fate) -> (Stash, Draining) {
        let Self {
            endpoints,
            mut services,
            tree,
            ..
        } = self;
        let fate_text = fate.as_str();
        mark_fate(&tree.webapp, "stopping", fate_text);
        mark_fate(&tree.endpoints, "stopping", fate_text);
        for endpoint in &endpoints {
            mark_fate(&endpoint.info.logger, "stopping", fate_text);
        }
        let mut stash = Stash::default();
        let mut draining = Vec::with_capacity(endpoints.len());
        for endpoint in endpoints {
            endpoint.info.log("stopping", true);
            let _ = endpoint.stop.send(true);
            if let Some(bucket) = &endpoint.bucket {
                bucket.deny_all();
            }
            let listener = endpoint.task.await.ok();
            if let (Fate::WillReload, Some(listener)) = (fate, listener) {
                if let Ok(listener) = listener.into_std() {
                    endpoint.info.logger.event_with("stashed", || {
                        vec![endpoint.info.listening.clone().unwrap_or(LogValue::Null)]
                    });
                    stash.listeners.push(Stashed {
                        interface: endpoint.info.interface.clone(),
                        listener,
                        logger: endpoint.info.logger.clone(),
                    });
                }
            }
            draining.push((endpoint.info, endpoint.context));
        }
        if fate == Fate::WillReload {
            // Services no connection uses (log files, process files,
            // monitors) stop now, before their successors start: two of
            // them must never run at once (two writers of one PID file, or
            // of the system log). The others serve the connections still
            // in progress and stop once those are done.
            let (idle, busy): (Vec<_>, Vec<_>) = services.into_iter().partition(|service| {
                service.item.access_log().is_none()
                    && service.item.connection_bucket().is_none()
                    && service.item.data_limit().is_none()
            });
            for service in idle.iter().rev() {
                mark_fate(&service.logger, "stopping", fate_text);
                service.item.stop(fate).await;
                mark_fate(&service.logger, "stopped", fate_text);
            }
            services = busy;
        }
        (
            stash,
            Draining {
                fate,
                endpoints: draining,
                services,
                tree,
            },
        )
    }
}

impl Draining {
    /// Lets the connections finish (up to `grace`, then closes them), then
    /// stops the applications, services and hosts. Whether every
    /// connection finished within `grace`.
    pub async fn finish(self, grace: Duration) -> bool {
        let fate = self.fate.as_str();
        let deadline = tokio::time::Instant::now() + grace;
        let mut in_time = true;
        let phase = match self.fate {
            Fate::WillReload => Phase::Retiring,
            Fate::Shutdown => Phase::Closing,
        };
        for (info, context) in &self.endpoints {
            context.drain.begin(phase, &info.logger);
        }
        for (info, context) in &self.endpoints {
            in_time &= context.drain.end(deadline, &info.logger).await;
            info.log("stopped", false);
            mark_fate(&info.logger, "stopped", fate);
        }
        let tree = &self.tree;
        mark_fate(&tree.endpoints, "stopped", fate);
        mark_fate(&tree.applications, "stopping", fate);
        stop_each(&tree.application_loggers, fate);
        mark_fate(&tree.applications, "stopped", fate);
        mark_fate(&tree.services, "stopping", fate);
        mark_fate(&tree.hosts, "stopping", fate);
        stop_each(&tree.host_loggers, fate);
        mark_fate(&tree.hosts, "stopped", fate);
        for service in self.services.iter().rev() {
            mark_fate(&service.logger, "stopping", fate);
            service.item.stop(self.fate).await;
            mark_fate(&service.logger, "stopped", fate);
        }
        mark_fate(&tree.services, "stopped", fate);
        mark_fate(&tree.webapp, "stopped", fate);
        in_time
    }
}

/// Logs `stopping` and `stopped` for components that have nothing to stop
/// (applications, hosts).
fn stop_each(loggers: &[Logger], fate: &str) {
    for logger in loggers {
        mark_fate(logger, "stopping", fate);
        mark_fate(logger, "stopped", fate);
    }
}

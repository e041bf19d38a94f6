//! Preparing and launching a server (spec 01 LIFE-3 steps 5–6, LIFE-18a):
//! everything that can fail is done before anything starts, and the
//! webapp's initialization and start are logged in the reference's order.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use super::connection::Speaker;
use super::drain::Drain;
use super::handler::EndpointContext;
use super::lifecycle::{Running, Tree, initialize, mark};
use super::stop::{EndpointInfo, Fate, RunningEndpoint, Stash};
use super::{Server, ServerOptions, StartError, accept, build, component_logger, listen};
use crate::component::Role;
use crate::endpoint::Protocol;
use crate::endpoint::interface::Interface;
use crate::host::tls::TlsHosts;
use crate::log::LogValue;
use crate::service::{ServiceContext, ServiceRef, ServiceRegistry};
use crate::webapp::WebappConfig;

/// A server ready to launch: applications built, certificates loaded, new
/// sockets bound, services built but not started.
pub struct Prepared {
    tree: Tree,
    services: Vec<Running<ServiceRef>>,
    registry: ServiceRegistry,
    endpoints: Vec<Pending>,
    /// `knownHosts`' argument: each hostname and its host's hostnames.
    known_hosts: LogValue,
}

/// An endpoint ready to accept.
struct Pending {
    index: usize,
    info: EndpointInfo,
    /// Its own socket, or `None` to take over a predecessor's.
    listener: Option<std::net::TcpListener>,
    speaker: Speaker,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("endpoints", &self.endpoints.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Builds everything `config` describes and binds each endpoint's
    /// socket, except those whose interface is in `held` (a running
    /// predecessor's, to be taken over at launch). Logs the webapp's
    /// initialization. Nothing is started.
    pub fn prepare(
        config: &WebappConfig,
        options: &ServerOptions,
        held: &[Interface],
    ) -> Result<Prepared, StartError> {
        let tree = Tree::new(config, &options.logger);
        mark(&tree.webapp, "initializing");
        for manager in tree.managers() {
            initialize(manager, || ());
        }
        let apps = build::applications(config, &options.logger)?;
        for (entry, logger) in config.applications.iter().zip(&tree.application_loggers) {
            initialize(logger, || {
                for (kind, args) in entry.config.init_events() {
                    logger.event(kind, args);
                }
            });
        }
        let tls_hosts = TlsHosts::new(config.hosts.iter().map(|h| &h.config))
            .map_err(|err| StartError::Tls(err.to_string()))?
            .with_logger(tree.hosts.clone());
        for logger in &tree.host_loggers {
            initialize(logger, || ());
        }

        let registry = ServiceRegistry::default();
        let mut services = Vec::with_capacity(config.services.len());
        let mut service_loggers = Vec::with_capacity(config.services.len());
        for (index, entry) in config.services.iter().enumerate() {
            let logger = component_logger(config, &options.logger, "service", &entry.name);
            let context = ServiceContext {
                heap: options.heap.clone(),
                shutdown: options.shutdown.clone(),
                services: registry.clone(),
                logger: logger.clone(),
                log_stream: options.log_stream.clone(),
            };
            let built = entry
                .config
                .build(&context)
                .map_err(|err| StartError::Service {
                    index,
                    name: entry.name.clone(),
                    message: err.to_string(),
                })?;
            if let Some(service) = built {
                services.push(Running {
                    name: entry.name.clone(),
                    logger: logger.clone(),
                    item: service,
                });
            }
            service_loggers.push(logger);
        }

        let mut endpoints = Vec::with_capacity(config.endpoints.len());
        for (index, entry) in config.endpoints.iter().enumerate() {
            let endpoint = &entry.config;
            let logger = component_logger(config, &options.logger, "endpoint", &entry.name);
            initialize(&logger, || {
                logger.event_with("routing", || {
                    vec![LogValue::object([
                        ("protocol", LogValue::from(endpoint.protocol.as_str())),
                        ("interface", LogValue::from(endpoint.interface.to_string())),
                        ("application", LogValue::from(endpoint.application.as_str())),
                    ])]
                });
            });
            let alpn = match endpoint.protocol {
                Protocol::Http => None,
                Protocol::Https => Some(&[b"http/1.1".as_slice()][..]),
                Protocol::Http2 => Some(&[b"h2".as_slice(), b"http/1.1".as_slice()][..]),
            };
            let tls = alpn
                .map(|alpn| tls_hosts.server_config(&endpoint.hostnames, alpn))
                .transpose()
                .map_err(|err| {
                    StartError::Tls(format!("endpoints[{index}] (`{}`): {err}", entry.name))
                })?
                .map(TlsAcceptor::from);
            let listener =
                if held.contains(&endpoint.interface) {
                    None
                } else {
                    let listener = listen::listen(&endpoint.interface, endpoint.reuse_port)
                        .map_err(|cause| StartError::Listen {
                            index,
                            name: entry.name.clone(),
                            interface: endpoint.interface.to_string(),
                            cause,
                        })?;
                    Some(listener)
                };
            // Linking checked that the application exists.
            let application = apps
                .get(endpoint.application.as_str())
                .cloned()
                .ok_or_else(|| StartError::Application {
                    index,
                    name: endpoint.application.to_string(),
                    message: "no such application".into(),
                })?;
            let role = |role: Role| super::role_service(&endpoint.services, &services, role);
            let context = Arc::new(EndpointContext {
                name: entry.name.clone(),
                logger: logger.clone(),
                application,
                server_header: options.server_header.clone(),
                dispatch_logging: entry.dispatch_logging,
                access_log: role(Role::AccessLog).and_then(|service| service.access_log()),
                connection_bucket: role(Role::ConnectionRateLimiter)
                    .and_then(|service| service.connection_bucket()),
                data_limit: role(Role::DataRateLimiter).and_then(|service| service.data_limit()),
                application_name: endpoint.application.as_str().to_owned(),
                port: endpoint.interface.port().map_or(0, |p| p.get()),
                max_body: endpoint
                    .max_request_body_size
                    .map(|size| size.value() as u64),
                drain: Drain::new(),
                slots: Arc::new(Semaphore::new(endpoint.connection_limit() as usize)),
                max_connections: endpoint.connection_limit() as usize,
            });
            endpoints.push(Pending {
                index,
                info: EndpointInfo::new(logger, endpoint.protocol, endpoint.interface.clone()),
                listener,
                speaker: Speaker {
                    protocol: endpoint.protocol,
                    tls,
                    context,
                },
            });
        }
        for logger in &service_loggers {
            initialize(logger, || ());
        }
        mark(&tree.webapp, "initialized");
        Ok(Prepared {
            tree,
            services,
            registry,
            endpoints,
            known_hosts: known_hosts(config),
        })
    }
}

impl Prepared {
    /// Starts the hosts, services, applications and endpoints, in that
    /// order; endpoints whose socket was not bound take theirs from `stash`.
    /// If a service fails to start, those already started are stopped and
    /// `stash` is left as it was.
    pub async fn launch(self, stash: &mut Stash) -> Result<Server, StartError> {
        let Self {
            tree,
            services,
            registry,
            endpoints,
            known_hosts,
        } = self;
        mark(&tree.webapp, "starting");
        mark(&tree.hosts, "starting");
        tree.hosts.event("knownHosts", vec![known_hosts]);
        for logger in &tree.host_loggers {
            mark(logger, "starting");
            mark(logger, "started");
        }
        mark(&tree.hosts, "started");

        mark(&tree.services, "starting");
        for (at, service) in services.iter().enumerate() {
            mark(&service.logger, "starting");
            if let Err(err) = service.item.start().await {
                for started in services[..at].iter().rev() {
                    started.item.stop(Fate::Shutdown).await;
                }
                return Err(StartError::Service {
                    index: at,
                    name: service.name.clone(),
                    message: err.to_string(),
                });
            }
            mark(&service.logger, "started");
        }
        let _ = registry.set(
            services
                .iter()
                .map(|service| (service.name.clone(), service.item.clone()))
                .collect(),
        );
        mark(&tree.services, "started");

        mark(&tree.applications, "starting");
        for logger in &tree.application_loggers {
            mark(logger, "starting");
            mark(logger, "started");
        }
        mark(&tree.applications, "started");

        mark(&tree.endpoints, "starting");
        let mut running = Vec::with_capacity(endpoints.len());
        let mut local_addrs = Vec::with_capacity(endpoints.len());
        for pending in endpoints {
            let endpoint = launch_endpoint(pending, stash)?;
            local_addrs.push(endpoint.local);
            running.push(endpoint);
        }
        mark(&tree.endpoints, "started");
        mark(&tree.webapp, "started");
        Ok(Server {
            endpoints: running,
            services,
            tree,
            local_addrs,
        })
    }
}

/// Starts one endpoint's accept loop.
fn launch_endpoint(pending: Pending, stash: &mut Stash) -> Result<RunningEndpoint, StartError> {
    let Pending {
        index,
        mut info,
        listener,
        speaker,
    } = pending;
    let failed = |cause: std::io::Error| StartError::Listen {
        index,
        name: speaker.context.name.clone(),
        interface: info.interface.to_string(),
        cause,
    };
    mark(&info.logger, "starting");
    let listener = match listener {
        Some(listener) => listener,
        None => {
            let listener = stash.take(&info.interface).ok_or_else(|| {
                failed(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the socket to take over is gone",
                ))
            })?;
            mark(&info.logger, "unstashed");
            listener
        }
    };
    info.log("starting", false);
    let listener = TcpListener::from_std(listener).map_err(failed)?;
    let local = listener.local_addr().map_err(failed)?;
    info.listening = Some(listening_address(local));
    info.log("started", true);
    mark(&info.logger, "started");
    let (stop, stopped) = watch::channel(false);
    let bucket = speaker.context.connection_bucket.clone();
    let context = speaker.context.clone();
    let task = tokio::spawn(accept::accept_loop(listener, speaker, stopped));
    Ok(RunningEndpoint {
        info,
        local,
        stop,
        task,
        context,
        bucket,
    })
}

/// `@InterfaceAddress` of the address a socket listens on; the any-address
/// is written `*` as in the reference.
fn listening_address(local: std::net::SocketAddr) -> LogValue {
    let ip = local.ip();
    let address = if ip.is_unspecified() {
        "*".to_owned()
    } else {
        ip.to_string()
    };
    LogValue::interface_address(&address, Some(local.port()))
}

/// Each configured hostname, with the hostnames of the host it belongs to.
fn known_hosts(config: &WebappConfig) -> LogValue {
    let mut known = Vec::new();
    for entry in &config.hosts {
        let names: Vec<LogValue> = entry
            .config
            .hostnames
            .iter()
            .map(|name| LogValue::from(name.as_str()))
            .collect();
        for name in &entry.config.hostnames {
            known.push((name.as_str().to_owned(), LogValue::Array(names.clone())));
        }
    }
    LogValue::Object(known)
}

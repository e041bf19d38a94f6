//! Staging a server (spec 01 LIFE-3 step 5, LIFE-18a): everything that can
//! fail without disturbing a running server is done before anything
//! starts (applications built, certificates loaded, new sockets bound,
//! services built), and the webapp's initialization is logged in the
//! reference's order.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use super::applications;
use super::events::{EndpointInfo, Running, Tree, initialize, mark};
use crate::component::Role;
use crate::endpoint::Protocol;
use crate::endpoint::interface::Interface;
use crate::host::HostConfig;
use crate::host::tls::TlsHosts;
use crate::log::LogValue;
use crate::server::conn::stop::StopSignal;
use crate::server::endpoint::{EndpointContext, listen};
use crate::server::{Server, ServerOptions, StartError, component_logger};
use crate::service::{ServiceContext, ServiceRef, ServiceRegistry};
use crate::webapp::WebappConfig;

/// A server ready to launch: applications built, certificates loaded, new
/// sockets bound, services built but not started.
pub struct Staged {
    pub(super) tree: Tree,
    pub(super) services: Vec<Running<ServiceRef>>,
    pub(super) registry: ServiceRegistry,
    pub(super) endpoints: Vec<Pending>,
    /// `knownHosts`' argument: each hostname and its host's hostnames.
    pub(super) known_hosts: LogValue,
}

/// An endpoint ready to accept.
pub(super) struct Pending {
    pub(super) index: usize,
    pub(super) info: EndpointInfo,
    /// Its own socket, or `None` to take over a predecessor's.
    pub(super) listener: Option<std::net::TcpListener>,
    /// Its QUIC side, when it serves HTTP/3.
    pub(super) quic: Option<super::quic::PendingQuic>,
    pub(super) context: Arc<EndpointContext>,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("endpoints", &self.endpoints.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Builds everything `config` describes and binds each endpoint's
    /// socket, except those whose interface is in `held` (a running
    /// predecessor's, to be taken over at launch). Logs the webapp's
    /// initialization. Nothing is started.
    pub fn stage(
        config: &WebappConfig,
        options: &ServerOptions,
        held: &[Interface],
    ) -> Result<Staged, StartError> {
        let tree = Tree::new(config, &options.logger);
        // Whether endpoints count is for this configuration's
        // applications to ask (`Metrics`), as they are built below.
        crate::metrics::process().starting();
        mark(&tree.webapp, "initializing");
        for manager in tree.managers() {
            initialize(manager, || ());
        }
        let built = applications::build(config, &options.logger)?;
        let apps = &built.apps;
        for (entry, logger) in config.applications.iter().zip(&tree.application_loggers) {
            initialize(logger, || {
                for (kind, args) in entry.config.init_events() {
                    logger.event(kind, args);
                }
            });
        }
        let tls_hosts = TlsHosts::new(config.hosts.iter().map(|h| &h.config))
            .map_err(|source| StartError::Tls {
                endpoint: None,
                source,
            })?
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
                name: entry.name.clone(),
            };
            let built = entry
                .config
                .build(&context)
                .map_err(|err| StartError::Service {
                    index,
                    name: entry.name.clone(),
                    source: Box::new(err),
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

        let host_configs: Vec<_> = config.hosts.iter().map(|h| &h.config).collect();
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
                .map_err(|source| StartError::Tls {
                    endpoint: Some((index, entry.name.clone())),
                    source,
                })?
                .map(TlsAcceptor::from);
            let quic = super::quic::stage(endpoint, &tls_hosts, held.contains(&endpoint.interface))
                .map_err(|err| match err {
                    super::quic::QuicError::Tls(source) => StartError::Tls {
                        endpoint: Some((index, entry.name.clone())),
                        source,
                    },
                    super::quic::QuicError::Io(cause) => StartError::Listen {
                        index,
                        name: entry.name.clone(),
                        interface: format!("{} (udp)", endpoint.interface),
                        cause,
                    },
                })?;
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
                    source: "no such application".into(),
                })?;
            let role =
                |role: Role| crate::server::role_service(&endpoint.services, &services, role);
            let context = Arc::new(EndpointContext {
                name: entry.name.clone(),
                logger: logger.clone(),
                protocol: endpoint.protocol,
                tls,
                http1: options.http1,
                http2: options.http2,
                application,
                server_header: options.server_header.clone(),
                dispatch_logging: entry.dispatch_logging,
                access_log: role(Role::AccessLog).and_then(|service| service.access_log()),
                connection_bucket: role(Role::ConnectionRateLimiter)
                    .and_then(|service| service.connection_bucket()),
                data_limit: role(Role::DataRateLimiter).and_then(|service| service.data_limit()),
                application_name: endpoint.application.as_str().to_owned(),
                application_metrics: built
                    .endpoints_count
                    .then(|| crate::metrics::process().application(endpoint.application.as_str()))
                    .flatten(),
                port: endpoint.interface.port().map_or(0, |p| p.get()),
                max_body: endpoint
                    .max_request_body_size
                    .map(|size| size.value() as u64),
                stop: StopSignal::new(),
                slots: Arc::new(Semaphore::new(endpoint.connection_limit() as usize)),
                max_connections: endpoint.connection_limit() as usize,
                metrics: crate::metrics::process().endpoint(&entry.name),
                acme_tokens: (endpoint.protocol == Protocol::Http
                    && TlsHosts::answers_http_01(&host_configs, &endpoint.hostnames))
                .then(|| crate::host::acme::keeper::tokens().clone()),
                alt_svc: endpoint
                    .http3
                    .then(|| alt_svc(&endpoint.interface))
                    .flatten(),
            });
            endpoints.push(Pending {
                index,
                info: EndpointInfo::new(logger, endpoint.protocol, endpoint.interface.clone()),
                listener,
                quic,
                context,
            });
        }
        for logger in &service_loggers {
            initialize(logger, || ());
        }
        mark(&tree.webapp, "initialized");
        // Everything is staged: ACME hosts' certificates are looked after
        // from now on (by the keepers of a configuration before this one,
        // if they run).
        if tokio::runtime::Handle::try_current().is_ok() {
            let hosts: Vec<&HostConfig> = config.hosts.iter().map(|h| &h.config).collect();
            tls_hosts.keep_acme_certificates(&hosts, &tree.host_loggers);
        }
        Ok(Staged {
            tree,
            services,
            registry,
            endpoints,
            known_hosts: known_hosts(config),
        })
    }
}

/// The `Alt-Svc` value an HTTP/3 endpoint at `interface` gives with its
/// other answers: HTTP/3 at the same port, for a day (as h2o and Caddy).
fn alt_svc(interface: &Interface) -> Option<http::HeaderValue> {
    let port = listen::port_of(interface)?;
    http::HeaderValue::from_str(&format!("h3=\":{port}\"; ma=86400")).ok()
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

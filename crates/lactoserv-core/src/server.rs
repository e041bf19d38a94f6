//! The running server: applications built from the checked configuration,
//! endpoints listening, and a graceful stop (Lactoserv `WebappRoot`'s start
//! and stop, `NetworkEndpoint`, `ProtocolWrangler`).
//!
//! Every socket is bound before any endpoint starts accepting, so a
//! configuration that cannot start (a port in use) fails without half
//! starting.

mod activity;
mod answer;
mod body;
mod build;
mod connection;
mod handler;
mod inherited;
mod listen;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::component::Role;
use crate::endpoint::Protocol;
use crate::host::tls::TlsHosts;
use crate::log::LogStream;
use crate::log::{LogValue, Logger};
use crate::service::{HeapProbe, ServiceContext, ServiceRef, ServiceRegistry, Shutdown};
use crate::webapp::WebappConfig;
use connection::Speaker;
use handler::EndpointContext;

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
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    graceful: Arc<GracefulShutdown>,
    /// The running services by name, in start order.
    services: Vec<(String, ServiceRef)>,
    /// Each endpoint's logger and protocol, for its stop events.
    endpoint_loggers: Vec<(Logger, &'static str)>,
    /// The connection rate limiters' buckets: connections still queued are
    /// refused at stop.
    buckets: Vec<Arc<crate::bucket::TokenBucket>>,
    /// The addresses the endpoints listen on, in config order.
    pub local_addrs: Vec<std::net::SocketAddr>,
}

impl Server {
    /// Builds the applications, sets up TLS, binds every endpoint and starts
    /// accepting.
    pub async fn start(config: &WebappConfig, options: &ServerOptions) -> Result<Self, StartError> {
        let services = start_services(config, options).await?;
        let apps = build::applications(config, &options.logger)?;
        let tls_hosts = TlsHosts::new(config.hosts.iter().map(|h| &h.config))
            .map_err(|err| StartError::Tls(err.to_string()))?;

        let mut prepared = Vec::with_capacity(config.endpoints.len());
        for (index, entry) in config.endpoints.iter().enumerate() {
            let endpoint = &entry.config;
            let tls = match endpoint.protocol {
                Protocol::Http => None,
                Protocol::Https => Some(&[b"http/1.1".as_slice()][..]),
                Protocol::Http2 => Some(&[b"h2".as_slice(), b"http/1.1".as_slice()][..]),
            };
            let tls = tls
                .map(|alpn| tls_hosts.server_config(&endpoint.hostnames, alpn))
                .transpose()
                .map_err(|err| {
                    StartError::Tls(format!("endpoints[{index}] (`{}`): {err}", entry.name))
                })?
                .map(TlsAcceptor::from);
            let listener =
                listen::listen(&endpoint.interface).map_err(|cause| StartError::Listen {
                    index,
                    name: entry.name.clone(),
                    interface: endpoint.interface.to_string(),
                    cause,
                })?;
            // Linking checked that the application exists.
            let application = apps
                .get(endpoint.application.as_str())
                .cloned()
                .ok_or_else(|| StartError::Application {
                    index,
                    name: endpoint.application.to_string(),
                    message: "no such application".into(),
                })?;
            let logger = component_logger(config, &options.logger, "endpoint", &entry.name);
            logger.event_with("routing", || {
                vec![LogValue::object([
                    ("protocol", LogValue::from(endpoint.protocol.as_str())),
                    ("interface", LogValue::from(endpoint.interface.to_string())),
                    ("application", LogValue::from(endpoint.application.as_str())),
                ])]
            });
            let context = Arc::new(EndpointContext {
                name: entry.name.clone(),
                logger,
                application,
                server_header: options.server_header.clone(),
                dispatch_logging: entry.dispatch_logging,
                access_log: role_service(&endpoint.services, &services, Role::AccessLog)
                    .and_then(|service| service.access_log()),
                connection_bucket: role_service(
                    &endpoint.services,
                    &services,
                    Role::ConnectionRateLimiter,
                )
                .and_then(|service| service.connection_bucket()),
                application_name: endpoint.application.as_str().to_owned(),
                port: endpoint.interface.port().map_or(0, |p| p.get()),
                max_body: endpoint
                    .max_request_body_size
                    .map(|size| size.value() as u64),
            });
            prepared.push((
                listener,
                Speaker {
                    protocol: endpoint.protocol,
                    tls,
                    context,
                },
            ));
        }

        let (stop, stopped) = watch::channel(false);
        let graceful = Arc::new(GracefulShutdown::new());
        let mut tasks = JoinSet::new();
        let mut local_addrs = Vec::with_capacity(prepared.len());
        let mut endpoint_loggers = Vec::with_capacity(prepared.len());
        let mut buckets = Vec::new();
        for (listener, speaker) in prepared {
            let listener = TcpListener::from_std(listener).map_err(|cause| StartError::Listen {
                index: local_addrs.len(),
                name: speaker.context.name.clone(),
                interface: String::new(),
                cause,
            })?;
            let local = listener.local_addr().map_err(|cause| StartError::Listen {
                index: local_addrs.len(),
                name: speaker.context.name.clone(),
                interface: String::new(),
                cause,
            })?;
            speaker.context.logger.event_with("started", || {
                vec![LogValue::object([
                    ("protocol", LogValue::from(speaker.protocol.as_str())),
                    (
                        "listening",
                        LogValue::interface_address(&local.ip().to_string(), Some(local.port())),
                    ),
                ])]
            });
            local_addrs.push(local);
            endpoint_loggers.push((speaker.context.logger.clone(), speaker.protocol.as_str()));
            buckets.extend(speaker.context.connection_bucket.clone());
            tasks.spawn(accept_loop(
                listener,
                speaker,
                stopped.clone(),
                graceful.clone(),
            ));
        }
        Ok(Self {
            stop,
            tasks,
            graceful,
            services,
            endpoint_loggers,
            buckets,
            local_addrs,
        })
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`),
    /// then closes what is left.
    pub async fn stop(mut self, grace: Duration) {
        let log_all = |kind: &str| {
            for (logger, protocol) in &self.endpoint_loggers {
                logger.event_with(kind, || {
                    vec![LogValue::object([("protocol", LogValue::from(*protocol))])]
                });
            }
        };
        log_all("stopping");
        let _ = self.stop.send(true);
        for bucket in &self.buckets {
            bucket.deny_all();
        }
        while self.tasks.join_next().await.is_some() {}
        // The accept loops, the only other holders, have ended.
        if let Ok(graceful) = Arc::try_unwrap(self.graceful) {
            let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
        }
        log_all("stopped");
        for (_, service) in self.services.iter().rev() {
            service.stop().await;
        }
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
    services: &'a [(String, ServiceRef)],
    role: Role,
) -> Option<&'a ServiceRef> {
    let (_, name) = roles.iter().find(|(r, _)| *r == role)?;
    services
        .iter()
        .find(|(running, _)| running == name.as_str())
        .map(|(_, service)| service)
}

/// Builds and starts the services that run, in configuration order; a
/// failure stops those already started.
async fn start_services(
    config: &WebappConfig,
    options: &ServerOptions,
) -> Result<Vec<(String, ServiceRef)>, StartError> {
    let mut started: Vec<(String, ServiceRef)> = Vec::new();
    let registry = ServiceRegistry::default();
    for (index, entry) in config.services.iter().enumerate() {
        let failed = |message: String| StartError::Service {
            index,
            name: entry.name.clone(),
            message,
        };
        let context = ServiceContext {
            heap: options.heap.clone(),
            shutdown: options.shutdown.clone(),
            services: registry.clone(),
            logger: component_logger(config, &options.logger, "service", &entry.name),
            log_stream: options.log_stream.clone(),
        };
        let built = entry
            .config
            .build(&context)
            .map_err(|err| failed(err.to_string()));
        let result = match built {
            Ok(Some(service)) => service
                .start()
                .await
                .map(|()| Some(service))
                .map_err(|err| failed(err.to_string())),
            Ok(None) => Ok(None),
            Err(err) => Err(err),
        };
        match result {
            Ok(Some(service)) => started.push((entry.name.clone(), service)),
            Ok(None) => {}
            Err(err) => {
                for (_, service) in started.iter().rev() {
                    service.stop().await;
                }
                return Err(err);
            }
        }
    }
    let _ = registry.set(started.clone());
    Ok(started)
}

async fn accept_loop(
    listener: TcpListener,
    speaker: Speaker,
    mut stopped: watch::Receiver<bool>,
    graceful: Arc<GracefulShutdown>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, remote)) = accepted else {
                    // Out of descriptors and the like: back off briefly
                    // rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let speaker = speaker.clone();
                let watcher = graceful.watcher();
                let logger = connection_logger(&speaker.context.logger, &stream, remote);
                tokio::spawn(async move {
                    // A connection rate limiter admits the connection before
                    // anything is read or written; a denied one is closed.
                    if let Some(bucket) = &speaker.context.connection_bucket {
                        let grant = bucket.request(1.0, 1.0).await;
                        if !grant.done {
                            logger.event("rateLimiterDenied", Vec::new());
                            return;
                        }
                        if !grant.waited.is_zero() {
                            logger.event_with("rateLimiterWaited", || {
                                let waited = crate::quant::Duration::new(grant.waited.as_secs_f64());
                                vec![LogValue::duration(waited)]
                            });
                        }
                    }
                    speaker.serve(stream, remote, watcher, logger.clone()).await;
                    logger.event("closed", vec!["ok".into()]);
                });
            }
            _ = stopped.changed() => break,
        }
    }
}

/// A new connection's logger (`…conn.<id>`), having logged its arrival.
fn connection_logger(
    endpoint: &Logger,
    stream: &tokio::net::TcpStream,
    remote: std::net::SocketAddr,
) -> Logger {
    if !endpoint.is_enabled() {
        return Logger::disabled();
    }
    let logger = endpoint.child("conn").with_new_id();
    let id = logger.last_context().unwrap_or_default().to_owned();
    endpoint.event("newConnection", vec![id.into()]);
    let local = stream
        .local_addr()
        .map_or_else(|_| "<unknown>".to_owned(), |addr| addr.to_string());
    logger.event(
        "opened",
        vec![LogValue::object([
            ("local", LogValue::from(local)),
            ("remote", LogValue::from(remote.to_string())),
        ])],
    );
    logger
}

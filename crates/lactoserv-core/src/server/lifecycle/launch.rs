//! Launching a staged server (spec 01 LIFE-3 step 6): the hosts, services,
//! applications and endpoints start, in that order, each logging its start
//! as the reference does; endpoints take over the sockets a predecessor
//! stashed.

use tokio::net::TcpListener;

use super::events::mark;
use super::stage::{Pending, Staged};
use super::{Listening, Stash};
use crate::log::LogValue;
use crate::server::endpoint::accept::accept_loop;
use crate::server::http3;
use crate::server::{Server, StartError};
use crate::service::Fate;

impl Staged {
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
                    source: Box::new(err),
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
fn launch_endpoint(pending: Pending, stash: &mut Stash) -> Result<Listening, StartError> {
    let Pending {
        index,
        mut info,
        listener,
        quic,
        context,
    } = pending;
    let failed = |cause: std::io::Error| StartError::Listen {
        index,
        name: context.name.clone(),
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
    let quic = match quic {
        Some(pending) => {
            let (endpoint, unstashed) =
                super::quic::launch(pending, &info.interface, stash).map_err(failed)?;
            if unstashed {
                mark(&info.logger, "unstashed");
            }
            info.logger.event_with("http3", || {
                let local = endpoint.local_addr().ok();
                vec![local.map_or(LogValue::Null, listening_address)]
            });
            Some(tokio::spawn(http3::accept::accept_loop(
                endpoint,
                context.clone(),
            )))
        }
        None => None,
    };
    let task = tokio::spawn(accept_loop(listener, context.clone()));
    Ok(Listening {
        info,
        local,
        task,
        quic,
        context,
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

//! Stopping a server (spec 01 LIFE-9, LIFE-17): stop accepting and wind
//! the connections down, hand the listening sockets to a successor when
//! reloading, let the connections finish, then stop the services.

use std::time::Duration;

use super::events::{mark_fate, stop_each};
use super::stash::{Stash, Stashed};
use super::{Draining, Listening};
use crate::log::LogValue;
use crate::server::Server;
use crate::server::conn::stop::Phase;
use crate::service::Fate;

/// The longest a stop waits for its QUIC connections' closes to go out
/// once every connection has ended.
const QUIC_CLOSE_BOUND: Duration = Duration::from_secs(1);

impl Server {
    /// Stops accepting connections at once and starts winding the open
    /// ones down (retiring them for a reload, closing them for a stop).
    /// For a reload the listening sockets are handed over in the stash
    /// (queued connections stay queued for the successor); otherwise they
    /// are closed.
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
        let phase = match fate {
            Fate::WillReload => Phase::Retiring,
            Fate::Shutdown => Phase::Closing,
        };
        let mut stash = Stash::default();
        let mut draining = Vec::with_capacity(endpoints.len());
        let mut closing_quic = Vec::new();
        for endpoint in endpoints {
            let Listening {
                info,
                context,
                task,
                quic,
                ..
            } = endpoint;
            info.log("stopping", true);
            context.stop.begin(phase, &info.logger);
            if let Some(bucket) = &context.connection_bucket {
                bucket.deny_all();
            }
            let listener = task.await.ok();
            if let (Fate::WillReload, Some(listener)) = (fate, listener)
                && let Ok(listener) = listener.into_std()
            {
                info.logger.event_with("stashed", || {
                    vec![info.listening.clone().unwrap_or(LogValue::Null)]
                });
                stash.listeners.push(Stashed {
                    interface: info.interface.clone(),
                    listener,
                    logger: info.logger.clone(),
                });
            }
            if let Some(quic) = quic
                && let Ok(quic) = quic.await
            {
                match fate {
                    Fate::WillReload => stash.quic.push((info.interface.clone(), quic)),
                    Fate::Shutdown => closing_quic.push(quic),
                }
            }
            draining.push((info, context));
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
                quic: closing_quic,
                services,
                tree,
            },
        )
    }
}

impl Draining {
    /// Lets the connections finish (up to `grace`, then drops them), then
    /// stops the applications, services and hosts. Whether every
    /// connection finished within `grace`.
    pub async fn finish(self, grace: Duration) -> bool {
        let fate = self.fate.as_str();
        let deadline = tokio::time::Instant::now() + grace;
        let mut in_time = true;
        for (info, context) in &self.endpoints {
            in_time &= context.stop.end(deadline, &info.logger).await;
            info.log("stopped", false);
            mark_fate(&info.logger, "stopped", fate);
        }
        // Every connection is closed by now; quinn sends the closes, and
        // answers what arrives meanwhile with them again, until each
        // connection's drain ends (three probe timeouts) or the bound does:
        // otherwise the process could end first, and the clients would
        // wait out their idle timeouts instead.
        let closes =
            futures_util::future::join_all(self.quic.iter().map(quinn::Endpoint::wait_idle));
        let _ = tokio::time::timeout(QUIC_CLOSE_BOUND, closes).await;
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

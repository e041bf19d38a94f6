//! The running EventFan: access-log entries passed on to every target.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use lactoserv_core::service::{
    AccessEntry, AccessLog, Fate, RequestStart, Service, ServiceError, ServiceRegistry,
};

/// Passes the events it gets (access-log entries) on to every target.
#[derive(Debug)]
pub(crate) struct EventFan {
    pub(crate) fan: Arc<Fan>,
}

/// The targets, looked up once every service has started (a fan may name
/// services that start after it).
pub(crate) struct Fan {
    pub(crate) names: Vec<String>,
    pub(crate) registry: ServiceRegistry,
    pub(crate) targets: OnceLock<Vec<Arc<dyn AccessLog>>>,
}

impl std::fmt::Debug for Fan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fan")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl Fan {
    fn targets(&self) -> &[Arc<dyn AccessLog>] {
        let Some(running) = self.registry.get() else {
            return &[];
        };
        self.targets.get_or_init(|| {
            self.names
                .iter()
                .filter_map(|name| {
                    running
                        .iter()
                        .find(|(running, _)| running == name)
                        .and_then(|(_, service)| service.access_log())
                })
                .collect()
        })
    }
}

impl AccessLog for Fan {
    fn wants_headers(&self) -> bool {
        self.targets().iter().any(|target| target.wants_headers())
    }

    fn start(&self, request: &RequestStart<'_>) {
        for target in self.targets() {
            if target.wants_headers() {
                target.start(request);
            }
        }
    }

    fn record(&self, entry: AccessEntry) {
        if let Some((last, rest)) = self.targets().split_last() {
            for target in rest {
                target.record(entry.clone());
            }
            last.record(entry);
        }
    }
}

#[async_trait]
impl Service for EventFan {
    async fn start(&self) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {}

    fn access_log(&self) -> Option<Arc<dyn AccessLog>> {
        Some(self.fan.clone())
    }
}

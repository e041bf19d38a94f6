//! Services at run time (Lactoserv `BaseService`): started before the
//! endpoints accept anything and stopped after they have finished, in
//! configuration order (stopped in reverse).

use std::sync::Arc;

use async_trait::async_trait;

use crate::log::{LogStream, Logger};

/// What went wrong starting a service.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ServiceError(pub String);

/// A running service.
#[async_trait]
pub trait Service: Send + Sync + std::fmt::Debug + 'static {
    /// Starts the service; an error stops the server's start.
    async fn start(&self) -> Result<(), ServiceError>;

    /// Stops the service (the server is shutting down).
    async fn stop(&self);
}

/// A shared service.
pub type ServiceRef = Arc<dyn Service>;

/// What a service is built with.
#[derive(Clone)]
pub struct ServiceContext {
    /// The service's logger (`webapp.service.<name>`).
    pub logger: Logger,
    /// The system log's event stream, for services that write it out; set
    /// when some service says it does
    /// ([`ServiceConfig::writes_system_log`](crate::component::ServiceConfig::writes_system_log)).
    pub log_stream: Option<Arc<LogStream>>,
}

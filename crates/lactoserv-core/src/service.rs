//! Services at run time (Lactoserv `BaseService`): started before the
//! endpoints accept anything and stopped after they have finished, in
//! configuration order (stopped in reverse).

use std::sync::Arc;

use async_trait::async_trait;

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

//! The running ConnectionRateLimiter: the bucket each new connection of
//! its endpoints takes a token from.

use std::sync::Arc;

use async_trait::async_trait;
use lactoserv_core::bucket::TokenBucket;
use lactoserv_core::service::{Fate, Service, ServiceError};

/// Admits each new connection of the endpoints that use it through one
/// token bucket (spec 02 §5.3): at once, after queueing, or not at all (the
/// connection is closed unread).
#[derive(Debug)]
pub(crate) struct ConnectionRateLimiter(pub(crate) Arc<TokenBucket>);

#[async_trait]
impl Service for ConnectionRateLimiter {
    async fn start(&self) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        self.0.deny_all();
    }

    fn connection_bucket(&self) -> Option<Arc<TokenBucket>> {
        Some(self.0.clone())
    }
}

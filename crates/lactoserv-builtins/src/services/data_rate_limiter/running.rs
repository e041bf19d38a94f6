//! The running DataRateLimiter: the bucket of bytes every connection of its
//! endpoints writes through.

use async_trait::async_trait;
use lactoserv_core::service::{DataLimit, Fate, Service, ServiceError};

/// Limits the bytes written by every connection of the endpoints that use
/// it through one token bucket (spec 02 §5.4).
#[derive(Debug)]
pub(crate) struct DataRateLimiter(pub(crate) DataLimit);

#[async_trait]
impl Service for DataRateLimiter {
    async fn start(&self) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        self.0.bucket.deny_all();
    }

    fn data_limit(&self) -> Option<DataLimit> {
        Some(self.0.clone())
    }
}

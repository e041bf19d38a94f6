//! ConnectionRateLimiter: admits, delays or refuses an endpoint's new
//! connections with a token bucket, one token per connection (Lactoserv
//! `webapp-builtins/export/ConnectionRateLimiter.js`).
//!
//! The connections take their tokens as they are accepted (the core's
//! accept loop); the service holds the bucket, and denies what is queued
//! when it stops.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Role, Roles, ServiceConfig};
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

use running::ConnectionRateLimiter;

use crate::support::rate_limit::{ConnectionTokens, RateLimitConfig};

/// The bindings of a ConnectionRateLimiter service: a token bucket counted
/// in connections (`'5 conn'`, `'1 conn/sec'`).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct ConnectionRateLimiterConfig(RateLimitConfig<ConnectionTokens>);

impl ServiceConfig for ConnectionRateLimiterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        self.0.validate()
    }

    fn roles(&self) -> Roles {
        Roles::of(Role::ConnectionRateLimiter)
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        Ok(Some(Arc::new(ConnectionRateLimiter(
            self.0.bucket(&context.name),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<ConnectionRateLimiterConfig, BindError> {
        let mut config: ConnectionRateLimiterConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_valid_configuration() {
        let config = bind(&json!({"flowRate": "1 conn/sec", "maxBurst": "10 conn"})).unwrap();
        assert!(config.roles().contains(Role::ConnectionRateLimiter));
        assert!(!config.roles().contains(Role::DataRateLimiter));
    }

    #[test]
    fn rejects_byte_counts_and_max_queue_grant() {
        let err = bind(&json!({"flowRate": "1 conn/sec", "maxBurst": "10 KiB"})).unwrap_err();
        assert_eq!(err.field, "maxBurst");
        let err = bind(
            &json!({"flowRate": "1 conn/sec", "maxBurst": "10 conn", "maxQueueGrant": "1 conn"}),
        )
        .unwrap_err();
        assert_eq!(err.field, "maxQueueGrant");
    }
}

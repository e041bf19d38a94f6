//! DataRateLimiter: limits the rate at which an endpoint's connections
//! write, with a token bucket of bytes shared by all of them (Lactoserv
//! `webapp-builtins/export/DataRateLimiter.js`).
//!
//! The connections themselves take the tokens as they write (the core's
//! throttle, below TLS); the service holds the bucket, and denies what is
//! queued when it stops.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Role, Roles, ServiceConfig};
use lactoserv_core::service::{DataLimit, ServiceContext, ServiceRef};
use serde::Deserialize;

use running::DataRateLimiter;

use crate::support::rate_limit::{ByteTokens, RateLimitConfig};

/// The bindings of a DataRateLimiter service: a token bucket counted in
/// bytes (`'100 KiB'`, `'10 MiB/sec'`), which alone among the limiters takes
/// `maxQueueGrant` and `verboseLogging`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct DataRateLimiterConfig(RateLimitConfig<ByteTokens>);

impl ServiceConfig for DataRateLimiterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        self.0.validate()
    }

    fn roles(&self) -> Roles {
        Roles::of(Role::DataRateLimiter)
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        Ok(Some(Arc::new(DataRateLimiter(DataLimit {
            bucket: self.0.bucket(&context.name),
            verbose: self.0.verbose_logging,
        }))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<DataRateLimiterConfig, BindError> {
        let mut config: DataRateLimiterConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_valid_minimal_configuration() {
        let config = bind(&json!({"flowRate": "10 MiB/sec", "maxBurst": "100 KiB"})).unwrap();
        assert!(config.roles().contains(Role::DataRateLimiter));
        assert!(!config.0.verbose_logging);
    }

    #[test]
    fn accepts_max_queue_and_max_queue_grant() {
        bind(&json!({"flowRate": "10 MiB/sec", "maxBurst": "100 KiB", "maxQueue": "123 MiB"}))
            .unwrap();
        let config = bind(&json!({
            "flowRate": "10 MiB/sec", "maxBurst": "100 KiB", "maxQueueGrant": "10000 byte",
            "verboseLogging": true
        }))
        .unwrap();
        assert!(config.0.verbose_logging);
    }

    #[test]
    fn rejects_connection_counts() {
        let err = bind(&json!({"flowRate": "1 conn/sec", "maxBurst": "100 KiB"})).unwrap_err();
        assert_eq!(err.field, "flowRate");
    }
}

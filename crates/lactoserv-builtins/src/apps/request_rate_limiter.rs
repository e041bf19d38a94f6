//! RequestRateLimiter: lets requests through at a limited rate, making the
//! excess wait in a queue or answering 429 when the queue is full (Lactoserv
//! `webapp-builtins/export/RequestRateLimiter.js`).
//!
//! This module holds its configuration; the application itself comes with
//! the runtime.

use lactoserv_core::bind::BindError;
use lactoserv_core::component::ApplicationConfig;
use serde::Deserialize;

use crate::support::rate_limit::{RateLimitConfig, RequestTokens};

/// The bindings of a RequestRateLimiter application: a token bucket counted
/// in requests (`'10 req'`, `'600 req per min'`).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct RequestRateLimiterConfig(RateLimitConfig<RequestTokens>);

impl ApplicationConfig for RequestRateLimiterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        self.0.validate()
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<RequestRateLimiterConfig, BindError> {
        let mut config: RequestRateLimiterConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_valid_configurations() {
        for bindings in [
            json!({"flowRate": "1 req/sec", "maxBurst": "10 req"}),
            json!({"flowRate": "1000 request/min", "maxBurst": "5 request", "initialBurst": "2 request"}),
            json!({"flowRate": "1000 request/min", "maxBurst": "5 request", "initialBurst": null}),
            json!({"flowRate": "1000 request/min", "maxBurst": "5 request", "maxQueue": "100 request"}),
            json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "initialBurst": "0 req"}),
        ] {
            assert!(bind(&bindings).is_ok(), "{bindings}");
        }
    }

    #[test]
    fn throws_for_each_reference_error_case() {
        for (bindings, field) in [
            (
                json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "maxQueueGrant": "100 req"}),
                "maxQueueGrant",
            ),
            (
                json!({"flowRate": "100_florp/splat", "maxBurst": "10 req"}),
                "flowRate",
            ),
            (
                json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "initialBurst": "blorp!"}),
                "initialBurst",
            ),
            (
                json!({"flowRate": "1 req/sec", "maxBurst": "zonk!"}),
                "maxBurst",
            ),
            (
                json!({"flowRate": "1 req/sec", "maxBurst": null}),
                "maxBurst",
            ),
            (
                json!({"flowRate": "10 Hz", "maxBurst": "10 req"}),
                "flowRate",
            ),
            (
                json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "maxQueue": "0 req"}),
                "maxQueue",
            ),
        ] {
            assert_eq!(bind(&bindings).unwrap_err().field, field, "{bindings}");
        }
    }

    #[test]
    fn rejects_unknown_bindings() {
        let err =
            bind(&json!({"flowRate": "1 req/sec", "maxBurst": "10 req", "verboseLogging": true}));
        assert!(
            err.unwrap_err()
                .message
                .starts_with("Extra property: `verboseLogging`")
        );
    }
}

//! RequestRateLimiter: lets requests through at a limited rate, making the
//! excess wait in a queue or answering 429 when the queue is full (Lactoserv
//! `webapp-builtins/export/RequestRateLimiter.js`).

mod running;

use std::sync::Arc;

use lactoserv_core::app::AppRef;
use lactoserv_core::bind::BindError;
use lactoserv_core::component::{ApplicationConfig, Applications};
use serde::Deserialize;

use running::RequestRateLimiter;

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

    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        let name = applications.name().unwrap_or_default();
        Ok(Arc::new(RequestRateLimiter::new(self.0.bucket(name))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use lactoserv_core::net::{Dispatch, Request};
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<RequestRateLimiterConfig, BindError> {
        let mut config: RequestRateLimiterConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[tokio::test(start_paused = true)]
    async fn passes_requests_on_until_the_queue_is_full_then_answers_429() {
        let config =
            bind(&json!({"flowRate": "1 req/sec", "maxBurst": "2 req", "maxQueue": "1 req"}))
                .unwrap();
        let app = config
            .build_with(&crate::apps::testing::Apps::new(&[]))
            .unwrap();
        let request = Request::for_target(http::Method::GET, "/").unwrap();
        let started = tokio::time::Instant::now();
        let mut answers = Vec::new();
        let dispatch = Dispatch::root(&request);
        let calls: Vec<_> = (0..5)
            .map(|_| app.handle_request(&request, &dispatch))
            .collect();
        for answer in futures_join(calls).await {
            answers.push(answer.unwrap().map(|r| r.status.as_u16()));
        }
        let passed = answers.iter().filter(|a| a.is_none()).count();
        let limited = answers.iter().filter(|a| **a == Some(429)).count();
        assert_eq!((passed, limited), (3, 2));
        assert_eq!(started.elapsed(), std::time::Duration::from_secs(1));
    }

    /// Runs futures concurrently on this task, in order.
    async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
        let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
        let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut pending = false;
            for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() {
                    match future.as_mut().poll(cx) {
                        std::task::Poll::Ready(value) => *output = Some(value),
                        std::task::Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await;
        outputs.into_iter().map(Option::unwrap).collect()
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

//! MemoryMonitor: checks the process's memory use now and then and, when it
//! stays over a limit past a grace period, shuts the server down with exit
//! status 1 (Lactoserv `webapp-builtins/export/MemoryMonitor.js`).
//!
//! This module holds its configuration; `running` is the service itself.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::ServiceConfig;
use lactoserv_core::quant::{ByteCount, Duration};
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

/// The default time between checks: five minutes.
const DEFAULT_CHECK_PERIOD_SECS: f64 = 5.0 * 60.0;

/// The smallest limit the reference documents (1 MiB). The reference code
/// does not enforce it, but a smaller limit could only stop the server as
/// soon as it starts.
const MIN_LIMIT_BYTES: f64 = 1024.0 * 1024.0;

/// The bindings of a MemoryMonitor service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MemoryMonitorConfig {
    /// Time between checks. Unlike most periods it cannot be `null`.
    #[serde(default = "default_check_period")]
    check_period: Duration,
    /// How long memory may stay over a limit before the server stops;
    /// `None` (absent or `null`) is no grace at all.
    #[serde(default)]
    grace_period: Option<Duration>,
    /// Heap limit; `None` means none.
    #[serde(default)]
    max_heap: Option<ByteCount>,
    /// Resident-set-size limit; `None` means none.
    #[serde(default)]
    max_rss: Option<ByteCount>,
}

fn default_check_period() -> Duration {
    Duration::new(DEFAULT_CHECK_PERIOD_SECS)
}

impl ServiceConfig for MemoryMonitorConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self.check_period.value() < 1.0 {
            return Err(BindError::new(
                "checkPeriod",
                format!("Must be at least 1 sec: {}", self.check_period),
            ));
        }
        if let Some(grace) = self.grace_period.filter(|grace| grace.value() < 0.0) {
            return Err(BindError::new(
                "gracePeriod",
                format!("Must not be negative: {grace}"),
            ));
        }
        for (field, limit) in [("maxHeap", self.max_heap), ("maxRss", self.max_rss)] {
            if let Some(limit) = limit.filter(|limit| limit.value() < MIN_LIMIT_BYTES) {
                return Err(BindError::new(
                    field,
                    format!("Must be at least 1 MiB: {limit}"),
                ));
            }
        }
        Ok(())
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let limits = running::Limits {
            check: std::time::Duration::from_secs_f64(self.check_period.value()),
            grace: self.grace_period.map_or(std::time::Duration::ZERO, |g| {
                std::time::Duration::from_secs_f64(g.value())
            }),
            max_heap: self.max_heap.map(|b| b.value() as u64),
            max_rss: self.max_rss.map(|b| b.value() as u64),
        };
        let heap = context.heap.clone();
        let measure: running::Measure = Box::new(move || {
            (
                heap.as_ref().and_then(|probe| probe()),
                running::rss_bytes(),
            )
        });
        Ok(Some(Arc::new(running::MemoryMonitor::new(
            limits,
            measure,
            context.shutdown.clone(),
            context.logger.clone(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<MemoryMonitorConfig, BindError> {
        let mut config: MemoryMonitorConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_no_bindings_with_reference_defaults() {
        let config = bind(&json!({})).unwrap();
        assert_eq!(config.check_period.value(), 300.0);
        assert_eq!(config.grace_period, None);
        assert_eq!((config.max_heap, config.max_rss), (None, None));
    }

    #[test]
    fn accepts_a_full_configuration() {
        let config = bind(&json!({
            "checkPeriod": "1 sec", "gracePeriod": "3 sec", "maxHeap": "100 MiB", "maxRss": "1 MiB"
        }))
        .unwrap();
        assert_eq!(config.grace_period.map(Duration::value), Some(3.0));
        assert_eq!(config.max_rss.map(ByteCount::value), Some(MIN_LIMIT_BYTES));
    }

    #[test]
    fn takes_a_null_grace_period_as_none() {
        assert_eq!(
            bind(&json!({"gracePeriod": null})).unwrap().grace_period,
            None
        );
    }

    #[test]
    fn rejects_short_or_null_check_periods() {
        for period in [json!("0.5 sec"), json!("999 msec"), json!(null), json!(60)] {
            let err = bind(&json!({"checkPeriod": period})).unwrap_err();
            assert_eq!(err.field, "checkPeriod", "{period}");
        }
        let err = bind(&json!({"checkPeriod": null})).unwrap_err();
        assert_eq!(err.message, "Cannot parse value: null");
    }

    #[test]
    fn rejects_negative_grace_period() {
        assert_eq!(
            bind(&json!({"gracePeriod": "-1 sec"})).unwrap_err().field,
            "gracePeriod"
        );
    }

    #[test]
    fn rejects_limits_below_one_mebibyte() {
        for limit in ["1 KiB", "1 B", "-5 MiB", "0 B"] {
            assert_eq!(
                bind(&json!({"maxHeap": limit})).unwrap_err().field,
                "maxHeap",
                "{limit}"
            );
            assert_eq!(
                bind(&json!({"maxRss": limit})).unwrap_err().field,
                "maxRss",
                "{limit}"
            );
        }
    }
}

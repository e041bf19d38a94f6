//! RequestDelay: waits a fixed or random time, then declines, so that the
//! next application in a SerialRouter runs (Lactoserv
//! `webapp-builtins/export/RequestDelay.js`; spec 03 §4.6).
//!
//! The reference's `timeSource` binding is a testing aid that a config file
//! cannot meaningfully set; here it is accepted only as `null` (tests control
//! the clock from Rust instead).

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;

use lactoserv_core::app::AppRef;
use lactoserv_core::component::ApplicationConfig;

use lactoserv_core::quant::Duration;
use running::RequestDelay;
use serde::Deserialize;
use serde_json::Value;

/// The checked configuration of a RequestDelay.
///
/// After `validate`, `min_delay` and `max_delay` are both set (to `delay`
/// when that was given), and equal for a fixed delay.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RequestDelayConfig {
    /// A fixed delay; mutually exclusive with the other two.
    #[serde(default)]
    pub(crate) delay: Option<Duration>,
    /// The shortest random delay.
    #[serde(default)]
    pub(crate) min_delay: Option<Duration>,
    /// The longest random delay.
    #[serde(default)]
    pub(crate) max_delay: Option<Duration>,
    /// Only `null` (see the module docs).
    #[serde(default)]
    time_source: Option<Value>,
}

impl ApplicationConfig for RequestDelayConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self.time_source.is_some() {
            return Err(BindError::new(
                "timeSource",
                "Only `null` is allowed: the time source cannot be set from a configuration file.",
            ));
        }
        for (field, value) in [
            ("delay", self.delay),
            ("maxDelay", self.max_delay),
            ("minDelay", self.min_delay),
        ] {
            if let Some(value) = value
                && (value.value() < 0.0 || value.value().is_nan())
            {
                return Err(BindError::new(
                    field,
                    format!("Could not parse delay value: {value} (must not be negative)"),
                ));
            }
        }
        let (min, max) = match (self.delay, self.min_delay, self.max_delay) {
            (Some(delay), None, None) => (delay, delay),
            (None, Some(min), Some(max)) => (min, max),
            (None, None, None) | (Some(_), _, _) => {
                return Err(BindError::new(
                    "",
                    "Must specify either `delay` or both `minDelay` and `maxDelay`.",
                ));
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                return Err(BindError::new(
                    "",
                    "Must specify both `minDelay` and `maxDelay` if either is used.",
                ));
            }
        };
        if min > max {
            return Err(BindError::new(
                "minDelay",
                "`minDelay` must not be greater than `maxDelay`.",
            ));
        }
        self.min_delay = Some(min);
        self.max_delay = Some(max);
        Ok(())
    }

    fn build(&self) -> Result<AppRef, BindError> {
        let (min, max) = match (self.delay, self.min_delay, self.max_delay) {
            (Some(delay), _, _) => (delay, delay),
            (None, Some(min), Some(max)) => (min, max),
            _ => return Err(BindError::new("delay", "no delay configured")),
        };
        Ok(Arc::new(RequestDelay::new(min.value(), max.value())))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::json;

    use super::*;

    fn build(config: Value) -> Result<RequestDelayConfig, BindError> {
        let mut config: RequestDelayConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    fn range(config: Value) -> (f64, f64) {
        let config = build(config.clone()).unwrap_or_else(|err| panic!("{config}: {err}"));
        let (min, max) = (config.min_delay.unwrap(), config.max_delay.unwrap());
        (min.value(), max.value())
    }

    #[test]
    fn a_fixed_delay_sets_both_ends() {
        assert_eq!(range(json!({ "delay": "1234_sec" })), (1234.0, 1234.0));
        assert_eq!(range(json!({ "delay": "250 msec" })), (0.25, 0.25));
        assert_eq!(range(json!({ "delay": "0 sec" })), (0.0, 0.0));
        let config = build(json!({ "delay": "5_sec" })).unwrap();
        assert_eq!(config.delay.map(Duration::value), Some(5.0));
    }

    #[test]
    fn accepts_a_range() {
        assert_eq!(
            range(json!({ "minDelay": "1_sec", "maxDelay": "2000_sec" })),
            (1.0, 2000.0)
        );
        assert_eq!(
            range(json!({ "minDelay": "20_msec", "maxDelay": "50_msec" })),
            (0.02, 0.05)
        );
        assert_eq!(
            range(json!({ "minDelay": "1 sec", "maxDelay": "1 sec" })),
            (1.0, 1.0)
        );
        let nulls =
            json!({ "delay": null, "minDelay": "1 sec", "maxDelay": "2 sec", "timeSource": null });
        assert_eq!(range(nulls), (1.0, 2.0));
    }

    #[test]
    fn requires_delay_or_both_ends() {
        let either = "Must specify either `delay` or both `minDelay` and `maxDelay`.";
        let both = "Must specify both `minDelay` and `maxDelay` if either is used.";
        let cases = [
            (json!({}), either),
            (json!({ "delay": "1 sec", "minDelay": "1 sec" }), either),
            (json!({ "delay": "1 sec", "maxDelay": "1 sec" }), either),
            (
                json!({ "delay": "1 sec", "minDelay": "1 sec", "maxDelay": "2 sec" }),
                either,
            ),
            (json!({ "minDelay": "1 sec" }), both),
            (json!({ "maxDelay": "1 sec" }), both),
        ];
        for (config, message) in cases {
            assert_eq!(
                build(config.clone()).unwrap_err().message,
                message,
                "{config}"
            );
        }
    }

    #[test]
    fn rejects_min_above_max() {
        let err = build(json!({ "minDelay": "2 sec", "maxDelay": "1 sec" })).unwrap_err();
        assert_eq!(
            err.message,
            "`minDelay` must not be greater than `maxDelay`."
        );
    }

    #[test]
    fn rejects_bad_durations_naming_the_field() {
        for (field, value) in [
            ("delay", json!("-1 sec")),
            ("delay", json!("florp")),
            ("delay", json!(5)),
            ("minDelay", json!("-5 msec")),
            ("maxDelay", json!("10 bytes")),
        ] {
            let mut config = json!({ "minDelay": "1 sec", "maxDelay": "2 sec" });
            if field == "delay" {
                config = json!({});
            }
            config[field] = value.clone();
            let err = build(config).unwrap_err();
            assert_eq!(err.field, field, "{value}");
        }
        let err = build(json!({ "delay": 5 })).unwrap_err();
        assert_eq!(err.message, "Cannot parse value: 5");
    }

    #[test]
    fn time_source_only_takes_null() {
        let err = build(json!({ "delay": "1 sec", "timeSource": {} })).unwrap_err();
        assert_eq!(err.field, "timeSource");
    }
}

//! AccessLogToFile: writes one line per request to a file, with optional
//! rotation (Lactoserv `webapp-builtins/export/AccessLogToFile.js`).
//!
//! This module holds its configuration; `running` is the service itself.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Role, Roles, ServiceConfig};
use lactoserv_core::quant::Duration;
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

use crate::services::{check_buffer_period, check_file_location};
use crate::support::bindings::FilePath;
use crate::support::log_file::LogFile;
use crate::support::rotate::{RotateConfig, SaveConfig, check_rotate_and_save};

/// The shortest `maxUrlLength`: room for a little of each end around `...`.
const MIN_URL_LENGTH: u64 = 20;

/// The largest integer a JavaScript number holds exactly, which the
/// reference requires of `maxUrlLength`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The bindings of an AccessLogToFile service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AccessLogToFileConfig {
    /// The log file.
    path: FilePath,
    /// How long to gather lines before writing them; `None` writes as soon
    /// as the current task yields (a zero period is the same).
    #[serde(default)]
    buffer_period: Option<Duration>,
    /// Longest URL to log in full; longer ones keep both ends around `...`.
    #[serde(default)]
    max_url_length: Option<u64>,
    /// Rotation by size and at start/stop.
    #[serde(default)]
    rotate: Option<RotateConfig>,
    /// Accepted, as by every file service, but an access log only rotates.
    #[serde(default)]
    save: Option<SaveConfig>,
}

impl ServiceConfig for AccessLogToFileConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        self.buffer_period = check_buffer_period(self.buffer_period)?;
        let allowed = MIN_URL_LENGTH..=MAX_SAFE_INTEGER;
        if let Some(length) = self
            .max_url_length
            .filter(|length| !allowed.contains(length))
        {
            return Err(BindError::new(
                "maxUrlLength",
                format!("Must be a whole number, at least {MIN_URL_LENGTH}: {length}"),
            ));
        }
        check_rotate_and_save(self.rotate.as_ref(), self.save.as_ref())
    }

    fn roles(&self) -> Roles {
        Roles::of(Role::AccessLog)
    }

    fn check_environment(&self) -> Result<(), BindError> {
        check_file_location(&self.path)
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let file = LogFile::configured(
            &self.path,
            self.buffer_period,
            self.rotate.as_ref(),
            &context.logger,
        );
        let max = self
            .max_url_length
            .map(|length| usize::try_from(length).unwrap_or(usize::MAX));
        Ok(Some(Arc::new(running::AccessLogToFile::new(file, max))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<AccessLogToFileConfig, BindError> {
        let mut config: AccessLogToFileConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_minimal_configuration() {
        let config = bind(&json!({"path": "/florp"})).unwrap();
        assert_eq!(config.buffer_period, None);
        assert_eq!(config.max_url_length, None);
        assert!(config.roles().contains(Role::AccessLog));
    }

    #[test]
    fn accepts_a_full_configuration() {
        let config = bind(&json!({
            "path": "/var/log/access.txt", "bufferPeriod": "250 msec", "maxUrlLength": 120,
            "rotate": {"atSize": "1 MiB", "maxOldCount": 10, "onStart": true}
        }))
        .unwrap();
        assert_eq!(config.buffer_period.map(Duration::value), Some(0.25));
        assert_eq!(config.max_url_length, Some(120));
    }

    #[test]
    fn treats_a_zero_buffer_period_as_none() {
        let config = bind(&json!({"path": "/florp", "bufferPeriod": "0 sec"})).unwrap();
        assert_eq!(config.buffer_period, None);
    }

    #[test]
    fn rejects_bad_buffer_periods() {
        for period in [json!("-1 sec"), json!(1), json!("soon")] {
            let err = bind(&json!({"path": "/florp", "bufferPeriod": period})).unwrap_err();
            assert_eq!(err.field, "bufferPeriod", "{period}");
        }
    }

    #[test]
    fn rejects_max_url_length_not_a_whole_number_from_20() {
        bind(&json!({"path": "/florp", "maxUrlLength": 20})).unwrap();
        for length in [
            json!(19),
            json!(20.5),
            json!("30"),
            json!(-1),
            json!(1u64 << 53),
        ] {
            let err = bind(&json!({"path": "/florp", "maxUrlLength": length})).unwrap_err();
            assert_eq!(err.field, "maxUrlLength", "{length}");
        }
    }

    #[test]
    fn rejects_bad_paths_and_missing_path() {
        let err = bind(&json!({"path": "florp"})).unwrap_err();
        assert_eq!(err.field, "path");
        let err = bind(&json!({})).unwrap_err();
        assert_eq!(err.message, "Missing required property: `path`");
    }

    #[test]
    fn rejects_both_rotate_and_save() {
        let err = bind(&json!({
            "path": "/florp", "rotate": {"atSize": "1 MiB"}, "save": {"onStart": true}
        }))
        .unwrap_err();
        assert_eq!(err.message, "Cannot specify both `rotate` and `save`.");
    }
}

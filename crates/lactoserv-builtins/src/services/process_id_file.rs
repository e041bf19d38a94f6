//! ProcessIdFile: keeps a file listing the server's process ID, optionally
//! shared by several server processes (Lactoserv
//! `webapp-builtins/export/ProcessIdFile.js`).
//!
//! This module holds its configuration; `running` is the service itself.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::ServiceConfig;
use lactoserv_core::quant::Duration;
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

use crate::services::{check_file_location, check_update_period};
use crate::support::bindings::FilePath;
use crate::support::rotate::{RotateConfig, SaveConfig, check_rotate_and_save};

/// The bindings of a ProcessIdFile service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ProcessIdFileConfig {
    /// The file to write.
    path: FilePath,
    /// Whether other processes' IDs stay in the file beside ours.
    #[serde(default)]
    multiprocess: bool,
    /// How often to rewrite the file; `None` writes it at start and stop only.
    #[serde(default)]
    update_period: Option<Duration>,
    /// Accepted, as by every file service, and checked, but not used.
    #[serde(default)]
    rotate: Option<RotateConfig>,
    /// Accepted, as by every file service, and checked, but not used.
    #[serde(default)]
    save: Option<SaveConfig>,
}

impl ServiceConfig for ProcessIdFileConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        check_update_period(self.update_period)?;
        check_rotate_and_save(self.rotate.as_ref(), self.save.as_ref())
    }

    fn check_environment(&self) -> Result<(), BindError> {
        check_file_location(&self.path)
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let logger = &context.logger;
        let period = self
            .update_period
            .map(|period| std::time::Duration::from_secs_f64(period.value()));
        Ok(Some(Arc::new(running::ProcessIdFile::new(
            self.path.as_path().to_owned(),
            self.multiprocess,
            period,
            logger.clone(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<ProcessIdFileConfig, BindError> {
        let mut config: ProcessIdFileConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_valid_minimal_configuration() {
        let config = bind(&json!({"path": "/florp"})).unwrap();
        assert!(!config.multiprocess);
        assert_eq!(config.update_period, None);
    }

    #[test]
    fn accepts_update_period_and_multiprocess() {
        let config =
            bind(&json!({"path": "/florp", "updatePeriod": "100_sec", "multiprocess": true}))
                .unwrap();
        assert_eq!(config.update_period.map(Duration::value), Some(100.0));
        assert!(config.multiprocess);
    }

    #[test]
    fn accepts_save_or_rotate() {
        bind(&json!({
            "path": "/florp",
            "save": {"maxOldSize": "1 MiB", "maxOldCount": 23, "onStart": true, "onStop": false}
        }))
        .unwrap();
        bind(&json!({
            "path": "/florp",
            "rotate": {
                "atSize": "100 KiB", "checkPeriod": "5 min", "maxOldSize": "1 MiB",
                "maxOldCount": 99, "onStart": false, "onStop": true
            }
        }))
        .unwrap();
    }

    #[test]
    fn rejects_both_save_and_rotate() {
        let err = bind(&json!({
            "path": "/florp",
            "save": {"maxOldCount": 10, "onStart": true},
            "rotate": {"atSize": "100 KiB"}
        }))
        .unwrap_err();
        assert_eq!(err.message, "Cannot specify both `rotate` and `save`.");
    }

    #[test]
    fn rejects_an_invalid_update_period() {
        for period in [json!("oh noes!"), json!("0.9 sec"), json!(10)] {
            let err = bind(&json!({"path": "/florp", "updatePeriod": period})).unwrap_err();
            assert_eq!(err.field, "updatePeriod", "{period}");
        }
    }

    #[test]
    fn rejects_a_non_boolean_multiprocess() {
        let err = bind(&json!({"path": "/florp", "multiprocess": "true"})).unwrap_err();
        assert_eq!(err.field, "multiprocess");
    }
}

//! ProcessInfoFile: keeps a JSON file describing the running process (its
//! ID, start time, memory use and how it stopped), optionally saving old
//! copies (Lactoserv `webapp-builtins/export/ProcessInfoFile.js`).
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
use crate::support::saver::Saver;

/// The bindings of a ProcessInfoFile service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ProcessInfoFileConfig {
    /// The file to write.
    path: FilePath,
    /// How often to rewrite the file; `None` writes it at start and stop only.
    #[serde(default)]
    update_period: Option<Duration>,
    /// Accepted for its save-type settings only: the file is rewritten
    /// whole, so rotation by size has nothing to do.
    #[serde(default)]
    rotate: Option<RotateConfig>,
    /// When to keep old copies of the file.
    #[serde(default)]
    save: Option<SaveConfig>,
}

impl ServiceConfig for ProcessInfoFileConfig {
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
        let settings = self
            .save
            .clone()
            .or_else(|| self.rotate.as_ref().map(RotateConfig::save_settings));
        let saver = settings.map(|settings| {
            (
                Arc::new(Saver::new(&self.path, &settings, logger)),
                settings.on_start,
                settings.on_stop,
            )
        });
        Ok(Some(Arc::new(running::ProcessInfoFile::new(
            self.path.as_path().to_owned(),
            period,
            saver,
            logger.clone(),
            context.shutdown.clone(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<ProcessInfoFileConfig, BindError> {
        let mut config: ProcessInfoFileConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_valid_configuration() {
        let config = bind(&json!({"path": "/florp", "updatePeriod": "100 sec"})).unwrap();
        assert_eq!(config.update_period.map(Duration::value), Some(100.0));
    }

    #[test]
    fn accepts_save_or_rotate() {
        let config = bind(&json!({
            "path": "/florp",
            "save": {"maxOldSize": "1 MiB", "maxOldCount": 23, "onStart": true, "onStop": false}
        }))
        .unwrap();
        assert!(config.save.is_some_and(|save| save.on_start));
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
        assert_eq!(err.field, "save");
    }

    #[test]
    fn rejects_an_invalid_update_period() {
        let err = bind(&json!({"path": "/florp", "updatePeriod": "zoinks!"})).unwrap_err();
        assert_eq!(err.field, "updatePeriod");
    }
}

//! SyslogToFile: writes the system log to a file, as human-readable text or
//! as JSON lines, with optional rotation (Lactoserv
//! `webapp-builtins/export/SyslogToFile.js`).
//!
//! This module holds its configuration; `running` is the service itself.

mod running;

use std::fmt;
use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::ServiceConfig;
use lactoserv_core::quant::Duration;
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::{Deserialize, Deserializer};

use crate::services::{check_buffer_period, check_file_location};
use crate::support::bindings::FilePath;
use crate::support::log_file::LogFile;
use crate::support::rotate::{RotateConfig, SaveConfig, check_rotate_and_save};

/// How a system-log file is written (Lactoserv `TextFileSink` formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFormat {
    /// Plain text, wrapped, with a header line each minute (`human`).
    Human,
    /// [`LogFormat::Human`] with ANSI colours (`humanStyled`).
    HumanStyled,
    /// One JSON object per line (`json`).
    Json,
}

impl LogFormat {
    /// The name a config uses for this format.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::HumanStyled => "humanStyled",
            Self::Json => "json",
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        [Self::Human, Self::HumanStyled, Self::Json]
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("Unknown log format: {name}")))
    }
}

/// The bindings of a SyslogToFile service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SyslogToFileConfig {
    /// The log file.
    path: FilePath,
    /// How to write events.
    format: LogFormat,
    /// How long to gather events before writing them; `None` writes as soon
    /// as the current task yields (a zero period is the same).
    #[serde(default)]
    buffer_period: Option<Duration>,
    /// Rotation by size and at start/stop.
    #[serde(default)]
    rotate: Option<RotateConfig>,
    /// Accepted, as by every file service, but a log file only rotates.
    #[serde(default)]
    save: Option<SaveConfig>,
}

impl ServiceConfig for SyslogToFileConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        self.buffer_period = check_buffer_period(self.buffer_period)?;
        check_rotate_and_save(self.rotate.as_ref(), self.save.as_ref())
    }

    fn check_environment(&self) -> Result<(), BindError> {
        check_file_location(&self.path)
    }

    fn writes_system_log(&self) -> bool {
        true
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let Some(stream) = context.log_stream.clone() else {
            return Err(BindError::new("", "the system log is not being kept"));
        };
        let file = LogFile::configured(
            &self.path,
            self.buffer_period,
            self.rotate.as_ref(),
            &context.logger,
        );
        Ok(Some(Arc::new(running::SyslogToFile::new(
            file,
            self.format,
            stream,
            context.logger.clone(),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<SyslogToFileConfig, BindError> {
        let mut config: SyslogToFileConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_a_valid_configuration() {
        let config = bind(&json!({"format": "json", "path": "/florp"})).unwrap();
        assert_eq!(config.format, LogFormat::Json);
        assert_eq!(config.buffer_period, None);
    }

    #[test]
    fn accepts_every_format_and_rotation() {
        for name in ["human", "humanStyled", "json"] {
            let config = bind(&json!({
                "path": "/var/log/system-log.txt", "format": name, "bufferPeriod": "1 sec",
                "rotate": {"atSize": "1 MiB", "onStart": true, "maxOldSize": "10 MiB", "checkPeriod": "1 min"}
            }))
            .unwrap();
            assert_eq!(config.format.to_string(), name);
        }
    }

    #[test]
    fn rejects_unknown_or_missing_format() {
        let err = bind(&json!({"path": "/florp", "format": "xml"})).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("format", "Unknown log format: xml")
        );
        let err = bind(&json!({"path": "/florp"})).unwrap_err();
        assert_eq!(err.message, "Missing required property: `format`");
        assert_eq!(
            bind(&json!({"path": "/florp", "format": 1}))
                .unwrap_err()
                .field,
            "format"
        );
    }

    #[test]
    fn rejects_a_negative_buffer_period() {
        let err = bind(&json!({"path": "/florp", "format": "json", "bufferPeriod": "-1 sec"}));
        assert_eq!(err.unwrap_err().field, "bufferPeriod");
    }
}

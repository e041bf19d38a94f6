//! The `rotate` and `save` settings of the file services: when to move the
//! current file aside and how many old ones to keep (Lactoserv
//! `webapp-util/export/BaseFileService.js`, its `RotateConfig` and
//! `SaveConfig`, used by `Rotator.js` and `Saver.js`).
//!
//! `save` keeps old files only at start and stop; `rotate` adds size-based
//! rotation. A service may take either but not both, and a `rotate` object
//! also serves as the service's `save` settings.

use lactoserv_core::bind::BindError;
use lactoserv_core::quant::{ByteCount, Duration};
use serde::Deserialize;

/// How often a rotating service checks the file size unless told otherwise.
const DEFAULT_CHECK_PERIOD_SECS: f64 = 5.0 * 60.0;

/// The `save` object: preserve the file at start or stop, and prune old
/// copies.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SaveConfig {
    /// Total size of old files to keep; `None` means no limit.
    #[serde(default)]
    pub(crate) max_old_size: Option<ByteCount>,
    /// Number of old files to keep; `None` means no limit. Not necessarily
    /// whole, as in the reference (`2.5` keeps two).
    #[serde(default)]
    pub(crate) max_old_count: Option<f64>,
    /// Preserve the existing file when the service starts.
    #[serde(default)]
    #[allow(dead_code, reason = "the saver reads it when it runs")]
    pub(crate) on_start: bool,
    /// Preserve the file when the service stops.
    #[serde(default)]
    #[allow(dead_code, reason = "the saver reads it when it runs")]
    pub(crate) on_stop: bool,
}

impl SaveConfig {
    /// Checks the ranges that the types alone do not.
    pub(crate) fn validate(&self) -> Result<(), BindError> {
        check_old_limits(self.max_old_size, self.max_old_count)
    }
}

/// The `rotate` object: the `save` settings plus rotation by size.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RotateConfig {
    /// Rotate once the file is at least this big; `None` means never by size.
    #[serde(default)]
    pub(crate) at_size: Option<ByteCount>,
    /// How often to compare the size with `at_size`; `None` means never.
    #[serde(default = "default_check_period")]
    pub(crate) check_period: Option<Duration>,
    /// As in [`SaveConfig`].
    #[serde(default)]
    pub(crate) max_old_size: Option<ByteCount>,
    /// As in [`SaveConfig`].
    #[serde(default)]
    pub(crate) max_old_count: Option<f64>,
    /// As in [`SaveConfig`].
    #[serde(default)]
    #[allow(dead_code, reason = "the saver reads it when it runs")]
    pub(crate) on_start: bool,
    /// As in [`SaveConfig`].
    #[serde(default)]
    #[allow(dead_code, reason = "the saver reads it when it runs")]
    pub(crate) on_stop: bool,
}

fn default_check_period() -> Option<Duration> {
    Some(Duration::new(DEFAULT_CHECK_PERIOD_SECS))
}

impl RotateConfig {
    /// Checks the ranges, and that a check period comes with a size.
    ///
    /// `checkPeriod` has a default, so a `rotate` without `atSize` must say
    /// `checkPeriod: null`; the reference insists on this, and so do we, so
    /// that a forgotten `atSize` is not silently a rotator that never
    /// rotates by size.
    pub(crate) fn validate(&self) -> Result<(), BindError> {
        if let Some(size) = self.at_size.filter(|size| size.value() < 1.0) {
            return Err(BindError::new(
                "atSize",
                format!("Must be at least 1 byte: {size}"),
            ));
        }
        if let Some(period) = self.check_period.filter(|period| period.value() < 1.0) {
            return Err(BindError::new(
                "checkPeriod",
                format!("Must be at least 1 sec: {period}"),
            ));
        }
        check_old_limits(self.max_old_size, self.max_old_count)?;
        if self.at_size.is_none() && self.check_period.is_some() {
            return Err(BindError::new(
                "checkPeriod",
                "Configuring `checkPeriod` is not meaningful unless `atSize` is also used.",
            ));
        }
        Ok(())
    }

    /// The save-type part of these settings, which a rotating service also
    /// follows at start and stop.
    #[allow(dead_code, reason = "the saver is built from it at run time")]
    pub(crate) fn save_settings(&self) -> SaveConfig {
        SaveConfig {
            max_old_size: self.max_old_size,
            max_old_count: self.max_old_count,
            on_start: self.on_start,
            on_stop: self.on_stop,
        }
    }
}

/// Checks a file service's `rotate` and `save` bindings, each on its own and
/// then together (spec 04 FILE-3).
pub(crate) fn check_rotate_and_save(
    rotate: Option<&RotateConfig>,
    save: Option<&SaveConfig>,
) -> Result<(), BindError> {
    if let Some(rotate) = rotate {
        rotate.validate().map_err(|err| err.within("rotate"))?;
    }
    if let Some(save) = save {
        save.validate().map_err(|err| err.within("save"))?;
    }
    if rotate.is_some() && save.is_some() {
        return Err(BindError::new(
            "save",
            "Cannot specify both `rotate` and `save`.",
        ));
    }
    Ok(())
}

fn check_old_limits(size: Option<ByteCount>, count: Option<f64>) -> Result<(), BindError> {
    if let Some(size) = size.filter(|size| size.value() < 1.0) {
        return Err(BindError::new(
            "maxOldSize",
            format!("Must be at least 1 byte: {size}"),
        ));
    }
    // JSON has no infinities, but a count is a plain number, so say so.
    if let Some(count) = count.filter(|count| !(count.is_finite() && *count >= 1.0)) {
        return Err(BindError::new(
            "maxOldCount",
            format!("Must be a number, at least 1: {count}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::{Value, json};

    use super::*;

    fn rotate(bindings: &Value) -> Result<RotateConfig, BindError> {
        let config: RotateConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    fn save(bindings: &Value) -> Result<SaveConfig, BindError> {
        let config: SaveConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_full_settings() {
        let config = rotate(&json!({
            "atSize": "100 KiB", "checkPeriod": "5 min", "maxOldSize": "1 MiB",
            "maxOldCount": 99, "onStart": false, "onStop": true
        }))
        .unwrap();
        assert_eq!(config.at_size.map(ByteCount::value), Some(102_400.0));
        assert!(config.save_settings().on_stop);
        let config =
            save(&json!({"maxOldSize": "1 MiB", "maxOldCount": 2.5, "onStart": true})).unwrap();
        assert_eq!(config.max_old_count, Some(2.5));
        assert!(!config.on_stop);
    }

    #[test]
    fn defaults_check_period_to_five_minutes() {
        let config = rotate(&json!({"atSize": "1 MiB"})).unwrap();
        assert_eq!(config.check_period.map(Duration::value), Some(300.0));
        assert_eq!(config.max_old_count, None);
        let config = rotate(&json!({"atSize": "1 MiB", "checkPeriod": null})).unwrap();
        assert_eq!(config.check_period, None);
    }

    #[test]
    fn rejects_check_period_without_at_size() {
        let err = rotate(&json!({"maxOldCount": 3})).unwrap_err();
        assert_eq!(err.field, "checkPeriod");
        assert!(err.message.contains("unless `atSize`"), "{err}");
        rotate(&json!({"maxOldCount": 3, "checkPeriod": null})).unwrap();
    }

    #[test]
    fn rejects_out_of_range_values() {
        for (bindings, field) in [
            (json!({"atSize": "0 B"}), "atSize"),
            (json!({"atSize": "0.5 B"}), "atSize"),
            (
                json!({"atSize": "1 MiB", "checkPeriod": "0.5 sec"}),
                "checkPeriod",
            ),
            (
                json!({"atSize": "1 MiB", "checkPeriod": "999 msec"}),
                "checkPeriod",
            ),
            (json!({"atSize": "1 MiB", "maxOldCount": 0}), "maxOldCount"),
            (
                json!({"atSize": "1 MiB", "maxOldSize": "0 B"}),
                "maxOldSize",
            ),
        ] {
            assert_eq!(rotate(&bindings).unwrap_err().field, field, "{bindings}");
        }
        rotate(&json!({"atSize": "1 B", "checkPeriod": "1000 ms"})).unwrap();
    }

    #[test]
    fn rejects_values_of_the_wrong_type() {
        for (bindings, field) in [
            (json!({"maxOldCount": "3"}), "maxOldCount"),
            (json!({"maxOldSize": 1000}), "maxOldSize"),
            (json!({"onStart": "yes"}), "onStart"),
            (json!({"onStop": null}), "onStop"),
        ] {
            assert_eq!(save(&bindings).unwrap_err().field, field, "{bindings}");
        }
        let err = save(&json!({"maxOldSize": 1000})).unwrap_err();
        assert_eq!(err.message, "Cannot parse value: 1000");
    }

    #[test]
    fn rejects_rotation_settings_in_save() {
        let err = save(&json!({"atSize": "1 MiB"})).unwrap_err();
        assert!(err.message.starts_with("Extra property: `atSize`"), "{err}");
    }

    #[test]
    fn rejects_both_rotate_and_save() {
        let rotate = rotate(&json!({"atSize": "100 KiB"})).unwrap();
        let save = save(&json!({"maxOldCount": 10, "onStart": true})).unwrap();
        let err = check_rotate_and_save(Some(&rotate), Some(&save)).unwrap_err();
        assert_eq!(err.message, "Cannot specify both `rotate` and `save`.");
        check_rotate_and_save(Some(&rotate), None).unwrap();
        check_rotate_and_save(None, Some(&save)).unwrap();
    }

    #[test]
    fn names_the_nested_binding_that_failed() {
        let bad: RotateConfig = from_value(&json!({"atSize": "0 B"})).unwrap();
        let err = check_rotate_and_save(Some(&bad), None).unwrap_err();
        assert_eq!(err.field, "rotate.atSize");
    }
}

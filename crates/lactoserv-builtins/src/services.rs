//! The built-in services (Lactoserv `webapp-builtins/export/*`), and the
//! rules the four file services share (Lactoserv
//! `webapp-util/export/BaseFileService.js`, `fs-util/export/Paths.js`).
//!
//! Layout:
//! - one module per service, each holding its config struct;
//! - here: [`check_file_location`] for the [`FilePath`] of AccessLogToFile,
//!   ProcessIdFile, ProcessInfoFile and SyslogToFile, and
//!   [`check_buffer_period`] and [`check_update_period`] for settings
//!   several of them take;
//! - their `rotate` and `save` settings: `support::rotate`.

use std::io::ErrorKind;

use lactoserv_core::bind::BindError;
use lactoserv_core::catalog::Catalog;
use lactoserv_core::quant::Duration;

use crate::support::bindings::FilePath;

mod access_log_to_file;
mod access_log_to_syslog;
mod connection_rate_limiter;
mod data_rate_limiter;
mod event_fan;
mod memory_monitor;
mod process_id_file;
mod process_info_file;
mod syslog_to_file;

/// Adds every built-in service type to `catalog`.
pub(crate) fn register(catalog: &mut Catalog) {
    catalog
        .add_service::<access_log_to_file::AccessLogToFileConfig>("AccessLogToFile")
        .add_service::<access_log_to_syslog::AccessLogToSyslogConfig>("AccessLogToSyslog")
        .add_service::<connection_rate_limiter::ConnectionRateLimiterConfig>(
            "ConnectionRateLimiter",
        )
        .add_service::<data_rate_limiter::DataRateLimiterConfig>("DataRateLimiter")
        .add_service::<event_fan::EventFanConfig>("EventFan")
        .add_service::<memory_monitor::MemoryMonitorConfig>("MemoryMonitor")
        .add_service::<process_id_file::ProcessIdFileConfig>("ProcessIdFile")
        .add_service::<process_info_file::ProcessInfoFileConfig>("ProcessInfoFile")
        .add_service::<syslog_to_file::SyslogToFileConfig>("SyslogToFile");
}

/// Checks, without changing anything, that a file service can create or
/// open `path`: it is not a directory, and the nearest existing ancestor of
/// its directory is a directory, so that start-up can create the rest.
///
/// An ancestor that cannot be examined (no permission, say) ends the check
/// without an error: a dry run may be made by another user than the server,
/// and start-up reports the real failure if there is one.
pub(crate) fn check_file_location(path: &FilePath) -> Result<(), BindError> {
    let path = path.as_path();
    match path.metadata() {
        Ok(meta) if meta.is_dir() => {
            return Err(BindError::new(
                "path",
                format!("Is a directory, not a file: {}", path.display()),
            ));
        }
        Ok(_) => return Ok(()),
        Err(err) if is_missing(err.kind()) => {}
        Err(_) => return Ok(()),
    }
    for ancestor in path.ancestors().skip(1) {
        match ancestor.metadata() {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(BindError::new(
                    "path",
                    format!(
                        "Cannot create the directory of {}: {} is not a directory",
                        path.display(),
                        ancestor.display()
                    ),
                ));
            }
            Err(err) if is_missing(err.kind()) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Checks a `bufferPeriod` (spec 04 APP-2) and gives its normal form: zero
/// means no buffering, as `None` does.
pub(crate) fn check_buffer_period(period: Option<Duration>) -> Result<Option<Duration>, BindError> {
    match period {
        Some(period) if period.value() < 0.0 => Err(BindError::new(
            "bufferPeriod",
            format!("Must not be negative: {period}"),
        )),
        Some(period) if period.value() == 0.0 => Ok(None),
        period => Ok(period),
    }
}

/// Checks an `updatePeriod`: at least a second, when given.
pub(crate) fn check_update_period(period: Option<Duration>) -> Result<(), BindError> {
    match period {
        Some(period) if period.value() < 1.0 => Err(BindError::new(
            "updatePeriod",
            format!("Must be at least 1 sec: {period}"),
        )),
        _ => Ok(()),
    }
}

/// Whether a lookup failed because the path, or one of its ancestors, does
/// not exist as a directory (so the search goes on upward).
fn is_missing(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::NotFound | ErrorKind::NotADirectory)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_path(path: &str) -> Result<FilePath, String> {
        FilePath::try_from(path.to_owned())
    }

    #[test]
    fn registers_the_nine_services() {
        let mut catalog = Catalog::new();
        register(&mut catalog);
        let classes: Vec<&str> = catalog.service_classes().collect();
        let expected = [
            "AccessLogToFile",
            "AccessLogToSyslog",
            "ConnectionRateLimiter",
            "DataRateLimiter",
            "EventFan",
            "MemoryMonitor",
            "ProcessIdFile",
            "ProcessInfoFile",
            "SyslogToFile",
        ];
        assert_eq!(classes, expected);
    }

    #[test]
    fn catalog_entries_bind_and_validate() {
        let mut catalog = Catalog::new();
        register(&mut catalog);
        let build = catalog.service("AccessLogToFile").unwrap();
        let bindings = serde_json::json!({"path": "/x/log", "rotate": {"onStart": true}});
        let err = build(bindings.as_object().unwrap()).unwrap_err();
        assert_eq!(err.field, "rotate.checkPeriod");
    }

    #[test]
    fn accepts_locations_start_up_can_create() {
        let here = env!("CARGO_MANIFEST_DIR");
        for path in [
            format!("{here}/Cargo.toml"),
            format!("{here}/no-such-dir/deeper/log.txt"),
        ] {
            let path = file_path(&path).unwrap();
            assert_eq!(check_file_location(&path), Ok(()), "{path:?}");
        }
    }

    #[test]
    fn rejects_a_directory_or_a_file_in_the_way() {
        let here = env!("CARGO_MANIFEST_DIR");
        let dir = file_path(&format!("{here}/src")).unwrap();
        assert_eq!(check_file_location(&dir).unwrap_err().field, "path");
        let under_file = file_path(&format!("{here}/Cargo.toml/logs/log.txt")).unwrap();
        let err = check_file_location(&under_file).unwrap_err();
        assert!(
            err.message.ends_with("Cargo.toml is not a directory"),
            "{err}"
        );
    }
}

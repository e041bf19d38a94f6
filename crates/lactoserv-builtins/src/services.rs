//! The built-in services (Lactoserv `webapp-builtins/export/*`), and the
//! rules the four file services share (Lactoserv
//! `webapp-util/export/BaseFileService.js`, `fs-util/export/Paths.js`).
//!
//! Layout:
//! - one module per service, each holding its config struct;
//! - here: [`FilePath`] and [`check_file_location`] for AccessLogToFile,
//!   ProcessIdFile, ProcessInfoFile and SyslogToFile, and
//!   [`check_buffer_period`] and [`check_update_period`] for settings
//!   several of them take;
//! - their `rotate` and `save` settings: `support::rotate`.

use std::io::ErrorKind;
use std::path::Path;

use lactoserv_core::bind::BindError;
use lactoserv_core::catalog::Catalog;
use lactoserv_core::quant::Duration;
use serde::{Deserialize, Deserializer};

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

/// The `path` of a file service: absolute and in normal form, naming a file.
///
/// Normal form (no `.`, `..` or empty components, no trailing `/`) is what
/// the reference requires; it also keeps the directory and file name, from
/// which rotated files are named, unambiguous. Unlike the reference we also
/// refuse `/` itself, which names no file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilePath(String);

impl FilePath {
    /// The path as given.
    pub(crate) fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }

    /// Splits the file name into prefix and suffix, the suffix being the
    /// last `.` and what follows it (`log.txt` → `log` + `.txt`; `.bashrc`
    /// → `` + `.bashrc`); rotated copies are named `<prefix>-<date>-<n><suffix>`.
    #[allow(dead_code, reason = "the rotator names files with this when it runs")]
    pub(crate) fn prefix_and_suffix(&self) -> (&str, &str) {
        // A valid path has at least one `/`; the name after it is not empty.
        let name = self.0.rsplit('/').next().unwrap_or_default();
        name.split_at(name.rfind('.').unwrap_or(name.len()))
    }
}

impl TryFrom<String> for FilePath {
    type Error = String;

    fn try_from(path: String) -> Result<Self, String> {
        let normal = path
            .strip_prefix('/')
            .is_some_and(|rest| rest.split('/').all(|part| !matches!(part, "" | "." | "..")));
        if path == "/" {
            Err(String::from("Not the path of a file: /"))
        } else if normal {
            Ok(Self(path))
        } else {
            Err(format!("Not an absolute path: {path}"))
        }
    }
}

impl<'de> Deserialize<'de> for FilePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let path = String::deserialize(deserializer)?;
        Self::try_from(path).map_err(serde::de::Error::custom)
    }
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
    fn accepts_absolute_paths_in_normal_form() {
        for path in [
            "/a",
            "/abc/def",
            "/var/log/access-log.txt",
            "/a/.hidden",
            "/a/..b",
        ] {
            assert!(file_path(path).is_ok(), "{path}");
        }
    }

    #[test]
    fn rejects_relative_or_unnormalized_paths() {
        for path in [
            "", "a", "a/b", "//a", "/a/", "/a//b", "/a/.", "/a/./b", "/a/..", "/a/../b", "/a/b/",
        ] {
            let message = format!("Not an absolute path: {path}");
            assert_eq!(file_path(path), Err(message), "{path:?}");
        }
        assert!(file_path("/").is_err());
    }

    #[test]
    fn splits_file_names_at_the_last_dot() {
        for (path, prefix, suffix) in [
            ("/x/access-log.txt", "access-log", ".txt"),
            ("/x/some.file.txt", "some.file", ".txt"),
            ("/x/process", "process", ""),
            ("/.bashrc", "", ".bashrc"),
            ("/x/name.", "name", "."),
        ] {
            let parts = file_path(path).unwrap();
            assert_eq!(parts.prefix_and_suffix(), (prefix, suffix), "{path}");
        }
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

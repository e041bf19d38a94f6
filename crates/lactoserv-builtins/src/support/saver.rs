//! Preserving a file service's file (spec 04 §A.2.1–A.2.3): renaming it, in
//! its directory, to `<prefix>-<YYYYMMDD>-<N><suffix>` (the UTC date it was
//! created, the next free number for that date), then deleting the oldest
//! preserved copies beyond `maxOldCount` files or `maxOldSize` bytes.
//!
//! Blocking file-system work: callers run it on a blocking thread.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lactoserv_core::log::{LogValue, Logger};

use super::bindings::FilePath;
use super::rotate::SaveConfig;

/// Preserves one file.
#[derive(Debug)]
pub(crate) struct Saver {
    path: PathBuf,
    prefix: String,
    suffix: String,
    max_old_count: Option<f64>,
    max_old_size: Option<u64>,
    /// `<service>.saver`.
    logger: Logger,
}

impl Saver {
    /// A saver for `path` with `settings`, logging on `service`'s logger.
    pub(crate) fn new(path: &FilePath, settings: &SaveConfig, service: &Logger) -> Self {
        let (prefix, suffix) = path.prefix_and_suffix();
        Self {
            path: path.as_path().to_owned(),
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
            max_old_count: settings.max_old_count,
            max_old_size: settings.max_old_size.map(|size| size.value() as u64),
            logger: service.child("saver"),
        }
    }

    /// Preserves the file if it exists and is not empty, then cleans up;
    /// the new name, if it was preserved. Errors are logged, not returned:
    /// they never stop the service.
    pub(crate) fn preserve(&self) -> Option<PathBuf> {
        let meta = match fs::metadata(&self.path) {
            Ok(meta) if meta.len() > 0 => meta,
            Ok(_) => return None,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return None,
            Err(err) => {
                self.logger
                    .event("errorWithStat", vec![LogValue::error("Error", &err)]);
                return None;
            }
        };
        let date = utc_date(created(&meta));
        let target = self.next_name(&date);
        if let Err(err) = fs::rename(&self.path, &target) {
            self.logger
                .event("errorWithRename", vec![LogValue::error("Error", &err)]);
            return None;
        }
        self.logger.event(
            "renamedTo",
            vec![LogValue::from(target.to_string_lossy().into_owned())],
        );
        self.clean_up();
        Some(target)
    }

    fn directory(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }

    /// The date and number of a preserved copy's name, if `name` is one.
    fn parse<'a>(&self, name: &'a str) -> Option<(&'a str, u64)> {
        let middle = name
            .strip_prefix(self.prefix.as_str())?
            .strip_suffix(self.suffix.as_str())?
            .strip_prefix('-')?;
        let (date, number) = match middle.split_once('-') {
            Some((date, number)) => (date, number.parse().ok()?),
            None => (middle, 0),
        };
        (date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit())).then_some((date, number))
    }

    /// The preserved copies there are now: (path, birth time, size).
    fn preserved(&self) -> Vec<(PathBuf, SystemTime, u64)> {
        let Ok(entries) = fs::read_dir(self.directory()) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|entry| {
                entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| self.parse(name).is_some())
            })
            .filter_map(|entry| {
                let meta = entry.metadata().ok()?;
                Some((entry.path(), created(&meta), meta.len()))
            })
            .collect()
    }

    /// `<prefix>-<date>-<N><suffix>` with `N` one more than the highest in
    /// use for `date`.
    fn next_name(&self, date: &str) -> PathBuf {
        let highest = fs::read_dir(self.directory())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let (found, number) = self.parse(&name)?;
                (found == date).then_some(number)
            })
            .max()
            .unwrap_or(0);
        self.directory().join(format!(
            "{}-{date}-{}{}",
            self.prefix,
            highest + 1,
            self.suffix
        ))
    }

    /// Deletes the oldest preserved copies beyond the limits.
    fn clean_up(&self) {
        if self.max_old_count.is_none() && self.max_old_size.is_none() {
            return;
        }
        let mut copies = self.preserved();
        copies.sort_by_key(|copy| std::cmp::Reverse(copy.1));
        let (mut count, mut total, mut over) = (0.0, 0u64, false);
        for (path, _, size) in copies {
            count += 1.0;
            total = total.saturating_add(size);
            over = over
                || self.max_old_count.is_some_and(|max| count > max)
                || self.max_old_size.is_some_and(|max| total > max);
            if over && fs::remove_file(&path).is_ok() {
                self.logger.event(
                    "deleted",
                    vec![LogValue::from(path.to_string_lossy().into_owned())],
                );
            }
        }
    }
}

/// When a file was created; its modification time where the file system
/// does not say.
fn created(meta: &fs::Metadata) -> SystemTime {
    meta.created()
        .or_else(|_| meta.modified())
        .unwrap_or_else(|_| SystemTime::now())
}

/// `YYYYMMDD` in UTC.
fn utc_date(time: SystemTime) -> String {
    // IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) has the parts needed.
    let text = httpdate::fmt_http_date(time);
    let mut parts = text.split(' ').skip(1);
    let (day, month, year) = (
        parts.next().unwrap_or("01"),
        parts.next().unwrap_or("Jan"),
        parts.next().unwrap_or("1970"),
    );
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == month).unwrap_or(0) + 1;
    format!("{year}{month:02}{day}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn saver(dir: &Path, name: &str, settings: serde_json::Value) -> Saver {
        let path = FilePath::try_from(dir.join(name).to_string_lossy().into_owned()).unwrap();
        let settings: SaveConfig = lactoserv_core::bind::from_value(&settings).unwrap();
        Saver::new(&path, &settings, &Logger::disabled())
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn preserved_copies_are_numbered_by_creation_date() {
        let dir = tempfile::tempdir().unwrap();
        let saver = saver(dir.path(), "access.log.txt", json!({}));
        let today = utc_date(SystemTime::now());
        assert_eq!(saver.preserve(), None, "no file, nothing to do");
        fs::write(dir.path().join("access.log.txt"), "").unwrap();
        assert_eq!(saver.preserve(), None, "an empty file stays");
        for n in 1..=3 {
            fs::write(dir.path().join("access.log.txt"), "x\n").unwrap();
            let saved = saver.preserve().unwrap();
            assert_eq!(
                saved.file_name().unwrap().to_str().unwrap(),
                format!("access.log-{today}-{n}.txt")
            );
        }
        assert!(!dir.path().join("access.log.txt").exists());
    }

    #[test]
    fn old_copies_beyond_the_count_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let saver = saver(dir.path(), "process.json", json!({ "maxOldCount": 2 }));
        let today = utc_date(SystemTime::now());
        for _ in 0..5 {
            fs::write(dir.path().join("process.json"), "{}\n").unwrap();
            saver.preserve().unwrap();
            // Distinct creation times, so that "oldest" is well defined.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        assert_eq!(
            names(dir.path()),
            [
                format!("process-{today}-4.json"),
                format!("process-{today}-5.json")
            ]
        );
    }

    #[test]
    fn dates_are_utc_days() {
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(784_111_777);
        assert_eq!(utc_date(time), "19941106");
    }
}

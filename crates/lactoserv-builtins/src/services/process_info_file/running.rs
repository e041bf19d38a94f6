//! The running ProcessInfoFile (spec 04 §A.10): a JSON file describing the
//! process (product, IDs, start time, memory, and whether it is running or
//! how it stopped), written at start, every `updatePeriod`, and at stop;
//! earlier copies preserved per `save`. A file left `running` by a process
//! that no longer exists is marked `abruptlyStopped` first.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use lactoserv_core::log::Logger;
use lactoserv_core::quant::format_byte_count;
use lactoserv_core::quant::{Duration as Span, Moment};
use lactoserv_core::service::{Service, ServiceError, Shutdown};
use serde_json::{Map, Value, json};

use crate::support::background::Background;
use crate::support::saver::Saver;

/// How and when the file is kept.
#[derive(Debug)]
pub(crate) struct ProcessInfoFile {
    path: PathBuf,
    update_period: Option<Duration>,
    saver: Option<(Arc<Saver>, bool, bool)>,
    logger: Logger,
    /// Whose requested status is the exit code written at stop.
    shutdown: Shutdown,
    updates: Background,
}

impl ProcessInfoFile {
    /// The service; `saver` with its `onStart` and `onStop`.
    pub(crate) fn new(
        path: PathBuf,
        update_period: Option<Duration>,
        saver: Option<(Arc<Saver>, bool, bool)>,
        logger: Logger,
        shutdown: Shutdown,
    ) -> Self {
        Self {
            path,
            update_period,
            saver,
            logger,
            shutdown,
            updates: Background::default(),
        }
    }
}

/// Seconds since the epoch.
fn seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// When this process started: from `/proc` (boot time plus the start tick,
/// at the usual 100 ticks per second), or now if that cannot be read.
pub(crate) fn process_start() -> f64 {
    let read = || -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after_name = &stat[stat.rfind(')')? + 2..];
        let ticks: f64 = after_name.split(' ').nth(19)?.parse().ok()?;
        let boot: f64 = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|line| line.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        Some(boot + ticks / 100.0)
    };
    read().unwrap_or_else(|| seconds(SystemTime::now()))
}

/// The resident set size, in bytes, from `/proc/self/statm`.
fn rss_bytes() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split(' ').nth(1)?.parse().ok()?;
    Some(pages * 4096.0)
}

fn uptime(from: f64, to: f64) -> Value {
    Span::new(to - from).to_json_object()
}

/// The file's content while running.
pub(crate) fn running_content(started: f64) -> Value {
    let now = seconds(SystemTime::now());
    json!({
        "product": { "name": "lactoserv", "version": env!("CARGO_PKG_VERSION"), "commit": "0000000" },
        "pid": std::process::id(),
        "ppid": std::os::unix::process::parent_id(),
        "startedAt": Moment::new(started).to_json_object(),
        "memoryUsage": { "rss": format_byte_count(rss_bytes(), false) },
        "disposition": {
            "running": true,
            "updatedAt": Moment::new(now).to_json_object(),
            "uptime": uptime(started, now),
        },
    })
}

/// `content` with the disposition of a clean stop ending with `exit_code`.
pub(crate) fn stopped_content(mut content: Value, started: f64, exit_code: i32) -> Value {
    let now = seconds(SystemTime::now());
    content["disposition"] = json!({
        "shuttingDown": true,
        "exitCode": exit_code,
        "stoppedAt": Moment::new(now).to_json_object(),
        "uptime": uptime(started, now),
    });
    content
}

/// A file left saying `running` by a process that is gone, rewritten to
/// say it stopped abruptly; `None` if it needs no repair.
pub(crate) fn repaired(old: &Value) -> Option<Value> {
    let pid = old.get("pid")?.as_u64()?;
    let disposition = old.get("disposition")?.as_object()?;
    let running = disposition
        .get("running")
        .is_some_and(|r| r.as_bool() == Some(true));
    if !running || Path::new(&format!("/proc/{pid}")).exists() {
        return None;
    }
    let mut fixed = Map::new();
    fixed.insert("abruptlyStopped".into(), Value::Bool(true));
    for (key, value) in disposition {
        if key != "running" {
            fixed.insert(key.clone(), value.clone());
        }
    }
    let mut old = old.clone();
    old["disposition"] = Value::Object(fixed);
    Some(old)
}

fn write(path: &Path, content: &Value) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(content).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

#[async_trait]
impl Service for ProcessInfoFile {
    async fn start(&self) -> Result<(), ServiceError> {
        let path = self.path.clone();
        let logger = self.logger.clone();
        // Repair, then preserve, then the first write, in that order.
        let started = process_start();
        let repair_path = path.clone();
        let repair_logger = logger.clone();
        let repair = self.saver.is_some();
        tokio::task::spawn_blocking(move || {
            if repair
                && let Ok(text) = std::fs::read_to_string(&repair_path)
                && let Ok(old) = serde_json::from_str::<Value>(&text)
                && let Some(fixed) = repaired(&old)
                && write(&repair_path, &fixed).is_ok()
            {
                repair_logger.event("fixedOldFile", Vec::new());
            }
        })
        .await
        .map_err(|err| ServiceError(err.to_string()))?;
        if let Some((saver, true, _)) = &self.saver {
            let saver = saver.clone();
            let _ = tokio::task::spawn_blocking(move || saver.preserve()).await;
        }
        self.updates.every(self.update_period, move || {
            if write(&path, &running_content(started)).is_ok() {
                logger.event("wroteFile", Vec::new());
            }
        });
        Ok(())
    }

    async fn stop(&self) {
        self.updates.stop().await;
        let (path, logger) = (self.path.clone(), self.logger.clone());
        let saver = match &self.saver {
            Some((saver, _, true)) => Some(saver.clone()),
            _ => None,
        };
        let exit_code = self.shutdown.0.borrow().unwrap_or(0);
        let _ = tokio::task::spawn_blocking(move || {
            let started = process_start();
            let ours = u64::from(std::process::id());
            let content = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .filter(|old| old.get("pid").and_then(Value::as_u64) == Some(ours))
                .unwrap_or_else(|| running_content(started));
            if write(&path, &stopped_content(content, started, exit_code)).is_ok() {
                logger.event("wroteFile", Vec::new());
            }
            if let Some(saver) = saver {
                saver.preserve();
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_has_the_reference_keys_in_order() {
        let content = running_content(process_start());
        let keys: Vec<&str> = content
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "product",
                "pid",
                "ppid",
                "startedAt",
                "memoryUsage",
                "disposition"
            ]
        );
        assert_eq!(content["disposition"]["running"], true);
        let stopped = stopped_content(content, process_start(), 0);
        let keys: Vec<&str> = stopped["disposition"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["shuttingDown", "exitCode", "stoppedAt", "uptime"]);
    }

    #[test]
    fn a_file_left_running_by_a_dead_process_is_marked_abruptly_stopped() {
        let old = json!({
            "pid": 4_194_399_999u64,
            "disposition": { "running": true, "updatedAt": 1, "uptime": 2 }
        });
        let fixed = repaired(&old).unwrap();
        let keys: Vec<&str> = fixed["disposition"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["abruptlyStopped", "updatedAt", "uptime"]);
        let ours = json!({ "pid": std::process::id(), "disposition": { "running": true } });
        assert_eq!(repaired(&ours), None, "a live process");
        let clean = json!({ "pid": 4_194_399_999u64, "disposition": { "shuttingDown": true } });
        assert_eq!(repaired(&clean), None, "stopped cleanly");
    }
}

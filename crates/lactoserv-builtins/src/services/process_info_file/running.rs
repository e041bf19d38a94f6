//! The running ProcessInfoFile (spec 04 §A.10): a JSON file describing the
//! process (product, IDs, start time, memory, and whether it is running or
//! how it stopped), written at start, every `updatePeriod`, and at stop;
//! earlier copies preserved per `save`. A file left `running` by a process
//! that no longer exists is marked `abruptlyStopped` first. After a reload,
//! the file keeps the earlier runs of the same process (`earlierRuns`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use lactoserv_core::log::{LogValue, Logger, value_to_json};
use lactoserv_core::quant::format_byte_count;
use lactoserv_core::quant::{Duration as Span, Moment};
use lactoserv_core::service::Fate;
use lactoserv_core::service::{Service, ServiceError, Shutdown};
use serde_json::{Map, Value, json};

use crate::support::background::Background;
use crate::support::saver::Saver;

/// Whether this process has already stopped a ProcessInfoFile for a
/// reload: a later one whose file was moved away says its earlier runs are
/// in other files (PINFO-6).
static STOPPED_FOR_RELOAD: AtomicBool = AtomicBool::new(false);

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
    /// This run, once started.
    run: Mutex<Option<Arc<Run>>>,
}

/// What the file says about the run that writes it.
#[derive(Debug)]
pub(crate) struct Run {
    /// When the process started (seconds since the epoch).
    process_started: f64,
    /// When this run (the first start, or a reload) started.
    run_started: f64,
    /// The runs of this process before this one, if it has been reloaded.
    earlier: Option<Value>,
}

impl Run {
    /// The first run of a process.
    pub(crate) fn first() -> Self {
        Self {
            process_started: process_start(),
            run_started: seconds(SystemTime::now()),
            earlier: None,
        }
    }
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
            run: Mutex::new(None),
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

/// The file's content while running. After a reload `startedAt` is when
/// this run started; the uptime always counts from the process's start.
pub(crate) fn running_content(run: &Run) -> Value {
    let now = seconds(SystemTime::now());
    let started_at = if run.earlier.is_some() {
        run.run_started
    } else {
        run.process_started
    };
    let mut content = json!({
        "product": { "name": "lactoserv", "version": env!("CARGO_PKG_VERSION"), "commit": "0000000" },
        "pid": std::process::id(),
        "ppid": std::os::unix::process::parent_id(),
        "startedAt": Moment::new(started_at).to_json_object(),
        "memoryUsage": { "rss": format_byte_count(rss_bytes(), false) },
        "disposition": {
            "running": true,
            "updatedAt": Moment::new(now).to_json_object(),
            "uptime": uptime(run.process_started, now),
        },
    });
    if let Some(earlier) = &run.earlier {
        content["earlierRuns"] = earlier.clone();
    }
    content
}

/// `content` with the disposition of a stop: for a reload, or for the exit
/// with `exit_code`.
pub(crate) fn stopped_content(mut content: Value, run: &Run, fate: Fate, exit_code: i32) -> Value {
    let now = seconds(SystemTime::now());
    let stopped_at = Moment::new(now).to_json_object();
    let uptime = uptime(run.process_started, now);
    content["disposition"] = match fate {
        Fate::WillReload => json!({
            "reloading": true,
            "stoppedAt": stopped_at,
            "uptime": uptime,
        }),
        Fate::Shutdown => json!({
            "shuttingDown": true,
            "exitCode": exit_code,
            "stoppedAt": stopped_at,
            "uptime": uptime,
        }),
    };
    content
}

/// Puts the fatal errors that stopped the process into the disposition,
/// after `exitCode`, in the system log's JSON encoding (PINFO-5).
fn add_problems(content: &mut Value, problems: &[LogValue]) {
    let Some(disposition) = content["disposition"].as_object() else {
        return;
    };
    let encoded: Vec<Value> = problems
        .iter()
        .filter_map(|problem| serde_json::from_str(&value_to_json(problem)).ok())
        .collect();
    let mut with = Map::new();
    for (key, value) in disposition {
        with.insert(key.clone(), value.clone());
        if key == "exitCode" {
            with.insert("problems".to_owned(), Value::Array(encoded.clone()));
        }
    }
    content["disposition"] = Value::Object(with);
}

/// The runs before this one (PINFO-6): a file this process wrote in an
/// earlier run moves into the list (after the runs it listed itself); if
/// that file was moved away but this process has been reloaded, they are
/// "in other info files"; otherwise there are none.
pub(crate) fn earlier_runs(old: Option<Value>) -> Option<Value> {
    let ours = u64::from(std::process::id());
    if let Some(Value::Object(mut old)) = old
        && old.get("pid").and_then(Value::as_u64) == Some(ours)
    {
        let mut runs = match old.shift_remove("earlierRuns") {
            Some(Value::Array(runs)) => runs,
            _ => Vec::new(),
        };
        runs.push(Value::Object(old));
        return Some(Value::Array(runs));
    }
    STOPPED_FOR_RELOAD
        .load(Ordering::Relaxed)
        .then(|| json!([{ "disposition": "inOtherInfoFiles" }]))
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
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
        let repair = self.saver.is_some();
        let on_start = match &self.saver {
            Some((saver, true, _)) => Some(saver.clone()),
            _ => None,
        };
        // Repair, then preserve, then look at what is left for earlier
        // runs, in that order (PINFO-8).
        let run = tokio::task::spawn_blocking({
            let (path, logger) = (path.clone(), logger.clone());
            move || {
                if repair
                    && let Some(fixed) = read_json(&path).as_ref().and_then(repaired)
                    && write(&path, &fixed).is_ok()
                {
                    logger.event("fixedOldFile", Vec::new());
                }
                if let Some(saver) = on_start {
                    saver.preserve();
                }
                Run {
                    earlier: earlier_runs(read_json(&path)),
                    ..Run::first()
                }
            }
        })
        .await
        .map_err(|err| ServiceError::caused_by("cannot read the earlier info file", err))?;
        let run = Arc::new(run);
        *self
            .run
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(run.clone());
        self.updates.every(self.update_period, move || {
            if write(&path, &running_content(&run)).is_ok() {
                logger.event("wroteFile", Vec::new());
            }
        });
        Ok(())
    }

    async fn stop(&self, fate: Fate) {
        self.updates.stop().await;
        let (path, logger) = (self.path.clone(), self.logger.clone());
        let saver = match &self.saver {
            Some((saver, _, true)) => Some(saver.clone()),
            _ => None,
        };
        let exit_code = self.shutdown.status().unwrap_or(0);
        let problems = self.shutdown.problems();
        let run = self
            .run
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| Arc::new(Run::first()));
        let _ = tokio::task::spawn_blocking(move || {
            let ours = u64::from(std::process::id());
            let content = read_json(&path)
                .filter(|old| old.get("pid").and_then(Value::as_u64) == Some(ours))
                .unwrap_or_else(|| running_content(&run));
            let mut content = stopped_content(content, &run, fate, exit_code);
            if fate == Fate::Shutdown && !problems.is_empty() {
                add_problems(&mut content, &problems);
            }
            if write(&path, &content).is_ok() {
                logger.event("wroteFile", Vec::new());
            }
            if fate == Fate::WillReload {
                STOPPED_FOR_RELOAD.store(true, Ordering::Relaxed);
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

    /// The keys of a JSON object, in order.
    fn keys_of(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn the_content_has_the_reference_keys_in_order() {
        let run = Run::first();
        let content = running_content(&run);
        let keys = keys_of(&content);
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
        let stopped = stopped_content(content, &run, Fate::Shutdown, 0);
        let keys = keys_of(&stopped["disposition"]);
        assert_eq!(keys, ["shuttingDown", "exitCode", "stoppedAt", "uptime"]);
    }

    #[test]
    fn a_reload_moves_the_earlier_run_into_earlier_runs_as_the_last_key() {
        let first = Run::first();
        let stopped = stopped_content(running_content(&first), &first, Fate::WillReload, 0);
        let keys = keys_of(&stopped["disposition"]);
        assert_eq!(keys, ["reloading", "stoppedAt", "uptime"]);
        let second = Run {
            process_started: first.process_started,
            run_started: first.run_started + 5.0,
            earlier: earlier_runs(Some(stopped.clone())),
        };
        let content = running_content(&second);
        let keys = keys_of(&content);
        assert_eq!(keys.last(), Some(&"earlierRuns"));
        assert_eq!(content["earlierRuns"], json!([stopped]));
        assert_eq!(
            content["startedAt"]["atSec"].as_f64(),
            Some(second.run_started)
        );
        // A third run lists both, oldest first.
        let third = earlier_runs(Some(content.clone())).unwrap();
        assert_eq!(third.as_array().unwrap().len(), 2);
        assert_eq!(third[0], stopped);
        assert!(third[1].get("earlierRuns").is_none());
    }

    #[test]
    fn another_process_file_has_no_earlier_runs() {
        let theirs = json!({ "pid": 4_194_399_999u64, "disposition": { "running": true } });
        // (Unless this process was reloaded before, which no test here does.)
        assert_eq!(earlier_runs(Some(theirs)), None);
        assert_eq!(earlier_runs(None), None);
    }

    #[test]
    fn a_file_left_running_by_a_dead_process_is_marked_abruptly_stopped() {
        let old = json!({
            "pid": 4_194_399_999u64,
            "disposition": { "running": true, "updatedAt": 1, "uptime": 2 }
        });
        let fixed = repaired(&old).unwrap();
        let keys = keys_of(&fixed["disposition"]);
        assert_eq!(keys, ["abruptlyStopped", "updatedAt", "uptime"]);
        let ours = json!({ "pid": std::process::id(), "disposition": { "running": true } });
        assert_eq!(repaired(&ours), None, "a live process");
        let clean = json!({ "pid": 4_194_399_999u64, "disposition": { "shuttingDown": true } });
        assert_eq!(repaired(&clean), None, "stopped cleanly");
    }
}

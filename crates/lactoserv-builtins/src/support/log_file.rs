//! A log file that lines are appended to (spec 04 §A.2, §A.3): gathered for
//! `bufferPeriod` and written together, appended (the file reopened each
//! time, so a rotation is picked up at once), rotated by size every
//! `checkPeriod` and at start and stop as configured. Everything pushed
//! before a stop is written before the stop finishes.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lactoserv_core::log::{LogValue, Logger};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::saver::Saver;

/// How and when a log file is rotated.
#[derive(Debug)]
pub(crate) struct Rotation {
    pub(crate) saver: Arc<Saver>,
    /// Rotate once the file has this many bytes (checked every
    /// `check_period`, and once at stop).
    pub(crate) at_size: Option<u64>,
    pub(crate) check_period: Option<Duration>,
    pub(crate) on_start: bool,
    pub(crate) on_stop: bool,
}

/// The rotation a `rotate` binding asks for, of the file at `path`.
fn rotation(
    path: &super::bindings::FilePath,
    rotate: &super::rotate::RotateConfig,
    service: &Logger,
) -> Rotation {
    let settings = rotate.save_settings();
    Rotation {
        saver: Arc::new(Saver::new(path, &settings, service)),
        at_size: rotate.at_size.map(|size| size.value() as u64),
        check_period: rotate
            .check_period
            .map(|period| Duration::from_secs_f64(period.value())),
        on_start: rotate.on_start,
        on_stop: rotate.on_stop,
    }
}

/// A log file being written.
#[derive(Debug)]
pub(crate) struct LogFile {
    path: PathBuf,
    buffer_period: Duration,
    rotation: Option<Rotation>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    logger: Logger,
}

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    wake: Notify,
}

#[derive(Debug, Default)]
struct Pending {
    text: String,
    /// Stopped: nothing more is taken.
    closed: bool,
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, text: &str) {
        let mut pending = self.pending();
        if pending.closed {
            return;
        }
        let was_empty = pending.text.is_empty();
        pending.text.push_str(text);
        if !text.ends_with('\n') {
            pending.text.push('\n');
        }
        drop(pending);
        if was_empty {
            self.wake.notify_one();
        }
    }
}

impl LogFile {
    /// The log file a file service's `path`, `bufferPeriod` and `rotate`
    /// bindings describe.
    pub(crate) fn configured(
        path: &super::bindings::FilePath,
        buffer_period: Option<lactoserv_core::quant::Duration>,
        rotate: Option<&super::rotate::RotateConfig>,
        logger: &Logger,
    ) -> Self {
        Self::new(
            path.as_path().to_owned(),
            buffer_period.map(|period| Duration::from_secs_f64(period.value())),
            rotate.map(|rotate| rotation(path, rotate, logger)),
            logger.clone(),
        )
    }

    pub(crate) fn new(
        path: PathBuf,
        buffer_period: Option<Duration>,
        rotation: Option<Rotation>,
        logger: Logger,
    ) -> Self {
        Self {
            path,
            buffer_period: buffer_period.unwrap_or(Duration::ZERO),
            rotation,
            shared: Arc::new(Shared::default()),
            stop: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
            logger,
        }
    }

    /// A handle that appends text (cheap; for log sinks).
    pub(crate) fn pusher(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let shared = self.shared.clone();
        move |text: &str| shared.push(text)
    }

    /// Appends `text` (a line end added if it has none).
    pub(crate) fn push(&self, text: &str) {
        self.shared.push(text);
    }

    /// Creates the directory, touches the file, rotates it if `onStart`
    /// says so, and starts writing and checking sizes.
    pub(crate) async fn start(&self) {
        let path = self.path.clone();
        let on_start = self
            .rotation
            .as_ref()
            .filter(|r| r.on_start)
            .map(|r| r.saver.clone());
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            touch(&path);
            if let Some(saver) = on_start {
                saver.preserve();
            }
        })
        .await;
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        tasks.push(tokio::spawn(write_loop(
            self.path.clone(),
            self.buffer_period,
            self.shared.clone(),
            self.logger.clone(),
        )));
        if let Some(rotation) = &self.rotation
            && let (Some(at_size), Some(period)) = (rotation.at_size, rotation.check_period)
        {
            let (saver, path, mut stopped) = (
                rotation.saver.clone(),
                self.path.clone(),
                self.stop.subscribe(),
            );
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(period) => {}
                        _ = stopped.changed() => return,
                    }
                    let (saver, path) = (saver.clone(), path.clone());
                    let _ =
                        tokio::task::spawn_blocking(move || rotate_if_big(&path, at_size, &saver))
                            .await;
                }
            }));
        }
    }

    /// Writes everything pushed so far, then stops: a last size check, and
    /// the rotation `onStop` asks for.
    pub(crate) async fn stop(&self) {
        self.shared.pending().closed = true;
        self.shared.wake.notify_one();
        let _ = self.stop.send(true);
        let tasks: Vec<_> = self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        for task in tasks {
            let _ = task.await;
        }
        if let Some(rotation) = &self.rotation {
            let (saver, path, at_size, on_stop) = (
                rotation.saver.clone(),
                self.path.clone(),
                rotation.at_size,
                rotation.on_stop,
            );
            let _ = tokio::task::spawn_blocking(move || {
                let rotated = at_size.is_some_and(|size| rotate_if_big(&path, size, &saver));
                if on_stop && !rotated {
                    saver.preserve();
                }
            })
            .await;
        }
    }
}

/// Sets the file's times to now, creating it empty if need be.
fn touch(path: &std::path::Path) {
    if let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let now = std::time::SystemTime::now();
        let _ = file.set_times(
            std::fs::FileTimes::new()
                .set_accessed(now)
                .set_modified(now),
        );
    }
}

/// Rotates the file if it has at least `at_size` bytes; whether it did.
fn rotate_if_big(path: &std::path::Path, at_size: u64, saver: &Saver) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.len() >= at_size) && saver.preserve().is_some()
}

/// Writes what is pushed, a batch at a time, until stopped and drained.
async fn write_loop(path: PathBuf, period: Duration, shared: Arc<Shared>, logger: Logger) {
    loop {
        shared.wake.notified().await;
        if !period.is_zero() && !shared.pending().closed {
            tokio::time::sleep(period).await;
        } else {
            tokio::task::yield_now().await;
        }
        let (text, closed) = {
            let mut pending = shared.pending();
            // The next batch is likely as big as this one: room for it up
            // front, rather than regrowing (and copying) as it fills.
            let room = pending.text.len();
            let text = std::mem::replace(&mut pending.text, String::with_capacity(room));
            (text, pending.closed)
        };
        if !text.is_empty() {
            let (path, logger) = (path.clone(), logger.clone());
            let _ = tokio::task::spawn_blocking(move || append(&path, &text, &logger)).await;
        }
        if closed {
            return;
        }
    }
}

fn append(path: &std::path::Path, text: &str, logger: &Logger) {
    let result = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(err) = result {
        logger.event("errorWritingFile", vec![LogValue::error("Error", &err)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn lines_are_gathered_for_the_buffer_period_and_flushed_at_stop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/x.log");
        let file = LogFile::new(
            path.clone(),
            Some(Duration::from_secs(1)),
            None,
            Logger::disabled(),
        );
        file.start().await;
        let push = file.pusher();
        push("one");
        push("two\n");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "",
            "still gathering"
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The write runs on a blocking thread: give it a moment.
        for _ in 0..100 {
            if !std::fs::read_to_string(&path).unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        push("three");
        file.stop().await;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\nthree\n");
        push("after");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\nthree\n");
    }
}

#[cfg(test)]
mod rotation_tests {
    use serde_json::json;

    use super::*;
    use crate::support::bindings::FilePath;
    use crate::support::rotate::RotateConfig;

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// Waits (on the paused clock, letting blocking work finish) until
    /// `check` holds.
    async fn until(check: impl Fn() -> bool) {
        for _ in 0..200 {
            if check() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("never happened");
    }

    #[tokio::test(start_paused = true)]
    async fn a_file_over_its_size_rotates_at_the_next_check_and_at_stop() {
        let dir = tempfile::tempdir().unwrap();
        let path =
            FilePath::try_from(dir.path().join("x.log").to_string_lossy().into_owned()).unwrap();
        let rotate: RotateConfig = lactoserv_core::bind::from_value(
            &json!({ "atSize": "10 B", "checkPeriod": "1 sec", "maxOldCount": 2 }),
        )
        .unwrap();
        let file = LogFile::new(
            path.as_path().to_owned(),
            None,
            Some(rotation(&path, &rotate, &Logger::disabled())),
            Logger::disabled(),
        );
        file.start().await;
        file.push("0123456789abc");
        until(|| std::fs::metadata(path.as_path()).is_ok_and(|m| m.len() > 0)).await;
        assert_eq!(names(dir.path()), ["x.log"], "not before the check");
        tokio::time::sleep(Duration::from_secs(1)).await;
        until(|| names(dir.path()).len() == 1 && !path.as_path().exists()).await;
        let rotated = names(dir.path());
        assert!(
            rotated[0].starts_with("x-") && rotated[0].ends_with("-1.log"),
            "{rotated:?}"
        );

        // The next line makes a new file; a stop checks the size once more.
        file.push("second batch, long enough");
        until(|| path.as_path().exists()).await;
        file.stop().await;
        let after = names(dir.path());
        assert_eq!(after.len(), 2, "{after:?}");
        assert!(after.iter().all(|n| n != "x.log"), "{after:?}");
    }
}

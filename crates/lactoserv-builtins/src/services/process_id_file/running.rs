//! The running ProcessIdFile (spec 04 §A.9): the file holds our process ID,
//! or with `multiprocess` the IDs of every live server sharing it, one per
//! line in ascending order; it is written at start, every `updatePeriod`,
//! and at stop without our ID (and removed when that leaves it empty).

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use lactoserv_core::log::{LogValue, Logger};
use lactoserv_core::service::Fate;
use lactoserv_core::service::{Service, ServiceError};

use crate::support::background::Background;

/// How long after writing the file is read back to see whether another
/// process wrote at the same time, then how long to wait before trying
/// again, and how many tries there are in all.
const READ_BACK_AFTER: Duration = Duration::from_millis(250);
const RETRY_AFTER: Duration = Duration::from_millis(500);
const TRIES: u32 = 5;

/// The largest integer the reference keeps (JavaScript's safe integers).
const MAX_PID: u64 = (1 << 53) - 1;

#[derive(Debug)]
pub(crate) struct ProcessIdFile {
    path: PathBuf,
    multiprocess: bool,
    update_period: Option<Duration>,
    logger: Logger,
    updates: Background,
}

impl ProcessIdFile {
    pub(crate) fn new(
        path: PathBuf,
        multiprocess: bool,
        update_period: Option<Duration>,
        logger: Logger,
    ) -> Self {
        Self {
            path,
            multiprocess,
            update_period,
            logger,
            updates: Background::default(),
        }
    }
}

/// The file's contents: the live IDs it lists (with `multiprocess`), plus
/// ours when `with_ours`, ascending, one per line.
fn contents(path: &Path, multiprocess: bool, with_ours: bool, logger: &Logger) -> String {
    let ours = u64::from(std::process::id());
    let mut pids: Vec<u64> = Vec::new();
    if multiprocess {
        match std::fs::read_to_string(path) {
            Ok(text) => pids.extend(
                text.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|digits| digits.parse::<u64>().ok())
                    .filter(|&pid| pid != ours && pid <= MAX_PID && is_alive(pid)),
            ),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => logger.event("errorReadingFile", vec![LogValue::error("Error", &err)]),
        }
    }
    if with_ours {
        pids.push(ours);
    }
    pids.sort_unstable();
    pids.dedup();
    pids.iter().map(|pid| format!("{pid}\n")).collect()
}

/// Whether a process with `pid` exists (Linux: it has a `/proc` entry,
/// whoever owns it).
fn is_alive(pid: u64) -> bool {
    pid > 0 && Path::new(&format!("/proc/{pid}")).exists()
}

/// Writes the current contents; with `multiprocess`, reads the file back a
/// moment later and writes again (a few times at most) if another process
/// wrote in between.
fn update(path: &Path, multiprocess: bool, logger: &Logger) {
    for attempt in 1..=TRIES {
        let text = contents(path, multiprocess, true, logger);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(err) = std::fs::write(path, &text) {
            logger.event("errorWritingFile", vec![LogValue::error("Error", &err)]);
            return;
        }
        logger.event("wroteFile", Vec::new());
        if !multiprocess {
            return;
        }
        std::thread::sleep(READ_BACK_AFTER);
        if std::fs::read_to_string(path).is_ok_and(|now| now == text) {
            return;
        }
        let gave_up = attempt == TRIES;
        logger.event_with("writeContention", || {
            let mut entries = vec![("attempt", LogValue::from(u64::from(attempt)))];
            if gave_up {
                entries.push(("gaveUp", LogValue::from(true)));
            }
            vec![LogValue::object(entries)]
        });
        if !gave_up {
            std::thread::sleep(RETRY_AFTER);
        }
    }
}

#[async_trait]
impl Service for ProcessIdFile {
    async fn start(&self) -> Result<(), ServiceError> {
        let (path, multiprocess, logger) =
            (self.path.clone(), self.multiprocess, self.logger.clone());
        self.updates.every(self.update_period, move || {
            update(&path, multiprocess, &logger)
        });
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        self.updates.stop().await;
        let (path, multiprocess, logger) =
            (self.path.clone(), self.multiprocess, self.logger.clone());
        let _ = tokio::task::spawn_blocking(move || {
            let text = contents(&path, multiprocess, false, &logger);
            if text.is_empty() {
                if std::fs::remove_file(&path).is_ok() {
                    logger.event("removedFile", Vec::new());
                }
            } else if std::fs::write(&path, text).is_ok() {
                logger.event("wroteFile", Vec::new());
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(path: &Path, multiprocess: bool) -> ProcessIdFile {
        ProcessIdFile::new(path.to_owned(), multiprocess, None, Logger::disabled())
    }

    #[tokio::test]
    async fn holds_our_id_while_running_and_is_removed_at_stop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/pid.txt");
        let service = service(&path, false);
        service.start().await.unwrap();
        // The first write happens on the update task.
        for _ in 0..100 {
            if path.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", std::process::id()));
        service.stop(Fate::Shutdown).await;
        assert!(!path.exists());
    }

    #[test]
    fn several_processes_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pid.txt");
        let ours = u64::from(std::process::id());
        // Process 1 always lives; a pid past the kernel's limit never does.
        std::fs::write(&path, "junk 1\n4194399999\nx1x\n").unwrap();
        let logger = Logger::disabled();
        assert_eq!(contents(&path, true, true, &logger), format!("1\n{ours}\n"));
        assert_eq!(contents(&path, true, false, &logger), "1\n");
        assert_eq!(contents(&path, false, true, &logger), format!("{ours}\n"));
        assert_eq!(contents(&path, false, false, &logger), "");
    }
}

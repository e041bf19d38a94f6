//! Keeping StaticFiles' findings fresh without looking at the disk for
//! each request: the site directory (and the not-found page's directory)
//! watched through inotify (the `notify` crate), so that a change to the
//! site drops what was found before it and the very next request looks
//! again, and a change to the not-found page is read at once.
//!
//! Where watching is impossible (the system's inotify limits reached, a
//! file system without it) or stops working, the application logs it once
//! (`notWatching`) and each finding is trusted for a second only, as it
//! would be without a watch; the not-found page is then looked at for each
//! request that needs it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use lactoserv_core::log::{LogValue, Logger};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};

use super::running::StaticFiles;

/// The watch over one StaticFiles application's files.
#[derive(Default)]
pub(crate) struct Watch {
    /// Whether changes are seen as they happen.
    watching: AtomicBool,
    /// Whether `notWatching` has been logged.
    told: AtomicBool,
    /// The watcher, for as long as the application runs.
    watcher: Mutex<Option<RecommendedWatcher>>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("watching", &self.is_watching())
            .finish()
    }
}

impl Watch {
    /// Whether changes are seen as they happen, so that findings may be
    /// trusted until one.
    pub(crate) fn is_watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    /// Stops trusting findings beyond a second, and says why once.
    fn stop(&self, logger: &Logger, path: &Path, err: &notify::Error) {
        self.watching.store(false, Ordering::Release);
        if !self.told.swap(true, Ordering::AcqRel) {
            logger.event_with("notWatching", || {
                vec![LogValue::object([
                    ("path", LogValue::from(path.to_string_lossy().into_owned())),
                    ("reason", LogValue::from(err.to_string())),
                ])]
            });
        }
    }
}

/// Starts watching `site` (recursively) for `files` and, if there is a
/// not-found page `page`, its folders (as named and as it really is,
/// symlinks resolved) unless the site holds them; on failure, says so once.
///
/// It is done before the application is put to use, so that a server that
/// listens watches its sites (walking a site of many directories takes a
/// while: each gets a watch of its own).
pub(crate) fn start(files: &Arc<StaticFiles>, site: &Path, page: Option<&Path>) {
    let handler = {
        let files = Arc::downgrade(files);
        move |event: notify::Result<Event>| changed(&files, event)
    };
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(page) = page {
        let real = std::fs::canonicalize(page).ok();
        for path in [Some(page), real.as_deref()].into_iter().flatten() {
            if let Some(folder) = path.parent()
                && !folder.starts_with(site)
                && !folders.iter().any(|known| known == folder)
            {
                folders.push(folder.to_owned());
            }
        }
    }
    let started = notify::recommended_watcher(handler).and_then(|mut watcher| {
        watcher.watch(site, RecursiveMode::Recursive)?;
        for folder in &folders {
            watcher.watch(folder, RecursiveMode::NonRecursive)?;
        }
        Ok(watcher)
    });
    let watch = files.watch();
    match started {
        Ok(watcher) => {
            *watch.watcher.lock().unwrap_or_else(PoisonError::into_inner) = Some(watcher);
            watch.watching.store(true, Ordering::Release);
        }
        Err(err) => watch.stop(files.logger(), site, &err),
    }
}

/// What the watcher saw: a change drops the findings and has the
/// not-found page looked at again; a failure ends the trust in them.
fn changed(files: &Weak<StaticFiles>, event: notify::Result<Event>) {
    let Some(files) = files.upgrade() else {
        return;
    };
    match event {
        // Files being opened or read (the server's own reads among them)
        // change nothing; one closed after writing has.
        Ok(Event {
            kind: EventKind::Access(access),
            ..
        }) if access != AccessKind::Close(AccessMode::Write) => {}
        Ok(_) => {
            files.site_changed();
            files.page_changed();
        }
        Err(err) => {
            let path = err.paths.first().cloned().unwrap_or_default();
            files.watch().stop(files.logger(), &path, &err);
            files.site_changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use lactoserv_core::bind::from_value;
    use lactoserv_core::log::{LogEvent, Logger};
    use serde_json::json;

    use super::*;
    use crate::apps::static_files::StaticFilesConfig;

    /// A watched application for `site`, and the kinds of the events it
    /// logs.
    fn watched(site: &Path) -> (Arc<StaticFiles>, Arc<Mutex<Vec<String>>>) {
        let kinds = Arc::new(Mutex::new(Vec::new()));
        let sink = {
            let kinds = kinds.clone();
            move |event: &LogEvent| kinds.lock().unwrap().push(event.kind.clone())
        };
        let config: StaticFilesConfig = from_value(&json!({ "siteDirectory": site })).unwrap();
        let logger = Logger::new("webapp", Arc::new(sink));
        let files = Arc::new(StaticFiles::new(logger, &config, None, None).unwrap());
        files.start_watching();
        (files, kinds)
    }

    #[test]
    fn a_site_is_watched_from_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let (files, kinds) = watched(dir.path());
        assert!(files.watch().is_watching());
        assert!(kinds.lock().unwrap().is_empty());
    }

    #[test]
    fn a_site_that_cannot_be_watched_is_said_so_once() {
        let dir = tempfile::tempdir().unwrap();
        let (files, kinds) = watched(&dir.path().join("not-there"));
        assert!(!files.watch().is_watching());
        assert_eq!(*kinds.lock().unwrap(), ["notWatching"]);
    }

    #[test]
    fn a_failing_watch_ends_the_trust_and_is_said_so_once() {
        let dir = tempfile::tempdir().unwrap();
        let (files, kinds) = watched(dir.path());
        let weak = Arc::downgrade(&files);
        for _ in 0..3 {
            changed(&weak, Err(notify::Error::generic("events lost")));
        }
        assert!(!files.watch().is_watching());
        assert_eq!(*kinds.lock().unwrap(), ["notWatching"]);
    }
}

//! The `notFoundPath` page: read at start, re-read when its file changes,
//! and served as it last was if the file disappears.

use std::fs::Metadata;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use bytes::Bytes;
use http::HeaderValue;
use lactoserv_core::log::{LogValue, Logger};

use crate::support::content_type::type_from_path;

/// The not-found page.
#[derive(Debug)]
pub(crate) struct NotFoundPage {
    path: PathBuf,
    /// Its content type, from its name.
    pub(crate) content_type: HeaderValue,
    /// When the copy held was modified, and the copy.
    loaded: Mutex<(Option<SystemTime>, Bytes)>,
}

impl NotFoundPage {
    /// Where the page is.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Reads the page at `path`.
    pub(crate) fn read(path: PathBuf) -> std::io::Result<Self> {
        let contents = Bytes::from(std::fs::read(&path)?);
        let mtime = std::fs::metadata(&path)?.modified().ok();
        let content_type = type_from_path(&path.to_string_lossy(), false);
        Ok(Self {
            content_type: HeaderValue::try_from(content_type).map_err(std::io::Error::other)?,
            path,
            loaded: Mutex::new((mtime, contents)),
        })
    }

    /// The page as last read (while the site is watched, a change to it is
    /// read as it happens).
    pub(crate) fn loaded(&self) -> Bytes {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// The page as it is now (on a blocking thread: it looks at the file);
    /// a page gone since start-up is logged on `logger` and its last good
    /// copy served.
    pub(crate) fn current(&self, logger: &Logger) -> Bytes {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        let mtime = std::fs::metadata(&self.path)
            .ok()
            .filter(Metadata::is_file)
            .and_then(|meta| meta.modified().ok());
        if mtime.is_none() {
            logger.event_with("notFoundPathDisappeared", || {
                vec![LogValue::from(self.path.to_string_lossy().into_owned())]
            });
        } else if mtime != loaded.0
            && let Ok(contents) = std::fs::read(&self.path)
        {
            *loaded = (mtime, Bytes::from(contents));
        }
        loaded.1.clone()
    }
}

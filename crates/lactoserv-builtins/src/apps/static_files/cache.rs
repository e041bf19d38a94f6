//! What requests found, kept in memory: small files with their prepared
//! responses, and which names are directories (redirects) or missing, so
//! that a hot path costs no trip to the file system. An entry is trusted for
//! [`FRESH_FOR`] after it was read; after that the next request looks at
//! the file again (and reads it again if it changed), so a change on disk
//! shows within that time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::file_answer::FileAnswer;

/// How long a cached file is trusted without looking at the disk.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

/// The most bytes of file contents kept; going over empties the cache.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Cached findings by request key (the relative path, with a trailing `/`
/// for directory requests).
#[derive(Debug, Default)]
pub(crate) struct FileCache(Mutex<Entries>);

/// What a request found.
#[derive(Debug, Clone)]
pub(crate) enum Cached {
    /// A small file, with its answer.
    File(Arc<FileAnswer>),
    /// A directory asked for without its slash.
    Directory,
    /// Nothing.
    Missing,
}

impl Cached {
    fn size(&self) -> u64 {
        match self {
            Self::File(answer) => answer.size(),
            Self::Directory | Self::Missing => 0,
        }
    }
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Box<str>, (Instant, Cached)>,
    bytes: u64,
}

impl FileCache {
    fn entries(&self) -> MutexGuard<'_, Entries> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What `key` found, if cached and still fresh.
    pub(crate) fn get(&self, key: &str) -> Option<Cached> {
        let entries = self.entries();
        let (read, answer) = entries.map.get(key)?;
        (read.elapsed() < FRESH_FOR).then(|| answer.clone())
    }

    /// Keeps `found` for `key`.
    pub(crate) fn put(&self, key: &str, found: Cached) {
        let size = found.size();
        let mut entries = self.entries();
        if entries.bytes + size > MAX_BYTES {
            entries.map.clear();
            entries.bytes = 0;
        }
        let now = Instant::now();
        if let Some((_, old)) = entries.map.insert(key.into(), (now, found)) {
            entries.bytes = entries.bytes.saturating_sub(old.size());
        }
        entries.bytes += size;
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::StatusCode;
    use lactoserv_core::net::{Body, Prepared, Response};

    use super::*;

    fn answer(text: &'static str) -> Cached {
        let response = Response::new(
            StatusCode::OK,
            Body::Full(Bytes::from_static(text.as_bytes())),
        );
        Cached::File(Arc::new(FileAnswer::new(
            Prepared::new(response),
            None,
            None,
            text.len() as u64,
        )))
    }

    #[tokio::test(start_paused = true)]
    async fn entries_are_trusted_for_a_second() {
        let cache = FileCache::default();
        cache.put("a.txt", answer("a"));
        cache.put("gone.txt", Cached::Missing);
        assert!(cache.get("a.txt").is_some());
        assert!(matches!(cache.get("gone.txt"), Some(Cached::Missing)));
        assert!(cache.get("b.txt").is_none());
        tokio::time::advance(FRESH_FOR - Duration::from_millis(1)).await;
        assert!(cache.get("a.txt").is_some());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(
            cache.get("a.txt").is_none(),
            "stale: look at the disk again"
        );
        cache.put("a.txt", answer("a"));
        assert!(cache.get("a.txt").is_some());
        assert_eq!(cache.entries().bytes, 1);
    }

    #[test]
    fn too_many_bytes_empty_the_cache() {
        let cache = FileCache::default();
        let big = Cached::File(Arc::new(FileAnswer::new(
            Prepared::new(Response::new(StatusCode::OK, Body::Empty)),
            None,
            None,
            MAX_BYTES,
        )));
        cache.put("big", big);
        cache.put("small", answer("s"));
        assert!(cache.get("big").is_none());
        assert!(cache.get("small").is_some());
    }
}

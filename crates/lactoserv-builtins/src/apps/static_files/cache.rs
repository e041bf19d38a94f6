//! What requests found, kept in memory: small files with their prepared
//! responses, and which names are directories (redirects) or missing, so
//! that a hot path costs no trip to the file system; and the `dataOnly`
//! tags of files, so that each version of a file is hashed once.
//!
//! A finding is trusted for [`FRESH_FOR`] after it was read; after that the
//! next request looks at the file again (and reads it again if it changed),
//! so a change on disk shows within that time.
//!
//! Both are bounded whatever clients ask for: every entry is counted, its
//! key's bytes and a fixed cost for the rest as well as any file contents,
//! against a fixed total. Past it, entries are evicted (quick_cache's
//! policy, close to S3-FIFO: an entry asked for once, such as a flood of
//! distinct missing paths, goes before the files asked for again and
//! again).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tokio::time::Instant;

use super::file_answer::FileAnswer;

/// How long a cached finding is trusted without looking at the disk.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

/// The most bytes the findings are counted for: file contents, keys, and
/// [`ENTRY_COST`] each.
pub(crate) const FINDINGS_BYTES: u64 = 64 * 1024 * 1024;

/// The most bytes the `dataOnly` tags are counted for: paths, tags, and
/// [`ENTRY_COST`] each.
pub(crate) const TAGS_BYTES: u64 = 4 * 1024 * 1024;

/// What an entry is counted for besides its key and its file's contents:
/// the table slot, the timestamp, a small file's prepared answer.
pub(crate) const ENTRY_COST: u64 = 256;

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

/// What a finding is counted for.
#[derive(Debug, Clone, Copy)]
struct FindingWeight;

impl Weighter<Box<str>, (Instant, Cached)> for FindingWeight {
    fn weight(&self, key: &Box<str>, (_, found): &(Instant, Cached)) -> u64 {
        key.len() as u64 + ENTRY_COST + found.size()
    }
}

/// Cached findings by request key (the relative path, with a trailing `/`
/// for directory requests).
pub(crate) struct FileCache(Cache<Box<str>, (Instant, Cached), FindingWeight>);

impl std::fmt::Debug for FileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCache")
            .field("entries", &self.0.len())
            .field("bytes", &self.0.weight())
            .finish()
    }
}

impl Default for FileCache {
    fn default() -> Self {
        Self::with_capacity(FINDINGS_BYTES)
    }
}

impl FileCache {
    /// A cache counting at most `bytes`.
    fn with_capacity(bytes: u64) -> Self {
        let expected = usize::try_from(bytes / (4 * 1024)).unwrap_or(usize::MAX);
        Self(Cache::with_weighter(expected, bytes, FindingWeight))
    }

    /// What `key` found, if cached and still fresh.
    pub(crate) fn get(&self, key: &str) -> Option<Cached> {
        let (read, found) = self.0.get(key)?;
        (read.elapsed() < FRESH_FOR).then_some(found)
    }

    /// Keeps `found` for `key`.
    pub(crate) fn put(&self, key: &str, found: Cached) {
        self.0.insert(key.into(), (Instant::now(), found));
    }

    /// The bytes the entries are counted for.
    #[cfg(test)]
    fn bytes(&self) -> u64 {
        self.0.weight()
    }
}

/// A file's `dataOnly` tag, for the version of the file (modification
/// time and size) it was hashed from.
#[derive(Debug, Clone)]
pub(crate) struct Tagged {
    pub(crate) modified: SystemTime,
    pub(crate) len: u64,
    pub(crate) tag: Arc<str>,
}

/// What a tag is counted for.
#[derive(Debug, Clone, Copy)]
struct TagWeight;

impl Weighter<PathBuf, Tagged> for TagWeight {
    fn weight(&self, path: &PathBuf, tagged: &Tagged) -> u64 {
        path.as_os_str().len() as u64 + tagged.tag.len() as u64 + ENTRY_COST
    }
}

/// The `dataOnly` tags of files by path.
pub(crate) struct TagCache(Cache<PathBuf, Tagged, TagWeight>);

impl std::fmt::Debug for TagCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagCache")
            .field("entries", &self.0.len())
            .finish()
    }
}

impl Default for TagCache {
    fn default() -> Self {
        let expected = usize::try_from(TAGS_BYTES / 512).unwrap_or(usize::MAX);
        Self(Cache::with_weighter(expected, TAGS_BYTES, TagWeight))
    }
}

impl TagCache {
    /// The tag of `path`, if it was hashed at the version `modified` and
    /// `len` describe.
    pub(crate) fn get(&self, path: &Path, modified: SystemTime, len: u64) -> Option<Arc<str>> {
        let tagged = self.0.get(path)?;
        (tagged.modified == modified && tagged.len == len).then_some(tagged.tag)
    }

    /// Keeps `tagged` for `path`.
    pub(crate) fn put(&self, path: &Path, tagged: Tagged) {
        self.0.insert(path.to_owned(), tagged);
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
    }

    #[test]
    fn keys_and_misses_are_counted() {
        let cache = FileCache::default();
        cache.put("gone", Cached::Missing);
        cache.put("a.txt", answer("abc"));
        assert_eq!(cache.bytes(), (4 + ENTRY_COST) + (5 + ENTRY_COST + 3));
    }

    #[test]
    fn a_flood_of_misses_stays_within_the_bound_and_spares_a_file_in_use() {
        let bound = 1024 * 1024;
        let cache = FileCache::with_capacity(bound);
        cache.put("index.html", answer("home"));
        let long = "x".repeat(4000);
        for n in 0..10_000 {
            cache.put(&format!("{long}{n}"), Cached::Missing);
            // The file is asked for all along.
            if n % 10 == 0 {
                assert!(cache.get("index.html").is_some(), "after {n} misses");
            }
            assert!(cache.bytes() <= bound, "{} after {n} misses", cache.bytes());
        }
    }

    #[test]
    fn a_tag_is_for_one_version_of_a_file() {
        let tags = TagCache::default();
        let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let path = Path::new("/site/a.txt");
        tags.put(
            path,
            Tagged {
                modified: then,
                len: 3,
                tag: "\"abc\"".into(),
            },
        );
        assert_eq!(tags.get(path, then, 3).as_deref(), Some("\"abc\""));
        assert_eq!(tags.get(path, then, 4), None);
        assert_eq!(tags.get(path, then + Duration::from_secs(1), 3), None);
    }
}

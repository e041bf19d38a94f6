//! What requests found, kept in memory: small files with their prepared
//! responses, and which names are directories (redirects) or missing, so
//! that a hot path costs no trip to the file system; and the `dataOnly`
//! tags of files, so that each version of a file is hashed once.
//!
//! While the site directory is watched (`watch`), a finding is trusted
//! until a change to the site drops it ([`FileCache::invalidate`]);
//! otherwise, and for a file reached through a symlink (whose target the
//! watch does not see), for [`FRESH_FOR`] after it was read, after which
//! the next request looks at the file again.
//!
//! Both are bounded whatever clients ask for: every entry is counted, its
//! key's bytes and a fixed cost for the rest as well as any file contents,
//! against a fixed total. Past it, entries are evicted (quick_cache's
//! policy, close to S3-FIFO: an entry asked for once, such as a flood of
//! distinct missing paths, goes before the files asked for again and
//! again).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use lactoserv_core::metrics::CacheMetrics;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tokio::time::Instant;

use crate::support::answer::Answer;

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
    /// A small file, with its answer (and the coded variants made of it).
    File(Arc<Answer>),
    /// A directory asked for without its slash.
    Directory,
    /// Nothing.
    Missing,
}

impl Cached {
    fn size(&self) -> u64 {
        match self {
            Self::File(answer) => answer.held(),
            Self::Directory | Self::Missing => 0,
        }
    }
}

/// A finding, until when it is trusted (`None`: until the site
/// changes), and the bytes it held when put (what it is counted for must
/// not change while it is in the cache, though an answer grows as coded
/// variants are made: it is put again then).
type Entry = (Option<Instant>, Cached, u64);

/// What a finding is counted for.
#[derive(Debug, Clone, Copy)]
struct FindingWeight;

impl Weighter<Box<str>, Entry> for FindingWeight {
    fn weight(&self, key: &Box<str>, (_, _, size): &Entry) -> u64 {
        key.len() as u64 + ENTRY_COST + size
    }
}

/// Cached findings by request key (the relative path, with a trailing `/`
/// for directory requests).
pub(crate) struct FileCache {
    entries: Cache<Box<str>, Entry, FindingWeight>,
    /// Counts the changes to the site: a lookup begun before one keeps
    /// nothing of what it found.
    generation: AtomicU64,
    /// Its counts, when the configuration counts.
    counts: Option<Arc<CacheMetrics>>,
    /// The bytes last added to `counts`' total for this cache.
    reported: AtomicU64,
}

impl std::fmt::Debug for FileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCache")
            .field("entries", &self.entries.len())
            .field("bytes", &self.entries.weight())
            .finish()
    }
}

impl Drop for FileCache {
    /// What it held is no longer held.
    fn drop(&mut self) {
        if let Some(counts) = &self.counts {
            counts.held_changed(-(*self.reported.get_mut() as i64));
        }
    }
}

/// How long a finding put in the cache is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trust {
    /// Until the site changes (it is watched).
    UntilChanged,
    /// For [`FRESH_FOR`].
    ForAWhile,
}

#[cfg(test)]
impl Default for FileCache {
    fn default() -> Self {
        Self::with_capacity(FINDINGS_BYTES, None)
    }
}

impl FileCache {
    /// A cache counting its lookups and bytes in `counts`.
    pub(crate) fn counted(counts: Option<Arc<CacheMetrics>>) -> Self {
        Self::with_capacity(FINDINGS_BYTES, counts)
    }

    /// A cache holding at most `bytes`.
    fn with_capacity(bytes: u64, counts: Option<Arc<CacheMetrics>>) -> Self {
        let expected = usize::try_from(bytes / (4 * 1024)).unwrap_or(usize::MAX);
        Self {
            entries: Cache::with_weighter(expected, bytes, FindingWeight),
            generation: AtomicU64::new(0),
            counts,
            reported: AtomicU64::new(0),
        }
    }

    /// What `key` found, if cached and still trusted.
    pub(crate) fn get(&self, key: &str) -> Option<Cached> {
        let found = self
            .entries
            .get(key)
            .and_then(|(until, found, _)| match until {
                None => Some(found),
                Some(until) => (Instant::now() < until).then_some(found),
            });
        if let Some(counts) = &self.counts {
            counts.looked_up(found.is_some());
        }
        found
    }

    /// Brings the bytes counted for this cache up to date, if it counts
    /// (after what it holds changed: off the hot path).
    fn report(&self) {
        if let Some(counts) = &self.counts {
            let now = self.entries.weight();
            let before = self.reported.swap(now, Ordering::Relaxed);
            counts.held_changed(now as i64 - before as i64);
        }
    }

    /// The mark a lookup takes before it starts, for [`FileCache::put`].
    pub(crate) fn mark(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `found` for `key`, trusted as `trust` says, unless the site
    /// has changed since the lookup that found it took `mark`.
    pub(crate) fn put(&self, key: &str, found: Cached, trust: Trust, mark: u64) {
        let until = match trust {
            Trust::UntilChanged => None,
            Trust::ForAWhile => Some(Instant::now() + FRESH_FOR),
        };
        if self.mark() != mark {
            return;
        }
        let size = found.size();
        self.entries.insert(key.into(), (until, found, size));
        // A change while it was put in: what it was found from is gone.
        if self.mark() != mark {
            self.entries.remove(key);
        }
        self.report();
    }

    /// Counts `answer`, found for `key`, again: it holds more now (a
    /// coded variant was made). Past the bound, that evicts other entries
    /// (or this one).
    pub(crate) fn reweigh(&self, key: &str, answer: &Arc<Answer>) {
        if let Some((until, Cached::File(kept), _)) = self.entries.get(key)
            && Arc::ptr_eq(&kept, answer)
        {
            let size = kept.held();
            self.entries
                .insert(key.into(), (until, Cached::File(kept), size));
            self.report();
        }
    }

    /// Drops every finding: the site has changed.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
        self.report();
    }

    /// The bytes the entries are counted for.
    #[cfg(test)]
    fn bytes(&self) -> u64 {
        self.entries.weight()
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
    use lactoserv_core::net::{Body, Response};

    use super::*;

    fn answer(text: &'static str) -> Cached {
        let response = Response::new(
            StatusCode::OK,
            Body::Full(Bytes::from_static(text.as_bytes())),
        );
        Cached::File(Arc::new(Answer::new(response, None, None)))
    }

    fn put(cache: &FileCache, key: &str, found: Cached) {
        cache.put(key, found, Trust::ForAWhile, cache.mark());
    }

    #[tokio::test(start_paused = true)]
    async fn entries_are_trusted_for_a_second_unless_watched() {
        let cache = FileCache::default();
        put(&cache, "a.txt", answer("a"));
        put(&cache, "gone.txt", Cached::Missing);
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
        put(&cache, "a.txt", answer("a"));
        assert!(cache.get("a.txt").is_some());
        cache.put("b.txt", answer("b"), Trust::UntilChanged, cache.mark());
        tokio::time::advance(FRESH_FOR * 10).await;
        assert!(
            cache.get("b.txt").is_some(),
            "watched: trusted until a change"
        );
    }

    #[test]
    fn a_change_drops_every_finding_and_what_lookups_begun_before_it_find() {
        let cache = FileCache::default();
        put(&cache, "a.txt", answer("a"));
        let mark = cache.mark();
        cache.invalidate();
        assert!(cache.get("a.txt").is_none());
        cache.put("b.txt", answer("b"), Trust::UntilChanged, mark);
        assert!(cache.get("b.txt").is_none(), "found before the change");
    }

    #[test]
    fn keys_and_misses_are_counted() {
        let cache = FileCache::default();
        put(&cache, "gone", Cached::Missing);
        put(&cache, "a.txt", answer("abc"));
        assert_eq!(cache.bytes(), (4 + ENTRY_COST) + (5 + ENTRY_COST + 3));
    }

    #[test]
    fn lookups_and_the_bytes_held_are_counted_for_metrics() {
        use lactoserv_core::metrics::Named;

        let counts = Arc::new(CacheMetrics::new("files"));
        let cache = FileCache::counted(Some(counts.clone()));
        assert!(cache.get("a.txt").is_none());
        put(&cache, "a.txt", answer("abc"));
        assert!(cache.get("a.txt").is_some());
        assert!(cache.get("a.txt").is_some());
        assert_eq!(counts.lookups(), [2, 1], "hits, misses");
        assert_eq!(counts.held(), 5 + ENTRY_COST + 3);
        // A reload's new cache adds to what the draining one holds.
        let next = FileCache::counted(Some(counts.clone()));
        put(&next, "b.txt", answer("b"));
        assert_eq!(counts.held(), (5 + ENTRY_COST + 3) + (5 + ENTRY_COST + 1));
        drop(cache);
        assert_eq!(counts.held(), 5 + ENTRY_COST + 1);
        next.invalidate();
        assert_eq!(counts.held(), 0);
    }

    #[tokio::test]
    async fn a_coded_variant_is_counted_with_its_file() {
        use crate::support::compress::{Coding, Encoded};

        let text = "compressible text, ".repeat(100);
        let bytes = Bytes::from(text.clone());
        let response = Response::new(StatusCode::OK, Body::Full(bytes.clone()));
        let encoded = Encoded::new(vec![Coding::Gzip], Some(bytes));
        let answer = Arc::new(Answer::new(response, None, Some(encoded)));
        let cache = FileCache::default();
        put(&cache, "a.txt", Cached::File(answer.clone()));
        let before = cache.bytes();
        assert_eq!(before, 5 + ENTRY_COST + text.len() as u64);
        let mut request =
            lactoserv_core::net::Request::for_target(http::Method::GET, "/a.txt").unwrap();
        request
            .headers
            .insert("accept-encoding", http::HeaderValue::from_static("gzip"));
        let (response, made) = answer.respond(&request).await;
        assert!(made);
        assert_eq!(
            response.header(&http::header::CONTENT_ENCODING).unwrap(),
            "gzip"
        );
        cache.reweigh("a.txt", &answer);
        let coded = answer.held() - text.len() as u64;
        assert!(coded > 0 && coded < 200, "{coded}");
        assert_eq!(cache.bytes(), before + coded);
    }

    #[test]
    fn a_flood_of_misses_stays_within_the_bound_and_spares_a_file_in_use() {
        let bound = 1024 * 1024;
        let cache = FileCache::with_capacity(bound, None);
        put(&cache, "index.html", answer("home"));
        let long = "x".repeat(4000);
        for n in 0..10_000 {
            put(&cache, &format!("{long}{n}"), Cached::Missing);
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

//! What the process counts for a `Metrics` application (an addition to
//! the reference; `docs/metrics.md`): per endpoint, connections and
//! requests; per application, its answers; file caches and rate
//! limiters; for the process, reloads. The counts belong to the process,
//! not to one configuration, so they go on across reloads (an endpoint's
//! are found again by its name).
//!
//! Counting costs nothing unless the configuration that started an
//! endpoint (or built an application) has a `Metrics` application: those
//! started without one hold no counters and skip every count with one branch. With one, a
//! count is a relaxed add to a counter of the thread's own (see
//! `sharded.rs`): no lock, no allocation, no cache line shared between
//! threads on the request path.

mod components;
mod endpoint;
mod histogram;
mod sharded;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use components::{ApplicationMetrics, Asked, CacheMetrics, LimiterMetrics, Outcome, Tally};
pub use endpoint::{CLASSES, Closing, EndpointMetrics, Event, METHODS, PROTOCOLS, REQUEST_SERIES};
pub use histogram::{BOUNDS, Histogram, Observed};
pub use sharded::Sharded;

/// The process's counts.
#[derive(Debug)]
pub struct Metrics {
    /// Reads the allocator's count of bytes in use, when the program
    /// gives a way.
    allocated: std::sync::OnceLock<fn() -> Option<u64>>,
    endpoints: Registry<EndpointMetrics>,
    applications: Registry<ApplicationMetrics>,
    caches: Registry<CacheMetrics>,
    limiters: Registry<LimiterMetrics>,
    /// Whether the configuration being started has a `Metrics` application.
    asked: AtomicBool,
    /// Reloads that started a new configuration.
    reloads: AtomicU64,
    /// When the process started counting (its start, near enough).
    started: Instant,
}

/// Counts kept by name (an endpoint's, an application's), so that a
/// reloaded configuration finds them again. Made through [`process`];
/// made with [`Named::new`] they belong to nothing (for tests).
pub trait Named: Send + Sync {
    /// Fresh counts for `name`.
    fn new(name: &str) -> Self;

    /// The name they are kept by.
    fn name(&self) -> &str;
}

/// Every set of counts of one kind made so far, in the order first
/// asked for. Looked in only while a configuration is built and at a
/// scrape; configurations name a bounded number of things.
#[derive(Debug)]
struct Registry<T>(Mutex<Vec<Arc<T>>>);

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<T: Named> Registry<T> {
    /// The counts of `name`, made if there are none yet.
    fn get(&self, name: &str) -> Arc<T> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = all.iter().find(|counts| counts.name() == name) {
            return found.clone();
        }
        let made = Arc::new(T::new(name));
        all.push(made.clone());
        made
    }

    /// Every set made so far.
    fn all(&self) -> Vec<Arc<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

static PROCESS: std::sync::LazyLock<Metrics> = std::sync::LazyLock::new(Metrics::new);

/// The process's counts.
pub fn process() -> &'static Metrics {
    &PROCESS
}

impl Metrics {
    fn new() -> Self {
        Self {
            allocated: std::sync::OnceLock::new(),
            endpoints: Registry::default(),
            applications: Registry::default(),
            caches: Registry::default(),
            limiters: Registry::default(),
            asked: AtomicBool::new(false),
            reloads: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// A configuration is being staged: whether it counts is asked anew.
    pub fn starting(&self) {
        self.asked.store(false, Ordering::Relaxed);
    }

    /// The configuration being staged has a `Metrics` application: what
    /// it builds from now on counts.
    pub fn ask(&self) {
        self.asked.store(true, Ordering::Relaxed);
    }

    /// Whether the configuration being staged counts.
    pub fn asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }

    /// The counters of endpoint `name`, when the configuration being
    /// staged counts (found again if an earlier one had the name).
    pub fn endpoint(&self, name: &str) -> Option<Arc<EndpointMetrics>> {
        self.asked().then(|| self.endpoints.get(name))
    }

    /// Every endpoint counted so far.
    pub fn endpoints(&self) -> Vec<Arc<EndpointMetrics>> {
        self.endpoints.all()
    }

    /// The counters of application `name`, when the configuration being
    /// staged counts.
    pub fn application(&self, name: &str) -> Option<Arc<ApplicationMetrics>> {
        self.asked().then(|| self.applications.get(name))
    }

    /// Every application counted so far.
    pub fn applications(&self) -> Vec<Arc<ApplicationMetrics>> {
        self.applications.all()
    }

    /// The counters of the file cache of application `name`, when the
    /// configuration being staged counts.
    pub fn cache(&self, name: &str) -> Option<Arc<CacheMetrics>> {
        self.asked().then(|| self.caches.get(name))
    }

    /// Every file cache counted so far.
    pub fn caches(&self) -> Vec<Arc<CacheMetrics>> {
        self.caches.all()
    }

    /// The counters of rate limiter `name`, when the configuration being
    /// staged counts.
    pub fn limiter(&self, name: &str) -> Option<Arc<LimiterMetrics>> {
        self.asked().then(|| self.limiters.get(name))
    }

    /// Every rate limiter counted so far.
    pub fn limiters(&self) -> Vec<Arc<LimiterMetrics>> {
        self.limiters.all()
    }

    /// A reload started a new configuration.
    pub fn reloaded(&self) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
    }

    /// Reloads that started a new configuration.
    pub fn reloads(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Gives the way to read the allocator's bytes in use (the program's
    /// allocator is the program's to know); the first one given stays.
    pub fn read_allocated_with(&self, read: fn() -> Option<u64>) {
        let _ = self.allocated.set(read);
    }

    /// The allocator's bytes in use, when known.
    pub fn allocated(&self) -> Option<u64> {
        self.allocated.get().and_then(|read| read())
    }

    /// Seconds since the process started counting.
    pub fn uptime(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use http::{Method, StatusCode, Version};

    use super::*;

    fn fresh() -> Metrics {
        Metrics::new()
    }

    #[test]
    fn endpoints_count_only_when_asked_and_keep_their_counts_by_name() {
        let metrics = fresh();
        assert!(metrics.endpoint("web").is_none());
        metrics.ask();
        let web = metrics.endpoint("web").unwrap();
        web.request(Version::HTTP_11, &Method::GET, StatusCode::OK, 0);
        web.request(Version::HTTP_2, &Method::DELETE, StatusCode::NOT_FOUND, 0);
        // A reload's configuration finds the same counters.
        metrics.starting();
        metrics.ask();
        let again = metrics.endpoint("web").unwrap();
        again.request(Version::HTTP_11, &Method::GET, StatusCode::OK, 0);
        let counted: Vec<_> = again.requests().filter(|(.., n)| *n > 0).collect();
        assert_eq!(
            counted,
            [("HTTP/1.1", "GET", "2xx", 2), ("HTTP/2", "other", "4xx", 1)]
        );
        assert_eq!(again.durations().count, 3);
        assert_eq!(metrics.endpoints().len(), 1);
    }

    #[test]
    fn answers_given_at_once_are_the_histograms_zero_durations() {
        let metrics = fresh();
        metrics.ask();
        let web = metrics.endpoint("web").unwrap();
        for nanos in [0, 0, 300_000, 0, 2_000_000_000] {
            web.request(Version::HTTP_11, &Method::GET, StatusCode::OK, nanos);
        }
        let observed = web.durations();
        assert_eq!(observed.count, 5);
        assert_eq!(observed.at_most[0], 3, "at most 100 µs");
        assert_eq!(observed.at_most[2], 4, "at most 500 µs");
        assert_eq!(observed.at_most[15], 5);
        assert!((observed.sum - 2.0003).abs() < 1e-9);
        let counted: Vec<_> = web.requests().filter(|(.., n)| *n > 0).collect();
        assert_eq!(counted, [("HTTP/1.1", "GET", "2xx", 5)]);
    }

    #[test]
    fn connections_open_are_those_accepted_and_not_closed() {
        let metrics = fresh();
        metrics.ask();
        let web = metrics.endpoint("web").unwrap();
        let first = web.accepted();
        let second = web.accepted();
        drop(first);
        assert_eq!(web.connections(), (2, 1));
        drop(second);
        assert_eq!(web.connections(), (2, 0));
    }
}

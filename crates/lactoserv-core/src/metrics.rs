//! What the process counts for a `Metrics` application (an addition to
//! the reference; `docs/metrics.md`): per endpoint, connections and
//! requests; for the process, reloads. The counts belong to the process,
//! not to one configuration, so they go on across reloads (an endpoint's
//! are found again by its name).
//!
//! Counting costs nothing unless the configuration that started an
//! endpoint has a `Metrics` application: endpoints started without one
//! hold no counters and skip every count with one branch. With one, a
//! count is a relaxed add to a counter of the thread's own (see
//! `sharded.rs`): no lock, no allocation, no cache line shared between
//! threads on the request path.

mod sharded;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http::{Method, StatusCode, Version};

pub use sharded::Sharded;

/// The protocols requests are counted by.
pub const PROTOCOLS: [&str; 3] = ["HTTP/1.0", "HTTP/1.1", "HTTP/2"];

/// The methods requests are counted by; any other counts as `other`.
pub const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "OPTIONS", "other"];

/// The status classes requests are counted by.
pub const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// How many request series an endpoint has.
pub const REQUEST_SERIES: usize = PROTOCOLS.len() * METHODS.len() * CLASSES.len();

/// The process's counts.
#[derive(Debug)]
pub struct Metrics {
    /// Reads the allocator's count of bytes in use, when the program
    /// gives a way.
    allocated: std::sync::OnceLock<fn() -> Option<u64>>,
    /// Every endpoint counted so far, by name, in the order first seen.
    endpoints: Mutex<Vec<Arc<EndpointMetrics>>>,
    /// Whether the configuration being started has a `Metrics` application.
    asked: AtomicBool,
    /// Reloads that started a new configuration.
    reloads: AtomicU64,
    /// When the process started counting (its start, near enough).
    started: Instant,
}

/// The counts of one endpoint (by name).
#[derive(Debug)]
pub struct EndpointMetrics {
    name: String,
    requests: Sharded<REQUEST_SERIES>,
    /// Connections accepted, and closed.
    connections: Sharded<2>,
    /// Connections that waited at `maxConnections`.
    at_limit: Sharded<1>,
    /// The [`Event`]s.
    events: Sharded<{ Event::COUNT }>,
}

/// What else an endpoint counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A TLS handshake completed.
    TlsHandshake,
    /// A TLS handshake failed or timed out.
    TlsFailure,
    /// An HTTP/2 session began.
    Http2Session,
    /// An HTTP/2 session was ended for breaking a flood limit.
    Http2Abuse,
    /// Bytes written to clients (counted as each connection ends).
    BytesWritten,
}

impl Event {
    /// How many there are.
    pub const COUNT: usize = 5;

    /// Every event, in order.
    pub const ALL: [Event; Self::COUNT] = [
        Self::TlsHandshake,
        Self::TlsFailure,
        Self::Http2Session,
        Self::Http2Abuse,
        Self::BytesWritten,
    ];
}

static PROCESS: std::sync::LazyLock<Metrics> = std::sync::LazyLock::new(|| Metrics {
    allocated: std::sync::OnceLock::new(),
    endpoints: Mutex::new(Vec::new()),
    asked: AtomicBool::new(false),
    reloads: AtomicU64::new(0),
    started: Instant::now(),
});

/// The process's counts.
pub fn process() -> &'static Metrics {
    &PROCESS
}

impl Metrics {
    /// A configuration is being staged: whether it counts is asked anew.
    pub fn starting(&self) {
        self.asked.store(false, Ordering::Relaxed);
    }

    /// The configuration being staged has a `Metrics` application: its
    /// endpoints count.
    pub fn ask(&self) {
        self.asked.store(true, Ordering::Relaxed);
    }

    /// The counters of endpoint `name`, when the configuration being
    /// staged counts (found again if an earlier one had the name).
    pub fn endpoint(&self, name: &str) -> Option<Arc<EndpointMetrics>> {
        if !self.asked.load(Ordering::Relaxed) {
            return None;
        }
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = endpoints.iter().find(|e| e.name == name) {
            return Some(found.clone());
        }
        let made = Arc::new(EndpointMetrics {
            name: name.to_owned(),
            requests: Sharded::default(),
            connections: Sharded::default(),
            at_limit: Sharded::default(),
            events: Sharded::default(),
        });
        endpoints.push(made.clone());
        Some(made)
    }

    /// Every endpoint counted so far.
    pub fn endpoints(&self) -> Vec<Arc<EndpointMetrics>> {
        self.endpoints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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

impl EndpointMetrics {
    /// The endpoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts a request answered with `status`.
    #[inline]
    pub fn request(&self, version: Version, method: &Method, status: StatusCode) {
        let protocol = match version {
            Version::HTTP_2 => 2,
            Version::HTTP_10 | Version::HTTP_09 => 0,
            _ => 1,
        };
        let method = match *method {
            Method::GET => 0,
            Method::HEAD => 1,
            Method::POST => 2,
            Method::OPTIONS => 3,
            _ => 4,
        };
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        let series = (protocol * METHODS.len() + method) * CLASSES.len() + class;
        self.requests.add(series, 1);
    }

    /// The requests counted in each series, with its protocol, method and
    /// status class.
    pub fn requests(
        &self,
    ) -> impl Iterator<Item = (&'static str, &'static str, &'static str, u64)> {
        let totals = self.requests.totals();
        (0..REQUEST_SERIES).map(move |series| {
            let class = series % CLASSES.len();
            let method = series / CLASSES.len() % METHODS.len();
            let protocol = series / CLASSES.len() / METHODS.len();
            (
                PROTOCOLS[protocol],
                METHODS[method],
                CLASSES[class],
                totals[series],
            )
        })
    }

    /// Counts a connection accepted; the guard counts it closed when
    /// dropped.
    #[inline]
    pub fn accepted(self: &Arc<Self>) -> Closing {
        self.connections.add(0, 1);
        Closing(self.clone())
    }

    /// Counts a connection that waited at the connection limit.
    pub fn at_limit(&self) {
        self.at_limit.add(0, 1);
    }

    /// Connections accepted, and now open.
    pub fn connections(&self) -> (u64, u64) {
        let [accepted, closed] = self.connections.totals();
        (accepted, accepted.saturating_sub(closed))
    }

    /// Connections that waited at the connection limit.
    pub fn limited(&self) -> u64 {
        self.at_limit.totals()[0]
    }

    /// Counts `n` of `event`.
    #[inline]
    pub fn count(&self, event: Event, n: u64) {
        self.events.add(event as usize, n);
    }

    /// How many of `event` were counted.
    pub fn counted(&self, event: Event) -> u64 {
        self.events.totals()[event as usize]
    }
}

/// Counts its connection closed when dropped.
#[derive(Debug)]
pub struct Closing(Arc<EndpointMetrics>);

impl Drop for Closing {
    fn drop(&mut self) {
        self.0.connections.add(1, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Metrics {
        Metrics {
            allocated: std::sync::OnceLock::new(),
            endpoints: Mutex::new(Vec::new()),
            asked: AtomicBool::new(false),
            reloads: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    #[test]
    fn endpoints_count_only_when_asked_and_keep_their_counts_by_name() {
        let metrics = fresh();
        assert!(metrics.endpoint("web").is_none());
        metrics.ask();
        let web = metrics.endpoint("web").unwrap();
        web.request(Version::HTTP_11, &Method::GET, StatusCode::OK);
        web.request(Version::HTTP_2, &Method::DELETE, StatusCode::NOT_FOUND);
        // A reload's configuration finds the same counters.
        metrics.starting();
        metrics.ask();
        let again = metrics.endpoint("web").unwrap();
        again.request(Version::HTTP_11, &Method::GET, StatusCode::OK);
        let counted: Vec<_> = again.requests().filter(|(.., n)| *n > 0).collect();
        assert_eq!(
            counted,
            [("HTTP/1.1", "GET", "2xx", 2), ("HTTP/2", "other", "4xx", 1)]
        );
        assert_eq!(metrics.endpoints().len(), 1);
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

//! The counts of one endpoint: connections, requests, how long they
//! took, TLS, HTTP/2 and bytes.

use std::sync::Arc;

use http::{Method, StatusCode, Version};

use super::{Histogram, Named, Observed, Sharded};

/// The protocols requests are counted by.
pub const PROTOCOLS: [&str; 4] = ["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3"];

/// The methods requests are counted by; any other counts as `other`.
pub const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "OPTIONS", "other"];

/// The status classes requests are counted by.
pub const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// How many request series an endpoint has.
pub const REQUEST_SERIES: usize = PROTOCOLS.len() * METHODS.len() * CLASSES.len();

/// The counts of one endpoint (by name).
#[derive(Debug)]
pub struct EndpointMetrics {
    name: String,
    /// Each series twice: the requests answered in the run that took them
    /// in (timed as taking no time), then those that waited. The first
    /// are the histogram's zero durations, counted with no add of their
    /// own, and exactly: a count read here is never read again lower.
    requests: Sharded<{ 2 * REQUEST_SERIES }>,
    /// Connections accepted, and closed.
    connections: Sharded<2>,
    /// Connections that waited at `maxConnections`.
    at_limit: Sharded<1>,
    /// The [`Event`]s.
    events: Sharded<{ Event::COUNT }>,
    /// How long the requests that waited took to answer.
    durations: Histogram,
}

impl Named for EndpointMetrics {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            requests: Sharded::default(),
            connections: Sharded::default(),
            at_limit: Sharded::default(),
            events: Sharded::default(),
            durations: Histogram::default(),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
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
    /// A client opened an HTTP/2 stream (refused ones included).
    Http2Stream,
    /// Bytes written to clients (counted as each connection ends).
    BytesWritten,
    /// Bytes read from clients (counted as each connection ends).
    BytesRead,
    /// An HTTP/3 connection began (its QUIC handshake done).
    Http3Session,
    /// A QUIC client was asked to prove its address first (a Retry, sent
    /// while many handshakes are in progress).
    QuicRetry,
}

impl Event {
    /// How many there are.
    pub const COUNT: usize = 9;

    /// Every event, in order.
    pub const ALL: [Event; Self::COUNT] = [
        Self::TlsHandshake,
        Self::TlsFailure,
        Self::Http2Session,
        Self::Http2Abuse,
        Self::Http2Stream,
        Self::BytesWritten,
        Self::BytesRead,
        Self::Http3Session,
        Self::QuicRetry,
    ];
}

impl EndpointMetrics {
    /// The endpoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts a request answered with `status`, and how long it took to
    /// answer, in `nanos`.
    #[inline]
    pub fn request(&self, version: Version, method: &Method, status: StatusCode, nanos: u64) {
        let protocol = match version {
            Version::HTTP_2 => 2,
            Version::HTTP_3 => 3,
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
        let waited = nanos > 0;
        self.requests.add(2 * series + usize::from(waited), 1);
        if waited {
            self.durations.observe_nanos(nanos);
        }
    }

    /// How long requests took to answer.
    pub fn durations(&self) -> Observed {
        let at_once = self.requests.totals().iter().step_by(2).sum();
        self.durations.read().with_zeros(at_once)
    }

    /// The requests counted in each series, with its protocol, method and
    /// status class.
    pub fn requests(
        &self,
    ) -> impl Iterator<Item = (&'static str, &'static str, &'static str, u64)> {
        let totals = self.requests.totals();
        (0..REQUEST_SERIES).map(move |series| {
            let count = totals[2 * series] + totals[2 * series + 1];
            let class = series % CLASSES.len();
            let method = series / CLASSES.len() % METHODS.len();
            let protocol = series / CLASSES.len() / METHODS.len();
            (PROTOCOLS[protocol], METHODS[method], CLASSES[class], count)
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

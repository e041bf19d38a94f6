//! The exposition: the Prometheus text format (0.0.4), or OpenMetrics
//! 1.0 when the scraper's `Accept` names it. Hand-written: the two differ
//! only in how counters are named in `# TYPE` lines and in the closing
//! `# EOF`, and `prometheus-client` writes OpenMetrics only
//! (`docs/decisions.md`).

mod writer;

use http::HeaderValue;
use lactoserv_core::metrics::{self, Event, Observed};

use writer::{Kind, Writer};

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// The Prometheus text format, version 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0, text.
    OpenMetrics,
}

impl Format {
    /// The format a request with `accept` gets: OpenMetrics when it is
    /// named (Prometheus names it first when it can read it).
    pub(crate) fn asked(accept: Option<&HeaderValue>) -> Self {
        let names = accept
            .and_then(|value| value.to_str().ok())
            .is_some_and(|text| text.contains("application/openmetrics-text"));
        if names {
            Self::OpenMetrics
        } else {
            Self::Prometheus
        }
    }

    /// The answer's `Content-Type`.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// One endpoint's counts at a scrape.
#[derive(Debug, Clone)]
pub(crate) struct EndpointCounts {
    pub(crate) name: String,
    /// Protocol, method, status class, count: the series counted at all.
    pub(crate) requests: Vec<(&'static str, &'static str, &'static str, u64)>,
    pub(crate) durations: Observed,
    pub(crate) accepted: u64,
    pub(crate) open: u64,
    pub(crate) limited: u64,
    pub(crate) events: [u64; Event::COUNT],
}

/// Every count, read at once.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) endpoints: Vec<EndpointCounts>,
    /// Per application: handled, not handled, failed.
    pub(crate) applications: Vec<Named>,
    /// Per StaticFiles cache: hits, misses, bytes held.
    pub(crate) caches: Vec<Named>,
    /// Per rate limiter: granted, queued, denied.
    pub(crate) limiters: Vec<Named>,
    pub(crate) reloads: u64,
    pub(crate) uptime: f64,
    pub(crate) allocated: Option<u64>,
    pub(crate) ready: bool,
    pub(crate) resident: Option<u64>,
    pub(crate) open_files: Option<u64>,
}

impl Snapshot {
    /// The counts now.
    pub(crate) fn now() -> Self {
        let process = metrics::process();
        let endpoints = process
            .endpoints()
            .iter()
            .map(|endpoint| {
                let (accepted, open) = endpoint.connections();
                EndpointCounts {
                    name: endpoint.name().to_owned(),
                    requests: endpoint.requests().filter(|(.., n)| *n > 0).collect(),
                    durations: endpoint.durations(),
                    accepted,
                    open,
                    limited: endpoint.limited(),
                    events: Event::ALL.map(|event| endpoint.counted(event)),
                }
            })
            .collect();
        let applications = process.applications();
        let caches = process.caches();
        let limiters = process.limiters();
        Self {
            endpoints,
            applications: applications
                .iter()
                .map(|app| (app.name().to_owned(), app.outcomes()))
                .collect(),
            caches: caches
                .iter()
                .map(|cache| {
                    let [hits, misses] = cache.lookups();
                    (cache.name().to_owned(), [hits, misses, cache.held()])
                })
                .collect(),
            limiters: limiters
                .iter()
                .map(|limiter| (limiter.name().to_owned(), limiter.outcomes()))
                .collect(),
            reloads: process.reloads(),
            uptime: process.uptime(),
            allocated: process.allocated(),
            ready: lactoserv_core::readiness::process().is_ready(),
            resident: resident_bytes(),
            open_files: std::fs::read_dir("/proc/self/fd")
                .ok()
                .map(|entries| entries.count() as u64),
        }
    }

    /// The exposition in `format`.
    pub(crate) fn write(&self, format: Format) -> String {
        let mut out = Writer {
            out: String::with_capacity(8192),
            format,
        };
        self.write_requests(&mut out);
        self.write_endpoints(&mut out);
        self.write_components(&mut out);
        self.write_process(&mut out);
        if format == Format::OpenMetrics {
            out.out.push_str("# EOF\n");
        }
        out.out
    }

    fn write_requests(&self, out: &mut Writer) {
        out.family(
            "lactoserv_http_requests",
            Kind::Counter,
            "Requests answered, by endpoint, protocol, method and status class.",
        );
        for endpoint in &self.endpoints {
            for &(protocol, method, code, n) in &endpoint.requests {
                let labels = [
                    ("endpoint", endpoint.name.as_str()),
                    ("protocol", protocol),
                    ("method", method),
                    ("code", code),
                ];
                out.sample("lactoserv_http_requests_total", &labels, n as f64);
            }
        }
        let family = "lactoserv_http_request_duration_seconds";
        out.family(
            family,
            Kind::Histogram,
            "Seconds from a request's head read to its answer ready to send.",
        );
        for endpoint in &self.endpoints {
            out.histogram(family, &[("endpoint", &endpoint.name)], &endpoint.durations);
        }
    }

    fn write_endpoints(&self, out: &mut Writer) {
        let per_endpoint: [Family<Read>; 12] = [
            (
                "lactoserv_connections_accepted",
                Kind::Counter,
                "Connections accepted.",
                |e| e.accepted,
            ),
            (
                "lactoserv_connections_open",
                Kind::Gauge,
                "Connections open now.",
                |e| e.open,
            ),
            (
                "lactoserv_connections_waited_at_limit",
                Kind::Counter,
                "Times a connection waited in the listen queue at maxConnections.",
                |e| e.limited,
            ),
            (
                "lactoserv_tls_handshakes",
                Kind::Counter,
                "TLS handshakes completed.",
                |e| e.events[Event::TlsHandshake as usize],
            ),
            (
                "lactoserv_tls_handshake_failures",
                Kind::Counter,
                "TLS handshakes that failed or timed out.",
                |e| e.events[Event::TlsFailure as usize],
            ),
            (
                "lactoserv_http2_sessions",
                Kind::Counter,
                "HTTP/2 sessions begun.",
                |e| e.events[Event::Http2Session as usize],
            ),
            (
                "lactoserv_http2_streams",
                Kind::Counter,
                "HTTP/2 streams opened by clients.",
                |e| e.events[Event::Http2Stream as usize],
            ),
            (
                "lactoserv_http2_abuse",
                Kind::Counter,
                "HTTP/2 sessions ended for breaking a flood limit.",
                |e| e.events[Event::Http2Abuse as usize],
            ),
            (
                "lactoserv_http3_sessions",
                Kind::Counter,
                "HTTP/3 connections begun.",
                |e| e.events[Event::Http3Session as usize],
            ),
            (
                "lactoserv_quic_retries",
                Kind::Counter,
                "QUIC clients asked to prove their address first, while many handshakes were in progress.",
                |e| e.events[Event::QuicRetry as usize],
            ),
            (
                "lactoserv_written_bytes",
                Kind::Counter,
                "Bytes written to clients, counted as each connection ends.",
                |e| e.events[Event::BytesWritten as usize],
            ),
            (
                "lactoserv_read_bytes",
                Kind::Counter,
                "Bytes read from clients, counted as each connection ends.",
                |e| e.events[Event::BytesRead as usize],
            ),
        ];
        for (name, kind, help, value) in per_endpoint {
            out.family(name, kind, help);
            let sample = kind.sample_name(name);
            for endpoint in &self.endpoints {
                out.sample(
                    &sample,
                    &[("endpoint", endpoint.name.as_str())],
                    value(endpoint) as f64,
                );
            }
        }
    }

    /// Applications, StaticFiles' caches and rate limiters, by name.
    fn write_components(&self, out: &mut Writer) {
        let families: [(Family<usize>, &str, &[Named]); 9] = [
            (
                (
                    "lactoserv_application_handled",
                    Kind::Counter,
                    "Requests an application answered.",
                    0,
                ),
                "application",
                &self.applications,
            ),
            (
                (
                    "lactoserv_application_not_handled",
                    Kind::Counter,
                    "Requests an application declined.",
                    1,
                ),
                "application",
                &self.applications,
            ),
            (
                (
                    "lactoserv_application_errors",
                    Kind::Counter,
                    "Requests an application failed on.",
                    2,
                ),
                "application",
                &self.applications,
            ),
            (
                (
                    "lactoserv_static_files_cache_hits",
                    Kind::Counter,
                    "Lookups a StaticFiles cache answered.",
                    0,
                ),
                "application",
                &self.caches,
            ),
            (
                (
                    "lactoserv_static_files_cache_misses",
                    Kind::Counter,
                    "Lookups a StaticFiles cache could not answer.",
                    1,
                ),
                "application",
                &self.caches,
            ),
            (
                (
                    "lactoserv_static_files_cache_bytes",
                    Kind::Gauge,
                    "Bytes a StaticFiles cache holds.",
                    2,
                ),
                "application",
                &self.caches,
            ),
            (
                (
                    "lactoserv_rate_limiter_granted",
                    Kind::Counter,
                    "Asks a rate limiter granted, at once or after waiting.",
                    0,
                ),
                "limiter",
                &self.limiters,
            ),
            (
                (
                    "lactoserv_rate_limiter_queued",
                    Kind::Counter,
                    "Asks a rate limiter made wait.",
                    1,
                ),
                "limiter",
                &self.limiters,
            ),
            (
                (
                    "lactoserv_rate_limiter_denied",
                    Kind::Counter,
                    "Asks a rate limiter denied.",
                    2,
                ),
                "limiter",
                &self.limiters,
            ),
        ];
        for ((name, kind, help, at), label, rows) in families {
            out.family(name, kind, help);
            let sample = kind.sample_name(name);
            for (component, counts) in rows {
                out.sample(&sample, &[(label, component.as_str())], counts[at] as f64);
            }
        }
    }

    fn write_process(&self, out: &mut Writer) {
        let process: [Family<Option<f64>>; 7] = [
            (
                "lactoserv_reloads",
                Kind::Counter,
                "Reloads that started a new configuration.",
                Some(self.reloads as f64),
            ),
            (
                "lactoserv_config_generation",
                Kind::Gauge,
                "The configuration running: 1 for the first, one more for each reload that started one.",
                Some((self.reloads + 1) as f64),
            ),
            (
                "lactoserv_uptime_seconds",
                Kind::Gauge,
                "Seconds since the process started.",
                Some(self.uptime),
            ),
            (
                "lactoserv_ready",
                Kind::Gauge,
                "1 while the process takes new work (see the Health application), else 0.",
                Some(if self.ready { 1.0 } else { 0.0 }),
            ),
            (
                "lactoserv_process_resident_memory_bytes",
                Kind::Gauge,
                "Resident memory.",
                self.resident.map(|n| n as f64),
            ),
            (
                "lactoserv_process_allocated_bytes",
                Kind::Gauge,
                "Bytes the allocator has handed out and not taken back.",
                self.allocated.map(|n| n as f64),
            ),
            (
                "lactoserv_process_open_fds",
                Kind::Gauge,
                "Open file descriptors.",
                self.open_files.map(|n| n as f64),
            ),
        ];
        for (name, kind, help, value) in process {
            if let Some(value) = value {
                out.family(name, kind, help);
                out.sample(&kind.sample_name(name), &[], value);
            }
        }
    }
}

/// A family's name (without `_total`), type, help text, and its value or
/// how to find it.
type Family<V> = (&'static str, Kind, &'static str, V);

/// A component's name and three of its counts.
pub(crate) type Named = (String, [u64; 3]);

/// How a per-endpoint family's value is read.
type Read = fn(&EndpointCounts) -> u64;

/// The resident set, from `VmRSS` in `/proc/self/status` (in KiB).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

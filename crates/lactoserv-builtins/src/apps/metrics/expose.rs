//! The exposition: the Prometheus text format (0.0.4), or OpenMetrics
//! 1.0 when the scraper's `Accept` names it. Hand-written: the two differ
//! only in how counters are named in `# TYPE` lines and in the closing
//! `# EOF`, and `prometheus-client` writes OpenMetrics only
//! (`docs/decisions.md`).

use std::fmt::Write as _;

use http::HeaderValue;
use lactoserv_core::metrics::{self, Event};

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
#[derive(Debug)]
struct EndpointCounts {
    name: String,
    /// Protocol, method, status class, count: the series counted at all.
    requests: Vec<(&'static str, &'static str, &'static str, u64)>,
    accepted: u64,
    open: u64,
    limited: u64,
    events: [u64; Event::COUNT],
}

/// Every count, read at once.
#[derive(Debug)]
pub(crate) struct Snapshot {
    endpoints: Vec<EndpointCounts>,
    reloads: u64,
    uptime: f64,
    allocated: Option<u64>,
    ready: bool,
    resident: Option<u64>,
    open_files: Option<u64>,
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
                    accepted,
                    open,
                    limited: endpoint.limited(),
                    events: Event::ALL.map(|event| endpoint.counted(event)),
                }
            })
            .collect();
        Self {
            endpoints,
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
            out: String::with_capacity(4096),
            format,
        };
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
        let per_endpoint: [Family<Read>; 8] = [
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
                "lactoserv_http2_abuse",
                Kind::Counter,
                "HTTP/2 sessions ended for breaking a flood limit.",
                |e| e.events[Event::Http2Abuse as usize],
            ),
            (
                "lactoserv_written_bytes",
                Kind::Counter,
                "Bytes written to clients, counted as each connection ends.",
                |e| e.events[Event::BytesWritten as usize],
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
        if format == Format::OpenMetrics {
            out.out.push_str("# EOF\n");
        }
        out.out
    }
}

/// A family's name (without `_total`), type, help text, and its value or
/// how to find it.
type Family<V> = (&'static str, Kind, &'static str, V);

/// How a per-endpoint family's value is read.
type Read = fn(&EndpointCounts) -> u64;

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
}

impl Kind {
    /// The name samples of a family named `family` carry.
    fn sample_name(self, family: &str) -> String {
        match self {
            Self::Counter => format!("{family}_total"),
            Self::Gauge => family.to_owned(),
        }
    }
}

/// Writes families and samples.
struct Writer {
    out: String,
    format: Format,
}

impl Writer {
    /// `# HELP` and `# TYPE` of a family named `family` (without
    /// `_total`).
    fn family(&mut self, family: &str, kind: Kind, help: &str) {
        // In the Prometheus format the lines name the samples; in
        // OpenMetrics, the family.
        let name = match self.format {
            Format::Prometheus => kind.sample_name(family),
            Format::OpenMetrics => family.to_owned(),
        };
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    /// A sample line.
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (at, (label, text)) in labels.iter().enumerate() {
                if at > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escaped(text));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

/// A label value with `\`, `"` and newlines escaped, as both formats ask.
fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The resident set, from `VmRSS` in `/proc/self/status` (in KiB).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

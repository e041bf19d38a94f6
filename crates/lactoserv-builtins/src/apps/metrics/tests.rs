//! Tests of the exposition: both formats, read back by a parser of the
//! formats (`openmetrics-parser`, which checks them strictly).

use http::HeaderValue;
use openmetrics_parser::openmetrics::parse_openmetrics;
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{OpenMetricsValue, PrometheusValue};

use super::expose::{EndpointCounts, Format, Snapshot};

#[test]
fn the_format_follows_accept() {
    assert_eq!(Format::asked(None), Format::Prometheus);
    let prometheus = HeaderValue::from_static(
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    );
    assert_eq!(Format::asked(Some(&prometheus)), Format::OpenMetrics);
    let curl = HeaderValue::from_static("*/*");
    assert_eq!(Format::asked(Some(&curl)), Format::Prometheus);
}

/// Counts of every kind, with a label value that needs escaping.
fn snapshot() -> Snapshot {
    let mut durations = lactoserv_core::metrics::Histogram::default();
    for micros in [50, 80, 300, 2_000, 20_000_000] {
        durations.observe(std::time::Duration::from_micros(micros));
    }
    let durations = std::mem::take(&mut durations).read();
    let endpoint = EndpointCounts {
        name: "web \"main\"".to_owned(),
        requests: vec![("HTTP/1.1", "GET", "2xx", 4), ("HTTP/2", "other", "4xx", 1)],
        durations,
        accepted: 3,
        open: 1,
        limited: 0,
        events: [1, 0, 1, 0, 2, 1234, 567, 3, 8],
    };
    Snapshot {
        endpoints: vec![endpoint],
        applications: vec![("site".to_owned(), [7, 2, 1])],
        caches: vec![("site".to_owned(), [5, 2, 4096])],
        limiters: vec![("requests".to_owned(), [9, 3, 1])],
        reloads: 2,
        uptime: 12.5,
        allocated: Some(1 << 20),
        ready: true,
        resident: Some(8 << 20),
        open_files: Some(12),
    }
}

#[test]
fn the_prometheus_format_reads_back_with_every_count() {
    let text = snapshot().write(Format::Prometheus);
    let read = parse_prometheus(&text).unwrap_or_else(|err| panic!("{err:?}\n{text}"));
    let family = |name: &str| {
        read.families
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    let requests = family("lactoserv_http_requests_total");
    assert_eq!(requests.iter_samples().count(), 2);
    let get = requests
        // The parser keeps labels sorted by name: code, endpoint, method,
        // protocol.
        .get_sample_by_label_values(&[
            "2xx".to_owned(),
            "web \"main\"".to_owned(),
            "GET".to_owned(),
            "HTTP/1.1".to_owned(),
        ])
        .unwrap_or_else(|| {
            let series: Vec<_> = requests.iter_samples().collect();
            panic!("no GET series, its endpoint unescaped: {series:?}")
        });
    assert!(matches!(&get.value, PrometheusValue::Counter(c) if c.value.as_f64() == 4.0));
    let durations = family("lactoserv_http_request_duration_seconds");
    let sample = durations.iter_samples().next().expect("one endpoint's");
    let PrometheusValue::Histogram(histogram) = &sample.value else {
        panic!("not a histogram: {:?}", sample.value);
    };
    assert_eq!(histogram.count, Some(5));
    let at_most = |bound: f64| {
        histogram
            .buckets
            .iter()
            .find(|bucket| bucket.upper_bound == bound)
            .map(|bucket| bucket.count.as_f64())
    };
    assert_eq!(at_most(0.0001), Some(2.0));
    assert_eq!(at_most(0.0005), Some(3.0));
    assert_eq!(at_most(10.0), Some(4.0), "20 s is above every bound");
    assert_eq!(at_most(f64::INFINITY), Some(5.0));
    let value = |name: &str| match &family(name).iter_samples().next().unwrap().value {
        PrometheusValue::Counter(c) => c.value.as_f64(),
        PrometheusValue::Gauge(g) => g.as_f64(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(value("lactoserv_http2_streams_total"), 2.0);
    assert_eq!(value("lactoserv_written_bytes_total"), 1234.0);
    assert_eq!(value("lactoserv_read_bytes_total"), 567.0);
    assert_eq!(value("lactoserv_http3_sessions_total"), 3.0);
    assert_eq!(value("lactoserv_quic_retries_total"), 8.0);
    assert_eq!(value("lactoserv_application_not_handled_total"), 2.0);
    assert_eq!(value("lactoserv_static_files_cache_bytes"), 4096.0);
    assert_eq!(value("lactoserv_rate_limiter_queued_total"), 3.0);
    assert_eq!(value("lactoserv_config_generation"), 3.0);
}

#[test]
fn the_openmetrics_format_reads_back_with_every_family() {
    let snapshot = snapshot();
    let text = snapshot.write(Format::OpenMetrics);
    assert!(text.ends_with("# EOF\n"));
    let read = parse_openmetrics(&text).unwrap_or_else(|err| panic!("{err:?}\n{text}"));
    let prometheus = parse_prometheus(&snapshot.write(Format::Prometheus)).unwrap();
    assert_eq!(
        read.families.len(),
        prometheus.families.len(),
        "the same families in both"
    );
    let durations = &read.families["lactoserv_http_request_duration_seconds"];
    let sample = durations.iter_samples().next().unwrap();
    let OpenMetricsValue::Histogram(histogram) = &sample.value else {
        panic!("not a histogram: {:?}", sample.value);
    };
    assert_eq!(histogram.count, Some(5));
    assert!((histogram.sum.as_ref().unwrap().as_f64() - 20.00243).abs() < 1e-9);
    let handled = &read.families["lactoserv_application_handled"];
    let sample = handled.iter_samples().next().unwrap();
    assert!(matches!(&sample.value, OpenMetricsValue::Counter(c) if c.value.as_f64() == 7.0));
}

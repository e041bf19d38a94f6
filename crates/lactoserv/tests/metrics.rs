//! The `Metrics` application through the real binary: a real Prometheus
//! (Debian's `prometheus`, which `.ci/run` installs) scrapes it and finds
//! the requests made; `promtool` reads the exposition; OpenMetrics when
//! asked; counts go on across a reload.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, client, config_file};

/// A server with a page on endpoint `web` (port 1) and `Metrics` on
/// endpoint `admin` (port 2), and its config.
fn start() -> (ServerProcess, ConfigDir, u16, u16, u16) {
    let [web, admin, secure] = free_ports::<3>();
    let source = format!(
        "import {{ Metrics, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'metrics', class: Metrics }},
    {{ name: 'page', class: SimpleResponse, contentType: 'text/plain', body: 'page\\n' }}
  ],
  endpoints: [
    {{ name: 'web', protocol: 'http', interface: '127.0.0.1:{web}', application: 'page' }},
    {{ name: 'admin', protocol: 'http', interface: '127.0.0.1:{admin}', application: 'metrics' }},
    {{ name: 'secure', protocol: 'http2', interface: '127.0.0.1:{secure}', application: 'page' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let server = ServerProcess::start(LACTOSERV, &config.path, web);
    server.wait_until_listening(admin);
    server.wait_until_listening(secure);
    (server, config, web, admin, secure)
}

async fn scrape(admin: u16, accept: &str) -> (String, String) {
    let response = client()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{admin}/metrics"))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (kind, response.text().await.unwrap())
}

/// The value of the sample line that starts with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

async fn get_page(web: u16, times: usize) {
    let client = client().build().unwrap();
    for _ in 0..times {
        let response = client
            .get(format!("http://127.0.0.1:{web}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

const GET_2XX: &str = "lactoserv_http_requests_total{endpoint=\"web\",protocol=\"HTTP/1.1\",method=\"GET\",code=\"2xx\"}";

#[tokio::test]
async fn requests_are_counted_in_both_formats_and_promtool_reads_them() {
    let (_server, _config, web, admin, _) = start();
    get_page(web, 5).await;
    let (kind, text) = scrape(admin, "*/*").await;
    assert_eq!(kind, "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(sample(&text, GET_2XX), Some(5.0), "{text}");
    assert!(
        text.contains("# TYPE lactoserv_http_requests_total counter"),
        "{text}"
    );
    // The client's connection, and the start-up check's.
    let accepted = sample(
        &text,
        "lactoserv_connections_accepted_total{endpoint=\"web\"}",
    );
    assert!(accepted.is_some_and(|n| n >= 1.0), "{text}");
    assert_eq!(sample(&text, "lactoserv_ready "), Some(1.0));
    assert_eq!(sample(&text, "lactoserv_config_generation "), Some(1.0));
    assert!(sample(&text, "lactoserv_process_allocated_bytes ").unwrap() > 1e5);
    assert!(sample(&text, "lactoserv_process_resident_memory_bytes ").unwrap() > 1e6);
    let promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut promtool = promtool.expect("promtool (Debian's prometheus package) is needed");
    use std::io::Write as _;
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let (kind, text) = scrape(
        admin,
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
    )
    .await;
    assert_eq!(
        kind,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        text.contains("# TYPE lactoserv_http_requests counter"),
        "{text}"
    );
    assert_eq!(sample(&text, GET_2XX), Some(5.0), "{text}");
}

#[tokio::test]
async fn counts_go_on_across_a_reload() {
    let (server, _config, web, admin, _) = start();
    get_page(web, 3).await;
    server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, text) = scrape(admin, "*/*").await;
        if sample(&text, "lactoserv_reloads_total ") == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "no reload counted: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    get_page(web, 2).await;
    let (_, text) = scrape(admin, "*/*").await;
    assert_eq!(sample(&text, GET_2XX), Some(5.0), "{text}");
    assert_eq!(sample(&text, "lactoserv_config_generation "), Some(2.0));
}

#[tokio::test]
async fn tls_http2_streams_and_bytes_are_counted() {
    let (_server, _config, _, admin, secure) = start();
    {
        let client = client().http2_prior_knowledge().build().unwrap();
        let response = client
            .get(format!("https://127.0.0.1:{secure}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.text().await.unwrap(), "page\n");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, text) = scrape(admin, "*/*").await;
        let at = |name: &str| sample(&text, &format!("{name}{{endpoint=\"secure\"}}"));
        // Bytes are counted as the connection ends, once the server sees
        // the client gone.
        if at("lactoserv_written_bytes_total").is_some_and(|n| n > 0.0) {
            assert!(
                at("lactoserv_tls_handshakes_total").is_some_and(|n| n >= 1.0),
                "{text}"
            );
            assert_eq!(at("lactoserv_http2_sessions_total"), Some(1.0), "{text}");
            assert_eq!(at("lactoserv_http2_streams_total"), Some(1.0), "{text}");
            assert!(
                at("lactoserv_read_bytes_total").is_some_and(|n| n > 0.0),
                "{text}"
            );
            assert_eq!(at("lactoserv_http2_abuse_total"), Some(0.0), "{text}");
            let h2 = "lactoserv_http_requests_total{endpoint=\"secure\",protocol=\"HTTP/2\",method=\"GET\",code=\"2xx\"}";
            assert_eq!(sample(&text, h2), Some(1.0), "{text}");
            return;
        }
        assert!(Instant::now() < deadline, "no bytes counted: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn applications_caches_limiters_and_durations_are_counted_by_name() {
    let [web, admin] = free_ports::<2>();
    let source = format!(
        "import {{ Metrics, PathRouter, RequestDelay, RequestRateLimiter, SerialRouter, SimpleResponse,
  StaticFiles }}
  from '@lactoserv/webapp-builtins';
const here = (p) => new URL(p, import.meta.url).pathname;
export default {{
  applications: [
    {{ name: 'metrics', class: Metrics }},
    {{ name: 'top', class: PathRouter,
       paths: {{ '/limited/*': 'limited', '/slow': 'slow', '/*': 'site' }} }},
    {{ name: 'slow', class: SerialRouter, applications: ['delay', 'fallback'] }},
    {{ name: 'delay', class: RequestDelay, delay: '200 msec' }},
    {{ name: 'site', class: SerialRouter, applications: ['files', 'fallback'] }},
    {{ name: 'files', class: StaticFiles, siteDirectory: here('site') }},
    {{ name: 'fallback', class: SimpleResponse, contentType: 'text/plain', body: 'fallback\\n' }},
    {{ name: 'limited', class: SerialRouter, applications: ['limit', 'fallback'] }},
    {{ name: 'limit', class: RequestRateLimiter, maxBurst: '2 req', flowRate: '1 req/hour',
       maxQueue: '1 req' }}
  ],
  endpoints: [
    {{ name: 'web', protocol: 'http', interface: '127.0.0.1:{web}', application: 'top' }},
    {{ name: 'admin', protocol: 'http', interface: '127.0.0.1:{admin}', application: 'metrics' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let site = config.path.parent().unwrap().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("a.txt"), "a file\n").unwrap();
    let _server = ServerProcess::start(LACTOSERV, &config.path, web);
    let client = client().build().unwrap();
    let get = |path: &str| client.get(format!("http://127.0.0.1:{web}{path}")).send();
    // The file three times (found once, then from the cache), a missing
    // file twice (declined by `files`, answered by `fallback`), and the
    // limiter asked four times with room for two and a queue of one.
    for _ in 0..3 {
        assert_eq!(
            get("/a.txt").await.unwrap().text().await.unwrap(),
            "a file\n"
        );
    }
    for _ in 0..2 {
        assert_eq!(
            get("/none").await.unwrap().text().await.unwrap(),
            "fallback\n"
        );
    }
    for _ in 0..2 {
        assert_eq!(get("/limited/x").await.unwrap().status(), StatusCode::OK);
    }
    // The third waits in the queue (for an hour), the fourth finds the
    // queue full.
    let waiting = tokio::spawn(get("/limited/x"));
    let queued = "lactoserv_rate_limiter_queued_total{limiter=\"limit\"}";
    let deadline = Instant::now() + Duration::from_secs(20);
    while sample(&scrape(admin, "*/*").await.1, queued) != Some(1.0) {
        assert!(Instant::now() < deadline, "never queued");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let denied = get("/limited/x").await.unwrap();
    assert_eq!(denied.status(), StatusCode::TOO_MANY_REQUESTS);
    waiting.abort();

    // One that waits: timed from its head read to its answer.
    assert_eq!(get("/slow").await.unwrap().status(), StatusCode::OK);

    let (_, text) = scrape(admin, "*/*").await;
    let at = |family: &str, label: &str, name: &str| {
        sample(&text, &format!("{family}{{{label}=\"{name}\"}}"))
    };
    let app = |family: &str, name: &str| at(family, "application", name);
    assert_eq!(
        app("lactoserv_application_handled_total", "files"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        app("lactoserv_application_not_handled_total", "files"),
        Some(2.0),
        "{text}"
    );
    // `fallback` answers the missing file, the two granted asks and the
    // delayed one.
    assert_eq!(
        app("lactoserv_application_handled_total", "fallback"),
        Some(5.0),
        "{text}"
    );
    assert_eq!(
        app("lactoserv_application_handled_total", "top"),
        Some(9.0),
        "{text}"
    );
    assert_eq!(
        app("lactoserv_application_errors_total", "top"),
        Some(0.0),
        "{text}"
    );
    let hits = app("lactoserv_static_files_cache_hits_total", "files").unwrap();
    let misses = app("lactoserv_static_files_cache_misses_total", "files").unwrap();
    assert!(hits >= 2.0 && misses >= 1.0, "{text}");
    assert!(app("lactoserv_static_files_cache_bytes", "files").is_some_and(|n| n > 0.0));
    let limiter = |family: &str| at(family, "limiter", "limit");
    assert_eq!(
        limiter("lactoserv_rate_limiter_granted_total"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        limiter("lactoserv_rate_limiter_denied_total"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        limiter("lactoserv_rate_limiter_queued_total"),
        Some(1.0),
        "{text}"
    );
    let durations = "lactoserv_http_request_duration_seconds";
    let count = sample(&text, &format!("{durations}_count{{endpoint=\"web\"}}"));
    assert_eq!(count, Some(9.0), "{text}");
    let all = sample(
        &text,
        &format!("{durations}_bucket{{endpoint=\"web\",le=\"+Inf\"}}"),
    );
    assert_eq!(all, Some(9.0), "{text}");
    let quick = sample(
        &text,
        &format!("{durations}_bucket{{endpoint=\"web\",le=\"0.1\"}}"),
    );
    assert_eq!(quick, Some(8.0), "all but the delayed one: {text}");
    let sum = sample(&text, &format!("{durations}_sum{{endpoint=\"web\"}}")).unwrap();
    assert!((0.2..2.0).contains(&sum), "{text}");
}

/// A Prometheus server scraping `target` every second, on its own port,
/// with its data in `dir`; killed when dropped.
struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_real_prometheus_scrapes_the_requests_made() {
    let (_server, _config, web, admin, _) = start();
    get_page(web, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: lactoserv\n    static_configs:\n      - targets: ['127.0.0.1:{admin}']\n"
        ),
    )
    .unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (Debian's package) is needed");
    let _prometheus = Prometheus(child);
    let query = format!(
        "http://127.0.0.1:{port}/api/v1/query?query=lactoserv_http_requests_total%7Bendpoint%3D%22web%22%7D"
    );
    let client = client().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = client.get(&query).send().await
            && let Ok(text) = response.text().await
            && let Ok(answer) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(value) = answer["data"]["result"][0]["value"][1].as_str()
        {
            assert_eq!(value, "7", "{answer}");
            return;
        }
        assert!(Instant::now() < deadline, "Prometheus never had the count");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

//! HTTP/3 through the real binary (`docs/http3.md`): an `http2` endpoint
//! with `http3: true` answers an HTTP/3 client (`h3` over `quinn`) exactly
//! as it answers HTTP/2, files, ranges and conditional requests included;
//! its HTTP/2 and HTTP/1.1 answers advertise it; the access log names the
//! protocol; reloads under HTTP/3 load fail no request. A browser's visit
//! is in `browser`; inherited sockets in `inherited`; connection limits
//! and SNI in `limits`.

mod browser;
mod inherited;
mod limits;

use std::time::Duration;

use lactoserv_test_util::http3::{Answer, Http3Client};
use reqwest::Version;

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, client, config_file};

/// A config serving files and a fixed answer over HTTP/2 and HTTP/3 on
/// `port`, from `dir`, with an access log in `dir/access.log`.
fn config(dir: &std::path::Path, port: u16) -> String {
    format!(
        "import {{ PathRouter, SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
import {{ AccessLogToFile }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  services: [
    {{ name: 'access', class: AccessLogToFile, path: '{log}' }}
  ],
  applications: [
    {{ name: 'router', class: PathRouter, paths: {{ '/files/*': 'files', '/hello': 'hello' }} }},
    {{ name: 'files', class: StaticFiles, siteDirectory: '{site}', etag: true,
       notFoundPath: '{page}', cacheControl: {{ maxAge: '1 min' }} }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'h2', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}',
       application: 'router', maxRequestBodySize: '10 byte',
       services: {{ accessLog: 'access' }} }}
  ]
}};
",
        site = dir.join("site").display(),
        page = dir.join("missing.html").display(),
        log = dir.join("access.log").display(),
    )
}

/// A folder with a site, a not-found page, and a config for `port`; the
/// server started on it.
fn serve() -> (tempfile::TempDir, ConfigDir, ServerProcess, u16) {
    serve_with(&[])
}

/// [`serve`], the server started with `args`.
fn serve_with(args: &[&str]) -> (tempfile::TempDir, ConfigDir, ServerProcess, u16) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    let text: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(dir.path().join("site/a.txt"), text).unwrap();
    std::fs::write(dir.path().join("missing.html"), "<p>missing</p>\n").unwrap();
    let [port] = free_ports::<1>();
    let config = config_file("config.mjs", &config(dir.path(), port));
    let server = ServerProcess::start_with_args(LACTOSERV, &config.path, port, args);
    (dir, config, server, port)
}

/// An answer as compared across protocols: status, headers sorted with
/// `date` and `alt-svc` left out, body.
fn comparable(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> (u16, Vec<String>, Vec<u8>) {
    let mut headers: Vec<String> = headers
        .iter()
        .filter(|(name, _)| *name != "date" && *name != "alt-svc")
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    headers.sort();
    (status, headers, body.to_vec())
}

/// Request headers, as name and value.
type Headers<'a> = Vec<(&'a str, &'a str)>;

#[tokio::test]
async fn files_ranges_and_conditional_requests_are_answered_over_http3_as_over_http2() {
    let (dir, _config, _server, port) = serve();
    let h2 = client().http2_prior_knowledge().build().unwrap();
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    let etag = h3.get("/files/a.txt", &[]).await.unwrap().headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let cases: Vec<(&str, &str, Headers<'_>)> = vec![
        ("GET", "/hello", vec![]),
        ("HEAD", "/hello", vec![]),
        ("GET", "/files/a.txt", vec![]),
        ("HEAD", "/files/a.txt", vec![]),
        ("GET", "/files/a.txt", vec![("range", "bytes=10-29")]),
        ("GET", "/files/a.txt", vec![("range", "bytes=0-3,100-103")]),
        ("GET", "/files/a.txt", vec![("if-none-match", &etag)]),
        ("GET", "/files/none", vec![]),
        ("GET", "/nothing", vec![]),
    ];
    let mut statuses = Vec::new();
    for (method, path, headers) in &cases {
        let over_h3: Answer = h3.request(method, path, headers, None).await.unwrap();
        let mut request = h2.request(
            method.parse().unwrap(),
            format!("https://localhost:{port}{path}"),
        );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
        let status = response.status().as_u16();
        let h2_headers = response.headers().clone();
        let body = response.bytes().await.unwrap();
        // Multipart boundaries are made anew for each answer.
        if path.ends_with(".txt") && headers.iter().any(|(_, v)| v.contains(',')) {
            assert_eq!(over_h3.status.as_u16(), status);
            let text = String::from_utf8_lossy(&over_h3.body);
            assert!(text.contains("Content-Range: bytes 100-103/"), "{text}");
        } else {
            assert_eq!(
                comparable(over_h3.status.as_u16(), &over_h3.headers, &over_h3.body),
                comparable(status, &h2_headers, &body),
                "{method} {path} {headers:?}"
            );
        }
        statuses.push(over_h3.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 206, 206, 304, 404, 404]);
    // HTTP/3 answers do not advertise what they already are.
    let answer = h3.get("/hello", &[]).await.unwrap();
    assert!(answer.headers.get("alt-svc").is_none());
    h3.close();
    // The access log names the protocol.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log = std::fs::read_to_string(dir.path().join("access.log")).unwrap_or_default();
        if log.contains("http-3.0") && log.contains("http-2.0") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{log}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn http2_and_http1_answers_advertise_http3() {
    let (_dir, _config, _server, port) = serve();
    let expected = format!("h3=\":{port}\"; ma=86400");
    for builder in [client().http2_prior_knowledge(), client().http1_only()] {
        let response = builder
            .build()
            .unwrap()
            .get(format!("https://localhost:{port}/files/a.txt"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["alt-svc"], expected.as_str());
    }
}

#[tokio::test]
async fn request_bodies_over_http3_are_held_to_the_endpoints_limit() {
    let (_dir, _config, _server, port) = serve();
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    let h2 = client().http2_prior_knowledge().build().unwrap();
    // Within the limit: whatever HTTP/2 gets (SimpleResponse refuses a
    // `POST`).
    let small = h3
        .request(
            "POST",
            "/hello",
            &[],
            Some(bytes::Bytes::from_static(b"0123456789")),
        )
        .await
        .unwrap();
    let over_h2 = h2
        .post(format!("https://localhost:{port}/hello"))
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(small.status, over_h2.status());
    assert_ne!(small.status, 400);
    let large = h3
        .request(
            "POST",
            "/hello",
            &[],
            Some(bytes::Bytes::from(vec![b'x'; 100])),
        )
        .await
        .unwrap();
    assert_eq!(large.status, 400);
    let body = String::from_utf8_lossy(&large.body);
    assert!(
        body.contains("larger than allowed maximum of 10 bytes"),
        "{body}"
    );
}

/// Sends `GET /slow` on `port` over HTTP/3 until `until`, reconnecting
/// when the server goes away, each request sent again if it was refused
/// unprocessed. How many were answered, how many times it connected, and
/// the requests that failed otherwise.
async fn keep_asking(port: u16, until: std::time::Instant) -> (usize, usize, Vec<String>) {
    let (mut answered, mut connections, mut failed) = (0, 0, Vec::new());
    let mut client: Option<Http3Client> = None;
    while std::time::Instant::now() < until {
        let h3 = match &mut client {
            Some(h3) => h3,
            None => {
                connections += 1;
                client.insert(Http3Client::connect(port, "localhost").await.unwrap())
            }
        };
        match h3.get("/slow", &[]).await {
            Ok(answer) if answer.status == 200 && answer.body == b"hello\n" => answered += 1,
            Ok(answer) => failed.push(format!("{answer:?}")),
            Err(err) if err.retryable() => client = None,
            Err(err) => {
                failed.push(format!("{err:?}"));
                client = None;
            }
        }
    }
    (answered, connections, failed)
}

// Two workers: the clients keep going while the test signals the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_http3_load_fail_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ RequestDelay, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'slow', class: SerialRouter, applications: ['wait', 'hello'] }},
    {{ name: 'wait', class: RequestDelay, delay: '50 msec' }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'h3', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}', application: 'slow' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, port, &["--log-to-stdout"]);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(4);
    let askers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(keep_asking(port, until)))
        .collect();
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        server.signal("HUP");
    }
    let (mut answered, mut connections) = (0, 0);
    for asker in askers {
        let (ok, connected, failed) = asker.await.unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        answered += ok;
        connections += connected;
    }
    let (_, log) = server.stop_and_read("TERM");
    assert_eq!(log.matches(" reloaded()").count(), 3, "{log}");
    // Each reload sent the clients away to connect again.
    assert!(connections >= 4 + 4, "{connections} connections");
    assert!(answered > 100, "{answered} answered");
    drop(dir);
}

#[tokio::test]
async fn a_data_rate_limiter_paces_http3_answers() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ DataRateLimiter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  services: [{{ name: 'limit', class: DataRateLimiter, maxBurst: '10 KiB',
    flowRate: '100 KiB/sec', verboseLogging: true }}],
  applications: [{{ name: 'big', class: SimpleResponse, contentType: 'text/plain',
    body: 'x'.repeat(100 * 1024) }}],
  endpoints: [{{ name: 'h3', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}',
    application: 'big', services: {{ dataRateLimiter: 'limit' }} }}]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, port, &["--log-to-stdout"]);
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    let started = std::time::Instant::now();
    let answer = h3.get("/", &[]).await.unwrap();
    let took = started.elapsed();
    assert_eq!(answer.body, vec![b'x'; 100 * 1024]);
    // 10 KiB at once, the rest at 100 KiB per second: it cannot go faster.
    assert!(took >= std::time::Duration::from_millis(850), "{took:?}");
    h3.close();
    let (_, log) = server.stop_and_read("TERM");
    for event in [".dataRateLimiter started()", ".dataRateLimiter waited("] {
        assert!(log.contains(event), "no {event:?} in:\n{log}");
    }
    drop(dir);
}

#[tokio::test]
async fn a_stop_closes_idle_http3_connections_without_waiting_for_the_grace_period() {
    let (_dir, _config, server, port) = serve_with(&["--log-to-stdout"]);
    // A client that stays connected, idle, and never closes.
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    assert_eq!(h3.get("/hello", &[]).await.unwrap().status, 200);
    let (status, log) = server.stop_and_read("TERM");
    assert!(status.success(), "{log}");
    // Sent `GOAWAY` and closed, rather than dropped when time ran out.
    assert!(!log.contains("shuttingDown('destroy'"), "{log}");
    // The server's `CONNECTION_CLOSE` (`H3_NO_ERROR`) reached the client
    // before the process ended: it does not wait for its idle timeout.
    let ended = tokio::time::timeout(Duration::from_secs(10), h3.closed_by_server()).await;
    assert_eq!(ended, Ok(Ok(0x100)), "not closed by the server");
    let closed = h3.get("/hello", &[]).await.unwrap_err();
    assert!(closed.retryable(), "{closed:?}");
}

//! HTTP/3 through the real binary (`docs/http3.md`): an `http2` endpoint
//! with `http3: true` answers an HTTP/3 client (`h3` over `quinn`) exactly
//! as it answers HTTP/2, files, ranges, conditional requests, routers and
//! the request rate limiter included; its HTTP/2 and HTTP/1.1 answers
//! advertise it; the access log names the protocol. A browser's visit is
//! in `browser`; inherited sockets in `inherited`; reloads and stops in
//! `lifecycle`; connection limits, SNI and early data in `limits`.

mod browser;
mod inherited;
mod lifecycle;
mod limits;

use lactoserv_test_util::http3::{Answer, Http3Client};
use reqwest::Version;

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, client, config_file};

/// A config serving files, a fixed answer and a rate-limited one over
/// HTTP/2 and HTTP/3 on `port` to host `localhost`, from `dir`, with an
/// access log in `dir/access.log`.
fn config(dir: &std::path::Path, port: u16) -> String {
    format!(
        "import {{ HostRouter, PathRouter, RequestRateLimiter, SerialRouter, SimpleResponse,
  StaticFiles }} from '@lactoserv/webapp-builtins';
import {{ AccessLogToFile }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  services: [
    {{ name: 'access', class: AccessLogToFile, path: '{log}' }}
  ],
  applications: [
    {{ name: 'hosts', class: HostRouter, hosts: {{ 'localhost': 'router' }} }},
    {{ name: 'router', class: PathRouter,
       paths: {{ '/files/*': 'files', '/hello': 'hello', '/limited': 'limited' }} }},
    {{ name: 'limited', class: SerialRouter, applications: ['limit', 'hello'] }},
    {{ name: 'limit', class: RequestRateLimiter, maxBurst: '1 req', flowRate: '1 req/hour',
       maxQueue: '1 req' }},
    {{ name: 'files', class: StaticFiles, siteDirectory: '{site}', etag: true,
       notFoundPath: '{page}', cacheControl: {{ maxAge: '1 min' }} }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'h2', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}',
       application: 'hosts', maxRequestBodySize: '10 byte',
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
async fn routers_and_the_request_rate_limiter_answer_over_http3_as_over_http2() {
    let (_dir, _config, _server, port) = serve();
    let at = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let h2 = client()
        .http2_prior_knowledge()
        .resolve("other.test", at)
        .build()
        .unwrap();
    let over_h2 = async |host: &str, path: &str| {
        let response = h2
            .get(format!("https://{host}:{port}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        comparable(status, &headers, &response.bytes().await.unwrap())
    };
    let over_h3 = async |h3: &mut Http3Client, path: &str| {
        let answer = h3.get(path, &[]).await.unwrap();
        comparable(answer.status.as_u16(), &answer.headers, &answer.body)
    };
    // The host router sends `localhost` on and declines any other host.
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    let mut other = Http3Client::connect(port, "other.test").await.unwrap();
    let routed = over_h3(&mut h3, "/hello").await;
    assert_eq!(routed.0, 200);
    assert_eq!(routed, over_h2("localhost", "/hello").await);
    let declined = over_h3(&mut other, "/hello").await;
    assert_eq!(declined.0, 404);
    assert_eq!(declined, over_h2("other.test", "/hello").await);
    // The limiter's one request is taken, the next one waits in its queue
    // (for an hour), and the next ones are turned away, whatever their
    // protocol.
    assert_eq!(over_h2("localhost", "/limited").await.0, 200);
    let queued = tokio::spawn({
        let h2 = h2.clone();
        async move {
            h2.get(format!("https://localhost:{port}/limited"))
                .send()
                .await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let denied = over_h3(&mut h3, "/limited").await;
    assert_eq!(denied.0, 429);
    assert_eq!(denied, over_h2("localhost", "/limited").await);
    assert!(!queued.is_finished());
    queued.abort();
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

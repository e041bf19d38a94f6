//! Serving through the real binary: HTTP/1.1, HTTPS and HTTP/2 with a real
//! client (reqwest with rustls), SNI certificate choice, ALPN fallback, an
//! inherited socket, and graceful stops.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode, Version};

use crate::server::{ServerProcess, free_ports};
use crate::util::client;

/// The example setup's certificate for `localhost` and `*.localhost`.
fn setup_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../etc/example-setup/config")
        .join(name)
}

/// Ports of the test config's endpoints.
struct Ports {
    http: u16,
    https: u16,
    h2: u16,
    empty: u16,
}

/// Writes a config in the reference's style serving `hello` over all
/// three protocols, and a no-body SimpleResponse on a fourth port.
fn write_config(dir: &Path) -> (PathBuf, Ports) {
    for name in ["localhost-cert.pem", "localhost-key.pem"] {
        std::fs::copy(setup_file(name), dir.join(name)).unwrap();
    }
    let [http, https, h2, empty] = free_ports::<4>();
    let ports = Ports {
        http,
        https,
        h2,
        empty,
    };
    let source = format!(
        "import {{ readFile }} from 'node:fs/promises';
import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';

const read = (name) => readFile(new URL(name, import.meta.url));

export default {{
  hosts: [
    {{ hostnames: ['localhost', '*.localhost'],
       certificate: await read('localhost-cert.pem'), privateKey: await read('localhost-key.pem') }},
    {{ hostnames: ['*'], selfSigned: true }}
  ],
  applications: [
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'Hello world\\n',
       etag: true, cacheControl: {{ public: true, maxAge: '1 min' }} }},
    new SimpleResponse({{ name: 'nothing' }})
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{http}', application: 'hello',
       maxRequestBodySize: '8 byte' }},
    {{ name: 'tls', protocol: 'https', interface: '127.0.0.1:{https}', application: 'hello' }},
    {{ name: 'h2', protocol: 'http2', hostnames: ['*'], interface: '127.0.0.1:{h2}', application: 'hello' }},
    {{ name: 'empty', protocol: 'http', interface: '127.0.0.1:{empty}', application: 'nothing' }}
  ]
}};
",
        http = ports.http,
        https = ports.https,
        h2 = ports.h2,
        empty = ports.empty,
    );
    let path = dir.join("config.mjs");
    std::fs::write(&path, source).unwrap();
    (path, ports)
}

/// A client that sends `host` as the TLS server name while connecting to
/// the loopback `port`.
fn client_for(host: &str, port: u16) -> reqwest::ClientBuilder {
    client().resolve(host, SocketAddr::from(([127, 0, 0, 1], port)))
}

fn peer_certificate(response: &reqwest::Response) -> Vec<u8> {
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("a TLS response carries the server's certificate")
        .to_vec()
}

/// The DER bytes of the example setup's certificate.
fn setup_certificate_der() -> Vec<u8> {
    use base64::Engine as _;
    let pem = std::fs::read_to_string(setup_file("localhost-cert.pem")).unwrap();
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn start() -> (tempfile::TempDir, ServerProcess, Ports) {
    let dir = tempfile::tempdir().unwrap();
    let (config, ports) = write_config(dir.path());
    let server = ServerProcess::start(&config, ports.http);
    for port in [ports.https, ports.h2, ports.empty] {
        server.wait_until_listening(port);
    }
    (dir, server, ports)
}

#[tokio::test]
async fn serves_http1_with_the_reference_headers() {
    let (_dir, _server, ports) = start();
    let url = format!("http://127.0.0.1:{}/any/path?x=1", ports.http);
    let response = client().build().unwrap().get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_11);
    let headers = response.headers().clone();
    assert_eq!(
        headers["server"],
        format!("lactoserv-{} 0000000", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["content-length"], "12");
    assert_eq!(headers["cache-control"], "public, max-age=60");
    assert_eq!(headers["connection"], "keep-alive");
    assert_eq!(headers["keep-alive"], "timeout=5");
    assert!(headers.contains_key("date"));
    assert!(headers.contains_key("last-modified"));
    let etag = headers["etag"].to_str().unwrap();
    assert!(etag.starts_with('"') && etag.len() == 45, "{etag}");
    assert_eq!(response.text().await.unwrap(), "Hello world\n");
}

#[tokio::test]
async fn head_gets_the_headers_without_the_body() {
    let (_dir, _server, ports) = start();
    let url = format!("http://127.0.0.1:{}/", ports.http);
    let response = client().build().unwrap().head(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-length"], "12");
    assert_eq!(response.bytes().await.unwrap().len(), 0);

    let h2 = client_for("localhost", ports.h2).build().unwrap();
    let response = h2
        .head(format!("https://localhost:{}/", ports.h2))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.headers()["content-length"], "12");
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn other_methods_and_bodies_get_the_reference_answers() {
    let (_dir, _server, ports) = start();
    let client = client().build().unwrap();
    let url = format!("http://127.0.0.1:{}/", ports.http);

    let response = client.post(&url).body("tiny").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.text().await.unwrap(), "403 Forbidden\n");

    let response = client.post(&url).body("far too long").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "Request body is larger than allowed maximum of 8 bytes.\n"
    );

    let response = client.get(&url).body("x").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "Expected empty request body, but there was data.\n"
    );

    let propfind = Method::from_bytes(b"PROPFIND").unwrap();
    let response = client.request(propfind, &url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "Invalid request method: PROPFIND\n"
    );
}

#[tokio::test]
async fn a_non_origin_target_gets_400() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_dir, _server, ports) = start();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", ports.http))
        .await
        .unwrap();
    stream
        .write_all(b"GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with("\r\n\r\n400 Bad Request\n"), "{answer}");
}

#[tokio::test]
async fn a_no_body_response_is_204_without_content_headers() {
    let (_dir, _server, ports) = start();
    let url = format!("http://127.0.0.1:{}/", ports.empty);
    let response = client().build().unwrap().get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(!response.headers().contains_key("content-type"));
    assert!(!response.headers().contains_key("last-modified"));
}

#[tokio::test]
async fn https_picks_the_certificate_by_sni() {
    let (_dir, _server, ports) = start();
    let expected = setup_certificate_der();
    for host in ["localhost", "a.b.localhost"] {
        let client = client_for(host, ports.https).build().unwrap();
        let response = client
            .get(format!("https://{host}:{}/", ports.https))
            .send()
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_11);
        assert_eq!(peer_certificate(&response), expected, "{host}");
        assert_eq!(response.text().await.unwrap(), "Hello world\n");
    }
    let client = client_for("example.org", ports.https).build().unwrap();
    let response = client
        .get(format!("https://example.org:{}/", ports.https))
        .send()
        .await
        .unwrap();
    assert_ne!(
        peer_certificate(&response),
        expected,
        "example.org gets the self-signed host"
    );
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn http2_endpoints_speak_h2_and_fall_back_to_http1() {
    let (_dir, _server, ports) = start();
    let url = format!("https://localhost:{}/", ports.h2);
    let h2 = client_for("localhost", ports.h2).build().unwrap();
    let response = h2.get(&url).send().await.unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(
        response.headers()["server"],
        format!("lactoserv-{} 0000000", env!("CARGO_PKG_VERSION"))
    );
    assert!(!response.headers().contains_key("connection"));
    assert_eq!(response.text().await.unwrap(), "Hello world\n");

    let h1 = client_for("localhost", ports.h2)
        .http1_only()
        .build()
        .unwrap();
    let response = h1.get(&url).send().await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.text().await.unwrap(), "Hello world\n");
}

#[tokio::test]
async fn an_inherited_socket_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        "import { SimpleResponse } from '@lactoserv/webapp-builtins';
export default {
  applications: [{ name: 'hi', class: SimpleResponse, contentType: 'text/plain', body: 'from fd 3\\n' }],
  endpoints: [{ name: 'inherited', protocol: 'http', interface: '/dev/fd/3', application: 'hi' }]
};
",
    )
    .unwrap();
    let (_server, port) = ServerProcess::start_with_inherited_socket(&config);
    let response = client()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "from fd 3\n");
}

#[test]
fn sigterm_and_sigint_stop_the_server_cleanly() {
    for signal in ["TERM", "INT"] {
        let (_dir, mut server, _ports) = start();
        let status = server.stop_with(signal);
        assert_eq!(status.code(), Some(0), "{signal}");
    }
}

#[tokio::test]
async fn log_to_stdout_shows_start_requests_and_stop_in_the_human_format() {
    let dir = tempfile::tempdir().unwrap();
    let (config, ports) = write_config(dir.path());
    let server = ServerProcess::start_with_args(&config, ports.http, &["--log-to-stdout"]);
    let url = format!("http://127.0.0.1:{}/logged?x", ports.http);
    client().build().unwrap().get(&url).send().await.unwrap();
    let (status, log) = server.stop_and_read("TERM");
    assert_eq!(status.code(), Some(0));
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("------------------------- 20")),
        "{log}"
    );
    let has = |needle: &str| log.contains(needle);
    assert!(has(" main.system starting()\n"), "{log}");
    assert!(
        has(&format!(
            " webapp.endpoint.plain routing({{ protocol: 'http', interface: '127.0.0.1:{}', application: 'hello' }})",
            ports.http
        )),
        "{log}"
    );
    assert!(
        has(&format!("url: '//127.0.0.1:{}/logged?x' }})", ports.http)),
        "{log}"
    );
    assert!(
        has(" main.system stopping('shutdown', 'SIGTERM')\n"),
        "{log}"
    );
    // Connections still closing may log after the system's last words.
    let stopping = log.find(" main.system stopping(").unwrap();
    let stopped = log
        .find(" main.system stopped()\n")
        .expect("stopped() is logged");
    assert!(stopping < stopped, "{log}");
    let stamp = lines
        .iter()
        .find(|l| l.contains("main.system starting()"))
        .unwrap();
    assert!(
        stamp.starts_with(':') && stamp.as_bytes()[3] == b'.',
        "{stamp}"
    );
}

#[tokio::test]
async fn a_large_body_without_a_limit_is_read_through() {
    let (_dir, _server, ports) = start();
    let client = client_for("localhost", ports.https).build().unwrap();
    let body = vec![b'x'; 4 << 20];
    let response = client
        .post(format!("https://localhost:{}/", ports.https))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.text().await.unwrap(), "403 Forbidden\n");
}

#[test]
fn a_process_id_file_lives_as_long_as_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("run/lactoserv.pid");
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ ProcessIdFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [{{ name: 'pid', class: ProcessIdFile, path: '{}' }}],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi' }}]
}};
",
            pid_file.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(&config, port);
    let expected = format!("{}\n", server.pid());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(&pid_file).ok().as_deref() != Some(expected.as_str()) {
        assert!(std::time::Instant::now() < deadline, "no pid file");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(server.stop_with("TERM").success());
    assert!(!pid_file.exists(), "removed at stop");
}

/// Waits until `path` holds JSON that `ready` accepts, and gives it.
fn wait_for_json(path: &Path, ready: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(value) = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .filter(&ready)
        {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "{}", path.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_process_info_file_survives_a_killed_run() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("info/process.json");
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ ProcessInfoFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [{{ name: 'info', class: ProcessInfoFile, path: '{}', save: {{ onStart: true }} }}],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi' }}]
}};
",
            info.display()
        ),
    )
    .unwrap();
    let mut first = ServerProcess::start(&config, port);
    let first_pid = u64::from(first.pid());
    let running = wait_for_json(&info, |v| v["pid"] == first_pid);
    assert_eq!(running["disposition"]["running"], true);
    assert_eq!(running["product"]["name"], "lactoserv");
    first.stop_with("KILL");

    let mut second = ServerProcess::start(&config, port);
    let second_pid = u64::from(second.pid());
    wait_for_json(&info, |v| v["pid"] == second_pid);
    let saved: Vec<std::path::PathBuf> = std::fs::read_dir(info.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &info)
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap();
    assert_eq!(old["pid"], first_pid);
    assert_eq!(old["disposition"]["abruptlyStopped"], true);
    assert!(old["disposition"].get("running").is_none());

    assert!(second.stop_with("TERM").success());
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    assert_eq!(stopped["disposition"]["exitCode"], 0);
}

#[test]
fn the_system_log_goes_to_files_and_rotates_at_stop() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ SimpleResponse, SyslogToFile }} from '@lactoserv/webapp-builtins';
export default {{
  services: [
    {{ name: 'human', class: SyslogToFile, path: '{logs}/system-log.txt', format: 'human' }},
    {{ name: 'json', class: SyslogToFile, path: '{logs}/system-log.json', format: 'json',
       bufferPeriod: '50 msec', rotate: {{ onStop: true, checkPeriod: null }} }}
  ],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi' }}]
}};
",
            logs = logs.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(&config, port);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(server.stop_with("TERM").success());

    let human = std::fs::read_to_string(logs.join("system-log.txt")).unwrap();
    assert!(human.starts_with("\n\n- - - "), "{human}");
    assert!(human.contains(" main.system starting()"), "{human}");
    assert!(human.contains("incomingRequest("), "{human}");
    assert!(
        human.contains(" webapp.service.human finalLoggedEvent()"),
        "{human}"
    );

    assert!(!logs.join("system-log.json").exists(), "rotated at stop");
    let rotated: Vec<std::path::PathBuf> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(rotated.len(), 1, "{rotated:?}");
    let json = std::fs::read_to_string(&rotated[0]).unwrap();
    let types: Vec<String> = json
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            event["type"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(types.iter().any(|t| t == "starting"), "{types:?}");
    assert!(types.iter().any(|t| t == "stopping"), "{types:?}");
    assert_eq!(
        types.last().map(String::as_str),
        Some("finalLoggedEvent"),
        "{types:?}"
    );
}

#[tokio::test]
async fn every_request_gets_one_access_log_line_even_across_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/access.txt");
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ AccessLogToFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [{{ name: 'access', class: AccessLogToFile, path: '{}', bufferPeriod: '250 msec' }}],
  applications: [{{ name: 'hi', class: SimpleResponse, contentType: 'text/plain', body: 'hi\\n' }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi',
                 services: {{ accessLog: 'access' }} }}]
}};
",
            log.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(&config, port);
    let client = client().build().unwrap();
    const REQUESTS: usize = 300;
    let mut tasks = Vec::new();
    for n in 0..REQUESTS {
        let (client, url) = (client.clone(), format!("http://127.0.0.1:{port}/r/{n}?x=1"));
        tasks.push(tokio::spawn(async move {
            let response = client.get(url).send().await.unwrap();
            response.bytes().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(server.stop_with("TERM").success());
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), REQUESTS);
    let fields: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(fields.len(), 9, "{}", lines[0]);
    assert!(fields[1].starts_with("127.0.0.1:"), "{}", lines[0]);
    assert_eq!(&fields[2..4], ["http-1.1", "get"]);
    assert!(
        fields[4].starts_with(&format!("//127.0.0.1:{port}/r/")),
        "{}",
        lines[0]
    );
    assert_eq!(&fields[5..7], ["200", "3_B"]);
    assert_eq!(fields[8], "ok");
}

#[test]
fn an_event_fan_feeds_several_access_logs() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    let logs = dir.path().join("logs");
    std::fs::write(
        &config,
        format!(
            "import {{ AccessLogToFile, EventFan, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [
    {{ name: 'fan', class: EventFan, services: ['one', 'two'] }},
    {{ name: 'one', class: AccessLogToFile, path: '{logs}/one.txt' }},
    {{ name: 'two', class: AccessLogToFile, path: '{logs}/two.txt', maxUrlLength: 20 }}
  ],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi',
                 services: {{ accessLog: 'fan' }} }}]
}};
",
            logs = logs.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(&config, port);
    for n in 0..3 {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(
            &mut stream,
            format!(
                "HEAD /a/rather/long/path/{n} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    }
    assert!(server.stop_with("TERM").success());
    let one = std::fs::read_to_string(logs.join("one.txt")).unwrap();
    let two = std::fs::read_to_string(logs.join("two.txt")).unwrap();
    assert_eq!((one.lines().count(), two.lines().count()), (3, 3));
    assert!(one.contains(" head //a:"), "{one}");
    assert!(one.contains(" 204 no-body "), "{one}");
    let url = two
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(4)
        .unwrap()
        .to_owned();
    assert_eq!(url.len(), 20, "{url}");
    assert!(url.contains("..."), "{url}");
}

#[test]
fn memory_over_the_limit_stops_the_server_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("process.json");
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ MemoryMonitor, ProcessInfoFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [
    {{ name: 'info', class: ProcessInfoFile, path: '{}' }},
    {{ name: 'memory', class: MemoryMonitor, checkPeriod: '1 sec', maxRss: '1 MiB' }}
  ],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi' }}]
}};
",
            info.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(&config, port);
    let status = server.wait_for_exit(std::time::Duration::from_secs(15));
    assert_eq!(status.code(), Some(1));
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    assert_eq!(stopped["disposition"]["exitCode"], 1);
}

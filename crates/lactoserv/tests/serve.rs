//! Serving through the real binary: HTTP/1.1, HTTPS and HTTP/2 with a real
//! client (reqwest with rustls), SNI certificate choice, ALPN fallback, an
//! inherited socket, and graceful stops.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode, Version};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{self, client, peer_certificate};

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
    let server = ServerProcess::start(LACTOSERV, &config, ports.http);
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
    let (_server, port) = ServerProcess::start_with_inherited_socket(LACTOSERV, &config);
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
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config, ports.http, &["--log-to-stdout"]);
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
    // The process's early events come first, then the system's start,
    // and the clean exit ends with `bye`, in the reference's order.
    let order = [
        " host productInfo({ name: 'lactoserv', version: '",
        " host initialized()\n",
        " main.system readingConfiguration()\n",
        " webapp.endpoint.plain initializing()\n",
        " webapp.endpoint.plain started()\n",
        " main.system started()\n",
        " host.signal.SIGTERM exiting(1)\n",
        " host.callback.shutdown running()\n",
        " main.system stopping('shutdown')\n",
        " webapp.endpoint.plain stopped('shutdown')\n",
        " webapp stopped('shutdown')\n",
        " main.system stopped('shutdown')\n",
        " host exitCalled(0)\n",
        " host.callback.shutdown done()\n",
        " host.shutdown bye(0)\n",
    ];
    // The client's connection closes during the stop.
    assert!(
        has(" totalWritten(@ByteCount(") && has(" closed('ok')\n"),
        "{log}"
    );
    // The request may come in before the last endpoint has started (the
    // test sends it as soon as its endpoint accepts), but before the stop.
    let request_at = log.find("incomingRequest(").expect("the request is logged");
    assert!(
        request_at < log.find(" host.signal.SIGTERM exiting(1)").unwrap(),
        "{log}"
    );
    let mut from = 0;
    for needle in order {
        let at = log[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} after byte {from}:\n{log}"));
        from += at + needle.len();
    }
    let stamp = lines
        .iter()
        .find(|l| l.contains("main.system starting()"))
        .unwrap();
    assert!(
        stamp.starts_with(':') && stamp.as_bytes()[3] == b'.',
        "{stamp}"
    );
}

// Two threads: the client's connection must answer the server's goodbye
// while the test waits for the server to exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_sessions_and_certificate_lookups_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (config, ports) = write_config(dir.path());
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config, ports.http, &["--log-to-stdout"]);
    server.wait_until_listening(ports.h2);
    let client = client_for("localhost", ports.h2).build().unwrap();
    let url = format!("https://localhost:{}/h2", ports.h2);
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    // The session is still open at the stop, and is shut down gracefully.
    let (status, log) = server.stop_and_read("TERM");
    drop(client);
    assert_eq!(status.code(), Some(0));
    let events = util::log_entries(&log);
    let find = |needle: &str| {
        events
            .iter()
            .find(|e| e.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{log}"))
            .clone()
    };
    assert!(
        find("webapp.host found(").ends_with("found('localhost', ['localhost', '*.localhost'])"),
        "{log}"
    );
    let session_id = find(" newSession('").split('\'').nth(1).unwrap().to_owned();
    let opened = find(&format!("webapp.endpoint.h2.sess.{session_id} opened("));
    assert!(opened.contains("connectionId: '"), "{opened}");
    let incoming = find(&format!(
        "webapp.endpoint.h2.sess.{session_id} incomingRequest("
    ));
    assert!(
        incoming.contains(&format!("{{ sessionId: '{session_id}', connectionId: '")),
        "{incoming}"
    );
    find(" totalSessions(1)");
    find("webapp.endpoint.h2 shuttingDown('close', 1)");
    find(&format!(
        "webapp.endpoint.h2.sess.{session_id} shuttingDown('close')"
    ));
    find(" totalSessions(0)");
    find(&format!(
        "webapp.endpoint.h2.sess.{session_id} closed('ok')"
    ));
    assert!(
        find("webapp.host knownHosts(").contains("'*.localhost': ['localhost', '*.localhost']")
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

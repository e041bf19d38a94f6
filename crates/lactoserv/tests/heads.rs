//! Request heads as strict as RFC 9110, 9112 and 9113, through the real
//! binary: the host a request names, method names, and the access-log
//! line every one of these answers gets (`docs/deviations.md` lists where
//! the reference is looser).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, any_certificate_config, config_file};

/// A server answering `hi` on plain HTTP (`ports[0]`) and HTTP/2
/// (`ports[1]`), with an access log (`access.txt` beside the config, no
/// buffering).
fn start() -> (ConfigDir, ServerProcess, [u16; 2]) {
    let ports = free_ports::<2>();
    let [http, h2] = ports;
    let config = config_file(
        "config.mjs",
        &format!(
            "import {{ AccessLogToFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  services: [{{ name: 'access', class: AccessLogToFile, path: new URL('access.txt', import.meta.url).pathname }}],
  applications: [{{ name: 'hi', class: SimpleResponse, contentType: 'text/plain', body: 'hi' }}],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{http}', application: 'hi', services: {{ accessLog: 'access' }} }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{h2}', application: 'hi', services: {{ accessLog: 'access' }} }}
  ]
}};
"
        ),
    );
    let server = ServerProcess::start(LACTOSERV, &config.path, http);
    server.wait_until_listening(h2);
    (config, server, ports)
}

/// Sends `head` (a request line and header lines, without the blank line
/// that ends them) on a connection of its own; the status line, and
/// whether the server closed the connection after its answer.
fn ask(port: u16, head: &str) -> (String, bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0_u8; 4096];
    let closed = loop {
        match stream.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            // Still open: the answer is whole once the server waits.
            Err(_) => break false,
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            stream
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
        }
    };
    let answer = String::from_utf8_lossy(&answer).into_owned();
    (answer.lines().next().unwrap_or_default().to_owned(), closed)
}

/// The access log's lines, once it holds `count` of them.
fn access_lines(config: &ConfigDir, count: usize) -> Vec<String> {
    let path = config.path.with_file_name("access.txt");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() >= count || std::time::Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An access-log line's protocol, method, URL and status.
fn fields(line: &str) -> [String; 4] {
    let fields: Vec<&str> = line.split(' ').collect();
    [2, 3, 4, 5].map(|at| fields[at].to_owned())
}

#[test]
fn an_http1_1_request_needs_exactly_one_valid_host() {
    let (config, _server, [port, _]) = start();
    let refused = [
        "GET / HTTP/1.1",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: a",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b",
        "GET / HTTP/1.1\r\nHost:",
        "GET / HTTP/1.1\r\nHost: exa_mple.com",
        "GET / HTTP/1.1\r\nHost: x:99999",
        "HEAD /p?q HTTP/1.1\r\nHost: [::1",
        "GET / HTTP/1.0\r\nHost: a\r\nHost: b",
    ];
    for head in refused {
        let (status, closed) = ask(port, head);
        // (hyper answers an HTTP/1.0 request in HTTP/1.0.)
        assert!(status.ends_with(" 400 Bad Request"), "{head}: {status}");
        assert!(closed, "{head}");
    }
    assert_eq!(ask(port, "GET / HTTP/1.1\r\nHost: a").0, "HTTP/1.1 200 OK");
    // An HTTP/1.0 request needs no host, and is answered in HTTP/1.0.
    assert_eq!(ask(port, "GET / HTTP/1.0").0, "HTTP/1.0 200 OK");
    let lines = access_lines(&config, refused.len() + 2);
    assert_eq!(lines.len(), refused.len() + 2, "{lines:?}");
    // Refused hosts are logged as `localhost`, as the reference logs the
    // hosts it cannot use.
    assert_eq!(
        fields(&lines[6]),
        [
            "http-1.1",
            "head",
            &format!("//localhost:{port}/p?q"),
            "400"
        ]
    );
    assert_eq!(
        fields(&lines[9]),
        ["http-1.0", "get", &format!("//localhost:{port}/"), "200"]
    );
}

#[test]
fn method_names_are_case_sensitive_and_every_refusal_is_logged() {
    let (config, _server, [port, _]) = start();
    for method in ["get", "Get", "FOO", &"A".repeat(100)] {
        let (status, closed) = ask(port, &format!("{method} /x HTTP/1.1\r\nHost: a"));
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{method}");
        assert!(closed, "{method}");
    }
    let (status, _) = ask(
        port,
        "GET /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    );
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    let lines = access_lines(&config, 5);
    let seen: Vec<[String; 4]> = lines.iter().map(|line| fields(line)).collect();
    let url = |path: &str| format!("//a:{port}{path}");
    assert_eq!(seen[0], ["http-1.1", "get", &url("/x"), "400"]);
    assert_eq!(seen[1], ["http-1.1", "get", &url("/x"), "400"]);
    assert_eq!(seen[2], ["http-1.1", "foo", &url("/x"), "400"]);
    assert_eq!(seen[4], ["http-1.1", "get", &url("/b"), "400"]);
}

/// Sends `request` on an HTTP/2 session to `port`; the status.
async fn h2_status(port: u16, request: http::Request<()>) -> u16 {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let tls = TlsConnector::from(Arc::new(any_certificate_config(b"h2")))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut send, connection) = h2::client::handshake(tls).await.unwrap();
    tokio::spawn(connection);
    let (response, _) = send.send_request(request, true).unwrap();
    response.await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_takes_host_without_an_authority_and_refuses_a_disagreeing_pair() {
    let (config, _server, [_, port]) = start();
    let get = |uri: &str| http::Request::get(uri);
    let cases = [
        (get("https://a.example/").body(()).unwrap(), 200),
        (get("/").header("host", "b.example").body(()).unwrap(), 200),
        (
            get("https://a.example/")
                .header("host", "a.example:443")
                .body(())
                .unwrap(),
            200,
        ),
        (
            get("https://a.example/")
                .header("host", "b.example")
                .body(())
                .unwrap(),
            400,
        ),
        (
            http::Request::builder()
                .method(http::Method::from_bytes(b"get").unwrap())
                .uri("https://a.example/")
                .body(())
                .unwrap(),
            400,
        ),
    ];
    let count = cases.len();
    for (request, status) in cases {
        let uri = request.uri().clone();
        assert_eq!(h2_status(port, request).await, status, "{uri}");
    }
    let lines = access_lines(&config, count);
    let seen: Vec<[String; 4]> = lines.iter().map(|line| fields(line)).collect();
    assert_eq!(seen[0], ["http-2.0", "get", "//a.example:443/", "200"]);
    assert_eq!(
        seen[1],
        ["http-2.0", "get", &format!("//b.example:{port}/"), "200"]
    );
    assert_eq!(seen[3], ["http-2.0", "get", "//localhost:443/", "400"]);
}

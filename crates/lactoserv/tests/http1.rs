//! HTTP/1.1 on the wire through the real binary: the server's own request
//! loop and hyper, which takes a connection over at its first request the
//! loop leaves to it, answer alike on one connection.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::server::{LACTOSERV, ServerProcess, free_port, read_some};
use crate::util::{ConfigDir, any_certificate_config, config_file, write_tls_config};

/// A server answering `hello\n` on `/` and echoing nothing else: other
/// paths get the reference's 404.
fn start() -> (ConfigDir, ServerProcess, u16) {
    let port = free_port();
    let config = config_file(
        "config.mjs",
        &format!(
            "import {{ PathRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }},
    {{ name: 'paths', class: PathRouter, paths: {{ '/': 'hello' }} }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{port}', application: 'paths' }}
  ]
}};
"
        ),
    );
    let server = ServerProcess::start(LACTOSERV, &config.path, port);
    (config, server, port)
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// One response read from `stream`: its head, and its body as its
/// `content-length` gives it (none for an answer to `HEAD`).
fn read_response(stream: &mut impl Read, pending: &mut Vec<u8>, is_head: bool) -> (String, String) {
    let mut buf = [0_u8; 4096];
    let end = loop {
        if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = read_some(stream, &mut buf).unwrap();
        assert!(n > 0, "closed before a whole head");
        pending.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(pending.drain(..end).collect()).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    let length = if is_head { 0 } else { length };
    while pending.len() < length {
        let n = read_some(stream, &mut buf).unwrap();
        assert!(n > 0, "closed before a whole body");
        pending.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8(pending.drain(..length).collect()).unwrap();
    (head, body)
}

#[test]
fn one_connection_carries_plain_fetches_and_requests_with_bodies() {
    let (_config, _server, port) = start();
    let mut stream = connect(port);
    let mut pending = Vec::new();
    let mut exchange = |request: &[u8]| {
        stream.write_all(request).unwrap();
        read_response(&mut stream, &mut pending, request.starts_with(b"HEAD"))
    };
    let (head, body) = exchange(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nconnection: keep-alive\r\n"), "{head}");
    assert_eq!(body, "hello\n");
    let (head, _) = exchange(b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"), "{head}");
    // A body: hyper serves the connection from here on.
    let (head, _) = exchange(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
    assert!(head.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{head}");
    assert!(head.contains("\r\nconnection: keep-alive\r\n"), "{head}");
    let (head, body) = exchange(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, "hello\n");
    let (head, body) = exchange(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(head.contains("\r\ncontent-length: 6\r\n"), "{head}");
    assert_eq!(body, "");
}

#[test]
fn pipelined_and_trickled_requests_are_answered_in_order() {
    let (_config, _server, port) = start();
    let mut stream = connect(port);
    let mut pending = Vec::new();
    stream
        .write_all(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let (head, _) = read_response(&mut stream, &mut pending, true);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\ncontent-length: 6\r\n"), "{head}");
    let (head, _) = read_response(&mut stream, &mut pending, false);
    assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"), "{head}");
    let (_, body) = read_response(&mut stream, &mut pending, false);
    assert_eq!(body, "hello\n");
    // A head arriving a few bytes at a time.
    for piece in b"GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n".chunks(5) {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    let (_, body) = read_response(&mut stream, &mut pending, false);
    assert_eq!(body, "hello\n");
    assert!(pending.is_empty());
}

#[test]
fn a_request_asking_to_close_gets_its_answer_and_then_the_end() {
    let (_config, _server, port) = start();
    for request in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"[..],
        b"GET / HTTP/1.0\r\nHost: a\r\n\r\n",
    ] {
        let mut stream = connect(port);
        stream.write_all(request).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.contains("\r\nconnection: close\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nhello\n"), "{answer}");
    }
}

#[test]
fn heads_hyper_refuses_are_refused_as_before() {
    let (_config, _server, port) = start();
    let cases: [(Vec<u8>, &str); 3] = [
        (
            format!(
                "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
                "x".repeat(20_000)
            )
            .into_bytes(),
            "HTTP/1.1 431 Request Header Fields Too Large\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n".to_vec(),
            "HTTP/1.1 400 Bad Request\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n".to_vec(),
            "HTTP/1.1 400 Bad Request\r\n",
        ),
    ];
    for (request, status) in cases {
        let mut stream = connect(port);
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.contains(status), "{answer}");
    }
}

#[test]
fn a_stop_closes_a_connection_idle_between_requests_at_once() {
    let (_config, mut server, port) = start();
    let mut stream = connect(port);
    let mut pending = Vec::new();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    read_response(&mut stream, &mut pending, false);
    let stopping = Instant::now();
    server.signal("TERM");
    let mut buf = [0_u8; 16];
    assert_eq!(
        read_some(&mut stream, &mut buf).unwrap(),
        0,
        "closed with nothing sent"
    );
    assert!(stopping.elapsed() < Duration::from_secs(2));
    assert!(server.wait_for_exit(Duration::from_secs(10)).success());
}

#[test]
fn over_tls_too_hyper_takes_over_after_a_request_with_a_body() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    write_tls_config(&config, "http2", port, "hi");
    let _server = ServerProcess::start(LACTOSERV, &config, port);
    // An `http2` endpoint serves a client that offers only HTTP/1.1.
    let tls = rustls::ClientConnection::new(
        std::sync::Arc::new(any_certificate_config(b"http/1.1")),
        "localhost".try_into().unwrap(),
    )
    .unwrap();
    let mut stream = rustls::StreamOwned::new(tls, connect(port));
    let mut pending = Vec::new();
    let requests: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ];
    let mut answers = Vec::new();
    for request in requests {
        stream.write_all(request).unwrap();
        answers.push(read_response(&mut stream, &mut pending, false));
    }
    assert!(
        answers[0].0.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        answers[0].0
    );
    assert_eq!(answers[0].1, "hi");
    assert!(
        answers[1].0.starts_with("HTTP/1.1 403 Forbidden\r\n"),
        "{}",
        answers[1].0
    );
    assert!(
        answers[2].0.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        answers[2].0
    );
    assert_eq!(answers[2].1, "hi");
}

#[test]
fn http1_on_an_http2_endpoint_says_keep_alive_without_a_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    write_tls_config(&config, "http2", port, "hi");
    let _server = ServerProcess::start(LACTOSERV, &config, port);
    let tls = rustls::ClientConnection::new(
        std::sync::Arc::new(any_certificate_config(b"http/1.1")),
        "localhost".try_into().unwrap(),
    )
    .unwrap();
    let mut stream = rustls::StreamOwned::new(tls, connect(port));
    let mut pending = Vec::new();
    // The server's own HTTP1, then hyper (which takes over after a body).
    let requests: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    ];
    for request in requests {
        stream.write_all(request).unwrap();
        let (head, _) = read_response(&mut stream, &mut pending, false);
        assert!(head.contains("\r\nconnection: keep-alive\r\n"), "{head}");
        assert!(!head.contains("keep-alive: timeout"), "{head}");
    }
}

/// `text` with the values of its `date` and `last-modified` headers
/// blanked (two servers may answer, and may have started, in different
/// seconds).
fn undated(text: &str) -> String {
    text.lines()
        .map(|line| {
            for name in ["date: ", "last-modified: "] {
                if line.starts_with(name) {
                    return format!("{name}*");
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `port`'s server writes for `requests`, sent on one connection.
fn exchange_all(port: u16, requests: &[&[u8]]) -> Vec<String> {
    let mut stream = connect(port);
    let mut pending = Vec::new();
    requests
        .iter()
        .map(|request| {
            stream.write_all(request).unwrap();
            let (head, body) =
                read_response(&mut stream, &mut pending, request.starts_with(b"HEAD"));
            undated(&format!("{head}{body}"))
        })
        .collect()
}

#[test]
fn hyper_can_serve_every_http1_request_with_the_same_answers() {
    let (_config, _own, own_port) = start();
    let hyper_port = free_port();
    let config = config_file(
        "config.mjs",
        &std::fs::read_to_string(&_config.path)
            .unwrap()
            .replace(&own_port.to_string(), &hyper_port.to_string()),
    );
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lactoserv"));
    command
        .env("LACTOSERV_HTTP1", "hyper")
        .arg(format!("--config={}", config.path.display()))
        .arg("--log-to-stdout");
    let hyper = ServerProcess::spawn(command);
    hyper.wait_until_listening(hyper_port);
    let requests: [&[u8]; 5] = [
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /nowhere?q=1 HTTP/1.1\r\nHost: a:81\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    ];
    let own = exchange_all(own_port, &requests);
    let by_hyper = exchange_all(hyper_port, &requests);
    assert_eq!(own, by_hyper);
    let (status, log) = hyper.stop_and_read("TERM");
    assert!(status.success());
    assert!(log.contains(" main.system http1Engine('hyper')"), "{log}");
}

#[test]
fn an_unknown_http1_engine_is_refused_at_start() {
    let (config, _own, _) = start();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lactoserv"))
        .env("LACTOSERV_HTTP1", "fast")
        .arg(format!("--config={}", config.path.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("LACTOSERV_HTTP1: must be `own` or `hyper`, not `fast`"),
        "{stderr}"
    );
}

//! Clients at the edges of HTTP/1 through the real binary: one that
//! half-closes its connection once its request is sent, and one that goes
//! quiet on a kept-alive connection.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::server::{LACTOSERV, ServerProcess, free_port, read_some};
use crate::util::{ConfigDir, config_file};

/// A server whose every path answers `done` after `delay`.
fn start(delay: &str) -> (ConfigDir, ServerProcess, u16) {
    let port = free_port();
    let config = config_file(
        "config.mjs",
        &format!(
            "import {{ RequestDelay, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'wait', class: RequestDelay, delay: '{delay}' }},
    {{ name: 'done', class: SimpleResponse, contentType: 'text/plain', body: 'done\\n' }},
    {{ name: 'slow', class: SerialRouter, applications: ['wait', 'done'] }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{port}', application: 'slow' }}
  ]
}};
"
        ),
    );
    let server = ServerProcess::start(LACTOSERV, &config.path, port);
    (config, server, port)
}

/// Sends `request`, closes the sending side, and reads until the server
/// closes.
fn half_closed_exchange(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8(answer).unwrap()
}

#[test]
fn a_client_that_half_closes_after_its_request_still_gets_the_answer() {
    let (_config, _server, port) = start("300 msec");
    // The request is in the application (waiting) when the end of the
    // client's stream arrives; the answer still goes out, and then the
    // server closes the connection.
    let answer = half_closed_exchange(port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\ndone\n"), "{answer}");
    // Two requests sent back to back before the half-close are both
    // answered, in order.
    let answer = half_closed_exchange(
        port,
        b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
}

/// Sends one request on `stream` and reads its whole answer.
fn ask(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0_u8; 1024];
    while !answer.ends_with(b"done\n") {
        let n = read_some(stream, &mut buf).unwrap();
        assert!(n > 0, "closed before the answer");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(answer).unwrap()
}

#[test]
fn a_kept_alive_connection_closes_five_seconds_after_its_last_answer() {
    // The binary times connections on the coarse clock: the timeout counts
    // from the last answer, not from the connection's start, on that clock.
    let (_config, _server, port) = start("1 msec");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for _ in 0..3 {
        let answer = ask(&mut stream);
        assert!(answer.contains("keep-alive: timeout=5\r\n"), "{answer}");
        std::thread::sleep(Duration::from_millis(1500));
    }
    ask(&mut stream);
    let answered = Instant::now();
    // Nothing more comes; the server closes its end.
    let mut buf = [0_u8; 16];
    assert_eq!(read_some(&mut stream, &mut buf).unwrap(), 0);
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(4900) && idle < Duration::from_secs(8),
        "{idle:?}"
    );
}

//! Clients at the edges of HTTP/1 through the real binary: one that
//! half-closes its connection once its request is sent.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use crate::server::{ServerProcess, free_port};

/// A server whose every path answers `done` after `delay`.
fn start(delay: &str) -> (tempfile::TempDir, ServerProcess, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
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
    )
    .unwrap();
    let server = ServerProcess::start_in(dir.path(), &config, port, &[]);
    (dir, server, port)
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
    let (_dir, _server, port) = start("300 msec");
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

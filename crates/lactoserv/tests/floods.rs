//! HTTP/2 clients that flood the server with protocol frames: each ends
//! its own session, with a log event, and other clients go on being served.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::any_certificate_config;

/// A TLS connection to `port` that has agreed on HTTP/2.
async fn connect(port: u16) -> TlsStream<TcpStream> {
    let config = any_certificate_config(b"h2");
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    tls
}

fn start() -> (tempfile::TempDir, ServerProcess, u16) {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    crate::util::write_tls_config(&config, "http2", port, "hi");
    let server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    (dir, server, port)
}

/// A normal HTTP/2 request still gets its answer.
async fn still_served(port: u16) {
    let (mut send, connection) = h2::client::handshake(connect(port).await).await.unwrap();
    tokio::spawn(connection);
    let request = http::Request::get("https://localhost/").body(()).unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    let response = tokio::time::timeout(Duration::from_secs(5), response)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rapid_reset_flood_ends_its_session() {
    let (_dir, server, port) = start();
    let (mut send, connection) = h2::client::handshake(connect(port).await).await.unwrap();
    let connection = tokio::spawn(connection);
    for _ in 0..1000 {
        let request = http::Request::get("https://localhost/").body(()).unwrap();
        let Ok((_, mut stream)) = send.send_request(request, false) else {
            break;
        };
        stream.send_reset(h2::Reason::CANCEL);
    }
    let ended = tokio::time::timeout(Duration::from_secs(5), connection)
        .await
        .expect("the server ends the session")
        .unwrap();
    // A GOAWAY (`ENHANCE_YOUR_CALM`), or the close that follows it if the
    // client was still writing.
    let err = ended.expect_err("the session is ended");
    assert!(
        err.reason() == Some(h2::Reason::ENHANCE_YOUR_CALM) || err.is_io(),
        "{err}"
    );
    still_served(port).await;
    let (_, log) = server.stop_and_read("TERM");
    assert!(log.contains(" http2Abuse()"), "{log}");
}

/// An HTTP/2 frame header.
fn frame(length: usize, kind: u8, flags: u8, stream: u32) -> Vec<u8> {
    let mut bytes = (length as u32).to_be_bytes()[1..].to_vec();
    bytes.extend([kind, flags]);
    bytes.extend(stream.to_be_bytes());
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_flood_ends_its_session_without_being_buffered() {
    let (_dir, server, port) = start();
    let mut tls = connect(port).await;
    let mut opening = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    opening.extend(frame(0, 0x4, 0, 0)); // SETTINGS, empty
    // HEADERS without END_HEADERS: `:method GET`, `:scheme https`,
    // `:path /`, then a literal header whose value never ends.
    let block = [0x82, 0x87, 0x84, 0x00, 0x01, b'x', 0x7f, 0xff, 0xff, 0x03];
    opening.extend(frame(block.len(), 0x1, 0x1, 1));
    opening.extend(block);
    tls.write_all(&opening).await.unwrap();
    let piece = [b'a'; 10];
    let mut sent = 0;
    for _ in 0..100_000 {
        let mut continuation = frame(piece.len(), 0x9, 0, 1);
        continuation.extend(piece);
        if tls.write_all(&continuation).await.is_err() {
            break;
        }
        sent += 1;
    }
    // The server answers with a GOAWAY and closes.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut rest)).await;
    assert!(
        rest.windows(2).any(|w| w == [0x7, 0x0]) || sent < 100_000,
        "no GOAWAY and every frame taken"
    );
    still_served(port).await;
    let (_, log) = server.stop_and_read("TERM");
    assert!(log.contains(" http2Abuse()"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_limited_to_a_hundred_streams_at_once() {
    let (_dir, _server, port) = start();
    let (mut send, connection) = h2::client::handshake(connect(port).await).await.unwrap();
    tokio::spawn(connection);
    // The server's settings have arrived once a request has been answered.
    let request = http::Request::get("https://localhost/").body(()).unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    assert_eq!(response.await.unwrap().status(), 200);
    assert_eq!(send.current_max_send_streams(), 100);
}

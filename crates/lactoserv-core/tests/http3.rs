//! HTTP/3's time limits, on tokio's paused clock (a server in this
//! process, a real QUIC client over loopback): an idle connection is
//! dropped after 60 s, a request head that never comes is given up after
//! 30 s, an answer the client stops reading after 180 s.

use std::time::Duration;

use lactoserv_core::server::Server;
use lactoserv_test_util::http3::Http3Client;
use serde_json::json;

use super::server::{BIG, start_with};

/// A server of probes over HTTP/2 and HTTP/3, and its port.
async fn start() -> (Server, u16) {
    let port = lactoserv_test_util::ports::free_port();
    let value = json!({
        "hosts": [{ "hostnames": ["localhost"], "selfSigned": true }],
        "applications": [{ "name": "probe", "class": "Probe" }],
        "endpoints": [{ "name": "main", "protocol": "http2", "http3": true,
                        "interface": format!("127.0.0.1:{port}"), "application": "probe" }]
    });
    (start_with(&value).await, port)
}

#[tokio::test(start_paused = true)]
async fn an_idle_http3_connection_is_dropped_after_sixty_seconds() {
    let (_server, port) = start().await;
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    assert_eq!(h3.get("/x", &[]).await.unwrap().status, 200);
    tokio::time::sleep(Duration::from_secs(59)).await;
    // Still there after 59 s (the client's own limit is 120 s).
    assert_eq!(h3.get("/x", &[]).await.unwrap().status, 200);
    tokio::time::sleep(Duration::from_secs(61)).await;
    let gone = h3.get("/x", &[]).await.unwrap_err();
    assert!(format!("{gone:?}").contains("Timeout"), "{gone:?}");
}

#[tokio::test(start_paused = true)]
async fn an_http3_request_head_that_never_comes_is_given_up_after_thirty_seconds() {
    let (_server, port) = start().await;
    let h3 = Http3Client::connect(port, "localhost").await.unwrap();
    let mut silent = h3.open_silent_stream().await.unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(29), silent.ended()).await;
    assert!(waited.is_err(), "ended before 29 s: {waited:?}");
    let ended = tokio::time::timeout(Duration::from_secs(2), silent.ended()).await;
    assert!(ended.is_ok(), "still open after 31 s");
    // The connection itself goes on.
    let mut h3 = h3;
    assert_eq!(h3.get("/x", &[]).await.unwrap().status, 200);
}

#[tokio::test(start_paused = true)]
async fn an_http3_answer_the_client_stops_reading_is_given_up_after_180_seconds() {
    let (_server, port) = start().await;
    // A client that keeps the connection alive while it does not read, as
    // browsers do: the stream's own limit, not QUIC's idle one, cuts it.
    let keep_alive = Some(Duration::from_secs(15));
    let mut h3 = Http3Client::connect_with(port, "localhost", keep_alive)
        .await
        .unwrap();
    // Read at once, the whole body comes.
    let read = h3.get_unread("/big").await.unwrap();
    assert_eq!(read.read_rest().await.unwrap(), BIG);
    // Left unread for longer than the limit, it is cut off.
    let unread = h3.get_unread("/big").await.unwrap();
    assert_eq!(unread.status, 200);
    tokio::time::sleep(Duration::from_secs(181)).await;
    let cut = unread.read_rest().await;
    assert!(cut.is_err(), "{cut:?}");
    // The connection itself goes on.
    assert_eq!(h3.get("/x", &[]).await.unwrap().status, 200);
}

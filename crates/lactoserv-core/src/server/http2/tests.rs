//! The server's own HTTP/2 against a real client (`h2`'s), over an
//! in-memory connection: answers from memory and awaited, bodies within
//! the client's windows, request bodies and their limit, `HEAD`, the
//! header-list limit, going away.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use tokio::io::DuplexStream;

use super::Http2;
use crate::app::{Application, Handled};
use crate::endpoint::Protocol;
use crate::log::Logger;
use crate::net::{Body, Dispatch, Part, Prepared, Request, Response};
use crate::server::conn::activity::Activity;
use crate::server::conn::drive::{Ending, drive};
use crate::server::conn::limits;
use crate::server::conn::{Connection, tracked::Tracked};
use crate::server::endpoint::EndpointContext;

/// The size of `/big`'s body.
const BIG: usize = 300_000;

/// The size of `/file`'s body, streamed from a file a chunk at a time.
const FILE: usize = 1_000_000;

/// `/` from memory (prepared), `/later` awaited, `/big` a large body,
/// `/file` a body streamed from a file; others declined (the server's
/// 404).
struct App(Prepared, Arc<std::fs::File>);

#[async_trait]
impl Application for App {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Handled {
        if dispatch.extra() == "/later" {
            tokio::time::sleep(Duration::from_millis(5)).await;
            return Ok(Some(text("later\n")));
        }
        Ok(self.now(request, dispatch))
    }

    fn handle_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Handled> {
        (dispatch.extra() != "/later").then(|| Ok(self.now(request, dispatch)))
    }
}

impl App {
    fn now(&self, _request: &Request, dispatch: &Dispatch<'_>) -> Option<Response> {
        match dispatch.extra() {
            "/" => Some(self.0.response()),
            "/big" => Some(Response::full(
                StatusCode::OK,
                HeaderValue::from_static("application/octet-stream"),
                Bytes::from(pattern(BIG)),
            )),
            "/file" => Some(Response::new(
                StatusCode::OK,
                Body::Parts(vec![Part::File {
                    file: self.1.clone(),
                    offset: 0,
                    len: FILE as u64,
                }]),
            )),
            _ => None,
        }
    }
}

/// `FILE` bytes of a pattern, in a file of their own.
fn file() -> Arc<std::fs::File> {
    use std::io::Write as _;
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&pattern(FILE)).unwrap();
    Arc::new(file)
}

/// `len` bytes that show where each one is.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn text(body: &'static str) -> Response {
    Response::full(
        StatusCode::OK,
        HeaderValue::from_static("text/plain"),
        Bytes::from_static(body.as_bytes()),
    )
}

/// A session served on one end of an in-memory connection; the other
/// end, the endpoint (whose stop signal it reads), and the session's task.
fn serve() -> (
    DuplexStream,
    Arc<EndpointContext>,
    tokio::task::JoinHandle<Ending>,
) {
    let endpoint = Arc::new(EndpointContext::bare(
        Protocol::Http2,
        Arc::new(App(Prepared::new(text("hello\n")), file())),
    ));
    let (client, server) = tokio::io::duplex(64 * 1024);
    let connection = Arc::new(Connection {
        endpoint: endpoint.clone(),
        logger: Logger::disabled(),
        activity: Activity::new(),
        remote: None,
        session: OnceLock::new(),
        chunks: OnceLock::new(),
    });
    let task = tokio::spawn(async move {
        let mut phase = connection.endpoint.stop.watch();
        let stream = Tracked::new(server, connection.clone(), None);
        let session = Http2::new(stream, connection.clone());
        drive(
            session,
            &mut phase,
            true,
            None,
            &connection.activity,
            &limits::HTTP2,
        )
        .await
    });
    (client, endpoint, task)
}

type Sender = h2::client::SendRequest<Bytes>;

async fn client(io: DuplexStream, builder: &h2::client::Builder) -> Sender {
    let (send, connection) = builder.handshake(io).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    send
}

/// Sends `method path` (with `body`, if any) and gives the status, the
/// headers and the whole body.
async fn ask(
    send: &mut Sender,
    method: Method,
    path: &str,
    body: Option<&[u8]>,
) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("https://localhost{path}"))
        .body(())
        .unwrap();
    let (response, mut stream) = send
        .clone()
        .ready()
        .await
        .unwrap()
        .send_request(request, body.is_none())
        .unwrap();
    if let Some(body) = body {
        stream
            .send_data(Bytes::copy_from_slice(body), true)
            .unwrap();
    }
    let response = response.await.unwrap();
    let (parts, mut incoming) = response.into_parts();
    let mut data = Vec::new();
    while let Some(chunk) = incoming.data().await {
        let chunk = chunk.unwrap();
        incoming
            .flow_control()
            .release_capacity(chunk.len())
            .unwrap();
        data.extend_from_slice(&chunk);
    }
    (parts.status, parts.headers, data)
}

#[tokio::test]
async fn answers_concurrent_streams_from_memory_and_awaited() {
    let (io, _stop, _task) = serve();
    let send = client(io, &h2::client::Builder::new()).await;
    let mut asks = Vec::new();
    for n in 0..16 {
        let mut send = send.clone();
        let path = if n % 2 == 0 { "/" } else { "/later" };
        asks.push(tokio::spawn(async move {
            ask(&mut send, Method::GET, path, None).await
        }));
    }
    for (n, asked) in asks.into_iter().enumerate() {
        let (status, headers, body) = asked.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["server"], "lactoserv-test");
        assert!(headers.contains_key("date"));
        let want: &[u8] = if n % 2 == 0 { b"hello\n" } else { b"later\n" };
        assert_eq!(body, want);
        assert_eq!(headers["content-length"], want.len().to_string());
    }
}

#[tokio::test]
async fn many_streamed_files_at_once_all_arrive_whole() {
    // More streams than the connection has chunk permits, and a pipe that
    // fills: bodies wait for permits and for the writes in turn, and each
    // wait must be woken.
    let (io, _stop, _task) = serve();
    let mut builder = h2::client::Builder::new();
    builder
        .initial_window_size(1 << 30)
        .initial_connection_window_size(1 << 30);
    let send = client(io, &builder).await;
    let mut asks = Vec::new();
    for _ in 0..40 {
        let mut send = send.clone();
        asks.push(tokio::spawn(async move {
            ask(&mut send, Method::GET, "/file", None).await
        }));
    }
    let want = pattern(FILE);
    for asked in asks {
        let asked = tokio::time::timeout(Duration::from_secs(30), asked);
        let (status, headers, body) = asked.await.expect("stalled").unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-length"], FILE.to_string());
        assert!(body == want, "body differs");
    }
}

#[tokio::test]
async fn a_client_that_leaves_mid_answer_ends_its_session() {
    let (io, _stop, task) = serve();
    // A stream window of 1 byte: the answers stay under way.
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(1)
        .handshake::<_, Bytes>(io)
        .await
        .unwrap();
    let connection = tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut heads = Vec::new();
    for _ in 0..8 {
        let request = http::Request::get("https://localhost/file")
            .body(())
            .unwrap();
        let (response, _) = send
            .clone()
            .ready()
            .await
            .unwrap()
            .send_request(request, true)
            .unwrap();
        heads.push(response);
    }
    for head in heads {
        assert_eq!(head.await.unwrap().status(), StatusCode::OK);
    }
    // The client goes, its connection with it.
    connection.abort();
    let _ = connection.await;
    drop(send);
    let ending = tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("the session is still waiting")
        .unwrap();
    assert!(matches!(ending, Ending::Done), "the session ends by itself");
}

#[tokio::test]
async fn a_body_goes_out_within_the_clients_windows() {
    let (io, _stop, _task) = serve();
    // A stream window of 1 byte: every DATA frame waits for the client.
    let mut builder = h2::client::Builder::new();
    builder.initial_window_size(1);
    let mut send = client(io, &builder).await;
    let (status, _, body) = ask(&mut send, Method::GET, "/", None).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"hello\n"[..]));
    // A body larger than the connection's default window.
    let mut send = {
        let (io, _stop, _task) = serve();
        std::mem::forget((_stop, _task));
        client(io, &h2::client::Builder::new()).await
    };
    let (status, headers, body) = ask(&mut send, Method::GET, "/big", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-length"], BIG.to_string());
    assert_eq!(body.len(), BIG);
    assert!(body.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
}

#[tokio::test]
async fn head_says_the_length_and_sends_nothing() {
    let (io, _stop, _task) = serve();
    let mut send = client(io, &h2::client::Builder::new()).await;
    let (status, headers, body) = ask(&mut send, Method::HEAD, "/big", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-length"], BIG.to_string());
    assert!(body.is_empty());
}

#[tokio::test]
async fn request_bodies_are_counted_against_the_limit() {
    let (io, _stop, _task) = serve();
    let mut send = client(io, &h2::client::Builder::new()).await;
    // POST is answered 403 by nothing here: the app declines, a 404.
    let (status, _, _) = ask(&mut send, Method::POST, "/nothing", Some(&[1; 64])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = ask(&mut send, Method::POST, "/nothing", Some(&[1; 65])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&body).contains("larger than allowed maximum of 64 bytes"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, body) = ask(&mut send, Method::GET, "/", Some(b"x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("Expected empty request body"));
    // The session goes on.
    let (status, _, _) = ask(&mut send, Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_header_list_over_the_limit_gets_431() {
    let (io, _stop, _task) = serve();
    let mut send = client(io, &h2::client::Builder::new()).await;
    let request = http::Request::get("https://localhost/")
        .header("x-big", "a".repeat(limits::HEAD_SIZE))
        .body(())
        .unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let (status, _, _) = ask(&mut send, Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn going_away_answers_the_streams_in_progress_then_ends() {
    let (io, endpoint, task) = serve();
    let mut send = client(io, &h2::client::Builder::new()).await;
    let request = http::Request::get("https://localhost/later")
        .body(())
        .unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    // Let the request reach the server, then stop.
    tokio::time::sleep(Duration::from_millis(1)).await;
    endpoint.stop.begin(
        crate::server::conn::stop::Phase::Closing,
        &Logger::disabled(),
    );
    let response = response.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let ending = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(ending, Ending::Done), "the session ends by itself");
}

//! What the endpoint does around an application: the not-found page for a
//! request it declines, 500 for an error, the built-in 400s, closing HTTP1
//! connections after server errors, and a graceful stop. Its probe
//! application and `start_with` serve the other modules too.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{AppRef, Application, HandleError};
use lactoserv_core::bind::BindError;
use lactoserv_core::catalog::Catalog;
use lactoserv_core::component::ApplicationConfig;
use lactoserv_core::net::{Dispatch, Request, Response};
use lactoserv_core::server::{Server, ServerOptions};
use lactoserv_core::webapp::WebappConfig;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An application that answers by the first path component: `decline`
/// declines, `fail` fails, `teapot` is a status-only 418, `sleep` and
/// `slow` wait, `big` is 8 MiB, anything else echoes what it saw.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProbeConfig {}

struct Probe;

impl ApplicationConfig for ProbeConfig {
    fn build(&self) -> Result<AppRef, BindError> {
        Ok(Arc::new(Probe))
    }
}

#[async_trait]
impl Application for Probe {
    async fn handle_request(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        match dispatch.extra_components().next() {
            Some("decline") => Ok(None),
            Some("fail") => Err(HandleError::new("the probe failed on purpose")),
            Some("teapot") => Ok(Some(Response::status_only(StatusCode::IM_A_TEAPOT))),
            Some("sleep") => {
                tokio::time::sleep(Duration::from_secs(12)).await;
                Ok(Some(text("awake\n")))
            }
            Some("big") => Ok(Some(Response::full(
                StatusCode::OK,
                HeaderValue::from_static("application/octet-stream"),
                bytes::Bytes::from(vec![b'x'; BIG]),
            ))),
            Some("slow") => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(Some(text("slow done\n")))
            }
            _ => Ok(Some(text(&format!(
                "{} {} {:?} {}\n",
                request.host,
                request.method,
                dispatch.extra_components().collect::<Vec<_>>(),
                request.search()
            )))),
        }
    }
}

/// The length of the probe's `big` answer.
pub(crate) const BIG: usize = 8 * 1024 * 1024;

fn text(body: &str) -> Response {
    Response::full(
        StatusCode::OK,
        HeaderValue::from_static("text/plain; charset=utf-8"),
        bytes::Bytes::from(body.to_owned()),
    )
}

async fn start() -> (Server, u16) {
    let port = lactoserv_test_util::ports::free_port();
    let value = json!({
        "applications": [{ "name": "probe", "class": "Probe" }],
        "endpoints": [{ "name": "main", "protocol": "http", "interface": format!("127.0.0.1:{port}"),
                        "application": "probe" }]
    });
    (start_with(&value).await, port)
}

/// A server of `value`, a config whose applications may be probes.
pub(crate) async fn start_with(value: &serde_json::Value) -> Server {
    let mut catalog = Catalog::new();
    catalog.add_application::<ProbeConfig>("Probe");
    let config = WebappConfig::from_value(value, &catalog).unwrap();
    let options = ServerOptions {
        server_header: HeaderValue::from_static("lactoserv-test 0000000"),
        logger: lactoserv_core::log::Logger::disabled(),
        log_stream: None,
        heap: None,
        shutdown: lactoserv_core::service::Shutdown::unheard(),
        http1: lactoserv_core::server::Http1Engine::Own,
        http2: lactoserv_core::server::Http2Engine::Own,
    };
    Server::start(&config, &options).await.unwrap()
}

/// Sends `request` on a fresh connection and reads until the server closes.
async fn raw(port: u16, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

fn body_of(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

#[tokio::test]
async fn a_declined_request_gets_the_reference_not_found_page() {
    let (_server, port) = start().await;
    let answer = raw(
        port,
        "GET /decline/x?a=1&b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
    assert!(
        answer.contains("content-type: text/plain; charset=utf-8\r\n"),
        "{answer}"
    );
    assert_eq!(
        body_of(&answer),
        format!("404 Not Found:\n\n//127.0.0.1:{port}/decline/x?a=1&b\n")
    );
}

#[tokio::test]
async fn an_application_error_is_a_500_that_reveals_nothing_and_closes() {
    let (_server, port) = start().await;
    // No `Connection: close` from the client: the server closes by itself.
    let answer = raw(port, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{answer}"
    );
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert_eq!(body_of(&answer), "500 Internal Server Error\n");
}

#[tokio::test]
async fn status_only_responses_get_the_meta_body() {
    let (_server, port) = start().await;
    let answer = raw(
        port,
        "GET /teapot HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 418 I'm a Teapot\r\n") || answer.starts_with("HTTP/1.1 418 "),
        "{answer}"
    );
    assert_eq!(body_of(&answer), "418 I'm a Teapot\n");
}

#[tokio::test]
async fn the_application_sees_the_canonical_path_and_host() {
    let (_server, port) = start().await;
    let answer = raw(
        port,
        "GET /a/./b/../c//d?q HTTP/1.1\r\nHost: WWW.Example.COM:0080\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        body_of(&answer),
        "www.example.com:80 GET [\"a\", \"c\", \"\", \"d\"] ?q\n"
    );
    let answer = raw(port, "GET / HTTP/1.0\r\n\r\n").await;
    assert_eq!(body_of(&answer), format!("localhost:{port} GET [\"\"] \n"));
}

#[tokio::test]
async fn a_graceful_stop_lets_requests_in_flight_finish() {
    let (server, port) = start().await;
    let request = tokio::spawn(raw(
        port,
        "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ));
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop(Duration::from_secs(5)).await;
    let answer = request.await.unwrap();
    assert_eq!(body_of(&answer), "slow done\n");
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "no longer listening"
    );
}

#[tokio::test(start_paused = true)]
async fn an_idle_http1_connection_closes_after_five_seconds() {
    let (_server, port) = start().await;
    let started = tokio::time::Instant::now();
    let answer = raw(port, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_in_progress_is_not_idle() {
    let (_server, port) = start().await;
    let started = tokio::time::Instant::now();
    let answer = raw(port, "GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(body_of(&answer), "awake\n");
    // Answered after 12 s, then closed 5 s after that.
    assert!(
        started.elapsed() >= Duration::from_secs(17),
        "{:?}",
        started.elapsed()
    );
}

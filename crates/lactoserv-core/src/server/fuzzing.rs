//! The server's HTTP1 side driven from bytes, without sockets, for the
//! fuzz targets in `fuzz/` (the `fuzzing` feature).

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::conn::activity::Activity;
use super::conn::tracked::Tracked;
use super::conn::{Connection, speak_http1};
use super::endpoint::{EndpointContext, Http1Engine};
use crate::app::{Application, Handled};
use crate::endpoint::Protocol;
use crate::log::Logger;
use crate::net::{Dispatch, Prepared, Request, Response};

/// Answers `/` with a prepared response, `/echo…` with its target, and
/// declines the rest (the server's 404 page).
struct Probe(Prepared);

#[async_trait]
impl Application for Probe {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Handled {
        Ok(self.answer(request, dispatch))
    }

    fn handle_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Handled> {
        Some(Ok(self.answer(request, dispatch)))
    }
}

impl Probe {
    fn answer(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Response> {
        match dispatch.extra() {
            "/" => Some(self.0.response()),
            extra if extra.starts_with("/echo") => Some(Response::full(
                StatusCode::OK,
                HeaderValue::from_static("text/plain"),
                Bytes::from(format!("{} {}", request.method, request.target())),
            )),
            _ => None,
        }
    }
}

/// What a connection of an `http` endpoint whose HTTP1 is served by
/// `engine` writes for a client that sends `input` and then closes its
/// side; the `date` header's value blanked.
pub fn http1_exchange(input: &[u8], engine: Http1Engine) -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Timeouts pass at once when nothing else can happen.
        .start_paused(true)
        .build()
        .expect("a runtime");
    let written = runtime.block_on(async {
        let endpoint = Arc::new(endpoint(engine));
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let connection = Arc::new(Connection {
            endpoint: endpoint.clone(),
            logger: Logger::disabled(),
            activity: Activity::new(),
            remote: None,
            session: OnceLock::new(),
            chunks: OnceLock::new(),
        });
        let serving = tokio::spawn(async move {
            let mut phase = connection.endpoint.stop.watch();
            let stream = Tracked::new(server, connection.clone(), None);
            speak_http1(stream, &mut phase, &connection).await;
        });
        let _ = client.write_all(input).await;
        let _ = client.shutdown().await;
        let mut written = Vec::new();
        let _ = client.read_to_end(&mut written).await;
        let _ = serving.await;
        written
    });
    undated(&written)
}

fn endpoint(engine: Http1Engine) -> EndpointContext {
    let hello = Response::full(
        StatusCode::OK,
        HeaderValue::from_static("text/plain"),
        Bytes::from_static(b"hello\n"),
    );
    EndpointContext {
        http1: engine,
        server_header: HeaderValue::from_static("lactoserv-fuzz"),
        port: 8080,
        ..EndpointContext::bare(Protocol::Http, Arc::new(Probe(Prepared::new(hello))))
    }
}

/// `bytes` with every `date: …` header value blanked.
fn undated(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = rest.windows(8).position(|w| w == b"\r\ndate: ") {
        out.extend_from_slice(&rest[..at + 8]);
        out.push(b'*');
        rest = &rest[at + 8..];
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_answer_a_plain_fetch_alike() {
        let input = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /echo?x HTTP/1.1\r\nHost: a\r\n\r\n";
        let own = http1_exchange(input, Http1Engine::Own);
        assert!(
            own.starts_with(b"HTTP/1.1 200 OK\r\n"),
            "{}",
            String::from_utf8_lossy(&own)
        );
        assert!(
            own.ends_with(b"GET /echo?x"),
            "{}",
            String::from_utf8_lossy(&own)
        );
        assert_eq!(own, http1_exchange(input, Http1Engine::Hyper));
    }
}

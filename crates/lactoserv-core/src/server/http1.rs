//! Serving an HTTP1 connection: the server's own loop for the requests
//! that make up nearly all of a site's traffic, hyper for everything else.
//!
//! A `GET` or `HEAD` over HTTP/1.1 with no body and an origin-form target
//! is read, answered and written here, with `httparse` (hyper's own
//! parser) and the encoder of `head`, which writes what hyper
//! writes. Any other request (a body, another method, HTTP/1.0, an
//! `Expect` or `Upgrade`, a head hyper answers with an error, a head too
//! large) hands the connection, with the bytes already read, to hyper,
//! which serves it from then on.
//!
//! Why not hyper for all of it: serving small responses with no more CPU
//! than nginx is a goal of this server, and with hyper's general machinery
//! (a dispatcher between connection and service, header maps recycled
//! through the encoder, a read-ahead after each response) the server took
//! a fifth more instructions per small response than the whole of nginx;
//! with this loop it takes about a third fewer (`bench/instructions`). The
//! common case alone needs little of that machinery.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::BytesMut;
use http::{HeaderMap, Method, StatusCode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::answer::response_body;
use super::body::ResponseBody;
use super::connection::Connection;
use super::handler::{Taken, begin_bodiless};
use super::host_cache::HostCache;
use super::limits;
use super::winding::{BoxError, Winding};
use crate::net::prepared::HeaderLines;

mod hand_over;
mod head;
mod parse;
mod send;
#[cfg(test)]
mod tests;

use hand_over::hand_over;
pub(crate) use head::header_lines;
use head::{encode_head, encode_prepared};
use parse::{Parsed, parse};
use send::write_body;

/// Room made in the read buffer before each read.
const READ_ROOM: usize = 8 * 1024;

/// One HTTP1 connection, as [`super::drain::drive`] runs it.
pub(crate) struct Http1 {
    serving: Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>,
    /// Set to end the connection once it is between requests.
    stop: Arc<AtomicBool>,
}

impl Http1 {
    /// Serves `io` for `state`'s endpoint.
    pub(crate) fn new<S>(io: S, state: Arc<Connection>) -> Self
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        Self {
            serving: Box::pin(serve(io, state, stop.clone())),
            stop,
        }
    }
}

impl Winding for Http1 {
    fn poll_serve(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.serving.as_mut().poll(cx)
    }

    fn graceful_shutdown(self: Pin<&mut Self>) {
        // The loop looks at the flag when it is next polled, which the
        // driver does at once.
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn serve<S>(mut io: S, state: Arc<Connection>, stop: Arc<AtomicBool>) -> Result<(), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut buf = BytesMut::with_capacity(READ_ROOM);
    let mut out = Vec::with_capacity(1024);
    let mut hosts = HostCache::default();
    // The header map of the last request, emptied, for the next one: most
    // requests fit in the space the last one took.
    let mut spare = HeaderMap::new();
    let port = state.endpoint.port;
    loop {
        let head = loop {
            if !buf.is_empty() {
                match parse(&mut buf, &mut hosts, port, &mut spare) {
                    Parsed::Request(head) => break head,
                    Parsed::Partial if buf.len() < limits::HEAD_SIZE => {}
                    Parsed::Partial => return hand_over(io, None, buf, &state, &stop).await,
                    Parsed::Other(taken) => return hand_over(io, taken, buf, &state, &stop).await,
                }
            }
            if buf.capacity() - buf.len() < READ_ROOM / 2 {
                buf.reserve(READ_ROOM);
            }
            let idle = buf.is_empty();
            let read = io.read_buf(&mut buf);
            tokio::pin!(read);
            let read = std::future::poll_fn(|cx| {
                // A stopping server closes connections between requests.
                if idle && stop.load(Ordering::Relaxed) {
                    return Poll::Ready(None);
                }
                read.as_mut().poll(cx).map(Some)
            })
            .await;
            match read.transpose()? {
                None => return Ok(()),
                Some(n) if n > 0 => {}
                // The client closed its side between requests.
                Some(_) if buf.is_empty() => return Ok(()),
                // In the middle of a head: hyper says how that ends.
                Some(_) => return hand_over(io, None, buf, &state, &stop).await,
            }
        };
        let is_head = head.request.method() == Method::HEAD;
        let (parts, ()) = head.request.into_parts();
        let outgoing = {
            let _in_flight = state.activity.request();
            match begin_bodiless(&state, head.host, parts, Some(head.close)) {
                Taken::Job(mut job) => {
                    let response = job.respond(&state).await;
                    let outgoing = match job.prepared_lines(&state, &response) {
                        // A request that asks to close gets the lines for
                        // closing (`Job::take` was told).
                        Some(lines) => {
                            let status = response.status;
                            let body = response_body(response.body);
                            let body = job.prepared_body(&state, status, body);
                            Outgoing::Prepared(status, lines, body)
                        }
                        _ => Outgoing::Response(job.finish(&state, response)),
                    };
                    spare = job.into_headers();
                    spare.clear();
                    outgoing
                }
                Taken::Answered(out) => Outgoing::Response(out),
            }
        };
        let (plan, body) = match outgoing {
            Outgoing::Prepared(status, lines, body) => {
                let length = length_of(&body);
                let plan = encode_prepared(&mut out, status, &lines, length, is_head, head.close);
                (plan, body)
            }
            Outgoing::Response(response) => {
                let (parts, body) = response.into_parts();
                let length = length_of(&body);
                let plan = encode_head(
                    &mut out,
                    parts.status,
                    &parts.headers,
                    length,
                    is_head,
                    head.close,
                )?;
                (plan, body)
            }
        };
        write_body(&mut io, &mut out, body, plan).await?;
        if plan.last {
            io.shutdown().await?;
            return Ok(());
        }
    }
}

/// A response ready to write.
enum Outgoing {
    /// A prepared response: its status, header lines written beforehand
    /// (and whether they close the connection), and body.
    Prepared(StatusCode, HeaderLines, ResponseBody),
    /// Any response.
    Response(hyper::Response<ResponseBody>),
}

/// The length of `body`, `None` for no body (as hyper takes it).
fn length_of(body: &ResponseBody) -> Option<u64> {
    if hyper::body::Body::is_end_stream(body) {
        None
    } else {
        // The server's bodies always know their length.
        Some(
            hyper::body::Body::size_hint(body)
                .exact()
                .unwrap_or_default(),
        )
    }
}

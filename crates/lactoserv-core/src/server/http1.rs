//! Serving an HTTP1 connection: the server's own loop for the requests
//! that make up nearly all of a site's traffic, hyper for everything else.
//!
//! A `GET` or `HEAD` over HTTP/1.1 with no body and an origin-form target
//! is read here (`parse`, with `httparse`, hyper's own parser), goes
//! through the request pipeline like any other request, and its answer is
//! written here (`write` and `encode` for the head, `send` for the body),
//! byte for byte as hyper writes it. Any other request (a body, another
//! method, HTTP/1.0, an `Expect` or `Upgrade`, a head hyper answers with an
//! error, a head too large) hands the connection, with the bytes already
//! read, to hyper (`hand_over`), which serves it from then on. An endpoint
//! can also leave every request to hyper (`Http1Engine::Hyper`).
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
use std::task::{Context, Poll};

use bytes::BytesMut;
use http::HeaderMap;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::conn::Connection;
use super::conn::drive::{BoxError, Driven};
use super::conn::limits;
use super::conn::stop::Phase;
use super::request::host::HostCache;
use super::request::{Intake, started, take};

mod encode;
mod hand_over;
mod parse;
mod send;
#[cfg(test)]
mod tests;
mod write;

pub(crate) use encode::extend_date;
use hand_over::hand_over;
use parse::{Parsed, parse};
use send::write_body;

/// Room made in the read buffer before each read.
const READ_ROOM: usize = 8 * 1024;

/// One HTTP1 connection, as [`drive`](super::conn::drive::drive) runs it.
pub(crate) struct Http1 {
    serving: Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>,
}

impl Http1 {
    /// Serves `io` for `connection`'s endpoint.
    pub(crate) fn new<S>(io: S, connection: Arc<Connection>) -> Self
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Self {
            serving: Box::pin(serve(io, connection)),
        }
    }
}

impl Driven for Http1 {
    fn poll_serve(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.serving.as_mut().poll(cx)
    }

    fn begin_shutdown(self: Pin<&mut Self>) {
        // Nothing to tell: the loop (and hyper, after a hand-over) reads
        // the endpoint's stop signal whenever it is polled, which the
        // driver does at once.
    }
}

async fn serve<S>(mut io: S, state: Arc<Connection>) -> Result<(), BoxError>
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
                    Parsed::Partial => return hand_over(io, None, buf, &state).await,
                    Parsed::Other(taken) => return hand_over(io, taken, buf, &state).await,
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
                if idle && state.endpoint.stop.phase() >= Phase::Closing {
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
                Some(_) => return hand_over(io, None, buf, &state).await,
            }
        };
        let (parts, ()) = head.request.into_parts();
        let outcome = {
            let _in_flight = state.activity.request();
            let started = started(&state);
            match take(&state, head.host, parts, Ok(()), started, Some(head.close)) {
                Intake::Job(mut job) => {
                    let outcome = match job.run_now(&state) {
                        Some(outcome) => outcome,
                        None => job.run(&state).await,
                    };
                    spare = job.into_headers();
                    spare.clear();
                    outcome
                }
                Intake::Done(outcome) => outcome,
            }
        };
        let server = &state.endpoint.server_header;
        let start = out.len();
        let (plan, body) = write::head(&mut out, outcome, server, head.close)?;
        if let Some(alt_svc) = &state.endpoint.alt_svc {
            write::add_line(&mut out, start, b"alt-svc", alt_svc.as_bytes());
        }
        let mut body = body;
        body.pace(&state);
        write_body(&mut io, &mut out, body, plan).await?;
        if plan.last {
            io.shutdown().await?;
            return Ok(());
        }
    }
}

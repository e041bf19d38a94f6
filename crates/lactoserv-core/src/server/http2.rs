//! The server's own HTTP/2 (RFC 9113), for `http2` endpoints whose
//! clients choose `h2`.
//!
//! One session is one task, and one struct polled by the connection's
//! driver: each wake reads what came (`recv`: frames, header blocks
//! decoded by `hpack`, requests put together and checked by `head`), takes
//! each complete request through the pipeline (an answer from memory at
//! once, others awaited beside the session), frames the answers and the
//! bodies' next pieces as flow control allows (`send`), and writes it all
//! out in one write.
//!
//! Why not `h2` and hyper: they cost about 30,000 instructions per small
//! answer (stream futures, header maps made and encoded through the
//! dynamic table for every answer, a task per stream); serving small
//! answers with no more CPU than h2o is a goal of this server. The
//! protocol's rules and its flood limits are kept here: h2spec passes as
//! is and strict (`scripts/h2spec`).

pub(crate) mod frame;
mod head;
pub(crate) mod hpack;
mod recv;
mod send;
mod session;
#[cfg(test)]
mod tests;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};

use super::conn::Connection;
use super::conn::drive::{BoxError, Driven};
use session::Session;

/// A session that broke the flood limits: the server ended it with
/// `ENHANCE_YOUR_CALM`, logged as `http2Abuse`.
#[derive(Debug, thiserror::Error)]
#[error("the client broke the session's limits: {0}")]
pub(crate) struct Abuse(pub(crate) &'static str);

/// One HTTP/2 session, as the connection's driver runs it.
pub(crate) struct Http2<S> {
    io: S,
    session: Session,
}

impl<S> Http2<S> {
    /// Serves `io` (a TLS stream whose client chose `h2`) for
    /// `connection`.
    pub(crate) fn new(io: S, connection: Arc<Connection>) -> Self {
        Self {
            io,
            session: Session::new(connection),
        }
    }
}

impl<S> Driven for Http2<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_serve(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        let this = &mut *self;
        this.session.poll(&mut this.io, cx)
    }

    fn begin_shutdown(mut self: Pin<&mut Self>) {
        self.session.go_away();
    }
}

//! An HTTP2 session run in one task: hyper's connection, the streams it
//! starts (polled beside it rather than spawned, see [`LocalStreams`]),
//! and its writes gathered into one per wake (see `conn::batched`).
//!
//! One wake of the session's task goes: the connection reads what came
//! and starts a stream per request (an answer from memory is made there
//! and then, see `request`); the streams hand their answers to `h2`; the
//! connection, polled again, frames them; and what it wrote leaves in one
//! write. A session that serves 8 requests from one read costs one read
//! and one write, and no task hand-off.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::io::AsyncWrite;

use crate::server::conn::batched::Outlet;
use crate::server::conn::drive::{BoxError, Driven};

/// A stream's future, as hyper hands it over.
type StreamFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The executor hyper starts a session's streams with: it queues them for
/// the session's own task instead of spawning a task for each.
#[derive(Clone, Default)]
pub(crate) struct LocalStreams(Arc<Mutex<Vec<StreamFuture>>>);

impl<F> hyper::rt::Executor<F> for LocalStreams
where
    F: Future<Output = ()> + Send + 'static,
{
    fn execute(&self, stream: F) {
        self.queued().push(Box::pin(stream));
    }
}

impl LocalStreams {
    fn queued(&self) -> std::sync::MutexGuard<'_, Vec<StreamFuture>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A session: hyper's connection `C` on a batched stream `S`, and its
/// streams.
pub(crate) struct Session<C, S> {
    connection: Pin<Box<C>>,
    /// Where hyper puts the streams it starts.
    starting: LocalStreams,
    /// The streams under way.
    streams: FuturesUnordered<StreamFuture>,
    outlet: Outlet<S>,
}

impl<C, S> Session<C, S> {
    /// `connection`, whose builder was given `starting` as its executor,
    /// writing through `outlet`'s stream.
    pub(crate) fn new(connection: C, starting: LocalStreams, outlet: Outlet<S>) -> Self {
        Self {
            connection: Box::pin(connection),
            starting,
            streams: FuturesUnordered::new(),
            outlet,
        }
    }

    /// Polls the streams woken or started since the last time; whether
    /// any of them finished (its answer handed to `h2` whole).
    fn run_streams(&mut self, cx: &mut Context<'_>) -> bool {
        let started = std::mem::take(&mut *self.starting.queued());
        for stream in started {
            self.streams.push(stream);
        }
        let mut finished = false;
        while let Poll::Ready(Some(())) = self.streams.poll_next_unpin(cx) {
            finished = true;
        }
        finished
    }
}

impl<C, S> Driven for Session<C, S>
where
    C: hyper_util::server::graceful::GracefulConnection,
    C::Error: std::error::Error + Send + Sync + 'static,
    S: AsyncWrite + Unpin,
{
    fn poll_serve(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        let this = &mut *self;
        let mut ended = this.connection.as_mut().poll(cx);
        // Answers just handed over are framed now, to leave with the rest.
        if this.run_streams(cx) && ended.is_pending() {
            ended = this.connection.as_mut().poll(cx);
        }
        if let Poll::Ready(Err(err)) = this.outlet.poll_flush(cx) {
            return Poll::Ready(Err(Box::new(err)));
        }
        ended.map_err(|err| Box::new(err) as BoxError)
    }

    fn begin_shutdown(mut self: Pin<&mut Self>) {
        self.connection.as_mut().graceful_shutdown();
    }
}

impl<C, S> Drop for Session<C, S> {
    /// Streams not yet taken up hold the executor that queued them: they
    /// go with the session.
    fn drop(&mut self) {
        self.starting.queued().clear();
    }
}

//! How far a connection's streamed bodies (files too large to keep in
//! memory) may read ahead, and the record of their progress.
//!
//! A file is sent a chunk at a time: a chunk is read, handed to the
//! protocol, and the next one is read only when the protocol asks for it,
//! which it does once the last one has gone out. A client that stops
//! reading, or an HTTP2 client that opens stream after stream and never
//! opens their flow-control windows, would still make the server hold one
//! chunk per stream. So a chunk is read only with a permit: each
//! connection has [`CHUNKS_PER_CONNECTION`], the whole process
//! [`CHUNKS_IN_ALL`]; a body without one waits (holding no chunk) until a
//! chunk of the same connection has gone out. Each chunk that goes out is
//! also the progress the connection's time limits count (see
//! `activity::Moving::Responses`).

use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Connection;

/// Chunks one connection's bodies may hold at once.
pub(crate) const CHUNKS_PER_CONNECTION: usize = 4;

/// Chunks all connections' bodies may hold at once (with 64 KiB chunks,
/// 64 MiB).
pub(crate) const CHUNKS_IN_ALL: usize = 1024;

/// The process-wide permits.
static IN_ALL: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(CHUNKS_IN_ALL)));

/// A permit to hold one chunk: one of the connection's and one of the
/// process's.
type Permit = (OwnedSemaphorePermit, OwnedSemaphorePermit);

/// A wait for a permit.
type Waiting = Pin<Box<dyn Future<Output = Option<Permit>> + Send>>;

/// One streamed body's pace on its connection.
pub(crate) struct Pace {
    connection: Arc<Connection>,
    /// The permit of the chunk read last, until it has gone out.
    held: Option<Permit>,
    waiting: Option<Waiting>,
}

impl Pace {
    /// The pace of a body sent on `connection`.
    pub(crate) fn new(connection: Arc<Connection>) -> Self {
        Self {
            connection,
            held: None,
            waiting: None,
        }
    }

    /// The protocol asks for more: the chunk handed to it last has gone
    /// out (its permit is given back, and the connection has made
    /// progress).
    pub(crate) fn sent(&mut self) {
        if self.held.take().is_some() {
            self.connection.activity.progressed();
        }
    }

    /// Ready once the body may read a chunk; the permit is held until
    /// [`Pace::sent`]. `None` when no permit can be had any more.
    pub(crate) fn poll_permit(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        if self.held.is_some() {
            return Poll::Ready(Some(()));
        }
        if self.waiting.is_none() {
            let own = self.connection.chunks();
            if let Ok(mine) = own.clone().try_acquire_owned() {
                if let Ok(all) = IN_ALL.clone().try_acquire_owned() {
                    self.held = Some((mine, all));
                    return Poll::Ready(Some(()));
                }
            }
            self.waiting = Some(Box::pin(async move {
                let mine = own.acquire_owned().await.ok()?;
                let all = IN_ALL.clone().acquire_owned().await.ok()?;
                Some((mine, all))
            }));
        }
        let waiting = self.waiting.as_mut().expect("set above");
        let permit = std::task::ready!(waiting.as_mut().poll(cx));
        self.waiting = None;
        self.held = permit;
        Poll::Ready(self.held.as_ref().map(|_| ()))
    }
}

impl Connection {
    /// The permits of this connection's chunks, made when a body first
    /// streams (most connections never do).
    fn chunks(&self) -> Arc<Semaphore> {
        self.chunks
            .get_or_init(|| Arc::new(Semaphore::new(CHUNKS_PER_CONNECTION)))
            .clone()
    }
}

//! An HTTP2 session's writes gathered into batches: what the session
//! writes while it handles one wake (the answers to every request one read
//! brought, the frames the protocol adds) leaves in one write, at the end,
//! rather than one write per response.
//!
//! `h2` writes each `DATA` frame of more than a few hundred bytes on its
//! own (it chains the payload rather than copy it, then flushes before the
//! next frame), so a batch of small responses would cost a system call
//! (and, over TLS, a record) each. Here writes are copied into a buffer of
//! up to [`BATCH`] bytes, and the session's driver ([`Outlet`]) writes it
//! out once it has polled the session and its streams. A buffer written
//! out goes back to its thread for the next session to use, so an idle
//! session holds none, and a busy one does not allocate one per batch.
//!
//! No crate does this: tokio's `BufWriter` writes when its buffer is full
//! or flushed, and `h2` flushes after each large frame.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most bytes gathered before they must go out; larger writes go
/// straight through.
pub(crate) const BATCH: usize = 64 * 1024;

/// `io` split into the side the protocol reads and writes and the side
/// that writes out what was gathered.
pub(crate) fn batched<S>(io: S) -> (Batched<S>, Outlet<S>) {
    let shared = Arc::new(Mutex::new(Gathered {
        io,
        out: Vec::new(),
        sent: 0,
    }));
    (Batched(shared.clone()), Outlet(shared))
}

/// The protocol's side: reads pass through; writes are gathered, and a
/// flush is left to the [`Outlet`].
pub(crate) struct Batched<S>(Arc<Mutex<Gathered<S>>>);

/// The driver's side: writes out what was gathered.
pub(crate) struct Outlet<S>(Arc<Mutex<Gathered<S>>>);

/// The stream, and what was written to it but has not gone out yet.
struct Gathered<S> {
    io: S,
    out: Vec<u8>,
    /// How much of `out` has gone out.
    sent: usize,
}

/// The lock both sides take; the session's task is the only one that
/// takes it, so it never waits.
fn lock<S>(shared: &Mutex<Gathered<S>>) -> MutexGuard<'_, Gathered<S>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

thread_local! {
    /// A written-out buffer, kept for the next batch on this thread.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty buffer of [`BATCH`] bytes: this thread's spare one, or a new
/// one.
fn spare() -> Vec<u8> {
    let out = SPARE.take();
    if out.capacity() >= BATCH {
        out
    } else {
        Vec::with_capacity(BATCH)
    }
}

/// Keeps `out` (written out) as this thread's spare buffer, unless it has
/// one.
fn put_back(mut out: Vec<u8>) {
    out.clear();
    SPARE.with(|spare| {
        let held = spare.take();
        spare.set(if held.capacity() >= BATCH { held } else { out });
    });
}

impl<S: AsyncWrite + Unpin> Gathered<S> {
    /// Writes out what was gathered; then frees the buffer.
    fn poll_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.out.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.out[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.sent = 0;
        put_back(std::mem::take(&mut self.out));
        Poll::Ready(Ok(()))
    }

    /// Takes `bufs` (`total` bytes): gathered if they fit, else after
    /// what was gathered has gone out, gathered or (if large) written
    /// straight through.
    fn poll_take(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
        total: usize,
    ) -> Poll<io::Result<usize>> {
        if self.out.len() + total > BATCH {
            ready!(self.poll_out(cx))?;
            if total > BATCH {
                return Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
            }
        }
        if self.out.capacity() == 0 {
            self.out = spare();
        }
        for buf in bufs {
            self.out.extend_from_slice(buf);
        }
        Poll::Ready(Ok(total))
    }

    /// Writes out what was gathered and flushes the stream.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_out(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Batched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut lock(&self.0).io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Batched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        lock(&self.0).poll_take(cx, &[IoSlice::new(data)], data.len())
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total = bufs.iter().map(|buf| buf.len()).sum();
        lock(&self.0).poll_take(cx, bufs, total)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    /// Nothing: the [`Outlet`] writes out once the session has done what
    /// it can for now.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut gathered = lock(&self.0);
        ready!(gathered.poll_flush(cx))?;
        Pin::new(&mut gathered.io).poll_shutdown(cx)
    }
}

impl<S: AsyncWrite + Unpin> Outlet<S> {
    /// Writes out what was gathered; `Pending` (the task woken when the
    /// socket takes more) while the socket is full.
    pub(crate) fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        lock(&self.0).poll_flush(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;

    /// A stream that counts its writes and takes at most `room` bytes
    /// before it is full.
    #[derive(Default)]
    struct Counting {
        writes: usize,
        written: Vec<u8>,
        room: Option<usize>,
    }

    impl AsyncRead for Counting {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            _buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Pending
        }
    }

    impl AsyncWrite for Counting {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            data: &[u8],
        ) -> Poll<io::Result<usize>> {
            let n = self.room.map_or(data.len(), |room| room.min(data.len()));
            if n == 0 {
                return Poll::Pending;
            }
            if let Some(room) = &mut self.room {
                *room -= n;
            }
            self.writes += 1;
            self.written.extend_from_slice(&data[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn write(batched: &mut Batched<Counting>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(batched).poll_write(&mut Context::from_waker(Waker::noop()), data)
    }

    fn flush(outlet: &Outlet<Counting>) -> Poll<io::Result<()>> {
        outlet.poll_flush(&mut Context::from_waker(Waker::noop()))
    }

    fn stream(outlet: &Outlet<Counting>) -> MutexGuard<'_, Gathered<Counting>> {
        lock(&outlet.0)
    }

    #[test]
    fn small_writes_and_the_protocols_flushes_leave_in_one_write() {
        let (mut batched, outlet) = batched(Counting::default());
        for frame in [&b"head"[..], &[7; 1033], b"tail"] {
            assert!(matches!(write(&mut batched, frame), Poll::Ready(Ok(n)) if n == frame.len()));
            let flushed =
                Pin::new(&mut batched).poll_flush(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(flushed, Poll::Ready(Ok(()))));
        }
        assert_eq!(stream(&outlet).io.writes, 0);
        assert!(matches!(flush(&outlet), Poll::Ready(Ok(()))));
        let gathered = stream(&outlet);
        assert_eq!(gathered.io.writes, 1);
        assert_eq!(gathered.io.written.len(), 4 + 1033 + 4);
        assert_eq!(gathered.out.capacity(), 0, "the buffer is handed back");
    }

    #[test]
    fn a_write_past_the_batch_sends_what_was_gathered_first() {
        let (mut batched, outlet) = batched(Counting::default());
        assert!(write(&mut batched, b"first").is_ready());
        let large = vec![1; BATCH + 1];
        assert!(matches!(write(&mut batched, &large), Poll::Ready(Ok(n)) if n == large.len()));
        let gathered = stream(&outlet);
        assert_eq!(gathered.io.writes, 2);
        assert_eq!(&gathered.io.written[..5], b"first");
        assert_eq!(gathered.io.written.len(), 5 + BATCH + 1);
    }

    #[test]
    fn a_full_socket_holds_back_the_protocol_once_the_batch_is_full() {
        let (mut batched, outlet) = batched(Counting {
            room: Some(10),
            ..Counting::default()
        });
        assert!(write(&mut batched, &[1; BATCH]).is_ready());
        assert!(flush(&outlet).is_pending(), "10 bytes out, the rest waits");
        assert!(write(&mut batched, b"more").is_pending());
        stream(&outlet).io.room = None;
        assert!(flush(&outlet).is_ready());
        assert!(write(&mut batched, b"more").is_ready());
        assert!(flush(&outlet).is_ready());
        assert_eq!(stream(&outlet).io.written.len(), BATCH + 4);
    }
}

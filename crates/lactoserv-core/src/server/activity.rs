//! A connection's activity, for idle timeouts (Lactoserv's socket
//! inactivity timeout and HTTP1 keep-alive timeout, `TcpWrangler` and
//! Node's `keepAliveTimeout`): when bytes last moved, and how many requests
//! are in progress.
//!
//! One timer per connection, re-armed only when it fires, replaces a timer
//! armed and cancelled for every request: a connection closes once it has
//! been idle for the limit with no request in progress.
//!
//! The same record counts the bytes written to the socket and notices the
//! client closing its side, for the connection's closing log events.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::throttle::Throttle;

/// What a connection has been doing.
#[derive(Debug)]
pub(crate) struct Activity {
    /// When the connection started; `last` counts from here.
    start: Instant,
    /// Milliseconds from `start` to the last byte read or written.
    last: AtomicU64,
    /// Requests being handled.
    in_flight: AtomicUsize,
    /// Requests started, ever.
    requests: AtomicU64,
    /// Bytes written to the socket.
    written: AtomicU64,
    /// The client closed its side (a read saw the end of the stream).
    remote_closed: AtomicBool,
}

impl Activity {
    /// A new connection's record, active now.
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            written: AtomicU64::new(0),
            remote_closed: AtomicBool::new(false),
        }
    }

    fn touch(&self) {
        let millis = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(millis, Ordering::Relaxed);
    }

    /// When the connection becomes idle for `limit` if nothing happens.
    pub(crate) fn deadline(&self, limit: Duration) -> Instant {
        self.start + Duration::from_millis(self.last.load(Ordering::Relaxed)) + limit
    }

    /// Whether the connection has been idle for `limit` with no request in
    /// progress.
    pub(crate) fn is_idle(&self, limit: Duration) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0 && Instant::now() >= self.deadline(limit)
    }

    /// Marks a request as in progress until the guard is dropped.
    pub(crate) fn request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Whether any request has been started.
    pub(crate) fn had_requests(&self) -> bool {
        self.requests.load(Ordering::Relaxed) > 0
    }

    /// Bytes written to the socket so far.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Whether the client has closed its side.
    pub(crate) fn remote_closed(&self) -> bool {
        self.remote_closed.load(Ordering::Relaxed)
    }

    fn wrote(&self, bytes: usize) {
        self.written.fetch_add(bytes as u64, Ordering::Relaxed);
        self.touch();
    }
}

/// A request in progress; see [`Activity::request`].
pub(crate) struct InFlight<'a>(&'a Activity);

impl Drop for InFlight<'_> {
    // The end of a request is not itself recorded: writing its response,
    // which follows at once, is.
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A stream that records its activity into the [`Activity`] of its
/// owner (the connection's shared state), its writes limited by a data
/// rate limiter's [`Throttle`] if it has one.
pub(crate) struct Tracked<S, T> {
    inner: S,
    owner: Arc<T>,
    throttle: Option<Throttle>,
}

impl<S, T: AsRef<Activity>> Tracked<S, T> {
    /// Wraps `inner`, recording into `owner`'s activity, and limiting its
    /// writes by `throttle`.
    pub(crate) fn new(inner: S, owner: Arc<T>, throttle: Option<Throttle>) -> Self {
        Self {
            inner,
            owner,
            throttle,
        }
    }

    fn activity(&self) -> &Activity {
        AsRef::<Activity>::as_ref(&*self.owner)
    }
}

impl<S: AsyncRead + Unpin, T: AsRef<Activity>> AsyncRead for Tracked<S, T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let room = buf.remaining() > 0;
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity().touch();
        } else if room && matches!(result, Poll::Ready(Ok(()))) {
            self.activity().remote_closed.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin, T: AsRef<Activity>> AsyncWrite for Tracked<S, T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let allowed = match &mut this.throttle {
            Some(throttle) => ready!(throttle.poll_allowance(cx, data.len()))?,
            None => data.len(),
        };
        let result = Pin::new(&mut this.inner).poll_write(cx, &data[..allowed]);
        if let Poll::Ready(Ok(n)) = result {
            if let Some(throttle) = &mut this.throttle {
                throttle.spent(n);
            }
            this.activity().wrote(n);
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.throttle.is_some() {
            // Not vectored when limited (see `is_write_vectored`); callers
            // that ask anyway get their first slice written.
            let first = bufs.iter().find(|buf| !buf.is_empty());
            return self.poll_write(cx, first.map_or(&[][..], |buf| &**buf));
        }
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = result {
            self.activity().wrote(n);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.throttle.is_none() && self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_only_after_the_limit_with_nothing_in_flight() {
        let activity = Activity::new();
        let limit = Duration::from_secs(5);
        assert!(!activity.is_idle(limit));
        tokio::time::advance(Duration::from_secs(4)).await;
        let request = activity.request();
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(!activity.is_idle(limit), "a request is in progress");
        drop(request);
        activity.touch();
        assert!(!activity.is_idle(limit), "writing the response is activity");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(activity.is_idle(limit));
    }
}

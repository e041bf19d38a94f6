//! The socket of a connection as its protocol reads and writes it: every
//! read and write recorded in the connection's [`Activity`], and writes
//! limited by a data rate limiter's [`Throttle`] when the endpoint has one.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::activity::Activity;
use super::throttle::Throttle;

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
        let read = buf.filled().len() - before;
        if read > 0 {
            self.activity().was_read(read);
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

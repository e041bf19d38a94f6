//! Handing a connection over to hyper, with the bytes already read of it.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::server::conn::Connection;
use crate::server::conn::drive::{BoxError, Driven};
use crate::server::conn::stop::Phase;
use crate::server::via_hyper;

/// Serves the rest of the connection with hyper, which reads `taken` and
/// then `buf` before the socket.
pub(super) async fn hand_over<S>(
    io: S,
    taken: Option<Bytes>,
    buf: BytesMut,
    connection: &Arc<Connection>,
) -> Result<(), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let read = match taken {
        None => buf.freeze(),
        Some(taken) => {
            let mut all = BytesMut::with_capacity(taken.len() + buf.len());
            all.extend_from_slice(&taken);
            all.extend_from_slice(&buf);
            all.freeze()
        }
    };
    let http1 = via_hyper::http1(Rewind { read, io }, connection.clone());
    tokio::pin!(http1);
    let stop = &connection.endpoint.stop;
    let mut shut = false;
    std::future::poll_fn(|cx| {
        // A stopping server closes connections between requests.
        if !shut && stop.phase() >= Phase::Closing {
            shut = true;
            http1.as_mut().begin_shutdown();
        }
        http1.as_mut().poll_serve(cx)
    })
    .await
}

/// A stream whose first bytes were already read.
struct Rewind<S> {
    read: Bytes,
    io: S,
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.read.is_empty() {
            return Pin::new(&mut self.io).poll_read(cx, buf);
        }
        let n = self.read.len().min(buf.remaining());
        buf.put_slice(&self.read.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

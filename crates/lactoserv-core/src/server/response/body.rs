//! A response body as the writers send it: bytes in memory, or pieces whose file ranges are
//! read as the connection takes them, a chunk at a time on tokio's
//! blocking threads (positioned reads of a shared open file), so no file I/O
//! blocks a worker and no file is held whole in memory.

use std::collections::VecDeque;
use std::io;
use std::os::unix::fs::FileExt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use hyper::body::{Frame, SizeHint};
use tokio::task::JoinHandle;

use crate::net::{Body, Part};
use crate::server::conn::Connection;
use crate::server::conn::pace::Pace;

/// How much of a file one read takes.
const CHUNK: u64 = 64 * 1024;

/// A response body as it is sent (hyper's `Body`, which the server's own
/// HTTP1 loop reads too).
pub(crate) enum ResponseBody {
    /// Bytes in memory, sent as one frame (most responses: no queue to
    /// allocate).
    Bytes(Option<Bytes>),
    /// Pieces.
    Parts(Pieces),
    /// A body whose end is reported (for the access log).
    Watched(Box<Watched>),
}

/// What to call when a watched body is done with: with whether all of it
/// was handed to the connection.
pub(crate) type OnEnd = Box<dyn FnOnce(bool) + Send + Sync>;

/// A body and what to call when it is done with.
pub(crate) struct Watched {
    inner: ResponseBody,
    on_end: Option<OnEnd>,
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(on_end) = self.on_end.take() {
            on_end(self.inner.is_empty_now());
        }
    }
}

/// What is left of a body in pieces.
pub(crate) struct Pieces {
    /// What is left to send.
    parts: VecDeque<Part>,
    /// Bytes left to send, for the size hint.
    remaining: u64,
    /// A file read in progress.
    reading: Option<JoinHandle<io::Result<Bytes>>>,
    /// How far it may read ahead on its connection, once it is paced.
    pace: Option<Pace>,
}

impl Default for ResponseBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Body> for ResponseBody {
    #[inline]
    fn from(body: Body) -> Self {
        match body {
            Body::Full(bytes) => Self::bytes(bytes),
            Body::Parts(parts) => Self::parts(parts),
            Body::Empty | Body::Status { .. } => Self::empty(),
        }
    }
}

impl ResponseBody {
    /// The body's length, `None` for no body at all (as hyper takes it;
    /// the server's bodies always know their length).
    pub(crate) fn length(&self) -> Option<u64> {
        if hyper::body::Body::is_end_stream(self) {
            None
        } else {
            Some(
                hyper::body::Body::size_hint(self)
                    .exact()
                    .unwrap_or_default(),
            )
        }
    }

    /// No body.
    pub(crate) fn empty() -> Self {
        Self::Bytes(None)
    }

    /// `bytes`.
    pub(crate) fn bytes(bytes: Bytes) -> Self {
        Self::Bytes(Some(bytes).filter(|b| !b.is_empty()))
    }

    /// This body, with `on_end` called when it is done with.
    pub(crate) fn watched(self, on_end: OnEnd) -> Self {
        Self::Watched(Box::new(Watched {
            inner: self,
            on_end: Some(on_end),
        }))
    }

    /// Whether everything has been handed over.
    fn is_empty_now(&self) -> bool {
        match self {
            Self::Bytes(bytes) => bytes.is_none(),
            Self::Parts(pieces) => pieces.remaining == 0,
            Self::Watched(watched) => watched.inner.is_empty_now(),
        }
    }

    /// `parts`, in order.
    pub(crate) fn parts(parts: Vec<Part>) -> Self {
        let parts: VecDeque<Part> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        Self::Parts(Pieces {
            remaining: parts.iter().map(Part::len).sum(),
            parts,
            reading: None,
            pace: None,
        })
    }

    /// Makes this body read files ahead only as far as `connection`
    /// allows (see `conn::pace`); a body in memory is left alone.
    #[inline]
    pub(crate) fn pace(&mut self, connection: &Arc<Connection>) {
        if matches!(self, Self::Bytes(_)) {
            return;
        }
        if let Some(pieces) = self.pieces_mut()
            && pieces
                .parts
                .iter()
                .any(|part| matches!(part, Part::File { .. }))
        {
            pieces.pace = Some(Pace::new(connection.clone()));
        }
    }

    fn pieces_mut(&mut self) -> Option<&mut Pieces> {
        match self {
            Self::Bytes(_) => None,
            Self::Parts(pieces) => Some(pieces),
            Self::Watched(watched) => watched.inner.pieces_mut(),
        }
    }
}

impl Pieces {
    /// Starts reading the next chunk of the file piece at the front.
    fn start_read(&mut self) {
        let Some(Part::File { file, offset, len }) = self.parts.front_mut() else {
            return;
        };
        let size = (*len).min(CHUNK);
        let (file_handle, at) = (file.clone(), *offset);
        *offset += size;
        *len -= size;
        if *len == 0 {
            self.parts.pop_front();
        }
        self.reading = Some(tokio::task::spawn_blocking(move || {
            read_exactly(&file_handle, at, size)
        }));
    }
}

/// Reads `size` bytes at `offset`; a file that has become shorter than
/// promised is an error, which ends the response early rather than send
/// something other than the announced length.
fn read_exactly(file: &std::fs::File, offset: u64, size: u64) -> io::Result<Bytes> {
    let size = usize::try_from(size).map_err(io::Error::other)?;
    let mut buffer = BytesMut::zeroed(size);
    file.read_exact_at(&mut buffer, offset)?;
    Ok(buffer.freeze())
}

impl hyper::body::Body for ResponseBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Self::Bytes(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Self::Parts(pieces) => pieces.poll_frame(cx),
            Self::Watched(watched) => Pin::new(&mut watched.inner).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Bytes(bytes) => bytes.is_none(),
            Self::Parts(pieces) => pieces.remaining == 0,
            Self::Watched(watched) => watched.inner.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Bytes(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Self::Parts(pieces) => SizeHint::with_exact(pieces.remaining),
            Self::Watched(watched) => watched.inner.size_hint(),
        }
    }
}

impl Pieces {
    fn poll_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self;
        // Asked for more while no read is in progress: the chunk handed
        // over last has gone out.
        if let (None, Some(pace)) = (&this.reading, &mut this.pace) {
            pace.sent();
        }
        loop {
            if let Some(reading) = &mut this.reading {
                let result = ready!(Pin::new(reading).poll(cx));
                this.reading = None;
                let chunk = result.map_err(io::Error::other).and_then(|read| read);
                if let Ok(chunk) = &chunk {
                    this.remaining -= chunk.len() as u64;
                }
                return Poll::Ready(Some(chunk.map(Frame::data)));
            }
            match this.parts.front() {
                None => return Poll::Ready(None),
                Some(Part::Bytes(_)) => {
                    let Some(Part::Bytes(bytes)) = this.parts.pop_front() else {
                        unreachable!("just looked");
                    };
                    this.remaining -= bytes.len() as u64;
                    return Poll::Ready(Some(Ok(Frame::data(bytes))));
                }
                Some(Part::File { .. }) => {
                    if let Some(pace) = &mut this.pace
                        && ready!(pace.poll_permit(cx)).is_none()
                    {
                        return Poll::Ready(Some(Err(io::Error::other(
                            "no permit to read the file",
                        ))));
                    }
                    this.start_read();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use http_body_util::BodyExt;
    use hyper::body::Body as _;

    use super::*;

    #[tokio::test]
    async fn file_pieces_are_read_in_chunks_as_they_are_sent() {
        let mut file = tempfile::tempfile().unwrap();
        let data: Vec<u8> = (0..(CHUNK * 2 + 10)).map(|i| (i % 251) as u8).collect();
        file.write_all(&data).unwrap();
        let file = Arc::new(file);
        let body = ResponseBody::parts(vec![
            Part::Bytes(Bytes::from_static(b"<")),
            Part::File {
                file: file.clone(),
                offset: 5,
                len: CHUNK * 2,
            },
            Part::Bytes(Bytes::from_static(b">")),
        ]);
        assert_eq!(body.size_hint().exact(), Some(CHUNK * 2 + 2));
        let sent = body.collect().await.unwrap().to_bytes();
        assert_eq!(sent.len() as u64, CHUNK * 2 + 2);
        assert_eq!(sent[0], b'<');
        assert_eq!(&sent[1..sent.len() - 1], &data[5..5 + (CHUNK * 2) as usize]);
        assert_eq!(sent[sent.len() - 1], b'>');
    }

    #[tokio::test]
    async fn a_file_shorter_than_promised_is_an_error() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"short").unwrap();
        let body = ResponseBody::parts(vec![Part::File {
            file: Arc::new(file),
            offset: 0,
            len: 100,
        }]);
        assert!(body.collect().await.is_err());
    }
}

//! A session's state and its turn: read, take frames in, finish answers,
//! frame bodies, write out (see the module above).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::Abuse;
use super::frame::{self, Code, DEFAULT_MAX_FRAME, DEFAULT_WINDOW};
use super::hpack::Decoder;
use super::recv::Block;
use super::send::Sending;
use crate::server::conn::Connection;
use crate::server::conn::drive::BoxError;
use crate::server::conn::limits;
use crate::server::request::Outcome;
use crate::server::request::host::HostCache;

/// The most streams a client may have open at once.
pub(super) const MAX_STREAMS: usize = 100;

/// Bytes waiting to be written past which the session stops reading: a
/// client that does not read its answers stops being heard.
const OUT_HIGH: usize = 64 * 1024;

/// Room made in the read buffer before each read (within the allocator's
/// small sizes, which are cheap to take and give back).
const READ_ROOM: usize = 8 * 1024;

/// Rounds of reading and answering in one poll before the session lets
/// other connections have the thread.
const ROUNDS: usize = 16;

/// An answer being worked out away from the session's turn.
pub(super) type Job = Pin<Box<dyn Future<Output = (u32, Outcome)> + Send>>;

/// What the session is waiting for from the client first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Opening {
    /// The connection preface.
    Preface,
    /// The client's `SETTINGS`, which must come first.
    Settings,
    /// Nothing: the session is open.
    Open,
}

/// One stream the session knows.
pub(super) struct Stream {
    pub(super) id: u32,
    /// The request, while the client may still send on the stream.
    pub(super) receiving: Option<super::recv::Receiving>,
    /// The answer.
    pub(super) sending: Sending,
    /// How much the client lets the server send on the stream.
    pub(super) window: i64,
}

/// A session.
pub(crate) struct Session {
    pub(super) conn: Arc<Connection>,
    pub(super) input: BytesMut,
    pub(super) out: Vec<u8>,
    /// How much of `out` has been written.
    sent: usize,
    pub(super) opening: Opening,
    pub(super) hpack: Decoder,
    /// The header block being gathered.
    pub(super) block: Option<Block>,
    pub(super) streams: Vec<Stream>,
    /// The highest stream the client has opened.
    pub(super) last_stream: u32,
    /// Streams the client opened in the frames being taken in, not yet
    /// counted for the endpoint's metrics.
    pub(super) opened: u64,
    /// The client's settings: the initial window of a stream, and the
    /// largest frame it takes.
    pub(super) peer_window: i64,
    pub(super) peer_max_frame: usize,
    /// How much the client lets the server send on the connection.
    pub(super) send_window: i64,
    /// How much the client may send on the connection before the server
    /// opens the window again.
    pub(super) recv_window: i64,
    pub(super) jobs: FuturesUnordered<Job>,
    pub(super) hosts: HostCache,
    /// The stop asked the session to go away.
    go_away_asked: bool,
    /// A `GOAWAY` has been sent: no new stream is taken up.
    pub(super) going_away: bool,
    /// The last stream the stop's `GOAWAY` named: frames of later ones
    /// are ignored (RFC 9113 §6.8).
    pub(super) goaway_last: Option<u32>,
    /// The client has closed its side.
    pub(super) client_done: bool,
    /// The client has said it goes away.
    pub(super) client_going: bool,
    /// A connection error: the session ends once its `GOAWAY` is out.
    pub(super) failed: Option<Result<(), BoxError>>,
    /// Streams the client reset before their answers were out, less
    /// those answered in full: a flood of resets ends the session.
    pub(super) early_resets: usize,
    /// Streams the server had to reset for the client's errors.
    pub(super) error_resets: usize,
}

impl Session {
    /// A session for `conn`, its `SETTINGS` ready to go.
    pub(super) fn new(conn: Arc<Connection>) -> Self {
        let mut out = Vec::new();
        frame::settings(&mut out, MAX_STREAMS as u32, limits::HEAD_SIZE as u32);
        Self {
            conn,
            input: BytesMut::new(),
            out,
            sent: 0,
            opening: Opening::Preface,
            hpack: Decoder::new(4096),
            block: None,
            streams: Vec::new(),
            last_stream: 0,
            opened: 0,
            peer_window: DEFAULT_WINDOW,
            peer_max_frame: DEFAULT_MAX_FRAME,
            send_window: DEFAULT_WINDOW,
            recv_window: DEFAULT_WINDOW,
            jobs: FuturesUnordered::new(),
            hosts: HostCache::default(),
            go_away_asked: false,
            going_away: false,
            goaway_last: None,
            client_done: false,
            client_going: false,
            failed: None,
            early_resets: 0,
            error_resets: 0,
        }
    }

    /// Asks the session to end once its streams are answered.
    pub(super) fn go_away(&mut self) {
        self.go_away_asked = true;
    }

    /// Ends the session with a connection error `code`: a `GOAWAY`, then
    /// the close.
    pub(super) fn fail(&mut self, code: Code) {
        if self.failed.is_some() {
            return;
        }
        frame::goaway(&mut self.out, self.last_stream, code);
        self.going_away = true;
        self.failed = Some(Ok(()));
    }

    /// Ends the session for breaking a flood limit (`what`).
    pub(super) fn abuse(&mut self, what: &'static str) {
        self.fail(Code::EnhanceYourCalm);
        self.failed = Some(Err(Box::new(Abuse(what))));
    }

    /// The stream `id`, if the session knows it.
    pub(super) fn stream(&mut self, id: u32) -> Option<&mut Stream> {
        self.streams.iter_mut().find(|stream| stream.id == id)
    }

    /// Forgets stream `id`.
    pub(super) fn forget(&mut self, id: u32) {
        if let Some(at) = self.streams.iter().position(|stream| stream.id == id) {
            self.streams.swap_remove(at);
        }
    }

    /// One turn of the session on `io`.
    pub(super) fn poll<S>(&mut self, io: &mut S, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if self.go_away_asked && !self.going_away {
            frame::goaway(&mut self.out, self.last_stream, Code::NoError);
            self.going_away = true;
            self.goaway_last = Some(self.last_stream);
        }
        for _ in 0..ROUNDS {
            let mut moved = false;
            // Not reading while the client is behind: it is read again
            // once what waits has gone out (below).
            if self.failed.is_none() && !self.client_done && self.unsent() < OUT_HIGH {
                if self.input.capacity() - self.input.len() < READ_ROOM / 2 {
                    self.input.reserve(READ_ROOM);
                }
                let read = {
                    let read = io.read_buf(&mut self.input);
                    tokio::pin!(read);
                    read.poll(cx)
                };
                match read {
                    Poll::Ready(Ok(0)) => {
                        // The client has closed the connection (HTTP/2 has no
                        // half-close): no answer can reach it, so what the
                        // streams hold (file chunks, permits) goes now.
                        self.client_done = true;
                        self.streams.clear();
                        moved = true;
                    }
                    Poll::Ready(Ok(_)) => {
                        self.take_frames();
                        moved = true;
                    }
                    Poll::Ready(Err(err)) => return Poll::Ready(Err(Box::new(err))),
                    Poll::Pending => {}
                }
            }
            while let Poll::Ready(Some((id, outcome))) = self.jobs.poll_next_unpin(cx) {
                self.answer(id, outcome);
                moved = true;
            }
            if self.failed.is_none() {
                moved |= self.send_bodies(cx);
            }
            let waited = self.unsent() > 0;
            match self.write_out(io, cx) {
                Poll::Ready(Err(err)) => return Poll::Ready(Err(Box::new(err))),
                Poll::Ready(Ok(())) if self.finished() => {
                    if let Poll::Ready(Err(err)) = Pin::new(&mut *io).poll_shutdown(cx) {
                        return Poll::Ready(Err(Box::new(err)));
                    }
                    return Poll::Ready(self.failed.take().unwrap_or(Ok(())));
                }
                // What was waiting has gone out: what it held back (reading,
                // framing bodies) goes on now, as no waker is set for it.
                Poll::Ready(Ok(())) if waited => moved = true,
                _ => {}
            }
            if !moved {
                self.release_buffers();
                return Poll::Pending;
            }
        }
        // Work is left: come back after the thread's other tasks.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Gives back the buffers while they are empty, so that a session
    /// waiting for its client holds none.
    fn release_buffers(&mut self) {
        if self.input.is_empty() && self.input.capacity() > 0 {
            self.input = BytesMut::new();
        }
        if self.out.is_empty() && self.out.capacity() > 0 {
            self.out = Vec::new();
        }
    }

    /// Bytes written to `out` and not yet to the socket.
    fn unsent(&self) -> usize {
        self.out.len() - self.sent
    }

    /// Whether the session is over: failed, or going away (or left by the
    /// client) with nothing in progress.
    fn finished(&self) -> bool {
        self.failed.is_some()
            || ((self.going_away || self.client_done || self.client_going)
                && self.streams.is_empty()
                && self.jobs.is_empty())
    }

    /// Writes out what is waiting, and flushes the stream.
    fn write_out<S>(&mut self, io: &mut S, cx: &mut Context<'_>) -> Poll<std::io::Result<()>>
    where
        S: AsyncWrite + Unpin,
    {
        while self.sent < self.out.len() {
            let n = std::task::ready!(Pin::new(&mut *io).poll_write(cx, &self.out[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        if self.sent > 0 {
            self.out.clear();
            self.sent = 0;
        }
        Pin::new(&mut *io).poll_flush(cx)
    }
}

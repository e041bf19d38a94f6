//! Serving an HTTP1 connection: the server's own loop for the requests
//! that make up nearly all of a site's traffic, hyper for everything else.
//!
//! A `GET` or `HEAD` over HTTP/1.1 with no body and an origin-form target
//! is read, answered and written here, with `httparse` (hyper's own
//! parser) and the encoder of `http1_write`, which writes what hyper
//! writes. Any other request (a body, another method, HTTP/1.0, an
//! `Expect` or `Upgrade`, a head hyper answers with an error, a head too
//! large) hands the connection, with the bytes already read, to hyper,
//! which serves it from then on.
//!
//! Why not hyper for all of it: its general machinery (a dispatcher
//! between connection and service, header maps recycled through the
//! encoder, a read-ahead after each response) costs about a third more
//! instructions than the whole of nginx for a small response, and
//! serving small responses with less CPU than nginx is a goal of this
//! server. The common case alone needs little of that machinery.

use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, EXPECT, HOST, TRANSFER_ENCODING, UPGRADE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, Version};
use hyper_util::rt::TokioIo;
use smallvec::SmallVec;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::answer::response_body;
use super::body::ResponseBody;
use super::connection::{Connection, connection_service};
use super::drain::{BoxError, Winding};
use super::handler::{Taken, begin_bodiless};
use super::host_cache::HostCache;
use super::http1_write::{encode_head, encode_prepared, write_body};
use super::limits;
use crate::net::HostInfo;

/// The most header fields in a request (hyper's limit: more is answered
/// 431 by hyper).
const MAX_HEADERS: usize = 100;

/// The longest request target hyper takes.
const MAX_TARGET: usize = u16::MAX as usize - 1;

/// Room made in the read buffer before each read.
const READ_ROOM: usize = 8 * 1024;

/// Where a piece of a request head lies in the bytes read: start and end.
type Span = (u32, u32);

/// One HTTP1 connection, as [`super::drain::drive`] runs it.
pub(crate) struct Http1 {
    serving: Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>,
    /// Set to end the connection once it is between requests.
    stop: Arc<AtomicBool>,
}

impl Http1 {
    /// Serves `io` for `state`'s endpoint.
    pub(crate) fn new<S>(io: S, state: Arc<Connection>) -> Self
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        Self {
            serving: Box::pin(serve(io, state, stop.clone())),
            stop,
        }
    }
}

impl Winding for Http1 {
    fn poll_serve(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.serving.as_mut().poll(cx)
    }

    fn graceful_shutdown(self: Pin<&mut Self>) {
        // The loop looks at the flag when it is next polled, which the
        // driver does at once.
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A request head read in full.
struct Head {
    request: http::Request<()>,
    /// The client asked to close the connection after this request.
    close: bool,
    /// The host it asks for.
    host: HostInfo,
}

/// What the bytes read so far hold.
// Made once per request and taken apart at once: boxing the request would
// cost an allocation per request to save a copy.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Request(Head),
    /// The start of a head.
    Partial,
    /// Something for hyper: the bytes, with the head taken out of the
    /// buffer first when there was one.
    Other(Option<Bytes>),
}

async fn serve<S>(mut io: S, state: Arc<Connection>, stop: Arc<AtomicBool>) -> Result<(), BoxError>
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
                    Parsed::Partial => return hand_over(io, None, buf, &state, &stop).await,
                    Parsed::Other(taken) => return hand_over(io, taken, buf, &state, &stop).await,
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
                if idle && stop.load(Ordering::Relaxed) {
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
                Some(_) => return hand_over(io, None, buf, &state, &stop).await,
            }
        };
        let is_head = head.request.method() == Method::HEAD;
        let (parts, ()) = head.request.into_parts();
        let outgoing = {
            let _in_flight = state.activity.request();
            match begin_bodiless(&state, head.host, parts, Some(head.close)) {
                Taken::Job(mut job) => {
                    let response = job.respond(&state).await;
                    let outgoing = match job.prepared_lines(&state, &response) {
                        Some(lines) if lines.1 || !head.close => {
                            Outgoing::Prepared(response.status, lines, response_body(response.body))
                        }
                        _ => Outgoing::Response(job.finish(&state, response)),
                    };
                    spare = job.into_headers();
                    spare.clear();
                    outgoing
                }
                Taken::Answered(out) => Outgoing::Response(out),
            }
        };
        let (plan, body) = match outgoing {
            Outgoing::Prepared(status, lines, body) => {
                let length = length_of(&body);
                let plan = encode_prepared(&mut out, status, &lines, length, is_head, head.close);
                (plan, body)
            }
            Outgoing::Response(response) => {
                let (parts, body) = response.into_parts();
                let length = length_of(&body);
                let plan = encode_head(
                    &mut out,
                    parts.status,
                    &parts.headers,
                    length,
                    is_head,
                    head.close,
                )?;
                (plan, body)
            }
        };
        write_body(&mut io, &mut out, body, plan).await?;
        if plan.last {
            io.shutdown().await?;
            return Ok(());
        }
    }
}

/// A response ready to write.
enum Outgoing {
    /// A prepared response: its status, header lines written beforehand
    /// (and whether they close the connection), and body.
    Prepared(StatusCode, (Bytes, bool), ResponseBody),
    /// Any response.
    Response(hyper::Response<ResponseBody>),
}

/// The length of `body` as hyper takes it: `None` for no body.
fn length_of(body: &ResponseBody) -> Option<Option<u64>> {
    if hyper::body::Body::is_end_stream(body) {
        None
    } else {
        Some(hyper::body::Body::size_hint(body).exact())
    }
}

/// Reads a request head from the start of `buf`, taking it out when it is
/// one this loop serves.
/// `spare`: an empty header map to fill, left empty in its place.
fn parse(buf: &mut BytesMut, hosts: &mut HostCache, port: u16, spare: &mut HeaderMap) -> Parsed {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut []);
    let len = match httparse::ParserConfig::default().parse_request_with_uninit_headers(
        &mut request,
        buf,
        &mut slots,
    ) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Other(None),
    };
    let method = match request.method {
        Some("GET") => Method::GET,
        Some("HEAD") => Method::HEAD,
        _ => return Parsed::Other(None),
    };
    let target = request.path.unwrap_or_default();
    if request.version != Some(1) || !target.starts_with('/') || target.len() > MAX_TARGET {
        return Parsed::Other(None);
    }
    // Where each piece lies, so that they can be cut from the shared bytes
    // of the head once it is taken out of the buffer.
    // A head hyper would find too large is left to it (a read can bring
    // in more than its buffer takes).
    if len > limits::HEAD_SIZE {
        return Parsed::Other(None);
    }
    // (`u32` offsets, as a head is short, keep the list of fields small.)
    let base = buf.as_ptr() as usize;
    let span = |piece: &[u8]| {
        let start = piece.as_ptr() as usize - base;
        (start as u32, (start + piece.len()) as u32)
    };
    let target = span(target.as_bytes());
    let mut fields: SmallVec<[(Span, Span); 12]> = SmallVec::new();
    for header in request.headers.iter() {
        fields.push((span(header.name.as_bytes()), span(header.value)));
    }
    let bytes = buf.split_to(len).freeze();
    let Ok(uri) = Uri::from_maybe_shared(bytes.slice(target.0 as usize..target.1 as usize)) else {
        return Parsed::Other(Some(bytes));
    };
    let mut headers = std::mem::take(spare);
    headers.reserve(fields.len());
    let mut close = false;
    let mut host = None;
    for (name, value) in fields {
        let (name, value) = (
            name.0 as usize..name.1 as usize,
            value.0 as usize..value.1 as usize,
        );
        let Ok(name) = HeaderName::from_bytes(&bytes[name]) else {
            return Parsed::Other(Some(bytes));
        };
        // The headers that make a request more than a plain fetch.
        if name == TRANSFER_ENCODING || name == CONTENT_LENGTH || name == EXPECT || name == UPGRADE
        {
            return Parsed::Other(Some(bytes));
        }
        let text = &bytes[value.clone()];
        if name == CONNECTION {
            close = close || has_close(text);
        } else if name == HOST {
            host = Some(value.clone());
        }
        headers.append(name, header_value(bytes.slice(value)));
    }
    // The last `Host` counts, as on hyper's side.
    let host = hosts.host_of_http1(host.map(|range| &bytes[range]), port);
    let mut request = http::Request::new(());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = Version::HTTP_11;
    *request.headers_mut() = headers;
    Parsed::Request(Head {
        request,
        close,
        host,
    })
}

/// A header value `httparse` has read.
#[allow(unsafe_code)]
fn header_value(bytes: Bytes) -> HeaderValue {
    // SAFETY: not a memory-safety matter (the call is `unsafe` only
    // because it skips the check of the bytes): `httparse` accepts in a
    // header value exactly the bytes `HeaderValue` does (tab, and 0x20 and
    // above but DEL), so checking them again would only cost time. hyper
    // makes the same call for the same reason. (Debug builds check.)
    unsafe { HeaderValue::from_maybe_shared_unchecked(bytes) }
}

/// Whether a `Connection` value has the `close` token (a value that is
/// not visible ASCII has none, as in `Head::wants_close`).
fn has_close(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        && value
            .split(|&b| b == b',')
            .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"close"))
}

/// Serves the rest of the connection with hyper, which reads `taken` and
/// then `buf` before the socket.
async fn hand_over<S>(
    io: S,
    taken: Option<Bytes>,
    buf: BytesMut,
    state: &Arc<Connection>,
    stop: &AtomicBool,
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
    let io = TokioIo::new(Rewind { read, io });
    let connection = limits::http1().serve_connection(io, connection_service(state.clone()));
    tokio::pin!(connection);
    let mut shut = false;
    std::future::poll_fn(|cx| {
        if !shut && stop.load(Ordering::Relaxed) {
            shut = true;
            connection.as_mut().graceful_shutdown();
        }
        connection.as_mut().poll(cx)
    })
    .await
    .map_err(|err| Box::new(err) as BoxError)
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

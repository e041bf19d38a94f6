//! Reading a request head for the server's own loop: `httparse`, then the
//! checks that tell a plain fetch from a request for hyper.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, EXPECT, HOST, TRANSFER_ENCODING, UPGRADE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, Version};
use smallvec::SmallVec;

use crate::server::conn::limits;
use crate::server::request::host::{AskedHost, HostCache};

/// The most header fields in a request (hyper's limit: more is answered
/// 431 by hyper).
const MAX_HEADERS: usize = 100;

/// The longest request target hyper takes.
const MAX_TARGET: usize = u16::MAX as usize - 1;

/// Where a piece of a request head lies in the bytes read: start and end.
type Span = (u32, u32);

/// A request head read in full.
pub(super) struct Head {
    pub(super) request: http::Request<()>,
    /// The client asked to close the connection after this request.
    pub(super) close: bool,
    /// The host it asks for, or why it is refused.
    pub(super) host: AskedHost,
}

/// What the bytes read so far hold.
// Made once per request and taken apart at once: boxing the request would
// cost an allocation per request to save a copy.
#[allow(clippy::large_enum_variant)]
pub(super) enum Parsed {
    /// A request for this loop.
    Request(Head),
    /// The start of a head.
    Partial,
    /// Something for hyper: the bytes, with the head taken out of the
    /// buffer first when there was one.
    Other(Option<Bytes>),
}

/// Reads a request head from the start of `buf`, taking it out when it is
/// one this loop serves. `spare`: an empty header map to fill (one is left
/// in its place).
pub(super) fn parse(
    buf: &mut BytesMut,
    cache: &mut HostCache,
    port: u16,
    spare: &mut HeaderMap,
) -> Parsed {
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
    let mut hosts = 0;
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
            hosts += 1;
        }
        headers.append(name, header_value(bytes.slice(value)));
    }
    let host = cache.host_of_http1(
        Version::HTTP_11,
        hosts,
        host.map(|range| &bytes[range]),
        port,
    );
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
/// not visible ASCII has none, as in `intake::wants_close`).
fn has_close(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        && super::encode::has_token(value, b"close")
}

//! What one connection may cost the server: time limits, and the limits
//! on request heads and HTTP2 streams that keep a hostile or broken client
//! from holding memory or a connection slot for long (spec 02 §1.8, §1.10,
//! §1.11). Each limit that ends a connection is named in its log.

use std::time::Duration;

use hyper_util::rt::TokioTimer;

use super::activity::{Moving, Timeouts};

/// HTTP1: idle after the reference's `Keep-Alive: timeout=5`; a request
/// must have started within 30 s of the previous one ending (or of the
/// connection opening), whatever bytes trickle in; and nothing may stand
/// still for the reference's 180 s socket timeout.
pub(crate) const HTTP1: Timeouts = Timeouts {
    moving: Moving::Bytes,
    idle: Duration::from_secs(5),
    header: Some(Duration::from_secs(30)),
    inactive: Duration::from_secs(180),
};

/// HTTP2: a session with no stream in progress and no response moving
/// closes after the reference's 60 s, one with a stream in progress after
/// 180 s; `PING`s and other control frames do not count as moving, so a
/// client cannot keep streams it never reads from open by sending them.
/// Heads are bounded by the protocol limits below instead of by time.
pub(crate) const HTTP2: Timeouts = Timeouts {
    moving: Moving::Responses,
    idle: Duration::from_secs(60),
    header: None,
    inactive: Duration::from_secs(180),
};

/// How long a TLS handshake may take.
pub(crate) const TLS_HANDSHAKE: Duration = Duration::from_secs(30);

/// The largest request head (request line and headers) read, as Node's
/// 16 KiB: more is answered `431 Request Header Fields Too Large`.
pub(crate) const HEAD_SIZE: usize = 16 * 1024;

/// The most HTTP2 streams a client may have open at once (h2o's figure;
/// nginx allows 128).
const HTTP2_STREAMS: u32 = 100;

/// The most HTTP2 streams a client may reset before the server has taken
/// them up: beyond this it is flooding (the "rapid reset" attack), and the
/// session ends with `ENHANCE_YOUR_CALM`.
const HTTP2_PENDING_RESETS: usize = 20;

/// The most streams the server itself may have to reset because of the
/// client's errors before ending the session.
const HTTP2_ERROR_RESETS: usize = 1024;

/// An HTTP1 connection builder with the limits above.
pub(crate) fn http1() -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The limit of 100 header fields is hyper's own (more is answered
    // 431). Setting it explicitly, even to the same value, would make
    // hyper allocate and fill the field table for every request.
    //
    // A client that closes its sending side after its request still gets
    // the answer (the reference drops requests in progress then). This
    // also spares a read per request: without it hyper looks for the end
    // of the stream while each request is handled, and for that read
    // moves to a fresh 8 KiB buffer (the request still holds the old one).
    builder
        .keep_alive(true)
        .max_buf_size(HEAD_SIZE)
        .half_close(true);
    builder
}

/// An HTTP2 connection builder with the limits above. The header-list
/// limit also bounds `CONTINUATION` frames: a flood of them ends the
/// session.
pub(crate) fn http2<E>(executor: E) -> hyper::server::conn::http2::Builder<E> {
    let mut builder = hyper::server::conn::http2::Builder::new(executor);
    builder
        .timer(TokioTimer::new())
        .max_concurrent_streams(HTTP2_STREAMS)
        .max_pending_accept_reset_streams(HTTP2_PENDING_RESETS)
        .max_local_error_reset_streams(HTTP2_ERROR_RESETS)
        .max_header_list_size(HEAD_SIZE as u32);
    builder
}

/// The limit a connection's failure shows it ran into, as the event to
/// log (`headersTooLarge`, `http2Abuse`); `None` for other failures.
pub(crate) fn exceeded(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    if err.is::<crate::server::http2::Abuse>() {
        return Some("http2Abuse");
    }
    let hyper = err.downcast_ref::<hyper::Error>()?;
    if hyper.is_parse_too_large() {
        return Some("headersTooLarge");
    }
    let mut source = std::error::Error::source(hyper);
    while let Some(cause) = source {
        if let Some(h2) = cause.downcast_ref::<h2::Error>() {
            return (h2.reason() == Some(h2::Reason::ENHANCE_YOUR_CALM)).then_some("http2Abuse");
        }
        source = cause.source();
    }
    None
}

//! HTTP/2 frames (RFC 9113 §4, §6): the 9-byte frame head, the frame
//! types and flags the server reads, the error codes, and the frames it
//! writes.

/// The length of a frame's head.
pub(crate) const HEAD_LEN: usize = 9;

/// The client connection preface (RFC 9113 §3.4).
pub(crate) const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The largest frame payload before the peer says otherwise, and the
/// largest the server takes (`SETTINGS_MAX_FRAME_SIZE`, left at its
/// default).
pub(crate) const DEFAULT_MAX_FRAME: usize = 16_384;

/// The flow-control window before `SETTINGS` or `WINDOW_UPDATE` change it.
pub(crate) const DEFAULT_WINDOW: i64 = 65_535;

/// The largest a flow-control window may be.
pub(crate) const MAX_WINDOW: i64 = (1 << 31) - 1;

/// Frame types.
pub(crate) mod kind {
    pub(crate) const DATA: u8 = 0x0;
    pub(crate) const HEADERS: u8 = 0x1;
    pub(crate) const PRIORITY: u8 = 0x2;
    pub(crate) const RST_STREAM: u8 = 0x3;
    pub(crate) const SETTINGS: u8 = 0x4;
    pub(crate) const PUSH_PROMISE: u8 = 0x5;
    pub(crate) const PING: u8 = 0x6;
    pub(crate) const GOAWAY: u8 = 0x7;
    pub(crate) const WINDOW_UPDATE: u8 = 0x8;
    pub(crate) const CONTINUATION: u8 = 0x9;
}

/// Frame flags.
pub(crate) mod flag {
    pub(crate) const END_STREAM: u8 = 0x1;
    pub(crate) const ACK: u8 = 0x1;
    pub(crate) const END_HEADERS: u8 = 0x4;
    pub(crate) const PADDED: u8 = 0x8;
    pub(crate) const PRIORITY: u8 = 0x20;
}

/// Settings identifiers (RFC 9113 §6.5.2).
pub(crate) mod setting {
    pub(crate) const HEADER_TABLE_SIZE: u16 = 0x1;
    pub(crate) const ENABLE_PUSH: u16 = 0x2;
    pub(crate) const MAX_CONCURRENT_STREAMS: u16 = 0x3;
    pub(crate) const INITIAL_WINDOW_SIZE: u16 = 0x4;
    pub(crate) const MAX_FRAME_SIZE: u16 = 0x5;
    pub(crate) const MAX_HEADER_LIST_SIZE: u16 = 0x6;
}

/// Error codes (RFC 9113 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Code {
    NoError = 0x0,
    Protocol = 0x1,
    Internal = 0x2,
    FlowControl = 0x3,
    StreamClosed = 0x5,
    FrameSize = 0x6,
    RefusedStream = 0x7,
    Compression = 0x9,
    EnhanceYourCalm = 0xb,
}

/// A frame's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) len: usize,
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) stream: u32,
}

impl Head {
    /// The head at the start of `bytes` (at least [`HEAD_LEN`] long).
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        Self {
            len: usize::from(bytes[0]) << 16 | usize::from(bytes[1]) << 8 | usize::from(bytes[2]),
            kind: bytes[3],
            flags: bytes[4],
            // The reserved bit is ignored.
            stream: u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) & 0x7fff_ffff,
        }
    }

    /// Whether flag `flag` is set.
    pub(crate) fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Appends a frame head.
pub(crate) fn head(dst: &mut Vec<u8>, len: usize, kind: u8, flags: u8, stream: u32) {
    let len = len as u32;
    dst.extend_from_slice(&len.to_be_bytes()[1..]);
    dst.push(kind);
    dst.push(flags);
    dst.extend_from_slice(&stream.to_be_bytes());
}

/// Appends the server's `SETTINGS`: `MAX_CONCURRENT_STREAMS` and
/// `MAX_HEADER_LIST_SIZE` (the rest stay at their defaults).
pub(crate) fn settings(dst: &mut Vec<u8>, max_streams: u32, max_header_list: u32) {
    head(dst, 12, kind::SETTINGS, 0, 0);
    for (id, value) in [
        (setting::MAX_CONCURRENT_STREAMS, max_streams),
        (setting::MAX_HEADER_LIST_SIZE, max_header_list),
    ] {
        dst.extend_from_slice(&id.to_be_bytes());
        dst.extend_from_slice(&value.to_be_bytes());
    }
}

/// Appends a `SETTINGS` acknowledgement.
pub(crate) fn settings_ack(dst: &mut Vec<u8>) {
    head(dst, 0, kind::SETTINGS, flag::ACK, 0);
}

/// Appends the acknowledgement of a `PING` with `payload`.
pub(crate) fn pong(dst: &mut Vec<u8>, payload: &[u8]) {
    head(dst, 8, kind::PING, flag::ACK, 0);
    dst.extend_from_slice(payload);
}

/// Appends a `WINDOW_UPDATE` of `increment` for `stream` (0: the
/// connection).
pub(crate) fn window_update(dst: &mut Vec<u8>, stream: u32, increment: u32) {
    head(dst, 4, kind::WINDOW_UPDATE, 0, stream);
    dst.extend_from_slice(&increment.to_be_bytes());
}

/// Appends a `RST_STREAM` of `stream` with `code`.
pub(crate) fn rst_stream(dst: &mut Vec<u8>, stream: u32, code: Code) {
    head(dst, 4, kind::RST_STREAM, 0, stream);
    dst.extend_from_slice(&(code as u32).to_be_bytes());
}

/// Appends a `GOAWAY` naming `last` the last stream taken up, with `code`.
pub(crate) fn goaway(dst: &mut Vec<u8>, last: u32, code: Code) {
    head(dst, 8, kind::GOAWAY, 0, 0);
    dst.extend_from_slice(&last.to_be_bytes());
    dst.extend_from_slice(&(code as u32).to_be_bytes());
}

/// Appends the header block `block` for `stream` as a `HEADERS` frame and
/// as many `CONTINUATION` frames as frames of `max_frame` bytes need.
pub(crate) fn headers(
    dst: &mut Vec<u8>,
    stream: u32,
    block: &[u8],
    end_stream: bool,
    max_frame: usize,
) {
    let mut chunks = block.chunks(max_frame).peekable();
    let mut first = true;
    // An empty block is one `HEADERS` frame with nothing in it.
    if block.is_empty() {
        let flags = flag::END_HEADERS | if end_stream { flag::END_STREAM } else { 0 };
        head(dst, 0, kind::HEADERS, flags, stream);
        return;
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let mut flags = if last { flag::END_HEADERS } else { 0 };
        let kind = if first {
            if end_stream {
                flags |= flag::END_STREAM;
            }
            kind::HEADERS
        } else {
            kind::CONTINUATION
        };
        head(dst, chunk.len(), kind, flags, stream);
        dst.extend_from_slice(chunk);
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_reads_back_as_written_without_the_reserved_bit() {
        let mut out = Vec::new();
        head(&mut out, 0x01_02_03, kind::HEADERS, flag::END_HEADERS, 7);
        assert_eq!(out.len(), HEAD_LEN);
        out[5] |= 0x80;
        let parsed = Head::parse(&out);
        assert_eq!(
            parsed,
            Head {
                len: 0x01_02_03,
                kind: kind::HEADERS,
                flags: flag::END_HEADERS,
                stream: 7,
            }
        );
        assert!(parsed.has(flag::END_HEADERS) && !parsed.has(flag::PADDED));
    }

    #[test]
    fn a_long_block_goes_on_in_continuation_frames() {
        let mut out = Vec::new();
        headers(&mut out, 3, &[1; 25], true, 10);
        let first = Head::parse(&out);
        assert_eq!(
            (first.kind, first.len, first.flags),
            (kind::HEADERS, 10, flag::END_STREAM)
        );
        let second = Head::parse(&out[19..]);
        assert_eq!(
            (second.kind, second.len, second.flags),
            (kind::CONTINUATION, 10, 0)
        );
        let third = Head::parse(&out[38..]);
        assert_eq!(
            (third.kind, third.len, third.flags),
            (kind::CONTINUATION, 5, flag::END_HEADERS)
        );
        assert_eq!(out.len(), 3 * HEAD_LEN + 25);
    }
}

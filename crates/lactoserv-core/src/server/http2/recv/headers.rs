//! Header blocks (RFC 9113 §4.3, §6.2, §6.10): gathered from `HEADERS`
//! and `CONTINUATION` frames, decoded, and made a new stream's request or
//! its trailers.

use bytes::{Buf, Bytes};

use super::super::frame::{self, Code, Head, flag};
use super::super::head::{Checked, check};
use super::super::send::Sending;
use super::super::session::{MAX_STREAMS, Session, Stream};
use super::{Receiving, started};
use crate::server::conn::limits;

/// The most a header block may take, gathered from its frames, before
/// the session is ended as a flood (`CONTINUATION` frames without end).
const MAX_BLOCK: usize = 4 * limits::HEAD_SIZE;

/// A header block being gathered from `HEADERS` and `CONTINUATION`
/// frames.
pub(crate) struct Block {
    pub(super) stream: u32,
    end_stream: bool,
    /// Its `HEADERS` frame made a stream depend on itself: a stream error
    /// once the block is decoded.
    self_dependent: bool,
    bytes: Vec<u8>,
}

impl Session {
    pub(super) fn headers(&mut self, head: Head, payload: Bytes) {
        if head.stream == 0 || head.stream.is_multiple_of(2) {
            self.fail(Code::Protocol);
            return;
        }
        let Some(mut payload) = self.unpadded(head, payload) else {
            return;
        };
        let mut self_dependent = false;
        if head.has(flag::PRIORITY) {
            if payload.len() < 5 {
                self.fail(Code::FrameSize);
                return;
            }
            let dependency = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
            self_dependent = dependency & 0x7fff_ffff == head.stream;
            payload.advance(5);
        }
        let block = Block {
            stream: head.stream,
            end_stream: head.has(flag::END_STREAM),
            self_dependent,
            bytes: payload.to_vec(),
        };
        if head.has(flag::END_HEADERS) {
            self.block_done(block);
        } else {
            self.block = Some(block);
        }
    }

    pub(super) fn continuation(&mut self, head: Head, payload: &[u8]) {
        let Some(block) = &mut self.block else {
            self.fail(Code::Protocol);
            return;
        };
        block.bytes.extend_from_slice(payload);
        if block.bytes.len() > MAX_BLOCK {
            self.abuse("a header block without end");
            return;
        }
        if head.has(flag::END_HEADERS)
            && let Some(block) = self.block.take()
        {
            self.block_done(block);
        }
    }

    /// A whole header block: decoded (which keeps the decoder in step
    /// whatever becomes of it), then a new request, trailers, or an error.
    fn block_done(&mut self, block: Block) {
        let Block {
            stream: id,
            end_stream,
            self_dependent,
            bytes,
        } = block;
        let decoded = check(
            &mut self.hpack,
            &bytes,
            &mut self.hosts,
            self.conn.endpoint.port,
        );
        let checked = match decoded {
            Ok(checked) => checked,
            Err(_) => {
                self.fail(Code::Compression);
                return;
            }
        };
        if let Some(stream) = self.stream(id) {
            // Trailers: they must end the stream; they are not kept.
            match stream.receiving {
                Some(_) if end_stream => self.request_done(id),
                Some(_) => self.reset(id, Code::Protocol),
                None => self.reset(id, Code::StreamClosed),
            }
            return;
        }
        if self.goaway_last.is_some_and(|last| id > last) {
            return;
        }
        if !self.is_idle(id) {
            self.fail(Code::StreamClosed);
            return;
        }
        self.last_stream = id;
        self.opened += 1;
        if self.going_away {
            return;
        }
        if self_dependent {
            self.reset(id, Code::Protocol);
            return;
        }
        if self.streams.len() >= MAX_STREAMS {
            frame::rst_stream(&mut self.out, id, Code::RefusedStream);
            return;
        }
        let mut head = match checked {
            Checked::Request(head) => head,
            Checked::TooLarge => {
                // As `h2` answers: a bare 431.
                let mut block = Vec::new();
                super::super::hpack::encode::status(
                    &mut block,
                    http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                );
                frame::headers(&mut self.out, id, &block, true, self.peer_max_frame);
                if !end_stream {
                    frame::rst_stream(&mut self.out, id, Code::NoError);
                }
                return;
            }
            Checked::Malformed => {
                self.reset(id, Code::Protocol);
                return;
            }
        };
        head.started = started(&self.conn);
        let declared = head.declared_length;
        self.streams.push(Stream {
            id,
            receiving: Some(Receiving {
                head: Some(head),
                declared,
                received: 0,
                window: frame::DEFAULT_WINDOW,
            }),
            sending: Sending::Waiting,
            window: self.peer_window,
        });
        self.conn.activity.progressed();
        if end_stream {
            self.request_done(id);
        }
    }
}

//! Taking frames in (RFC 9113 §5, §6): each frame checked against the
//! stream states and the settings, header blocks gathered and decoded,
//! request bodies counted and flow control given back; a broken rule is a
//! stream error (`RST_STREAM`) or a connection error (`GOAWAY`), as the
//! RFC says of it.

mod headers;

use bytes::{Buf, Bytes};

use super::frame::{
    self, Code, DEFAULT_MAX_FRAME, HEAD_LEN, Head, MAX_WINDOW, PREFACE, flag, kind, setting,
};
use super::head::RequestHead;
use super::session::{Opening, Session};
use crate::net::Response;
use crate::server::request::started;

pub(crate) use headers::Block;

/// Resets of streams in progress (less those answered in full) past
/// which the client is flooding: the "rapid reset" attack.
const MAX_EARLY_RESETS: usize = 20;

/// Streams the server may reset for the client's errors before it ends
/// the session.
const MAX_ERROR_RESETS: usize = 1024;

/// A request whose body is still coming.
pub(crate) struct Receiving {
    /// The request, until it is taken up (`None` once it has been: what
    /// comes after is trailers, or a body the answer did not wait for).
    pub(super) head: Option<Box<RequestHead>>,
    /// Its `content-length`, if it gave one.
    declared: Option<u64>,
    /// Body bytes received.
    received: u64,
    /// How much more the client may send on the stream before the server
    /// opens its window again.
    window: i64,
}

impl Session {
    /// Takes in every whole frame read so far.
    pub(super) fn take_frames(&mut self) {
        self.take_whole_frames();
        // Counted once for what one read brought, not once per stream.
        if self.opened > 0 {
            if let Some(metrics) = &self.conn.endpoint.metrics {
                metrics.count(crate::metrics::Event::Http2Stream, self.opened);
            }
            self.opened = 0;
        }
    }

    fn take_whole_frames(&mut self) {
        while self.failed.is_none() {
            if self.opening == Opening::Preface {
                if self.input.len() < PREFACE.len() {
                    if !PREFACE.starts_with(&self.input) {
                        self.fail(Code::Protocol);
                    }
                    return;
                }
                if &self.input[..PREFACE.len()] != PREFACE {
                    self.fail(Code::Protocol);
                    return;
                }
                self.input.advance(PREFACE.len());
                self.opening = Opening::Settings;
            }
            if self.input.len() < HEAD_LEN {
                return;
            }
            let head = Head::parse(&self.input);
            if head.len > DEFAULT_MAX_FRAME {
                self.fail(Code::FrameSize);
                return;
            }
            if self.input.len() < HEAD_LEN + head.len {
                return;
            }
            self.input.advance(HEAD_LEN);
            let payload = self.input.split_to(head.len).freeze();
            self.frame(head, payload);
        }
    }

    /// Takes in one frame.
    fn frame(&mut self, head: Head, payload: Bytes) {
        if self.opening == Opening::Settings {
            if head.kind != kind::SETTINGS || head.has(flag::ACK) {
                self.fail(Code::Protocol);
                return;
            }
            self.opening = Opening::Open;
        }
        // Nothing may come between the frames of a header block.
        if let Some(block) = &self.block
            && (head.kind != kind::CONTINUATION || head.stream != block.stream)
        {
            self.fail(Code::Protocol);
            return;
        }
        // After a `GOAWAY`, later streams are not served; their header
        // blocks are still decoded, to keep the decoder in step, and their
        // data still counts against the connection's window.
        if self.goaway_last.is_some_and(|last| head.stream > last)
            && !matches!(head.kind, kind::HEADERS | kind::CONTINUATION)
        {
            if head.kind == kind::DATA && !payload.is_empty() {
                frame::window_update(&mut self.out, 0, payload.len() as u32);
            }
            return;
        }
        match head.kind {
            kind::DATA => self.data(head, payload),
            kind::HEADERS => self.headers(head, payload),
            kind::PRIORITY => self.priority(head, &payload),
            kind::RST_STREAM => self.rst_stream(head, &payload),
            kind::SETTINGS => self.settings(head, &payload),
            kind::PUSH_PROMISE => self.fail(Code::Protocol),
            kind::PING => self.ping(head, &payload),
            kind::GOAWAY => self.goaway(head),
            kind::WINDOW_UPDATE => self.window_update(head, &payload),
            kind::CONTINUATION => self.continuation(head, &payload),
            // Unknown frame types are ignored (RFC 9113 §5.5).
            _ => {}
        }
    }

    /// Whether stream `id` (not among those the session knows) is idle:
    /// never opened.
    fn is_idle(&self, id: u32) -> bool {
        id > self.last_stream
    }

    /// Resets stream `id` with `code` for the client's error.
    pub(super) fn reset(&mut self, id: u32, code: Code) {
        frame::rst_stream(&mut self.out, id, code);
        self.forget(id);
        self.error_resets += 1;
        if self.error_resets > MAX_ERROR_RESETS {
            self.abuse("too many stream errors");
        }
    }

    /// `payload` without its padding (`PADDED` frames), or `None` (a
    /// connection error, failed already) if the padding is longer than the
    /// frame.
    fn unpadded(&mut self, head: Head, mut payload: Bytes) -> Option<Bytes> {
        if !head.has(flag::PADDED) {
            return Some(payload);
        }
        let Some(&pad) = payload.first() else {
            self.fail(Code::Protocol);
            return None;
        };
        let pad = usize::from(pad);
        if pad >= payload.len() {
            self.fail(Code::Protocol);
            return None;
        }
        payload.advance(1);
        payload.truncate(payload.len() - pad);
        Some(payload)
    }

    fn data(&mut self, head: Head, payload: Bytes) {
        let id = head.stream;
        if id == 0 {
            self.fail(Code::Protocol);
            return;
        }
        // The whole frame counts against the windows, padding too.
        let counted = payload.len() as i64;
        self.recv_window -= counted;
        if self.recv_window < 0 {
            self.fail(Code::FlowControl);
            return;
        }
        let Some(payload) = self.unpadded(head, payload) else {
            return;
        };
        if counted > 0 {
            frame::window_update(&mut self.out, 0, counted as u32);
            self.recv_window += counted;
        }
        let end_stream = head.has(flag::END_STREAM);
        let Some(stream) = self.stream(id) else {
            if self.is_idle(id) {
                self.fail(Code::Protocol);
            } else {
                self.reset(id, Code::StreamClosed);
            }
            return;
        };
        let Some(receiving) = &mut stream.receiving else {
            self.reset(id, Code::StreamClosed);
            return;
        };
        receiving.window -= counted;
        if receiving.window < 0 {
            self.reset(id, Code::FlowControl);
            return;
        }
        receiving.received += payload.len() as u64;
        if receiving.declared.is_some_and(|declared| {
            receiving.received > declared || (end_stream && receiving.received != declared)
        }) {
            self.reset(id, Code::Protocol);
            return;
        }
        if end_stream {
            self.request_done(id);
        } else if counted > 0 {
            receiving.window += counted;
            frame::window_update(&mut self.out, id, counted as u32);
            self.body_grew(id);
        }
    }

    fn priority(&mut self, head: Head, payload: &[u8]) {
        if head.stream == 0 {
            self.fail(Code::Protocol);
            return;
        }
        if payload.len() != 5 {
            self.reset(head.stream, Code::FrameSize);
            return;
        }
        let dependency = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
        if dependency & 0x7fff_ffff == head.stream {
            self.reset(head.stream, Code::Protocol);
        }
        // Otherwise ignored: answers go out in the order they are made.
    }

    fn rst_stream(&mut self, head: Head, payload: &[u8]) {
        if head.stream == 0 {
            self.fail(Code::Protocol);
            return;
        }
        if payload.len() != 4 {
            self.fail(Code::FrameSize);
            return;
        }
        if self.stream(head.stream).is_none() {
            if self.is_idle(head.stream) {
                self.fail(Code::Protocol);
            }
            return;
        }
        self.forget(head.stream);
        self.early_resets += 1;
        if self.early_resets > MAX_EARLY_RESETS {
            self.abuse("streams reset as fast as they are opened");
        }
    }

    fn settings(&mut self, head: Head, payload: &[u8]) {
        if head.stream != 0 {
            self.fail(Code::Protocol);
            return;
        }
        if head.has(flag::ACK) {
            if !payload.is_empty() {
                self.fail(Code::FrameSize);
            }
            return;
        }
        if !payload.len().is_multiple_of(6) {
            self.fail(Code::FrameSize);
            return;
        }
        for entry in payload.chunks_exact(6) {
            let id = u16::from_be_bytes([entry[0], entry[1]]);
            let value = u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]);
            match id {
                setting::ENABLE_PUSH if value > 1 => {
                    self.fail(Code::Protocol);
                    return;
                }
                setting::INITIAL_WINDOW_SIZE => {
                    let value = i64::from(value);
                    if value > MAX_WINDOW {
                        self.fail(Code::FlowControl);
                        return;
                    }
                    let change = value - self.peer_window;
                    self.peer_window = value;
                    for stream in &mut self.streams {
                        stream.window += change;
                        if stream.window > MAX_WINDOW {
                            self.fail(Code::FlowControl);
                            return;
                        }
                    }
                }
                setting::MAX_FRAME_SIZE => {
                    if !(DEFAULT_MAX_FRAME as u32..=(1 << 24) - 1).contains(&value) {
                        self.fail(Code::Protocol);
                        return;
                    }
                    self.peer_max_frame = value as usize;
                }
                // The server never uses the dynamic table or pushes, and
                // keeps to its own limits on streams and header lists.
                setting::HEADER_TABLE_SIZE
                | setting::ENABLE_PUSH
                | setting::MAX_CONCURRENT_STREAMS
                | setting::MAX_HEADER_LIST_SIZE => {}
                _ => {}
            }
        }
        frame::settings_ack(&mut self.out);
    }

    fn ping(&mut self, head: Head, payload: &[u8]) {
        if head.stream != 0 {
            self.fail(Code::Protocol);
            return;
        }
        if payload.len() != 8 {
            self.fail(Code::FrameSize);
            return;
        }
        if !head.has(flag::ACK) {
            frame::pong(&mut self.out, payload);
        }
    }

    fn goaway(&mut self, head: Head) {
        if head.stream != 0 {
            self.fail(Code::Protocol);
            return;
        }
        // The client opens no more streams: the session ends once those
        // it has opened are answered.
        self.client_going = true;
    }

    fn window_update(&mut self, head: Head, payload: &[u8]) {
        if payload.len() != 4 {
            self.fail(Code::FrameSize);
            return;
        }
        let increment = i64::from(
            u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff,
        );
        if head.stream == 0 {
            if increment == 0 {
                self.fail(Code::Protocol);
                return;
            }
            self.send_window += increment;
            if self.send_window > MAX_WINDOW {
                self.fail(Code::FlowControl);
            }
            return;
        }
        let idle = self.is_idle(head.stream);
        let Some(stream) = self.stream(head.stream) else {
            if idle {
                self.fail(Code::Protocol);
            }
            return;
        };
        if increment == 0 {
            self.reset(head.stream, Code::Protocol);
            return;
        }
        stream.window += increment;
        if stream.window > MAX_WINDOW {
            self.reset(head.stream, Code::FlowControl);
        }
    }

    /// The client is done sending on stream `id`: its request, if not yet
    /// taken up, goes through the pipeline.
    fn request_done(&mut self, id: u32) {
        let Some(stream) = self.stream(id) else {
            return;
        };
        let Some(Receiving {
            head: Some(head),
            received,
            ..
        }) = stream.receiving.take()
        else {
            return;
        };
        let read = match head.body_refusal(received, self.conn.endpoint.max_body) {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        };
        self.take_up(id, head, read);
    }

    /// More body arrived on stream `id`: a request whose body may not be
    /// that long is answered now.
    fn body_grew(&mut self, id: u32) {
        let max = self.conn.endpoint.max_body;
        let Some(stream) = self.stream(id) else {
            return;
        };
        let Some(receiving) = &mut stream.receiving else {
            return;
        };
        let Some(head) = &receiving.head else {
            return;
        };
        if let Some(refusal) = head.body_refusal(receiving.received, max) {
            let head = receiving.head.take().expect("checked above");
            self.take_up(id, head, Err(refusal));
        }
    }
}

/// A refusal, when a body of `received` bytes is more than allowed.
pub(super) fn refusal(takes_body: bool, received: u64, max: Option<u64>) -> Option<Response> {
    let limit = if takes_body {
        max.unwrap_or(u64::MAX)
    } else {
        0
    };
    if received <= limit {
        return None;
    }
    Some(if takes_body {
        Response::bad_request(&format!(
            "Request body is larger than allowed maximum of {limit} bytes."
        ))
    } else {
        Response::bad_request("Expected empty request body, but there was data.")
    })
}

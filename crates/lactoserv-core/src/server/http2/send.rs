//! Answering streams: a request taken through the pipeline, its answer's
//! header block (a prepared response's fields encoded once and kept with
//! it), and the body in `DATA` frames as the client's windows allow.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, HeaderValue, StatusCode};
use hyper::body::Body as _;

use super::frame::{self, Code, flag, kind};
use super::head::RequestHead;
use super::hpack::encode;
use super::session::Session;
use crate::net::{Body, Response};
use crate::server::request::access::{Record, Sent};
use crate::server::request::{Intake, Outcome, take};
use crate::server::response::body::ResponseBody;
use crate::server::response::prepared::{Way, kept};
use crate::server::response::{Answer, Headers, completed};

/// Bytes of frames waiting to go out past which no more body is framed
/// until they have.
const FRAMED_HIGH: usize = 64 * 1024;

/// Where a stream's answer is.
pub(crate) enum Sending {
    /// Not made yet.
    Waiting,
    /// Its head is out; its body is going.
    Body(Box<Outgoing>),
}

/// A body going out.
pub(crate) struct Outgoing {
    body: ResponseBody,
    /// What the body last gave and has not gone out yet.
    piece: Bytes,
}

/// The fields a prepared response's answers share, encoded.
struct Encoded(Vec<u8>);

impl Session {
    /// Takes stream `id`'s request through the pipeline (`read`: its body
    /// was fine, or the answer refusing it).
    pub(super) fn take_up(&mut self, id: u32, head: Box<RequestHead>, read: Result<(), Response>) {
        let RequestHead {
            parts,
            host,
            started,
            ..
        } = *head;
        let conn = self.conn.clone();
        let in_flight = conn.activity.request();
        match take(&conn, host, parts, read, started, None) {
            Intake::Job(mut job) => match job.run_now(&conn) {
                Some(outcome) => {
                    drop(in_flight);
                    self.answer(id, outcome);
                }
                None => {
                    drop(in_flight);
                    let conn = conn.clone();
                    self.jobs.push(Box::pin(async move {
                        let _in_flight = conn.activity.request();
                        (id, job.run(&conn).await)
                    }));
                }
            },
            Intake::Done(outcome) => {
                drop(in_flight);
                self.answer(id, outcome);
            }
        }
    }

    /// Sends `outcome` as stream `id`'s answer: its head now, its body as
    /// the windows allow.
    pub(super) fn answer(&mut self, id: u32, outcome: Outcome) {
        self.conn.activity.progressed();
        if self.stream(id).is_none() {
            // Reset while the answer was made.
            return;
        }
        let (block, mut body) = self.head_block(outcome);
        let ends = hyper::body::Body::is_end_stream(&body);
        frame::headers(&mut self.out, id, &block, ends, self.peer_max_frame);
        if ends {
            self.sent_all(id);
            return;
        }
        body.pace(&self.conn);
        if let Some(stream) = self.stream(id) {
            stream.sending = Sending::Body(Box::new(Outgoing {
                body,
                piece: Bytes::new(),
            }));
        }
    }

    /// Stream `id`'s answer is all out: the stream is done with, unless
    /// the client is still sending, which it is told to stop.
    fn sent_all(&mut self, id: u32) {
        self.early_resets = self.early_resets.saturating_sub(1);
        let Some(stream) = self.stream(id) else {
            return;
        };
        if stream.receiving.is_some() {
            frame::rst_stream(&mut self.out, id, Code::NoError);
        }
        self.forget(id);
    }

    /// Frames what the bodies under way have ready, as far as the windows
    /// and the room for frames allow; whether any moved.
    pub(super) fn send_bodies(&mut self, cx: &mut Context<'_>) -> bool {
        let mut moved = false;
        let mut at = 0;
        while at < self.streams.len() && self.out.len() < FRAMED_HIGH {
            let id = self.streams[at].id;
            match self.send_body(at, cx) {
                Step::Waiting => at += 1,
                Step::Moved => {
                    moved = true;
                    at += 1;
                }
                Step::Ended => {
                    moved = true;
                    self.sent_all(id);
                }
                Step::Failed => {
                    moved = true;
                    frame::rst_stream(&mut self.out, id, Code::Internal);
                    self.forget(id);
                }
            }
        }
        moved
    }

    /// Frames what stream `at`'s body has ready.
    fn send_body(&mut self, at: usize, cx: &mut Context<'_>) -> Step {
        let max_frame = self.peer_max_frame;
        let stream = &mut self.streams[at];
        let Sending::Body(outgoing) = &mut stream.sending else {
            return Step::Waiting;
        };
        let mut step = Step::Waiting;
        loop {
            if outgoing.piece.is_empty() {
                match Pin::new(&mut outgoing.body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(next))) => {
                        if let Ok(data) = next.into_data() {
                            outgoing.piece = data;
                        }
                        continue;
                    }
                    Poll::Ready(Some(Err(_))) => return Step::Failed,
                    Poll::Ready(None) => {
                        // The length was announced: a body that ends short
                        // cannot be answered whole.
                        frame::head(&mut self.out, 0, kind::DATA, flag::END_STREAM, stream.id);
                        return Step::Ended;
                    }
                    Poll::Pending => return step,
                }
            }
            let room = self.send_window.min(stream.window).min(max_frame as i64);
            if room <= 0 {
                return step;
            }
            let take = outgoing.piece.len().min(room as usize);
            let chunk = outgoing.piece.split_to(take);
            let ends = outgoing.piece.is_empty() && outgoing.body.is_end_stream();
            let flags = if ends { flag::END_STREAM } else { 0 };
            frame::head(&mut self.out, take, kind::DATA, flags, stream.id);
            self.out.extend_from_slice(&chunk);
            self.send_window -= take as i64;
            stream.window -= take as i64;
            self.conn.activity.progressed();
            if ends {
                return Step::Ended;
            }
            step = Step::Moved;
            if self.out.len() >= FRAMED_HIGH {
                return step;
            }
        }
    }

    /// The header block of `outcome`'s answer, and its body (none for
    /// `HEAD`) as it goes out, reporting to the access log.
    fn head_block(&self, outcome: Outcome) -> (Vec<u8>, ResponseBody) {
        let (mut block, body) = self.answer_block(outcome);
        // An endpoint's own header, after those kept with the answer
        // (which are the same for every endpoint).
        if let Some(alt_svc) = &self.conn.endpoint.alt_svc {
            encode::field(&mut block, &http::header::ALT_SVC, alt_svc.as_bytes());
        }
        (block, body)
    }

    /// [`Self::head_block`] but for the endpoint's own headers.
    fn answer_block(&self, outcome: Outcome) -> (Vec<u8>, ResponseBody) {
        let server = &self.conn.endpoint.server_header;
        let Outcome { answer, record } = outcome;
        let Answer {
            status,
            headers,
            body,
            is_head,
            link,
        } = answer;
        let mut block = Vec::with_capacity(128);
        encode::status(&mut block, status);
        let wants_headers = record.as_deref().is_some_and(Record::wants_headers);
        match headers {
            Headers::Prepared {
                prepared,
                cacheable,
            } if !wants_headers => {
                let way = Way { link, cacheable };
                let make = || Encoded(fields(&completed(&prepared, cacheable, link, server)));
                match kept(&prepared, way, server, make) {
                    Some(kept) => block.extend_from_slice(&kept.0),
                    None => block.extend_from_slice(&make().0),
                }
                encode::date_now(&mut block);
                let sent = Sent {
                    status: status.as_u16(),
                    length: None,
                    headers: None,
                };
                let body = if is_head {
                    ResponseBody::empty()
                } else {
                    ResponseBody::from(body)
                };
                let body = match record {
                    Some(record) => record.watch(body, sent),
                    None => body,
                };
                (block, body)
            }
            Headers::Prepared {
                prepared,
                cacheable,
            } => {
                let headers = completed(&prepared, cacheable, link, server);
                self.own_block(block, status, headers, body, is_head, record, false)
            }
            Headers::Own(mut headers) => {
                link.add_headers(&mut headers, server);
                self.own_block(block, status, headers, body, is_head, record, true)
            }
        }
    }

    /// The rest of the block for `headers` (with `content-length` added
    /// for a body if `add_length`), and the body.
    #[allow(clippy::too_many_arguments)]
    fn own_block(
        &self,
        mut block: Vec<u8>,
        status: StatusCode,
        mut headers: HeaderMap,
        body: Body,
        is_head: bool,
        record: Option<Box<Record>>,
        add_length: bool,
    ) -> (Vec<u8>, ResponseBody) {
        if add_length
            && matches!(body, Body::Full(_) | Body::Parts(_))
            && let Some(length) = body.content_length()
        {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        block.extend_from_slice(&fields(&headers));
        encode::date_now(&mut block);
        let body = if is_head {
            ResponseBody::empty()
        } else {
            ResponseBody::from(body)
        };
        let body = match record {
            Some(record) => record.watch_sent(body, status, &headers),
            None => body,
        };
        (block, body)
    }
}

/// What framing a body's next pieces came to.
enum Step {
    /// Nothing could go (no data yet, or no window).
    Waiting,
    /// Some went.
    Moved,
    /// The last went.
    Ended,
    /// The body failed.
    Failed,
}

/// `headers` encoded as fields of a block.
fn fields(headers: &HeaderMap) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    for (name, value) in headers {
        encode::field(&mut out, name, value.as_bytes());
    }
    out
}

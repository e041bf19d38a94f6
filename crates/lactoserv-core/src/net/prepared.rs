//! Responses prepared once and sent many times (a `SimpleResponse`; later
//! cached files). The header map the server sends for one, the
//! application's headers plus the server's own, is made once for each way
//! of answering (protocol and connection handling, cacheable or not) and
//! copied from then on, instead of being put together header by header
//! (each a hash-table insert) on every request.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use super::Response;

/// How many ways of answering are told apart: see
/// [`Prepared::completed`].
pub(crate) const WAYS: usize = 6;

/// A response prepared once; [`Prepared::response`] makes each answer.
#[derive(Clone)]
pub struct Prepared(Arc<Inner>);

struct Inner {
    response: Response,
    /// Completed header maps, by way of answering, each with the `Server`
    /// value it was made with.
    completed: [OnceLock<(HeaderValue, Completed)>; WAYS],
}

/// The headers the server sends for one way of answering a prepared
/// response.
pub(crate) struct Completed {
    /// As a header map.
    pub(crate) headers: HeaderMap,
    /// As the header lines of an HTTP/1.1 head, when they can be written
    /// beforehand.
    pub(crate) http1: Option<HeaderLines>,
}

/// Header fields written beforehand as the lines of an HTTP/1.1 head.
#[derive(Clone)]
pub(crate) struct HeaderLines {
    /// The lines, each ending in CRLF.
    pub(crate) text: Bytes,
    /// A `connection` line says `close`.
    pub(crate) closes: bool,
}

impl Prepared {
    /// Prepares `response`.
    pub fn new(response: Response) -> Self {
        Self(Arc::new(Inner {
            response,
            completed: Default::default(),
        }))
    }

    /// The prepared response, to answer a request with. Headers an
    /// application adds to it are sent too, replacing prepared ones of the
    /// same name.
    pub fn response(&self) -> Response {
        let prepared = &self.0.response;
        let mut response = Response::new(prepared.status, prepared.body.clone());
        response.prepared = Some(self.clone());
        response
    }

    /// What was prepared.
    pub fn template(&self) -> &Response {
        &self.0.response
    }

    /// The headers for answering the `way`th way (below [`WAYS`]), made
    /// by `complete` from the prepared response the first time; `None`
    /// for a `Server` value other than the first one's (the caller makes
    /// its own).
    pub(crate) fn completed(
        &self,
        way: usize,
        server: &HeaderValue,
        complete: impl FnOnce(Response) -> Completed,
    ) -> Option<&Completed> {
        let slot = &self.0.completed[way];
        let made = slot.get_or_init(|| (server.clone(), complete(self.0.response.clone())));
        (made.0 == server).then_some(&made.1)
    }
}

impl PartialEq for Prepared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Prepared {}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Prepared").field(&self.0.response).finish()
    }
}

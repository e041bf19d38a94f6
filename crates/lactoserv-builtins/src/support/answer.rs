//! An answer prepared once and kept (a cached file of StaticFiles, the
//! response of a SimpleResponse): the response with every header, what
//! conditional and range requests are judged against, and its coded
//! variants when its body is compressed (`compress`).

use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_ENCODING, ETAG, LAST_MODIFIED, VARY};
use lactoserv_core::net::conditional::{self, Outcome, Representation};
use lactoserv_core::net::{Body, Prepared, Request, Response};

use super::compress::{Coding, Encoded};

/// A prepared answer.
#[derive(Debug)]
pub(crate) struct Answer {
    prepared: Prepared,
    judged: Option<Judged>,
    encoded: Option<Encoded>,
}

/// What conditional and range requests are judged against.
#[derive(Debug, Clone)]
pub(crate) struct Judged {
    /// The `ETag`, if any.
    pub(crate) etag: Option<String>,
    /// When the body last changed, in seconds.
    pub(crate) modified: Option<u64>,
    /// The body's length.
    pub(crate) len: u64,
    /// Whether ranges are served.
    pub(crate) ranges: bool,
    /// Whether a 304 keeps `Last-Modified` (a file's does not, as in the
    /// reference).
    pub(crate) modified_on_304: bool,
}

impl Answer {
    /// An answer with `response`, judged as `judged` says (`None`: never
    /// conditional), with coded variants as `encoded` says (which also
    /// makes it say `Vary: Accept-Encoding`, coded or not).
    pub(crate) fn new(
        mut response: Response,
        judged: Option<Judged>,
        encoded: Option<Encoded>,
    ) -> Self {
        if encoded.is_some() {
            response
                .headers
                .insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
        Self {
            prepared: Prepared::new(response),
            judged,
            encoded,
        }
    }

    /// The answer coded with `coding`: this one's headers, with `body`
    /// (`len` bytes) and its own `etag` (none if this one has none).
    pub(crate) fn coded(&self, coding: Coding, body: Body, len: u64, etag: Option<String>) -> Self {
        let template = self.prepared.template();
        let mut response = Response::new(template.status, body);
        response.headers = template.headers.clone();
        response.cache_control.clone_from(&template.cache_control);
        response
            .headers
            .insert(CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
        response
            .headers
            .insert(VARY, HeaderValue::from_static("accept-encoding"));
        match etag.as_deref().map(HeaderValue::from_str) {
            Some(Ok(value)) => {
                response.headers.insert(ETAG, value);
            }
            _ => {
                response.headers.remove(ETAG);
            }
        }
        let judged = self.judged.as_ref().map(|judged| Judged {
            etag: etag.clone(),
            len,
            ..judged.clone()
        });
        Self {
            prepared: Prepared::new(response),
            judged,
            encoded: None,
        }
    }

    /// This answer, with `variant` ready for `coding` (a precompressed
    /// copy of its body).
    pub(crate) fn with_ready(mut self, coding: Coding, variant: Answer) -> Self {
        self.encoded = self
            .encoded
            .map(|encoded| encoded.with_ready(coding, variant));
        self
    }

    /// The `ETag` of the body as it is, if any.
    pub(crate) fn etag(&self) -> Option<&str> {
        self.judged.as_ref()?.etag.as_deref()
    }

    /// The body as it is, when it is in memory.
    pub(crate) fn bytes(&self) -> Option<&Bytes> {
        match &self.prepared.template().body {
            Body::Full(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The bytes the answer holds in memory: its body, and the coded
    /// variants made so far.
    pub(crate) fn held(&self) -> u64 {
        let own = self.bytes().map_or(0, |bytes| bytes.len() as u64);
        own + self.encoded.as_ref().map_or(0, Encoded::bytes)
    }

    /// The answer to `request`, when nothing must be made for it first
    /// (a coded variant not made yet: `None`).
    pub(crate) fn respond_now(&self, request: &Request) -> Option<Response> {
        let Some(encoded) = &self.encoded else {
            return Some(self.respond_as_is(request));
        };
        match encoded.choose(&request.headers) {
            None => Some(self.respond_as_is(request)),
            Some(coding) => match encoded.ready(coding)? {
                Some(variant) => Some(variant.respond_as_is(request)),
                None => Some(self.respond_as_is(request)),
            },
        }
    }

    /// The answer to `request`, making the coded variant it needs first
    /// if it is not made yet; and whether one was (the answer holds more
    /// bytes now).
    pub(crate) async fn respond(&self, request: &Request) -> (Response, bool) {
        if let Some(response) = self.respond_now(request) {
            return (response, false);
        }
        let encoded = self.encoded.as_ref().expect("only a coded variant is made");
        let coding = encoded
            .choose(&request.headers)
            .expect("only a chosen coding is made");
        let (variant, made) = encoded.get(coding, self).await;
        let response = match variant {
            Some(variant) => variant.respond_as_is(request),
            None => self.respond_as_is(request),
        };
        (response, made)
    }

    /// This answer's response to `request`, adjusted if it is conditional
    /// or ranged.
    fn respond_as_is(&self, request: &Request) -> Response {
        let response = self.prepared.response();
        let Some(judged) = &self.judged else {
            return response;
        };
        if !conditional::is_conditional(&request.headers) {
            return response;
        }
        let representation = Representation {
            etag: judged.etag.as_deref(),
            last_modified: judged.modified,
            length: judged.len,
            ranges: judged.ranges,
        };
        let outcome = conditional::evaluate(&request.method, &request.headers, &representation);
        let not_modified = outcome == Outcome::NotModified;
        let mut response = outcome.apply(response);
        if not_modified && !judged.modified_on_304 {
            response.headers.remove(LAST_MODIFIED);
        }
        response
    }
}

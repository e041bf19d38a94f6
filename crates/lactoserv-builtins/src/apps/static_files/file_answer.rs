//! A file's answer, prepared once per version of the file and kept in the
//! cache: the 200 with every header, and what conditional and range
//! requests are judged against.

use http::header::LAST_MODIFIED;
use lactoserv_core::net::conditional::{self, Outcome, Representation};
use lactoserv_core::net::{Prepared, Request, Response};

/// A file's prepared response and what conditional requests are judged
/// against.
#[derive(Debug)]
pub(crate) struct FileAnswer {
    prepared: Prepared,
    etag: Option<String>,
    modified: Option<u64>,
    len: u64,
}

impl FileAnswer {
    /// An answer: `prepared` is the 200 with every header.
    pub(crate) fn new(
        prepared: Prepared,
        etag: Option<String>,
        modified: Option<u64>,
        len: u64,
    ) -> Self {
        Self {
            prepared,
            etag,
            modified,
            len,
        }
    }

    /// The file's size.
    pub(crate) fn size(&self) -> u64 {
        self.len
    }

    /// The response to `request`, adjusted if it is conditional or ranged.
    pub(crate) fn respond(&self, request: &Request) -> Response {
        let response = self.prepared.response();
        if !conditional::is_conditional(&request.headers) {
            return response;
        }
        let representation = Representation {
            etag: self.etag.as_deref(),
            last_modified: self.modified,
            length: self.len,
            ranges: true,
        };
        let outcome = conditional::evaluate(&request.method, &request.headers, &representation);
        let not_modified = outcome == Outcome::NotModified;
        let mut response = outcome.apply(response);
        // Only responses with the file's bytes say when it changed (a 304
        // for a file has no `Last-Modified`, as in the reference).
        if not_modified {
            response.headers.remove(LAST_MODIFIED);
        }
        response
    }
}

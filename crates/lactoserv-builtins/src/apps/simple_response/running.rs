//! The running SimpleResponse: one response, prepared at start, judged
//! against conditional and range requests, and compressed (`compress`)
//! once per coding, when a request first asks for it.

use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT_RANGES, ETAG, LAST_MODIFIED};
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::bind::BindError;
use lactoserv_core::net::conditional;
use lactoserv_core::net::{Body, Dispatch, Request, Response};

use super::SimpleResponseConfig;
use crate::support::answer::{Answer, Judged};
use crate::support::cache_control;
use crate::support::compress::{Encoded, no_transform};

/// The running application: one response, built at start.
#[derive(Debug)]
pub(crate) struct SimpleResponse {
    /// The response; judged against conditional and range requests
    /// unless a `statusCode` is configured, which turns that off.
    answer: Answer,
}

impl SimpleResponse {
    /// Builds the response: reads `filePath` now (later changes to the file
    /// are not seen, as in the reference), hashes the body for `etag`.
    pub(crate) fn new(config: &SimpleResponseConfig) -> Result<Self, BindError> {
        let (body, last_modified) = match (&config.body, &config.file_path) {
            (Some(body), _) => (
                Some(Bytes::copy_from_slice(body.as_bytes())),
                SystemTime::now(),
            ),
            (None, Some(path)) => {
                let read = |err: std::io::Error| {
                    BindError::new("filePath", format!("Cannot read {path}: {err}"))
                };
                let contents = std::fs::read(path.as_path()).map_err(read)?;
                let mtime = std::fs::metadata(path.as_path())
                    .and_then(|meta| meta.modified())
                    .map_err(read)?;
                (Some(Bytes::from(contents)), mtime)
            }
            (None, None) => (None, SystemTime::now()),
        };
        let fixed_status = config.status_code.is_some();
        let status = match (config.status_code, &body) {
            (Some(code), _) => StatusCode::from_u16(code)
                .map_err(|err| BindError::new("statusCode", err.to_string()))?,
            (None, Some(_)) => StatusCode::OK,
            (None, None) => StatusCode::NO_CONTENT,
        };
        let header = |field: &str, text: &str| {
            HeaderValue::from_str(text).map_err(|err| BindError::new(field, err.to_string()))
        };

        let mut modified = None;
        let mut response = match (&body, &config.content_type) {
            (Some(bytes), Some(content_type)) => {
                let mut response =
                    Response::full(status, header("contentType", content_type)?, bytes.clone());
                let date = httpdate::fmt_http_date(last_modified);
                response
                    .headers
                    .insert(LAST_MODIFIED, header("filePath", &date)?);
                modified = Some(conditional::seconds(last_modified));
                response
            }
            // No body: over HTTP1 a `GET` answer still says
            // `content-length: 0` where its status allows a body; over
            // HTTP2 and for `HEAD` nothing is said, as in Lactoserv.
            _ => Response::new(status, Body::Empty),
        };
        let etag = config
            .etag
            .as_ref()
            .map(|options| options.tag_for_data(body.as_deref().unwrap_or_default()));
        if let Some(tag) = &etag {
            response.headers.insert(ETAG, header("etag", tag)?);
        }
        response.cache_control = cache_control::header_value(config.cache_control.as_ref())?;
        let ranges = status == StatusCode::OK;
        if ranges && !fixed_status {
            response
                .headers
                .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        }
        let judged = (!fixed_status).then(|| Judged {
            etag,
            modified,
            len: body.as_ref().map_or(0, |b| b.len() as u64),
            ranges,
            modified_on_304: true,
        });
        let encoded = match (&config.compress, &body, &config.content_type) {
            (Some(compress), Some(bytes), Some(content_type))
                if compress.applies(content_type, bytes.len() as u64)
                    && !no_transform(response.cache_control.as_ref()) =>
            {
                Some(Encoded::new(compress.codings.clone(), Some(bytes.clone())))
            }
            _ => None,
        };
        Ok(Self {
            answer: Answer::new(response, judged, encoded),
        })
    }
}

#[async_trait]
impl Application for SimpleResponse {
    async fn handle_request(
        &self,
        request: &Request,
        _dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        if !request.is_get_or_head() {
            return Ok(Some(Response::status_only(StatusCode::FORBIDDEN)));
        }
        Ok(Some(self.answer.respond(request).await.0))
    }

    /// From memory, unless a coded variant must be made first.
    fn handle_now(
        &self,
        request: &Request,
        _dispatch: &Dispatch<'_>,
    ) -> Option<Result<Option<Response>, HandleError>> {
        if !request.is_get_or_head() {
            return Some(Ok(Some(Response::status_only(StatusCode::FORBIDDEN))));
        }
        self.answer
            .respond_now(request)
            .map(|response| Ok(Some(response)))
    }
}

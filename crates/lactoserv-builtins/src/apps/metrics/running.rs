//! The running Metrics application: a scrape reads every count and
//! writes the exposition (a scrape is rare; the counting is what must be
//! cheap).

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT, CACHE_CONTROL};
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError, Handled};
use lactoserv_core::net::{Dispatch, Request, Response};

use super::expose::{Format, Snapshot};

/// The running application.
#[derive(Debug)]
pub(crate) struct Metrics;

impl Metrics {
    fn answer(&self, request: &Request) -> Response {
        if !request.is_get_or_head() {
            return Response::status_only(StatusCode::FORBIDDEN);
        }
        let format = Format::asked(request.headers.get(ACCEPT));
        let text = Snapshot::now().write(format);
        let mut response = Response::full(
            StatusCode::OK,
            HeaderValue::from_static(format.content_type()),
            Bytes::from(text),
        );
        response
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

#[async_trait]
impl Application for Metrics {
    async fn handle_request(
        &self,
        request: &Request,
        _dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        Ok(Some(self.answer(request)))
    }

    fn handle_now(&self, request: &Request, _dispatch: &Dispatch<'_>) -> Option<Handled> {
        Some(Ok(Some(self.answer(request))))
    }
}

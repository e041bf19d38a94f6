//! The running Health application: two answers prepared once, chosen by
//! the process's readiness.

use async_trait::async_trait;
use http::header::CACHE_CONTROL;
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError, Handled};
use lactoserv_core::net::{Dispatch, Prepared, Request, Response};
use lactoserv_core::readiness::Readiness;

/// The running application.
#[derive(Debug)]
pub(crate) struct Health {
    readiness: &'static Readiness,
    ready: Prepared,
    draining: Prepared,
}

impl Health {
    /// The application, answering from `readiness`.
    pub(crate) fn new(readiness: &'static Readiness) -> Self {
        let answer = |status, text: &'static str| {
            let mut response = Response::full(
                status,
                HeaderValue::from_static("text/plain; charset=utf-8"),
                bytes::Bytes::from_static(text.as_bytes()),
            );
            // A probe's answer is about this moment only.
            response
                .headers
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Prepared::new(response)
        };
        Self {
            readiness,
            ready: answer(StatusCode::OK, "ready\n"),
            draining: answer(StatusCode::SERVICE_UNAVAILABLE, "draining\n"),
        }
    }

    fn answer(&self, request: &Request) -> Response {
        if !request.is_get_or_head() {
            return Response::status_only(StatusCode::FORBIDDEN);
        }
        if self.readiness.is_ready() {
            self.ready.response()
        } else {
            self.draining.response()
        }
    }
}

#[async_trait]
impl Application for Health {
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

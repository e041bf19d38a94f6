//! The running RequestRateLimiter: a token per request from a bucket shared
//! by every request through it.

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::bucket::TokenBucket;
use lactoserv_core::net::{Dispatch, Request, Response};

/// Takes a token per request: granted (at once or after queueing), the
/// request goes on to the next application; denied, it gets a 429.
pub(crate) struct RequestRateLimiter {
    bucket: Arc<TokenBucket>,
}

impl RequestRateLimiter {
    pub(crate) fn new(bucket: Arc<TokenBucket>) -> Self {
        Self { bucket }
    }
}

#[async_trait]
impl Application for RequestRateLimiter {
    async fn handle_request(
        &self,
        _: &Request,
        _: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        if self.bucket.request(1.0, 1.0).await.done {
            Ok(None)
        } else {
            Ok(Some(Response::status_only(StatusCode::TOO_MANY_REQUESTS)))
        }
    }
}

//! The running Redirector (spec 03 §4.5): a fixed base plus the rest of the
//! path, the query dropped as in the reference.

use async_trait::async_trait;
use http::header::LOCATION;
use http::{HeaderValue, StatusCode};
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::net::{Body, Dispatch, Request, Response};

/// A redirect to `location` with `status`: the `Location` header and the
/// server's `<status> <reason>:\n\n<location>\n` text. (RequestFilter's
/// redirects are made the same way.)
pub(crate) fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = Response::status_only(status);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers.insert(LOCATION, value);
    }
    response.body = Body::Status {
        extra: Some(location.to_owned()),
    };
    response
}

/// Redirects every request to `target` plus the rest of its path.
pub(crate) struct Redirector {
    /// The target without its final `/`.
    base: String,
    status: StatusCode,
    cache_control: Option<HeaderValue>,
}

impl Redirector {
    pub(crate) fn new(
        target: &str,
        status: StatusCode,
        cache_control: Option<HeaderValue>,
    ) -> Self {
        Self {
            base: target.strip_suffix('/').unwrap_or(target).to_owned(),
            status,
            cache_control,
        }
    }
}

#[async_trait]
impl Application for Redirector {
    async fn handle_request(
        &self,
        _: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        // The rest of the path as an absolute path (`/` for none).
        let extra = match dispatch.extra() {
            "" => "/",
            extra => extra,
        };
        let mut response = redirect(self.status, &format!("{}{extra}", self.base));
        response.cache_control.clone_from(&self.cache_control);
        Ok(Some(response))
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[tokio::test]
    async fn redirector_appends_the_rest_of_the_path_without_the_query() {
        let app = Redirector::new(
            "https://example.com/base/",
            StatusCode::PERMANENT_REDIRECT,
            None,
        );
        for (target, skip, location) in [
            ("/redir", 1, "https://example.com/base/"),
            ("/redir/", 1, "https://example.com/base/"),
            ("/redir/a/b?q=1", 1, "https://example.com/base/a/b"),
            ("/redir/a%20b/", 1, "https://example.com/base/a%20b/"),
        ] {
            let request = Request::for_target(Method::GET, target).unwrap();
            let at = Dispatch::root(&request).advance(skip).unwrap();
            let response = app.handle_request(&request, &at).await.unwrap().unwrap();
            assert_eq!(response.status, StatusCode::PERMANENT_REDIRECT);
            assert_eq!(response.headers[LOCATION], location, "{target}");
            let text = match response.finish(true).body {
                Body::Full(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
                other => panic!("{other:?}"),
            };
            assert_eq!(text, format!("308 Permanent Redirect:\n\n{location}\n"));
        }
    }
}

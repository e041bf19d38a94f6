//! The running RequestFilter (spec 03 §4.7): rejects or redirects what it
//! is told to, declines the rest.

use async_trait::async_trait;
use http::{Method, StatusCode};
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::net::{Dispatch, Request, Response};

use crate::apps::redirector::redirect;

/// What a RequestFilter does with a path's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormRule {
    /// Nothing.
    None,
    /// Directory-form paths are filtered out.
    RejectDirectories,
    /// Directory-form paths are redirected to their file form.
    RedirectDirectories,
    /// File-form paths are filtered out.
    RejectFiles,
    /// File-form paths are redirected to their directory form.
    RedirectFiles,
}

/// Filters requests; declines those it lets through.
pub(crate) struct RequestFilter {
    pub(crate) form: FormRule,
    /// Methods let through; `None` for all.
    pub(crate) methods: Option<Vec<Method>>,
    pub(crate) status: StatusCode,
    pub(crate) max_depth: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) max_query: Option<u64>,
}

impl RequestFilter {
    fn check(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Response> {
        let filtered = || Some(Response::status_only(self.status));
        let (directory, name) = dispatch.last_name();
        match (self.form, directory) {
            (FormRule::RejectDirectories, true) | (FormRule::RejectFiles, false) => {
                return filtered();
            }
            // The root has no file form: it is let through.
            (FormRule::RedirectDirectories, true) => {
                if let Some(name) = name {
                    return Some(redirect(
                        StatusCode::PERMANENT_REDIRECT,
                        &format!("../{name}"),
                    ));
                }
            }
            (FormRule::RedirectFiles, false) => {
                if let Some(name) = name {
                    return Some(redirect(
                        StatusCode::PERMANENT_REDIRECT,
                        &format!("./{name}/"),
                    ));
                }
            }
            _ => {}
        }
        if let Some(methods) = &self.methods
            && !methods.contains(&request.method)
        {
            return filtered();
        }
        let components = dispatch.extra_components().count() as u64;
        if let Some(max) = self.max_depth {
            let depth = components - u64::from(directory && components > 0);
            if depth > max {
                return filtered();
            }
        }
        if let Some(max) = self.max_length
            && dispatch.extra().len() as u64 > max
        {
            return filtered();
        }
        if let Some(max) = self.max_query
            && request.search().len() as u64 > max
        {
            return filtered();
        }
        None
    }
}

#[async_trait]
impl Application for RequestFilter {
    async fn handle_request(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        Ok(self.check(request, dispatch))
    }
}

#[cfg(test)]
mod tests {
    use http::header::LOCATION;
    use lactoserv_core::bind::from_value;
    use lactoserv_core::component::ApplicationConfig;
    use serde_json::{Value, json};

    use super::*;
    use crate::apps::request_filter::RequestFilterConfig;

    fn request(method: Method, target: &str) -> Request {
        Request::for_target(method, target).unwrap()
    }

    async fn filtered(
        config: Value,
        method: Method,
        target: &str,
    ) -> Option<(u16, Option<String>)> {
        let mut config: RequestFilterConfig = from_value(&config).unwrap();
        config.validate().unwrap();
        let app = config.build().unwrap();
        let request = request(method, target);
        let response = app
            .handle_request(&request, &Dispatch::root(&request))
            .await
            .unwrap()?;
        let location = response
            .headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        Some((response.status.as_u16(), location))
    }

    #[tokio::test]
    async fn request_filter_follows_the_spec_vectors() {
        let status = |code| Some((code, None));
        let methods = json!({ "acceptMethods": ["get", "post"], "filterResponseStatus": 599 });
        assert_eq!(filtered(methods, Method::POST, "/florp").await, None);
        let post = json!({ "acceptMethods": ["post"], "filterResponseStatus": 599 });
        assert_eq!(filtered(post, Method::GET, "/florp").await, status(599));
        let head = json!({ "acceptMethods": "head", "filterResponseStatus": 599 });
        assert_eq!(filtered(head.clone(), Method::HEAD, "/florp").await, None);
        assert_eq!(filtered(head, Method::GET, "/florp").await, status(599));

        let depth = json!({ "maxPathDepth": 2, "filterResponseStatus": 501 });
        for target in ["/florp/flop", "/florp/flop/"] {
            assert_eq!(
                filtered(depth.clone(), Method::GET, target).await,
                None,
                "{target}"
            );
        }
        for target in ["/florp/flop/oopsie", "/florp/flop/oopsie/"] {
            assert_eq!(
                filtered(depth.clone(), Method::GET, target).await,
                status(501),
                "{target}"
            );
        }
        let length = json!({ "maxPathLength": 20, "filterResponseStatus": 400 });
        for target in ["/23456/8901/34/67890", "/23456/8901/34/6789/"] {
            assert_eq!(
                filtered(length.clone(), Method::GET, target).await,
                None,
                "{target}"
            );
        }
        for target in ["/23456/8901/34/678901", "/23456/8901/34/67890/"] {
            assert_eq!(
                filtered(length.clone(), Method::GET, target).await,
                status(400),
                "{target}"
            );
        }
        let query = json!({ "maxQueryLength": 8, "filterResponseStatus": 420 });
        assert_eq!(
            filtered(query.clone(), Method::GET, "/beep/boop/bop/biff?abcd=ef").await,
            None
        );
        assert_eq!(
            filtered(query, Method::GET, "/beep/boop/bop/biff?abcd=efg").await,
            status(420)
        );
    }

    #[tokio::test]
    async fn request_filter_redirects_and_rejects_by_form() {
        let redirect = |location: &str| Some((308, Some(location.to_owned())));
        let dirs = json!({ "redirectDirectories": true });
        assert_eq!(
            filtered(dirs.clone(), Method::GET, "/a/b/").await,
            redirect("../b")
        );
        assert_eq!(filtered(dirs.clone(), Method::GET, "/a/b").await, None);
        assert_eq!(filtered(dirs, Method::GET, "/").await, None);
        let files = json!({ "redirectFiles": true });
        assert_eq!(
            filtered(files.clone(), Method::GET, "/a/b").await,
            redirect("./b/")
        );
        assert_eq!(filtered(files, Method::GET, "/a/b/").await, None);
        let reject = json!({ "rejectDirectories": true });
        assert_eq!(
            filtered(reject.clone(), Method::GET, "/a/").await,
            Some((404, None))
        );
        assert_eq!(filtered(reject, Method::GET, "/a").await, None);
    }
}

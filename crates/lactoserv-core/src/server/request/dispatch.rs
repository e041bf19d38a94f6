//! Handing a request to the endpoint's application, and the server's own
//! answers to what comes back (Lactoserv `NetworkEndpoint`'s handling of
//! its application's result): the not-found page when nothing answers, a
//! 500 when the application fails. The answer is counted here when the
//! endpoint counts its application's answers.

use http::StatusCode;

use crate::app::HandleError;
use crate::log::LogValue;
use crate::metrics::Outcome;
use crate::net::{Body, Dispatch, Request, Response};
use crate::server::endpoint::EndpointContext;

/// The endpoint's application's answer to `request`, when it can tell at
/// once without waiting on anything (see
/// [`Application::handle_now`](crate::app::Application::handle_now)) and
/// the request's dispatch is not logged.
#[inline]
pub(super) fn handle_now(endpoint: &EndpointContext, request: &Request) -> Option<Response> {
    if endpoint.dispatch_logging && endpoint.logger.is_enabled() {
        return None;
    }
    let answer = endpoint
        .application
        .handle_now(request, &Dispatch::root(request))?;
    Some(settle(endpoint, request, answer))
}

/// The endpoint's application's answer to `request`, waited for, its
/// dispatch logged when the endpoint asks for that.
pub(super) async fn dispatch(endpoint: &EndpointContext, request: &Request) -> Response {
    let dispatch = Dispatch::root(request);
    let logger = (endpoint.dispatch_logging && endpoint.logger.is_enabled())
        .then(|| endpoint.logger.child("dispatch").with_new_id());
    if let Some(logger) = &logger {
        logger.event_with("dispatching", || {
            vec![LogValue::object([
                (
                    "application",
                    LogValue::from(endpoint.application_name.as_str()),
                ),
                ("base", LogValue::from("/")),
                ("extra", LogValue::from(format!(".{}", request.path()))),
            ])]
        });
    }
    let dispatch = dispatch.with_logger(logger.as_ref());
    let answer = endpoint
        .application
        .handle_request(request, &dispatch)
        .await;
    settle(endpoint, request, answer)
}

/// The response to send for what the application answered.
#[inline]
fn settle(
    endpoint: &EndpointContext,
    request: &Request,
    answer: Result<Option<Response>, HandleError>,
) -> Response {
    if let Some(counts) = &endpoint.application_metrics {
        counts.count(Outcome::of(&answer));
    }
    match answer {
        Ok(Some(response)) => match response.body {
            // A bare 404 from an application gets the full not-found page.
            Body::Status { extra: None } if response.status == StatusCode::NOT_FOUND => {
                Response::not_found(&request.host.to_string(), request.target())
            }
            _ => response,
        },
        Ok(None) => Response::not_found(&request.host.to_string(), request.target()),
        Err(err) => {
            endpoint
                .logger
                .event_with("applicationError", || vec![LogValue::error("Error", &err)]);
            Response::status_only(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

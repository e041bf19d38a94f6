//! Handing a request to the endpoint's application, and the server's own
//! answers to what comes back (Lactoserv `NetworkEndpoint`'s handling of
//! its application's result): the not-found page when nothing answers, a
//! 500 when the application fails.

use http::StatusCode;

use crate::log::LogValue;
use crate::net::{Body, Dispatch, Request, Response};
use crate::server::endpoint::EndpointContext;

/// The endpoint's application's answer to `request`: asked at once when it
/// can tell (see [`Application::answer_now`](crate::app::Application::answer_now)),
/// otherwise waited for.
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
    let application = &endpoint.application;
    let answer = match application.answer_now(request, &dispatch) {
        Some(answer) => answer,
        None => application.handle_request(request, &dispatch).await,
    };
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

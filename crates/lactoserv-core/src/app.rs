//! Applications at run time: the request handlers that configured
//! application components become (Lactoserv
//! `webapp-core/export/BaseApplication.js`).
//!
//! An application gets each request with its dispatch (the part of the path
//! already matched, and the rest) and answers with a response, or declines
//! (`None`), letting a router try another or the endpoint answer 404.
//! Routers are written as [`Router`]s, which only choose, and run as
//! [`Routing`] applications.

mod hop;
pub mod router;

use std::sync::Arc;

use async_trait::async_trait;

use crate::net::{Dispatch, Request, Response};

pub(crate) use hop::Hop;
pub use router::{Choice, Router, Routing, Target};

message_error! {
    /// What went wrong inside an application. The endpoint logs it, with the
    /// error that caused it (its source), and answers `500 Internal Server
    /// Error` without revealing it to the client.
    HandleError
}

/// A request handler, built from an application's checked configuration.
#[async_trait]
pub trait Application: Send + Sync + 'static {
    /// Handles `request`: `Ok(Some(_))` answers it, `Ok(None)` declines.
    async fn handle_request(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError>;

    /// What [`Application::handle_request`] would answer, when the
    /// application can tell at once, without waiting on anything (a fixed
    /// response, a router whose choice can): the server asks this first
    /// and skips the asynchronous call, which costs an allocation. `None`
    /// (the default) when it cannot tell; `handle_request` is called then.
    ///
    /// It must have no effect of its own (no counting, no logging): the
    /// same request may then go through `handle_request`, which does what
    /// the application does.
    fn handle_now(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Option<Result<Option<Response>, HandleError>> {
        let _ = (request, dispatch);
        None
    }
}

/// A shared application.
pub type AppRef = Arc<dyn Application>;

/// What an application's handling of a request comes to: an answer,
/// `None` to decline, or an error.
pub type Handled = Result<Option<Response>, HandleError>;

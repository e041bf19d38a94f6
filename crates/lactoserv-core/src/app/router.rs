//! Routers: applications that hand a request to one of the applications
//! they name (Lactoserv `HostRouter`, `PathRouter`, `SerialRouter`,
//! `SuffixRouter`, all built on `BaseApplication`'s dispatch).
//!
//! A router says only which application to try, one attempt at a time
//! ([`Router::choose`]); [`Routing`] walks those choices for it, both at
//! once (when every application it reaches can answer without waiting, see
//! [`Application::handle_now`]) and asynchronously, so that the two walks
//! cannot disagree. A router whose target declines is asked for its next
//! choice (PathRouter falls back to less specific keys, SerialRouter tries
//! the next application); one that has nothing more says so.

use std::sync::Arc;

use async_trait::async_trait;

use super::{AppRef, Application, Handled};
use crate::bind::BindError;
use crate::component::Applications;
use crate::log::LogValue;
use crate::net::{Dispatch, Request};

/// An application a router dispatches to, with its name for the dispatch
/// log.
pub struct Target {
    name: Box<str>,
    app: AppRef,
}

impl Target {
    /// The running application `name`, from `applications` (building it
    /// first if need be).
    pub fn get(applications: &dyn Applications, name: &str) -> Result<Self, BindError> {
        Ok(Self {
            name: name.into(),
            app: applications.get(name)?,
        })
    }

    /// The application's configured name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Target").field(&self.name).finish()
    }
}

/// What a router chooses for one attempt at a request.
#[derive(Debug)]
pub enum Choice<'r, 'a> {
    /// Ask `target`, which sees the request's path as `dispatch` (the
    /// router's own, or advanced past what the router matched).
    To(&'r Target, Dispatch<'a>),
    /// Not handled here: nothing (more) applies. A router that stops on
    /// purpose before running out of routes (PathRouter's `null` route)
    /// gives where it stopped, for its dispatch log.
    NotHandled(Option<Dispatch<'a>>),
}

/// A router: for each attempt at a request, the application to ask. See
/// the module documentation.
pub trait Router: Send + Sync + 'static {
    /// The application to ask on attempt `attempt` (0 first; attempt
    /// `n + 1` is made only when the target of attempt `n` declined), or
    /// that the request is not handled here. It must have no effect of its
    /// own: [`Routing`] may walk the same choices twice.
    fn choose<'r, 'a>(
        &'r self,
        request: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a>;

    /// The dispatch-log event for `choice` (its kind and argument, such as
    /// `dispatchingPath({ application, base, extra })`), asked only when
    /// dispatch logging is on for the request; none by default.
    fn event(
        &self,
        request: &Request,
        choice: &Choice<'_, '_>,
    ) -> Option<(&'static str, LogValue)> {
        let _ = (request, choice);
        None
    }
}

/// A [`Router`] as an application.
pub struct Routing<R>(R);

impl<R: Router> Routing<R> {
    /// `router` as a running application.
    pub fn app(router: R) -> AppRef {
        Arc::new(Self(router))
    }
}

#[async_trait]
impl<R: Router> Application for Routing<R> {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Handled {
        let mut attempt = 0;
        loop {
            let choice = self.0.choose(request, dispatch, attempt);
            if let Some(logger) = dispatch.logger()
                && let Some((kind, argument)) = self.0.event(request, &choice)
            {
                logger.event(kind, vec![argument]);
            }
            let Choice::To(target, below) = choice else {
                return Ok(None);
            };
            if let Some(response) = target.app.handle_request(request, &below).await? {
                return Ok(Some(response));
            }
            attempt += 1;
        }
    }

    fn handle_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Handled> {
        // The dispatch log's events are written on the asynchronous walk.
        if dispatch.logger().is_some() {
            return None;
        }
        let mut attempt = 0;
        loop {
            match self.0.choose(request, dispatch, attempt) {
                Choice::To(target, below) => match target.app.handle_now(request, &below)? {
                    Ok(None) => attempt += 1,
                    answer => return Some(answer),
                },
                Choice::NotHandled(_) => return Some(Ok(None)),
            }
        }
    }
}

#[cfg(test)]
mod tests;

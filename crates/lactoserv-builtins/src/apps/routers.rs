//! The running routers (spec 03 §4.1–4.4): HostRouter (most specific host
//! pattern, no fallback), PathRouter (most to least specific path key, a
//! `null` route stopping the search), SerialRouter (in order, first answer
//! wins) and SuffixRouter (longest suffix of the last name, no fallback).

use async_trait::async_trait;
use lactoserv_core::app::{AppRef, Application, HandleError};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::Applications;
use lactoserv_core::host::map::HostMap;
use lactoserv_core::log::LogValue;
use lactoserv_core::net::{Dispatch, Request, Response};

use super::host_router::HostRoute;
use super::path_router::PathRoute;
use super::suffix_router::SuffixRoute;
use crate::support::path_tree::PathTree;

type Answer = Result<Option<Response>, HandleError>;

/// Routes by the request's host. The request's host name is canonical
/// already (lower case, canonical IP text), so patterns are matched as text
/// with no parsing per request: exact names (and IP addresses) first, then
/// wildcard domains, longest first, then `*`.
pub(crate) struct HostRouter {
    exact: Vec<(Box<str>, Target)>,
    /// `*.<domain>` patterns by domain, longest first.
    domains: Vec<(Box<str>, Target)>,
    any: Option<Target>,
}

/// An application a router dispatches to, with its name for the dispatch
/// log.
struct Target {
    name: Box<str>,
    app: AppRef,
}

impl Target {
    fn get(apps: &dyn Applications, name: &str) -> Result<Self, BindError> {
        Ok(Self {
            name: name.into(),
            app: apps.get(name)?,
        })
    }
}

impl HostRouter {
    pub(crate) fn new(
        routes: &HostMap<HostRoute>,
        apps: &dyn Applications,
    ) -> Result<Self, BindError> {
        let mut router = Self {
            exact: Vec::new(),
            domains: Vec::new(),
            any: None,
        };
        for (hostname, route) in routes.iter() {
            let app = Target::get(apps, route.target.as_str())?;
            match hostname.as_str().strip_prefix('*') {
                Some("") => router.any = Some(app),
                Some(domain) => router
                    .domains
                    .push((domain.trim_start_matches('.').into(), app)),
                None => router.exact.push((hostname.as_str().into(), app)),
            }
        }
        router
            .domains
            .sort_by_key(|(domain, _)| std::cmp::Reverse(domain.len()));
        Ok(router)
    }

    /// The application for host `name`: the most specific pattern only.
    fn find(&self, name: &str) -> Option<&Target> {
        let covers = |domain: &str| {
            name.strip_suffix(domain)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        };
        self.exact
            .iter()
            .find(|(exact, _)| **exact == *name)
            .or_else(|| self.domains.iter().find(|(domain, _)| covers(domain)))
            .map(|(_, app)| app)
            .or(self.any.as_ref())
    }
}

#[async_trait]
impl Application for HostRouter {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Answer {
        let Some(target) = self.find(&request.host.name) else {
            return Ok(None);
        };
        if let Some(logger) = dispatch.logger() {
            logger.event_with("dispatchingHost", || {
                vec![LogValue::object([
                    ("application", LogValue::from(&*target.name)),
                    ("host", LogValue::from(request.host.to_string())),
                ])]
            });
        }
        target.app.handle_request(request, dispatch).await
    }

    fn answer_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Answer> {
        if dispatch.logger().is_some() {
            return None;
        }
        match self.find(&request.host.name) {
            Some(target) => target.app.answer_now(request, dispatch),
            None => Some(Ok(None)),
        }
    }
}

/// Routes by path, falling back from the most to the least specific key.
pub(crate) struct PathRouter {
    /// `None` for a `null` route.
    tree: PathTree<Option<Target>>,
}

impl PathRouter {
    pub(crate) fn new(routes: &[PathRoute], apps: &dyn Applications) -> Result<Self, BindError> {
        let mut tree = PathTree::default();
        for route in routes {
            let app = route
                .target
                .as_ref()
                .map(|name| Target::get(apps, name.as_str()))
                .transpose()?;
            tree.insert(&route.key, app)
                .map_err(|message| BindError::new("paths", message))?;
        }
        Ok(Self { tree })
    }
}

#[async_trait]
impl Application for PathRouter {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Answer {
        for found in self.tree.matches(dispatch.extra_components()) {
            let below = dispatch
                .advance(found.depth)
                .expect("a match covers part of the path");
            let Some(target) = found.value else {
                // A `null` route: nothing less specific is tried.
                if let Some(logger) = dispatch.logger() {
                    logger.event_with("explicitNull", || vec![below.log_value()]);
                }
                return Ok(None);
            };
            if let Some(logger) = dispatch.logger() {
                logger.event_with("dispatchingPath", || {
                    vec![with_application(&target.name, below.log_value())]
                });
            }
            if let Some(response) = target.app.handle_request(request, &below).await? {
                return Ok(Some(response));
            }
        }
        Ok(None)
    }

    fn answer_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Answer> {
        if dispatch.logger().is_some() {
            return None;
        }
        for found in self.tree.matches(dispatch.extra_components()) {
            let below = dispatch
                .advance(found.depth)
                .expect("a match covers part of the path");
            let Some(target) = found.value else {
                return Some(Ok(None));
            };
            match target.app.answer_now(request, &below)? {
                Ok(None) => {}
                answer => return Some(answer),
            }
        }
        Some(Ok(None))
    }
}

/// Tries applications in order.
pub(crate) struct SerialRouter {
    apps: Vec<Target>,
}

impl SerialRouter {
    pub(crate) fn new(
        names: &[lactoserv_core::names::Name],
        apps: &dyn Applications,
    ) -> Result<Self, BindError> {
        let apps = names
            .iter()
            .map(|name| Target::get(apps, name.as_str()))
            .collect::<Result<_, _>>()?;
        Ok(Self { apps })
    }
}

#[async_trait]
impl Application for SerialRouter {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Answer {
        for target in &self.apps {
            if let Some(logger) = dispatch.logger() {
                logger.event_with("dispatching", || {
                    vec![LogValue::object([(
                        "application",
                        LogValue::from(&*target.name),
                    )])]
                });
            }
            if let Some(response) = target.app.handle_request(request, dispatch).await? {
                return Ok(Some(response));
            }
        }
        Ok(None)
    }

    fn answer_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Answer> {
        if dispatch.logger().is_some() {
            return None;
        }
        for target in &self.apps {
            match target.app.answer_now(request, dispatch)? {
                Ok(None) => {}
                answer => return Some(answer),
            }
        }
        Some(Ok(None))
    }
}

/// Routes by the suffix of the last name in the path.
pub(crate) struct SuffixRouter {
    /// Longest suffix first.
    routes: Vec<(String, Target)>,
    files: bool,
    directories: bool,
}

impl SuffixRouter {
    pub(crate) fn new(
        routes: &[SuffixRoute],
        files: bool,
        directories: bool,
        apps: &dyn Applications,
    ) -> Result<Self, BindError> {
        let mut resolved = routes
            .iter()
            .map(|route| {
                Ok((
                    route.suffix.clone(),
                    Target::get(apps, route.target.as_str())?,
                ))
            })
            .collect::<Result<Vec<_>, BindError>>()?;
        resolved.sort_by_key(|(suffix, _)| std::cmp::Reverse(suffix.len()));
        Ok(Self {
            routes: resolved,
            files,
            directories,
        })
    }
}

/// `{ application, base, extra }` from a dispatch's `{ base, extra }`.
fn with_application(name: &str, dispatch: LogValue) -> LogValue {
    let mut entries = vec![("application".to_owned(), LogValue::from(name))];
    if let LogValue::Object(rest) = dispatch {
        entries.extend(rest);
    }
    LogValue::Object(entries)
}

/// Whether the whole path (base and extra) is in directory form, and its
/// last name (the last component before a final empty one), if any.
pub(crate) fn last_name<'a>(dispatch: &Dispatch<'a>) -> (bool, Option<&'a str>) {
    let mut last = None;
    let mut before = None;
    for component in dispatch
        .base_components()
        .chain(dispatch.extra_components())
    {
        before = last;
        last = Some(component);
    }
    match last {
        Some("") => (true, before.filter(|name| !name.is_empty())),
        Some(name) => (false, Some(name)),
        None => (false, None),
    }
}

impl SuffixRouter {
    /// The route for the last name of the path, with its suffix.
    fn choose(&self, dispatch: &Dispatch<'_>) -> Option<(&str, &Target)> {
        let (directory, name) = last_name(dispatch);
        if (directory && !self.directories) || (!directory && !self.files) {
            return None;
        }
        let name = name?;
        self.routes
            .iter()
            .find(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix.as_str()))
            .map(|(suffix, target)| (suffix.as_str(), target))
    }
}

#[async_trait]
impl Application for SuffixRouter {
    async fn handle_request(&self, request: &Request, dispatch: &Dispatch<'_>) -> Answer {
        let Some((suffix, target)) = self.choose(dispatch) else {
            return Ok(None);
        };
        if let Some(logger) = dispatch.logger() {
            logger.event_with("dispatchingSuffix", || {
                vec![LogValue::object([
                    ("application", LogValue::from(&*target.name)),
                    ("suffix", LogValue::from(format!("*{suffix}"))),
                ])]
            });
        }
        target.app.handle_request(request, dispatch).await
    }

    fn answer_now(&self, request: &Request, dispatch: &Dispatch<'_>) -> Option<Answer> {
        if dispatch.logger().is_some() {
            return None;
        }
        match self.choose(dispatch) {
            Some((_, target)) => target.app.answer_now(request, dispatch),
            None => Some(Ok(None)),
        }
    }
}

#[cfg(test)]
mod tests;

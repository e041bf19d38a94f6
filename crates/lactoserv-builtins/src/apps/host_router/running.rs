//! The running HostRouter (spec 03 §4.1): the request's host name is
//! canonical already (lower case, canonical IP text), so patterns are
//! matched as text with no parsing per request: exact names (and IP
//! addresses) first, then wildcard domains, longest first, then `*`.

use lactoserv_core::app::{Choice, Router, Target};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::Applications;
use lactoserv_core::host::map::HostMap;
use lactoserv_core::log::LogValue;
use lactoserv_core::net::{Dispatch, Request};

use super::HostRoute;

/// Routes by the request's host, to the most specific pattern only.
pub(crate) struct HostRouter {
    exact: Vec<(Box<str>, Target)>,
    /// `*.<domain>` patterns by domain, longest first.
    domains: Vec<(Box<str>, Target)>,
    any: Option<Target>,
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
            let target = Target::get(apps, route.target.as_str())?;
            match hostname.as_str().strip_prefix('*') {
                Some("") => router.any = Some(target),
                Some(domain) => router
                    .domains
                    .push((domain.trim_start_matches('.').into(), target)),
                None => router.exact.push((hostname.as_str().into(), target)),
            }
        }
        router
            .domains
            .sort_by_key(|(domain, _)| std::cmp::Reverse(domain.len()));
        Ok(router)
    }

    /// The application for host `name`.
    fn find(&self, name: &str) -> Option<&Target> {
        let covers = |domain: &str| {
            name.strip_suffix(domain)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        };
        self.exact
            .iter()
            .find(|(exact, _)| **exact == *name)
            .or_else(|| self.domains.iter().find(|(domain, _)| covers(domain)))
            .map(|(_, target)| target)
            .or(self.any.as_ref())
    }
}

impl Router for HostRouter {
    fn choose<'r, 'a>(
        &'r self,
        request: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a> {
        // No fallback: one choice at most.
        match self.find(&request.host.name) {
            Some(target) if attempt == 0 => Choice::To(target, *dispatch),
            _ => Choice::NotHandled(None),
        }
    }

    fn event(
        &self,
        request: &Request,
        choice: &Choice<'_, '_>,
    ) -> Option<(&'static str, LogValue)> {
        let Choice::To(target, _) = choice else {
            return None;
        };
        let detail = LogValue::object([
            ("application", LogValue::from(target.name())),
            ("host", LogValue::from(request.host.to_string())),
        ]);
        Some(("dispatchingHost", detail))
    }
}

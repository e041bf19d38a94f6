//! Which part of a request's path an application is responsible for
//! (Lactoserv `DispatchInfo`), as routers hand it down.

use super::Request;
use crate::log::{LogValue, Logger};

/// Which part of a request's path an application is responsible for
/// (Lactoserv `DispatchInfo`): `base` is what routers above it matched,
/// `extra` the rest. Both are paths in the request's form, each component
/// after a `/`: the component list `[]` is the empty text, `[""]` is `/`,
/// `["a", ""]` is `/a/`. They are adjacent slices of the canonical path, so
/// dispatching copies nothing.
#[derive(Debug, Clone, Copy)]
pub struct Dispatch<'a> {
    path: &'a str,
    split: usize,
    /// The dispatch logger, when dispatch logging was started above
    /// (`dispatchLogging`); routers log their choices on it.
    logger: Option<&'a Logger>,
}

impl PartialEq for Dispatch<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.base() == other.base() && self.extra() == other.extra()
    }
}

impl Eq for Dispatch<'_> {}

impl<'a> Dispatch<'a> {
    /// The dispatch an endpoint starts with: nothing matched yet.
    pub fn root(request: &'a Request) -> Self {
        Self {
            path: request.path(),
            split: 0,
            logger: None,
        }
    }

    /// The dispatch logger, if dispatch logging is on for this request
    /// here.
    pub fn logger(&self) -> Option<&'a Logger> {
        self.logger
    }

    /// This dispatch with `logger` as its dispatch logger.
    pub fn with_logger(self, logger: Option<&'a Logger>) -> Self {
        Self { logger, ..self }
    }

    /// The dispatch as logged: `{ base, extra }`, the base as an absolute
    /// path and the rest relative to it (`/a`, `./b/c`).
    pub fn log_value(&self) -> LogValue {
        let base = match self.base() {
            "" => "/",
            base => base,
        };
        LogValue::object([
            ("base", LogValue::from(base)),
            ("extra", LogValue::from(format!(".{}", self.extra()))),
        ])
    }

    /// The matched prefix, as a path (`/a/b`, or empty).
    pub fn base(&self) -> &'a str {
        &self.path[..self.split]
    }

    /// The remaining path (`/c/`, or empty).
    pub fn extra(&self) -> &'a str {
        &self.path[self.split..]
    }

    /// The components of [`base`](Self::base).
    pub fn base_components(&self) -> Components<'a> {
        Components::of(self.base())
    }

    /// The components of [`extra`](Self::extra).
    pub fn extra_components(&self) -> Components<'a> {
        Components::of(self.extra())
    }

    /// Whether the whole path (base and extra) is in directory form (ends
    /// in `/`), and its last name: the last component, or for a directory
    /// the one before the final empty one (`None` for the root).
    pub fn last_name(&self) -> (bool, Option<&'a str>) {
        let mut last = None;
        let mut before = None;
        for component in self.base_components().chain(self.extra_components()) {
            before = last;
            last = Some(component);
        }
        match last {
            Some("") => (true, before.filter(|name| !name.is_empty())),
            Some(name) => (false, Some(name)),
            None => (false, None),
        }
    }

    /// This dispatch with the first `count` components of `extra` moved
    /// to `base`, or `None` if `extra` has fewer.
    pub fn advance(&self, count: usize) -> Option<Self> {
        let extra = self.extra();
        let mut at = 0;
        for _ in 0..count {
            if at == extra.len() {
                return None;
            }
            at = extra[at + 1..]
                .find('/')
                .map_or(extra.len(), |next| at + 1 + next);
        }
        Some(Self {
            split: self.split + at,
            ..*self
        })
    }
}

/// The components of a path in [`Dispatch`]'s form.
#[derive(Debug, Clone)]
pub struct Components<'a>(Option<std::str::Split<'a, char>>);

impl<'a> Components<'a> {
    pub(crate) fn of(path: &'a str) -> Self {
        Self(path.strip_prefix('/').map(|rest| rest.split('/')))
    }
}

impl<'a> Iterator for Components<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.as_mut()?.next()
    }
}

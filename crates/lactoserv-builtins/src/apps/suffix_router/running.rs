//! The running SuffixRouter (spec 03 §4.4): the longest suffix of the last
//! name in the path, no fallback.

use lactoserv_core::app::{Choice, Router, Target};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::Applications;
use lactoserv_core::log::LogValue;
use lactoserv_core::net::{Dispatch, Request};

use super::SuffixRoute;

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
                let target = Target::get(apps, route.target.as_str())?;
                Ok((route.suffix.clone(), target))
            })
            .collect::<Result<Vec<_>, BindError>>()?;
        resolved.sort_by_key(|(suffix, _)| std::cmp::Reverse(suffix.len()));
        Ok(Self {
            routes: resolved,
            files,
            directories,
        })
    }

    /// The route for the last name of the path.
    fn find(&self, dispatch: &Dispatch<'_>) -> Option<&Target> {
        let (directory, name) = dispatch.last_name();
        if (directory && !self.directories) || (!directory && !self.files) {
            return None;
        }
        let name = name?;
        self.routes
            .iter()
            .find(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix.as_str()))
            .map(|(_, target)| target)
    }
}

impl Router for SuffixRouter {
    fn choose<'r, 'a>(
        &'r self,
        _: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a> {
        match self.find(dispatch) {
            Some(target) if attempt == 0 => Choice::To(target, *dispatch),
            _ => Choice::NotHandled(None),
        }
    }

    fn event(&self, _: &Request, choice: &Choice<'_, '_>) -> Option<(&'static str, LogValue)> {
        let Choice::To(chosen, _) = choice else {
            return None;
        };
        let (suffix, _) = self
            .routes
            .iter()
            .find(|(_, target)| std::ptr::eq(target, *chosen))?;
        let detail = LogValue::object([
            ("application", LogValue::from(chosen.name())),
            ("suffix", LogValue::from(format!("*{suffix}"))),
        ]);
        Some(("dispatchingSuffix", detail))
    }
}

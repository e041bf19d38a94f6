//! The running SerialRouter (spec 03 §4.3): its applications in order, the
//! first answer winning.

use lactoserv_core::app::{Choice, Router, Target};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::Applications;
use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use lactoserv_core::net::{Dispatch, Request};

/// Tries applications in order.
pub(crate) struct SerialRouter {
    targets: Vec<Target>,
}

impl SerialRouter {
    pub(crate) fn new(names: &[Name], apps: &dyn Applications) -> Result<Self, BindError> {
        let targets = names
            .iter()
            .map(|name| Target::get(apps, name.as_str()))
            .collect::<Result<_, _>>()?;
        Ok(Self { targets })
    }
}

impl Router for SerialRouter {
    fn choose<'r, 'a>(
        &'r self,
        _: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a> {
        match self.targets.get(attempt) {
            Some(target) => Choice::To(target, *dispatch),
            None => Choice::NotHandled(None),
        }
    }

    fn event(&self, _: &Request, choice: &Choice<'_, '_>) -> Option<(&'static str, LogValue)> {
        let Choice::To(target, _) = choice else {
            return None;
        };
        let detail = LogValue::object([("application", LogValue::from(target.name()))]);
        Some(("dispatching", detail))
    }
}

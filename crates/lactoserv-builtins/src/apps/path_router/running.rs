//! The running PathRouter (spec 03 §4.2): from the most to the least
//! specific path key that covers the rest of the path, a `null` route
//! stopping the search.

use lactoserv_core::app::{Choice, Router, Target};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::Applications;
use lactoserv_core::log::LogValue;
use lactoserv_core::net::{Dispatch, Request};

use super::PathRoute;
use crate::support::path_tree::PathTree;

/// Routes by path, falling back from the most to the least specific key.
pub(crate) struct PathRouter {
    /// `None` for a `null` route.
    tree: PathTree<Option<Target>>,
}

impl PathRouter {
    pub(crate) fn new(routes: &[PathRoute], apps: &dyn Applications) -> Result<Self, BindError> {
        let mut tree = PathTree::default();
        for route in routes {
            let target = route
                .target
                .as_ref()
                .map(|name| Target::get(apps, name.as_str()))
                .transpose()?;
            tree.insert(&route.key, target)
                .map_err(|message| BindError::new("paths", message))?;
        }
        Ok(Self { tree })
    }
}

impl Router for PathRouter {
    fn choose<'r, 'a>(
        &'r self,
        _: &Request,
        dispatch: &Dispatch<'a>,
        attempt: usize,
    ) -> Choice<'r, 'a> {
        let Some(found) = self.tree.matches(dispatch.extra_components()).nth(attempt) else {
            return Choice::NotHandled(None);
        };
        let below = dispatch
            .advance(found.depth)
            .expect("a match covers part of the path");
        match found.value {
            Some(target) => Choice::To(target, below),
            // A `null` route: nothing less specific is tried.
            None => Choice::NotHandled(Some(below)),
        }
    }

    fn event(&self, _: &Request, choice: &Choice<'_, '_>) -> Option<(&'static str, LogValue)> {
        match choice {
            Choice::To(target, below) => {
                let mut entries = vec![("application".to_owned(), LogValue::from(target.name()))];
                if let LogValue::Object(rest) = below.log_value() {
                    entries.extend(rest);
                }
                Some(("dispatchingPath", LogValue::Object(entries)))
            }
            Choice::NotHandled(Some(below)) => Some(("explicitNull", below.log_value())),
            Choice::NotHandled(None) => None,
        }
    }
}

//! Building the applications at start-up, each once, routers after the
//! applications they dispatch to (whatever their order in the config).

use std::cell::RefCell;
use std::collections::HashMap;

use super::StartError;
use crate::app::AppRef;
use crate::bind::BindError;
use crate::component::Applications;
use crate::webapp::{ApplicationEntry, WebappConfig};

/// Every application of `config`, by name.
pub(crate) fn applications(config: &WebappConfig) -> Result<HashMap<&str, AppRef>, StartError> {
    let builder = Builder {
        entries: &config.applications,
        built: RefCell::new(HashMap::new()),
        failure: RefCell::new(None),
    };
    for entry in &config.applications {
        if builder.get(&entry.name).is_err() {
            break;
        }
    }
    if let Some(failure) = builder.failure.into_inner() {
        return Err(failure);
    }
    Ok(builder.built.into_inner())
}

struct Builder<'a> {
    entries: &'a [ApplicationEntry],
    built: RefCell<HashMap<&'a str, AppRef>>,
    /// The first application that failed to build, reported as such rather
    /// than as a failure of the routers above it.
    failure: RefCell<Option<StartError>>,
}

impl Applications for Builder<'_> {
    fn get(&self, name: &str) -> Result<AppRef, BindError> {
        if let Some(app) = self.built.borrow().get(name) {
            return Ok(app.clone());
        }
        let Some((index, entry)) = self
            .entries
            .iter()
            .enumerate()
            .find(|(_, entry)| entry.name == name)
        else {
            return Err(BindError::new(
                "name",
                format!("no application named `{name}`"),
            ));
        };
        match entry.config.build_with(self) {
            Ok(app) => {
                self.built.borrow_mut().insert(&entry.name, app.clone());
                Ok(app)
            }
            Err(err) => {
                let mut failure = self.failure.borrow_mut();
                if failure.is_none() {
                    *failure = Some(StartError::Application {
                        index,
                        name: entry.name.clone(),
                        message: err.to_string(),
                    });
                }
                Err(BindError::new(
                    "name",
                    format!("application `{name}` could not be built"),
                ))
            }
        }
    }
}

//! Building the applications at start-up, each once, routers after the
//! applications they dispatch to (whatever their order in the config).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::app::{AppRef, Hop};
use crate::bind::BindError;
use crate::component::Applications;
use crate::log::Logger;
use crate::server::{StartError, component_logger};
use crate::webapp::{ApplicationEntry, WebappConfig};

/// Every application of `config`, by name, each wrapped for dispatch
/// logging when that can happen at all: the system log is on and some
/// endpoint or application asks for it. Otherwise the applications run
/// bare, and dispatch logging costs nothing.
pub(super) fn build<'a>(
    config: &'a WebappConfig,
    logger: &Logger,
) -> Result<HashMap<&'a str, AppRef>, StartError> {
    let wanted = config.endpoints.iter().any(|e| e.dispatch_logging)
        || config.applications.iter().any(|a| a.dispatch_logging);
    let builder = Builder {
        config,
        entries: &config.applications,
        logger: logger.clone(),
        wrap: wanted && logger.is_enabled(),
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
    config: &'a WebappConfig,
    entries: &'a [ApplicationEntry],
    /// The `webapp` logger.
    logger: Logger,
    /// Whether applications are wrapped for dispatch logging.
    wrap: bool,
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
        let own = component_logger(self.config, &self.logger, "application", &entry.name);
        let building = Building {
            builder: self,
            logger: own,
        };
        match entry.config.build_with(&building) {
            Ok(app) => {
                let app = if self.wrap {
                    Hop::wrap(app, &entry.name, building.logger, entry.dispatch_logging)
                } else {
                    app
                };
                self.built.borrow_mut().insert(&entry.name, app.clone());
                Ok(app)
            }
            Err(err) => {
                let mut failure = self.failure.borrow_mut();
                if failure.is_none() {
                    *failure = Some(StartError::Application {
                        index,
                        name: entry.name.clone(),
                        source: Box::new(err),
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

/// One application being built: the others through the builder, its own
/// logger.
struct Building<'b, 'a> {
    builder: &'b Builder<'a>,
    logger: Logger,
}

impl Applications for Building<'_, '_> {
    fn get(&self, name: &str) -> Result<AppRef, BindError> {
        self.builder.get(name)
    }

    fn logger(&self) -> Logger {
        self.logger.clone()
    }
}

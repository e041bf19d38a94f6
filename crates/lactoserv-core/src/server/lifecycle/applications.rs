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

/// Every application of `config`, by name, as the endpoints get them.
///
/// Each is wrapped (a [`Hop`]) for dispatch logging when that can happen
/// at all: the system log is on and some endpoint or application asks for
/// it. In a configuration that counts (`Metrics`), the applications
/// routers dispatch to are wrapped to count what they do, and endpoints
/// count their own application's answers themselves (so that an
/// endpoint's application runs bare, as it does otherwise). Otherwise the
/// applications run bare, and neither costs anything.
pub(super) struct Built<'a> {
    /// The applications, by name, as the endpoints get them.
    pub(super) apps: HashMap<&'a str, AppRef>,
    /// Whether endpoints count their application's answers.
    pub(super) endpoints_count: bool,
}

/// Builds every application of `config` (see [`Built`]).
pub(super) fn build<'a>(
    config: &'a WebappConfig,
    logger: &Logger,
) -> Result<Built<'a>, StartError> {
    let wanted = config.endpoints.iter().any(|e| e.dispatch_logging)
        || config.applications.iter().any(|a| a.dispatch_logging);
    // Counting is decided before anything is built, so that every
    // application and endpoint of the configuration counts or none does.
    let counting = config.applications.iter().any(|a| a.config.counts());
    if counting {
        crate::metrics::process().ask();
    }
    let logging = wanted && logger.is_enabled();
    let builder = Builder {
        config,
        entries: &config.applications,
        logger: logger.clone(),
        wrap: logging || counting,
        built: RefCell::new(HashMap::new()),
        bare: RefCell::new(HashMap::new()),
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
    if logging || !counting {
        return Ok(Built {
            apps: builder.built.into_inner(),
            endpoints_count: false,
        });
    }
    Ok(Built {
        apps: builder.bare.into_inner(),
        endpoints_count: true,
    })
}

struct Builder<'a> {
    config: &'a WebappConfig,
    entries: &'a [ApplicationEntry],
    /// The `webapp` logger.
    logger: Logger,
    /// Whether applications are wrapped, for dispatch logging or
    /// counting.
    wrap: bool,
    /// The applications as routers get them.
    built: RefCell<HashMap<&'a str, AppRef>>,
    /// The applications unwrapped.
    bare: RefCell<HashMap<&'a str, AppRef>>,
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
            name: &entry.name,
            logger: own,
        };
        match entry.config.build_with(&building) {
            Ok(app) => {
                self.bare.borrow_mut().insert(&entry.name, app.clone());
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
    /// Its name.
    name: &'a str,
    logger: Logger,
}

impl Applications for Building<'_, '_> {
    fn get(&self, name: &str) -> Result<AppRef, BindError> {
        self.builder.get(name)
    }

    fn name(&self) -> Option<&str> {
        Some(self.name)
    }

    fn logger(&self) -> Logger {
        self.logger.clone()
    }
}

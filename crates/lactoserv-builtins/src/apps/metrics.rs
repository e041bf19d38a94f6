//! Metrics: the process's counts in the Prometheus text format, or in
//! OpenMetrics when the scraper asks for it (an addition to the
//! reference; `docs/metrics.md`). Having one in a configuration is what
//! makes that configuration's endpoints count at all.

mod expose;
mod running;

use std::sync::Arc;

use lactoserv_core::app::AppRef;
use lactoserv_core::bind::BindError;
use lactoserv_core::component::ApplicationConfig;
use serde::Deserialize;

use running::Metrics;

/// The checked configuration of a Metrics application: no bindings.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MetricsConfig {}

impl ApplicationConfig for MetricsConfig {
    fn counts(&self) -> bool {
        true
    }

    fn build(&self) -> Result<AppRef, BindError> {
        Ok(Arc::new(Metrics))
    }
}

#[cfg(test)]
mod tests;

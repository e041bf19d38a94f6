//! Health: a readiness probe for load balancers (an addition to the
//! reference; `docs/deployment.md`). `200 ready` while the process takes
//! new work; `503 draining` from the moment a stop or a reload begins
//! until (for a reload) the new configuration serves. `stopDelay` asks
//! the process to wait that long between saying so and closing its
//! listeners, for load balancers that poll.

mod running;

use std::sync::Arc;

use lactoserv_core::app::AppRef;
use lactoserv_core::bind::BindError;
use lactoserv_core::component::ApplicationConfig;
use lactoserv_core::quant::Duration;
use lactoserv_core::readiness;
use serde::Deserialize;

use running::Health;

/// The longest `stopDelay`: a stop must still end within the grace period
/// service managers give it.
const MAX_STOP_DELAY_SECS: f64 = 60.0;

/// The checked configuration of a Health application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HealthConfig {
    /// How long to say "draining" before the listeners close at a stop or
    /// a reload; none by default.
    #[serde(default)]
    pub(crate) stop_delay: Option<Duration>,
}

impl ApplicationConfig for HealthConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if let Some(delay) = self.stop_delay
            && !(0.0..=MAX_STOP_DELAY_SECS).contains(&delay.value())
        {
            return Err(BindError::new(
                "stopDelay",
                format!("Must be from 0 to {MAX_STOP_DELAY_SECS} seconds; got: {delay}"),
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<AppRef, BindError> {
        if let Some(delay) = self.stop_delay {
            readiness::process().ask_delay(std::time::Duration::from_secs_f64(delay.value()));
        }
        Ok(Arc::new(Health::new(readiness::process())))
    }
}

#[cfg(test)]
mod tests;

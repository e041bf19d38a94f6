//! The wrapper around every running application (Lactoserv
//! `BaseApplication.handleRequest`; spec 03 FW-50..53, FW-60..61): when
//! dispatch logging is on for a request here, each hop logs `handling`, then
//! `handled`, `notHandled` or `threw` with how long it took, on a dispatch
//! logger derived for the hop. In a configuration with a `Metrics`
//! application, it counts the same three outcomes. Otherwise the wrapper
//! only forwards the call.

use async_trait::async_trait;
use tokio::time::Instant;

use super::{AppRef, Application, HandleError, Handled};
use crate::log::{LogValue, Logger};
use crate::metrics::{ApplicationMetrics, Outcome};
use crate::net::{Dispatch, Request, Response};
use crate::quant::Duration;

/// An application as the framework runs it.
pub(crate) struct Hop {
    inner: AppRef,
    /// The application's name, the tag of its hop under a dispatch logger.
    name: String,
    /// `webapp.application.<name>`.
    logger: Logger,
    /// `dispatchLogging`: this application starts dispatch logging.
    starts: bool,
    /// Its counts, when the configuration counts.
    counts: Option<std::sync::Arc<ApplicationMetrics>>,
}

impl Hop {
    /// Wraps `inner`, the application `name` logging on `logger`
    /// (`webapp.application.<name>`).
    pub(crate) fn wrap(inner: AppRef, name: &str, logger: Logger, starts: bool) -> AppRef {
        std::sync::Arc::new(Self {
            inner,
            name: name.to_owned(),
            logger,
            starts,
            counts: crate::metrics::process().application(name),
        })
    }

    /// Counts `result`, if the hop counts.
    #[inline]
    fn count(&self, result: &Handled) {
        if let Some(counts) = &self.counts {
            counts.count(Outcome::of(result));
        }
    }
}

#[async_trait]
impl Application for Hop {
    async fn handle_request(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        let hop_logger = match dispatch.logger() {
            Some(above) => above.child(&self.name),
            None if self.starts && self.logger.is_enabled() => {
                self.logger.child("dispatch").with_new_id()
            }
            None => {
                let result = self.inner.handle_request(request, dispatch).await;
                self.count(&result);
                return result;
            }
        };
        if !hop_logger.is_enabled() {
            let result = self.inner.handle_request(request, dispatch).await;
            self.count(&result);
            return result;
        }
        hop_logger.event_with("handling", || vec![dispatch.log_value()]);
        let started = Instant::now();
        let below = dispatch.with_logger(Some(&hop_logger));
        let result = self.inner.handle_request(request, &below).await;
        let took = LogValue::duration(Duration::new(started.elapsed().as_secs_f64()));
        match &result {
            Ok(Some(_)) => hop_logger.event("handled", vec![took]),
            Ok(None) => hop_logger.event("notHandled", vec![took]),
            Err(err) => hop_logger.event("threw", vec![took, LogValue::error("Error", err)]),
        }
        self.count(&result);
        result
    }

    fn handle_now(
        &self,
        request: &Request,
        dispatch: &Dispatch<'_>,
    ) -> Option<Result<Option<Response>, HandleError>> {
        // A hop that logs takes the long way, where its log events are.
        let logs = dispatch.logger().is_some() || (self.starts && self.logger.is_enabled());
        if logs {
            return None;
        }
        let result = self.inner.handle_now(request, dispatch)?;
        if self.counts.is_some() {
            // An answer or a failure ends the walk at once; a refusal may
            // not (a router can go on to an application that cannot tell
            // at once, and the request is then walked again the long way,
            // where it is counted), so it is left to the long way.
            if matches!(result, Ok(None)) {
                return None;
            }
            self.count(&result);
        }
        Some(result)
    }
}

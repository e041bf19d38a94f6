//! The keep-alive's uptime events (Lactoserv's `keepRunning` logs the
//! process's uptime every hour, and once more as it stops; spec 01 LIFE-5).

use std::time::Duration;

use lactoserv_core::log::{LogValue, Logger};
use tokio::task::JoinHandle;

/// How often the keep-alive logs the uptime.
const PERIOD: Duration = Duration::from_secs(60 * 60);

/// Logs the uptime every hour until aborted.
pub(crate) fn keep_alive(logger: Logger, started: tokio::time::Instant) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(started + PERIOD, PERIOD);
        loop {
            ticks.tick().await;
            log(&logger, started);
        }
    })
}

/// Logs the uptime now.
pub(crate) fn log(logger: &Logger, started: tokio::time::Instant) {
    let seconds = started.elapsed().as_secs_f64();
    logger.event(
        "uptime",
        vec![LogValue::duration(lactoserv_core::quant::Duration::new(
            seconds,
        ))],
    );
}

//! `--max-run-time-sec` (spec 01 CLI-23): a countdown logged on
//! `main.debug` that ends with a clean stop, as the system's own stop
//! would (not a signal).

use std::time::Duration;

use lactoserv_core::log::{LogValue, Logger};
use tokio::sync::mpsc;

use crate::process::Request;

/// Starts the countdown of `seconds` (0 or less than nothing starts no
/// timer), asking `requests` for a stop when it runs out.
pub(crate) fn start_timer(logger: &Logger, seconds: f64, requests: mpsc::UnboundedSender<Request>) {
    if seconds.is_nan() || seconds <= 0.0 {
        return;
    }
    let logger = logger.clone();
    let duration = |seconds: f64| {
        vec![LogValue::duration(lactoserv_core::quant::Duration::new(
            seconds,
        ))]
    };
    logger.event("timerStarted", duration(seconds));
    tokio::spawn(async move {
        let mut remaining = seconds;
        if remaining > 60.0 {
            tokio::time::sleep(Duration::from_secs_f64(remaining - 60.0)).await;
            remaining = 60.0;
        }
        while remaining > 0.0 {
            logger.event("timeRemaining", duration(remaining));
            let wait = next_wait(remaining);
            tokio::time::sleep(Duration::from_secs_f64(wait.min(remaining))).await;
            remaining -= wait;
        }
        logger.event("timerExpired", duration(seconds));
        let _ = requests.send(Request::Stop);
    });
}

/// How long to wait before the next announcement, given what remains: ten
/// seconds and change above twenty, five and change above ten, else one.
fn next_wait(remaining: f64) -> f64 {
    if remaining >= 20.0 {
        10.0 + remaining % 10.0
    } else if remaining >= 10.0 {
        5.0 + remaining % 5.0
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::next_wait;

    #[test]
    fn a_hundred_seconds_are_announced_as_the_reference_does() {
        let mut remaining = 60.0;
        let mut announced = Vec::new();
        while remaining > 0.0 {
            announced.push(remaining);
            remaining -= next_wait(remaining);
        }
        assert_eq!(
            announced,
            [60.0, 50.0, 40.0, 30.0, 20.0, 10.0, 5.0, 4.0, 3.0, 2.0, 1.0]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_timer_asks_for_a_stop_when_it_runs_out() {
        let (requests, mut received) = tokio::sync::mpsc::unbounded_channel();
        super::start_timer(&lactoserv_core::log::Logger::disabled(), 3.0, requests);
        let start = tokio::time::Instant::now();
        assert_eq!(received.recv().await, Some(crate::process::Request::Stop));
        assert_eq!(start.elapsed(), std::time::Duration::from_secs(3));
    }
}

//! Whether the process takes new work: what a `Health` application tells
//! a load balancer. Not ready until the first configuration has started,
//! and from the moment a stop or a reload begins until (for a reload) the
//! new configuration serves. It belongs to the process, not to one
//! configuration, so it reads the same on every endpoint and across
//! reloads.
//!
//! A configuration may ask for a pause between saying "not ready" and
//! closing its listeners (`stopDelay` of `Health`), so that load balancers
//! that poll see the change before connections are refused; the largest
//! asked for by the configuration that last started is used.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The process's readiness.
#[derive(Debug, Default)]
pub struct Readiness {
    ready: AtomicBool,
    /// The pause (ms) the running configuration asks for.
    delay: AtomicU64,
    /// The pause (ms) the configuration being started asks for.
    asked: AtomicU64,
}

static PROCESS: Readiness = Readiness {
    ready: AtomicBool::new(false),
    delay: AtomicU64::new(0),
    asked: AtomicU64::new(0),
};

/// The process's readiness.
pub fn process() -> &'static Readiness {
    &PROCESS
}

impl Readiness {
    /// Whether new work is taken.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// A configuration is being started: what it asks for is gathered
    /// anew.
    pub fn starting(&self) {
        self.asked.store(0, Ordering::Relaxed);
    }

    /// The configuration being started asks for a pause of `delay` before
    /// its listeners close (the largest asked for wins).
    pub fn ask_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.asked.fetch_max(millis, Ordering::Relaxed);
    }

    /// The configuration being started serves now: the process is ready,
    /// with the pause it asked for.
    pub fn started(&self) {
        self.delay
            .store(self.asked.load(Ordering::Relaxed), Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
    }

    /// A started configuration goes on serving after a reload that could
    /// not start another: the process is ready again, with its pause.
    pub fn resumed(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// A stop or a reload begins: not ready from now on; gives the pause
    /// to make before closing the listeners.
    pub fn draining(&self) -> Duration {
        self.ready.store(false, Ordering::Release);
        Duration::from_millis(self.delay.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_between_a_start_and_a_drain_with_the_pause_its_configuration_asked_for() {
        let readiness = Readiness::default();
        assert!(!readiness.is_ready(), "not before the first start");
        readiness.starting();
        readiness.ask_delay(Duration::from_millis(300));
        readiness.ask_delay(Duration::from_millis(100));
        assert!(!readiness.is_ready());
        readiness.started();
        assert!(readiness.is_ready());
        assert_eq!(readiness.draining(), Duration::from_millis(300));
        assert!(!readiness.is_ready());
        // A reload whose configuration asks for nothing.
        readiness.starting();
        readiness.started();
        assert!(readiness.is_ready());
        assert_eq!(readiness.draining(), Duration::ZERO);
    }

    #[test]
    fn a_failed_reload_keeps_the_running_configurations_pause() {
        let readiness = Readiness::default();
        readiness.starting();
        readiness.ask_delay(Duration::from_secs(2));
        readiness.started();
        assert_eq!(readiness.draining(), Duration::from_secs(2));
        readiness.starting();
        readiness.ask_delay(Duration::from_secs(9));
        readiness.resumed();
        assert!(readiness.is_ready());
        assert_eq!(readiness.draining(), Duration::from_secs(2));
    }
}

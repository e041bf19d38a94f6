//! The running MemoryMonitor (spec 04 §A.8): checks the heap (the
//! allocator's bytes in use) and the resident set size every
//! `checkPeriod`; over a limit for longer than `gracePeriod`, it asks for a
//! clean shutdown with exit status 1.

use std::time::Duration;

use async_trait::async_trait;
use lactoserv_core::log::{LogValue, Logger};
use lactoserv_core::quant::{ByteCount, Moment};
use lactoserv_core::service::Fate;
use lactoserv_core::service::{Service, ServiceError, Shutdown};

use crate::support::background::{Background, pause};
use tokio::sync::watch;
use tokio::time::Instant;

/// Heap and resident-set bytes, as far as they can be told.
pub(crate) type Measure = Box<dyn Fn() -> (Option<u64>, Option<u64>) + Send + Sync>;

/// The resident set size, from `/proc/self/statm`.
pub(crate) fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split(' ').nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub(crate) struct Limits {
    pub(crate) check: Duration,
    pub(crate) grace: Duration,
    pub(crate) max_heap: Option<u64>,
    pub(crate) max_rss: Option<u64>,
}

pub(crate) struct MemoryMonitor {
    limits: std::sync::Arc<Limits>,
    measure: std::sync::Arc<Measure>,
    shutdown: Shutdown,
    logger: Logger,
    checks: Background,
}

impl std::fmt::Debug for MemoryMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryMonitor").finish_non_exhaustive()
    }
}

impl MemoryMonitor {
    pub(crate) fn new(
        limits: Limits,
        measure: Measure,
        shutdown: Shutdown,
        logger: Logger,
    ) -> Self {
        Self {
            limits: std::sync::Arc::new(limits),
            measure: std::sync::Arc::new(measure),
            shutdown,
            logger,
            checks: Background::default(),
        }
    }
}

fn bytes(value: Option<u64>) -> LogValue {
    value.map_or_else(LogValue::undefined, |b| {
        LogValue::byte_count(ByteCount::new(b as f64))
    })
}

/// Checks until told to stop or until it has asked for a shutdown.
async fn watch_memory(
    limits: std::sync::Arc<Limits>,
    measure: std::sync::Arc<Measure>,
    shutdown: Shutdown,
    logger: Logger,
    mut stopped: watch::Receiver<bool>,
) {
    let mut action_at: Option<Instant> = None;
    loop {
        let (heap, rss) = measure();
        logger.event_with("usage", || {
            vec![LogValue::object([
                ("heap", bytes(heap)),
                ("rss", bytes(rss)),
            ])]
        });
        let over = |value: Option<u64>, limit: Option<u64>| matches!((value, limit), (Some(value), Some(limit)) if limit > 0 && value >= limit);
        let now = Instant::now();
        if over(heap, limits.max_heap) || over(rss, limits.max_rss) {
            match action_at {
                None => {
                    let at = now + limits.grace;
                    action_at = Some(at);
                    let when = Moment::now().at_sec() + limits.grace.as_secs_f64();
                    logger.event_with("overLimit", || {
                        vec![LogValue::object([(
                            "actionAt",
                            LogValue::moment(Moment::new(when)),
                        )])]
                    });
                }
                Some(at) if at < now => {
                    logger.event("takingAction", Vec::new());
                    shutdown.request(1);
                    return;
                }
                Some(_) => {}
            }
        } else if action_at.take().is_some() {
            logger.event("withinLimit", Vec::new());
        }
        let wait = match action_at {
            Some(at) => {
                let until = at.saturating_duration_since(now).mul_f64(0.4);
                limits.check.min(until.max(Duration::from_secs(1)))
            }
            None => limits.check,
        };
        if !pause(wait, &mut stopped).await {
            return;
        }
    }
}

#[async_trait]
impl Service for MemoryMonitor {
    async fn start(&self) -> Result<(), ServiceError> {
        let (limits, measure) = (self.limits.clone(), self.measure.clone());
        let (shutdown, logger) = (self.shutdown.clone(), self.logger.clone());
        self.checks
            .start(|stopped| watch_memory(limits, measure, shutdown, logger, stopped));
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        self.checks.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// A monitor checking every second, acting 3 s over a 1 MiB rss limit,
    /// with the rss `rss` says.
    fn monitor(rss: Arc<AtomicU64>, shutdown: Shutdown) -> MemoryMonitor {
        MemoryMonitor::new(
            Limits {
                check: Duration::from_secs(1),
                grace: Duration::from_secs(3),
                max_heap: None,
                max_rss: Some(1 << 20),
            },
            Box::new(move || (None, Some(rss.load(Ordering::Relaxed)))),
            shutdown,
            Logger::disabled(),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn over_the_limit_past_the_grace_period_asks_for_a_shutdown() {
        let rss = Arc::new(AtomicU64::new(2 << 20));
        let probe = rss.clone();
        let shutdown = Shutdown::unheard();
        let mut asked = shutdown.watch();
        let monitor = monitor(probe, shutdown);
        let started = Instant::now();
        monitor.start().await.unwrap();
        asked.wait_for(Option::is_some).await.unwrap();
        assert_eq!(*asked.borrow(), Some(1));
        let took = started.elapsed();
        // Detected at once; acted on at the first check after 3 s.
        assert!(
            took > Duration::from_secs(3) && took < Duration::from_secs(5),
            "{took:?}"
        );
        monitor.stop(Fate::Shutdown).await;
    }

    #[tokio::test(start_paused = true)]
    async fn going_back_under_the_limit_cancels_the_action() {
        let rss = Arc::new(AtomicU64::new(2 << 20));
        let probe = rss.clone();
        let shutdown = Shutdown::unheard();
        let asked = shutdown.watch();
        let monitor = monitor(probe, shutdown);
        monitor.start().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        rss.store(1000, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(*asked.borrow(), None);
        monitor.stop(Fate::Shutdown).await;
    }
}

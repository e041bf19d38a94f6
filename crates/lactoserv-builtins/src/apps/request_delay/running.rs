//! The running RequestDelay (spec 03 §4.6): waits, then declines.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use lactoserv_core::app::{Application, HandleError};
use lactoserv_core::net::{Dispatch, Request, Response};

/// Waits, then declines.
pub(crate) struct RequestDelay {
    /// The shortest and longest delay, in whole milliseconds.
    min_ms: u64,
    max_ms: u64,
    /// State of a small random generator for picking delays (uniformity is
    /// all that is needed here, not unpredictability).
    random: AtomicU64,
}

impl RequestDelay {
    /// Delays between `min` and `max` seconds.
    pub(crate) fn new(min: f64, max: f64) -> Self {
        let ms = |secs: f64| (secs * 1000.0).round() as u64;
        Self {
            min_ms: ms(min),
            max_ms: ms(max),
            random: AtomicU64::new(RandomState::new().hash_one(0u64) | 1),
        }
    }

    /// The next delay, uniform over the whole milliseconds from min to max.
    fn pick(&self) -> Duration {
        let span = self.max_ms - self.min_ms;
        if span == 0 {
            return Duration::from_millis(self.min_ms);
        }
        // xorshift64*; a lost update under contention only repeats a value.
        let mut x = self.random.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random.store(x, Ordering::Relaxed);
        let value = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Duration::from_millis(self.min_ms + value % (span + 1))
    }
}

#[async_trait]
impl Application for RequestDelay {
    async fn handle_request(
        &self,
        _: &Request,
        _: &Dispatch<'_>,
    ) -> Result<Option<Response>, HandleError> {
        tokio::time::sleep(self.pick()).await;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn request_delay_waits_then_declines() {
        let app = RequestDelay::new(1234.0, 1234.0);
        let request = Request::for_target(Method::GET, "/").unwrap();
        let started = tokio::time::Instant::now();
        let answer = app
            .handle_request(&request, &Dispatch::root(&request))
            .await
            .unwrap();
        assert!(answer.is_none());
        assert_eq!(started.elapsed(), Duration::from_secs(1234));
    }

    #[test]
    fn random_delays_cover_every_millisecond() {
        let app = RequestDelay::new(0.020, 0.050);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let delay = app.pick();
            assert!((20..=50).contains(&delay.as_millis()), "{delay:?}");
            assert_eq!(delay.subsec_nanos() % 1_000_000, 0);
            seen.insert(delay.as_millis());
        }
        assert_eq!(seen.len(), 31);
    }
}

//! A histogram of durations with fixed buckets, counted per thread like
//! every other count (see `sharded.rs`).

use std::time::Duration;

use super::Sharded;

/// The buckets' upper bounds, in seconds: from a cached file answered
/// at once (tens of microseconds) to a slow application (seconds).
pub const BOUNDS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// [`BOUNDS`] in nanoseconds, for finding a bucket without floating
/// point.
const BOUNDS_NANOS: [u64; 16] = [
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// The buckets, the last one for what is above every bound.
const BUCKETS: usize = BOUNDS.len() + 1;

/// Durations counted by bucket, with their sum (in nanoseconds, in the
/// counter after the buckets).
#[derive(Debug, Default)]
pub struct Histogram(Sharded<{ BUCKETS + 1 }>);

/// A histogram as read at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// For each of [`BOUNDS`], how many durations were at most it
    /// (cumulative, as both exposition formats have them).
    pub at_most: [u64; BOUNDS.len()],
    /// How many durations were counted.
    pub count: u64,
    /// Their sum, in seconds.
    pub sum: f64,
}

impl Observed {
    /// The same with `zeros` more durations of no time (in every bucket).
    pub fn with_zeros(mut self, zeros: u64) -> Self {
        for at_most in &mut self.at_most {
            *at_most += zeros;
        }
        self.count += zeros;
        self
    }
}

impl Histogram {
    /// Counts `took`.
    pub fn observe(&self, took: Duration) {
        self.observe_nanos(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Counts a duration of `nanos` nanoseconds.
    #[inline]
    pub fn observe_nanos(&self, nanos: u64) {
        let bucket = BOUNDS_NANOS.partition_point(|&bound| bound < nanos);
        self.0.add(bucket, 1);
        self.0.add(BUCKETS, nanos);
    }

    /// The counts now.
    pub fn read(&self) -> Observed {
        let totals = self.0.totals();
        let mut at_most = [0; BOUNDS.len()];
        let mut below = 0;
        for (bucket, cumulative) in at_most.iter_mut().enumerate() {
            below += totals[bucket];
            *cumulative = below;
        }
        Observed {
            at_most,
            count: below + totals[BOUNDS.len()],
            sum: totals[BUCKETS] as f64 / 1e9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_in_nanoseconds_are_the_bounds_in_seconds() {
        for (nanos, seconds) in BOUNDS_NANOS.iter().zip(BOUNDS) {
            assert_eq!(*nanos, (seconds * 1e9).round() as u64);
        }
    }

    #[test]
    fn a_duration_counts_in_the_buckets_it_is_at_most() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(100));
        histogram.observe(Duration::from_micros(101));
        histogram.observe(Duration::from_millis(30));
        histogram.observe(Duration::from_secs(60));
        let observed = histogram.read();
        assert_eq!(observed.count, 4);
        assert_eq!(observed.at_most[0], 1, "a bound is inclusive");
        assert_eq!(observed.at_most[1], 2);
        assert_eq!(observed.at_most[7], 2, "30 ms is above 25 ms");
        assert_eq!(observed.at_most[8], 3);
        assert_eq!(observed.at_most[15], 3, "a minute is above every bound");
        assert!((observed.sum - 60.030201).abs() < 1e-9, "{}", observed.sum);
    }
}

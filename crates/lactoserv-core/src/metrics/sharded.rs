//! Counters split by thread: each thread adds to a copy of its own (on
//! cache lines no other thread writes, unless more threads than copies
//! run), and a reading sums the copies. Counting is then as cheap as an
//! uncontended add, however many cores count at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Copies of each counter set: enough for the runtime's workers on the
/// machines this runs on, and the blocking threads share the rest.
const SHARDS: usize = 16;

/// `N` counters, a copy per thread.
#[derive(Debug)]
pub struct Sharded<const N: usize> {
    shards: Box<[Shard<N>]>,
}

/// One thread's copy, on cache lines of its own.
#[derive(Debug)]
#[repr(align(64))]
struct Shard<const N: usize>([AtomicU64; N]);

impl<const N: usize> Default for Sharded<N> {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Shard(std::array::from_fn(|_| AtomicU64::new(0))))
                .collect(),
        }
    }
}

/// Hands each thread its copy's index, in turn.
static NEXT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

impl<const N: usize> Sharded<N> {
    /// Adds `n` to counter `at`.
    #[inline]
    pub fn add(&self, at: usize, n: u64) {
        let shard = SHARD.with(|shard| *shard);
        self.shards[shard].0[at].fetch_add(n, Ordering::Relaxed);
    }

    /// Every counter, summed over the copies.
    pub fn totals(&self) -> [u64; N] {
        let mut totals = [0; N];
        for shard in &self.shards {
            for (total, counter) in totals.iter_mut().zip(&shard.0) {
                *total += counter.load(Ordering::Relaxed);
            }
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn counts_from_many_threads_add_up() {
        let counters = Arc::new(Sharded::<3>::default());
        let threads: Vec<_> = (0..20)
            .map(|n| {
                let counters = counters.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        counters.add(n % 3, 1);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(counters.totals(), [7000, 7000, 6000]);
    }
}

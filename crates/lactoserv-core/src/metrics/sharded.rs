//! Counters split by thread: each of the first threads to count adds to
//! a copy of its own (on cache lines no other thread writes), with a
//! plain load and store rather than a locked add; threads past those
//! share the last copy, with atomic adds. A reading sums the copies.
//! Counting is then a few instructions, however many cores count at
//! once. The runtime's workers, which do nearly all the counting, are
//! among the first threads to count.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Copies of each counter set: one for each of the first threads to
/// count, and one that the threads after them share.
const SHARDS: usize = 16;

/// The copies owned by one thread each.
const OWNED: usize = SHARDS - 1;

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
    /// The thread's copy, once it has counted ([`UNSET`] before): a
    /// constant start, so that reading it is one load.
    static SHARD: Cell<usize> = const { Cell::new(UNSET) };
}

/// No copy yet.
const UNSET: usize = usize::MAX;

/// The calling thread's copy.
#[inline]
fn shard() -> usize {
    SHARD.with(|shard| {
        let mut index = shard.get();
        if index == UNSET {
            index = NEXT.fetch_add(1, Ordering::Relaxed).min(OWNED);
            shard.set(index);
        }
        index
    })
}

impl<const N: usize> Sharded<N> {
    /// Adds `n` to counter `at`.
    #[inline]
    pub fn add(&self, at: usize, n: u64) {
        let shard = shard();
        let counter = &self.shards[shard].0[at];
        if shard < OWNED {
            // No other thread writes this copy: nothing to lock.
            counter.store(
                counter.load(Ordering::Relaxed).wrapping_add(n),
                Ordering::Relaxed,
            );
        } else {
            counter.fetch_add(n, Ordering::Relaxed);
        }
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

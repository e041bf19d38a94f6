//! The counts of applications, of StaticFiles' caches and of rate
//! limiters, each kept by the component's name.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicI64, Ordering};

use super::{Named, Sharded};

/// Three counts kept by a component's name: how what it was asked came
/// out, by `K` (an application's [`Outcome`]s, a rate limiter's
/// [`Asked`]).
#[derive(Debug)]
pub struct Tally<K> {
    name: String,
    counts: Sharded<3>,
    kind: PhantomData<fn(K)>,
}

/// What an application did with the requests it was asked about.
pub type ApplicationMetrics = Tally<Outcome>;

/// What a rate limiter did with what it was asked for.
pub type LimiterMetrics = Tally<Asked>;

impl<K> Named for Tally<K> {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            counts: Sharded::default(),
            kind: PhantomData,
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl<K: Copy + Into<usize>> Tally<K> {
    /// The component's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts one that came out as `kind`.
    #[inline]
    pub fn count(&self, kind: K) {
        self.counts.add(kind.into(), 1);
    }

    /// The three counts, in the order of `K`.
    pub fn outcomes(&self) -> [u64; 3] {
        self.counts.totals()
    }
}

/// How a request asked of an application came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It answered.
    Handled,
    /// It declined.
    NotHandled,
    /// It failed.
    Error,
}

impl Outcome {
    /// How `handled` came out.
    #[inline]
    pub fn of(handled: &crate::app::Handled) -> Self {
        match handled {
            Ok(Some(_)) => Self::Handled,
            Ok(None) => Self::NotHandled,
            Err(_) => Self::Error,
        }
    }
}

impl From<Outcome> for usize {
    fn from(outcome: Outcome) -> Self {
        outcome as usize
    }
}

/// A file cache's lookups, and the bytes it holds.
#[derive(Debug)]
pub struct CacheMetrics {
    name: String,
    /// Hits, misses.
    lookups: Sharded<2>,
    /// Bytes held by every live cache of this name (a reload's new
    /// application has its own cache while the old one drains).
    held: AtomicI64,
}

impl Named for CacheMetrics {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            lookups: Sharded::default(),
            held: AtomicI64::new(0),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl CacheMetrics {
    /// The name of the application whose cache it is.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts a lookup that found what it looked for (`hit`) or not.
    #[inline]
    pub fn looked_up(&self, hit: bool) {
        self.lookups.add(usize::from(!hit), 1);
    }

    /// Hits and misses.
    pub fn lookups(&self) -> [u64; 2] {
        self.lookups.totals()
    }

    /// A cache now holds `change` bytes more (or fewer).
    pub fn held_changed(&self, change: i64) {
        self.held.fetch_add(change, Ordering::Relaxed);
    }

    /// The bytes held.
    pub fn held(&self) -> u64 {
        self.held.load(Ordering::Relaxed).max(0) as u64
    }
}

/// What became of one ask of a rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Granted (at once, or after waiting).
    Granted,
    /// Made to wait in the queue (and counted again as granted or denied
    /// when it ends).
    Queued,
    /// Denied: the queue was full, or the limiter was stopping.
    Denied,
}

impl From<Asked> for usize {
    fn from(asked: Asked) -> Self {
        asked as usize
    }
}

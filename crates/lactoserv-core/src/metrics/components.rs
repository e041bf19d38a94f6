//! The counts of applications, of StaticFiles' caches and of rate
//! limiters, each kept by the component's name.

use std::sync::atomic::{AtomicI64, Ordering};

use super::{Named, Sharded};

/// What an application did with the requests it was asked about.
#[derive(Debug)]
pub struct ApplicationMetrics {
    name: String,
    /// Handled, not handled, failed.
    outcomes: Sharded<3>,
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

impl Named for ApplicationMetrics {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            outcomes: Sharded::default(),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl ApplicationMetrics {
    /// The application's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts a request that came out as `outcome`.
    #[inline]
    pub fn count(&self, outcome: Outcome) {
        self.outcomes.add(outcome as usize, 1);
    }

    /// Requests handled, not handled, and failed.
    pub fn outcomes(&self) -> [u64; 3] {
        self.outcomes.totals()
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

/// What a rate limiter did with what it was asked for.
#[derive(Debug)]
pub struct LimiterMetrics {
    name: String,
    /// Granted, queued, denied.
    outcomes: Sharded<3>,
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

impl Named for LimiterMetrics {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            outcomes: Sharded::default(),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

impl LimiterMetrics {
    /// The limiter's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counts an ask that came to `asked`.
    #[inline]
    pub fn count(&self, asked: Asked) {
        self.outcomes.add(asked as usize, 1);
    }

    /// Granted, queued, denied.
    pub fn outcomes(&self) -> [u64; 3] {
        self.outcomes.totals()
    }
}

//! The token bucket behind every rate limiter (Lactoserv `TokenBucket`;
//! spec 02 §5.2): tokens refill at a steady rate up to a burst size;
//! requests take what is there at once, or queue (first in, first out, up
//! to a total) and are served whole as tokens arrive; a full queue is a
//! denial.
//!
//! Time is tokio's, so tests run it on a paused clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::metrics::{Asked, LimiterMetrics};

/// A bucket's settings, in tokens and tokens per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSettings {
    /// Refill rate (tokens per second), above zero.
    pub flow_rate: f64,
    /// Capacity.
    pub max_burst: f64,
    /// Tokens at start (0 to `max_burst`).
    pub initial_burst: f64,
    /// Most tokens waited for in all; `None` for no limit.
    pub max_queue: Option<f64>,
    /// Most tokens one queued request is granted (whole tokens).
    pub max_queue_grant: f64,
}

/// Why a request ended as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Tokens were granted.
    Grant,
    /// The queue was full: denied.
    Full,
    /// The bucket is stopping: denied.
    Stopping,
}

impl Reason {
    /// The reference's name for the reason (`grant`, `full`, `stopping`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Full => "full",
            Self::Stopping => "stopping",
        }
    }
}

/// The outcome of [`TokenBucket::request`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grant {
    /// Whether the request was granted.
    pub done: bool,
    /// How many tokens it got.
    pub grant: f64,
    /// Why.
    pub reason: Reason,
    /// How long it waited in the queue.
    pub waited: Duration,
}

impl Grant {
    fn denied(reason: Reason, waited: Duration) -> Self {
        Self {
            done: false,
            grant: 0.0,
            reason,
            waited,
        }
    }
}

/// A token bucket, shared by whatever it limits.
#[derive(Debug)]
pub struct TokenBucket {
    settings: BucketSettings,
    state: Mutex<State>,
    /// Its counts, when the configuration counts.
    counts: Option<Arc<LimiterMetrics>>,
}

#[derive(Debug)]
struct State {
    /// Tokens available now (may be fractional).
    burst: f64,
    /// When `burst` was last brought up to date.
    updated: Instant,
    waiters: VecDeque<Waiter>,
    /// Tokens the waiters wait for, in all.
    queued: f64,
    servicing: bool,
    stopped: bool,
}

#[derive(Debug)]
struct Waiter {
    grant: f64,
    since: Instant,
    reply: oneshot::Sender<Grant>,
}

impl State {
    /// Adds the tokens that have flowed in since the last update.
    fn top_up(&mut self, settings: &BucketSettings, now: Instant) {
        if self.burst < settings.max_burst {
            let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
            self.burst = (self.burst + elapsed * settings.flow_rate).min(settings.max_burst);
        }
        self.updated = now;
    }

    /// Takes between `min` and `max` whole tokens if at least `min` are
    /// there.
    fn take(&mut self, settings: &BucketSettings, min: f64, max: f64) -> Option<f64> {
        let available = self.burst.floor();
        let cap = max.min(settings.max_burst);
        let grant = if available < min {
            0.0
        } else {
            available.min(cap)
        };
        if grant == 0.0 && min != 0.0 {
            return None;
        }
        self.burst -= grant;
        Some(grant)
    }
}

impl TokenBucket {
    /// A bucket with `settings`, filled with `initial_burst` tokens.
    pub fn new(settings: BucketSettings) -> Arc<Self> {
        Self::counted(settings, None)
    }

    /// As [`TokenBucket::new`], counting what it grants, queues and
    /// denies in `counts`.
    pub fn counted(settings: BucketSettings, counts: Option<Arc<LimiterMetrics>>) -> Arc<Self> {
        Arc::new(Self {
            counts,
            state: Mutex::new(State {
                burst: settings.initial_burst,
                updated: Instant::now(),
                waiters: VecDeque::new(),
                queued: 0.0,
                servicing: false,
                stopped: false,
            }),
            settings: BucketSettings {
                max_queue_grant: settings.max_queue_grant.floor(),
                ..settings
            },
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes between `min` and `max` tokens at once, without waiting or
    /// allocating, if nobody is queued and at least `min` are there: the
    /// immediate case of [`request`](Self::request).
    pub fn grant_now(&self, min: f64, max: f64) -> Option<f64> {
        let (min, max) = (min.ceil(), max.floor().max(min.ceil()));
        let mut state = self.state();
        if state.stopped || !state.waiters.is_empty() {
            return None;
        }
        state.top_up(&self.settings, Instant::now());
        let taken = state.take(&self.settings, min, max);
        drop(state);
        if taken.is_some() {
            self.count(Asked::Granted);
        }
        taken
    }

    /// Counts an ask that came to `asked`, if the bucket counts.
    #[inline]
    fn count(&self, asked: Asked) {
        if let Some(counts) = &self.counts {
            counts.count(asked);
        }
    }

    /// Asks for between `min` and `max` tokens: granted at once when the
    /// queue is empty and enough are there, otherwise queued behind the
    /// earlier requests (for `min(max, max_queue_grant)` tokens) unless
    /// that would overfill the queue.
    pub async fn request(self: &Arc<Self>, min: f64, max: f64) -> Grant {
        let grant = self.ask(min, max).await;
        self.count(if grant.done {
            Asked::Granted
        } else {
            Asked::Denied
        });
        grant
    }

    /// [`TokenBucket::request`], uncounted but for the queueing.
    async fn ask(self: &Arc<Self>, min: f64, max: f64) -> Grant {
        let (min, max) = (min.ceil(), max.floor().max(min.ceil()));
        let receiver = {
            let mut state = self.state();
            if state.stopped {
                return Grant::denied(Reason::Stopping, Duration::ZERO);
            }
            if state.waiters.is_empty() {
                state.top_up(&self.settings, Instant::now());
                if let Some(grant) = state.take(&self.settings, min, max) {
                    return granted(grant, Duration::ZERO);
                }
            }
            if min == 0.0 {
                return granted(0.0, Duration::ZERO);
            }
            let grant = max.min(self.settings.max_queue_grant);
            let over = self
                .settings
                .max_queue
                .is_some_and(|limit| state.queued + grant > limit);
            if grant == 0.0 || over {
                return Grant::denied(Reason::Full, Duration::ZERO);
            }
            let (reply, receiver) = oneshot::channel();
            let since = state.updated;
            state.waiters.push_back(Waiter {
                grant,
                since,
                reply,
            });
            state.queued += grant;
            if !state.servicing {
                state.servicing = true;
                tokio::spawn(self.clone().serve());
            }
            receiver
        };
        self.count(Asked::Queued);
        receiver
            .await
            .unwrap_or(Grant::denied(Reason::Stopping, Duration::ZERO))
    }

    /// Grants the queue's requests in order as tokens arrive.
    async fn serve(self: Arc<Self>) {
        loop {
            let wake = {
                let mut state = self.state();
                let now = Instant::now();
                state.top_up(&self.settings, now);
                let Some(head) = state.waiters.front() else {
                    state.servicing = false;
                    return;
                };
                let want = head.grant;
                if state.take(&self.settings, want, want).is_some() {
                    let waiter = state.waiters.pop_front().expect("looked at it");
                    state.queued -= want;
                    let waited = state.updated.saturating_duration_since(waiter.since);
                    let _ = waiter.reply.send(granted(want, waited));
                    continue;
                }
                let missing = want - state.burst;
                state.updated + Duration::from_secs_f64(missing / self.settings.flow_rate)
            };
            tokio::time::sleep_until(wake).await;
        }
    }

    /// Denies every queued request and every later one (at stop).
    pub fn deny_all(&self) {
        let mut state = self.state();
        state.stopped = true;
        state.top_up(&self.settings, Instant::now());
        let now = state.updated;
        for waiter in state.waiters.drain(..) {
            let waited = now.saturating_duration_since(waiter.since);
            let _ = waiter.reply.send(Grant::denied(Reason::Stopping, waited));
        }
        state.queued = 0.0;
    }
}

fn granted(grant: f64, waited: Duration) -> Grant {
    Grant {
        done: true,
        grant,
        reason: Reason::Grant,
        waited,
    }
}

#[cfg(test)]
mod tests;

//! A connection's activity, for idle timeouts (Lactoserv's socket
//! inactivity timeout and HTTP1 keep-alive timeout, `TcpWrangler` and
//! Node's `keepAliveTimeout`): when bytes last moved, and how many requests
//! are in progress.
//!
//! One timer per connection, re-armed only when it fires, replaces a timer
//! armed and cancelled for every request: a connection closes once it has
//! been idle for the limit with no request in progress.
//!
//! The same record counts the bytes read and written and notices the
//! client closing its side, for the connection's closing log events; the
//! socket's reads and writes reach it through a `Tracked` stream.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::clock::{coarse_millis, monotonic_nanos};

/// What counts as a connection moving, for its time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moving {
    /// Any byte read or written (HTTP1: a client reading its answer or
    /// sending its next request).
    Bytes,
    /// Responses making progress: a request starting, an answer's head
    /// ready, a streamed body's data sent (HTTP2, where control frames
    /// such as `PING` and `SETTINGS` move bytes without serving anything).
    Responses,
}

/// The time limits a connection lives under (spec 02 TO-5, TO-10, TO-11,
/// TO-12).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// What counts as moving.
    pub(crate) moving: Moving,
    /// Closed when nothing has moved for this long with no request in
    /// progress (the keep-alive or session idle timeout).
    pub(crate) idle: Duration,
    /// Closed when no request has started for this long after the server
    /// last wrote (the end of the last response, or the connection
    /// opening), whatever the client sends meanwhile: a client trickling
    /// in a request's headers (slowloris). HTTP1 only.
    pub(crate) header: Option<Duration>,
    /// Closed when nothing has moved for this long, even with a request in
    /// progress (the reference's socket inactivity timeout).
    pub(crate) inactive: Duration,
}

/// Why a connection's time is up, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not yet: look again at this time.
    Live(Instant),
    /// Idle past [`Timeouts::idle`].
    Idle,
    /// No request started within [`Timeouts::header`].
    HeaderTimeout,
    /// Nothing moved for [`Timeouts::inactive`].
    Inactive,
}

/// What a connection has been doing.
#[derive(Debug)]
pub(crate) struct Activity {
    /// When the connection started; `last` and `last_write` count from
    /// here.
    start: Instant,
    /// The coarse clock's reading at `start`, when connections are timed
    /// on it (see [`time_connections_coarsely`]).
    base: Option<u64>,
    /// Milliseconds from `start` to the last progress of a response (see
    /// [`Moving::Responses`]).
    progress: AtomicU64,
    /// Milliseconds from `start` to the last byte read or written.
    last: AtomicU64,
    /// Milliseconds from `start` to the last byte written (0 before the
    /// first).
    last_write: AtomicU64,
    /// Requests being handled.
    in_flight: AtomicUsize,
    /// Requests started, ever.
    requests: AtomicU64,
    /// Bytes written to the socket.
    written: AtomicU64,
    /// Bytes read from the socket.
    read: AtomicU64,
    /// Whether [`Activity::tick`] reads the clock (the endpoint times its
    /// requests for its metrics).
    times_requests: bool,
    /// The monotonic clock, in nanoseconds, at the connection's task's
    /// latest run.
    polled: AtomicU64,
    /// The client closed its side (a read saw the end of the stream).
    pub(super) remote_closed: AtomicBool,
    /// The last bytes moved were read (not written).
    pub(super) read_last: AtomicBool,
}

impl Activity {
    /// A new connection's record, active now.
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            base: COARSE.load(Ordering::Relaxed).then(coarse_millis),
            progress: AtomicU64::new(0),
            last: AtomicU64::new(0),
            last_write: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            written: AtomicU64::new(0),
            read: AtomicU64::new(0),
            times_requests: false,
            polled: AtomicU64::new(0),
            remote_closed: AtomicBool::new(false),
            read_last: AtomicBool::new(false),
        }
    }

    /// The same record, its [`Activity::tick`] reading the clock when
    /// `times` (requests are timed on it, for metrics).
    pub(crate) fn timing_requests(self, times: bool) -> Self {
        Self {
            times_requests: times,
            ..self
        }
    }

    /// The connection's task is running: when requests are timed, reads
    /// the clock for them. Requests are timed on this reading, taken once
    /// per run of the task rather than twice per request: the work of one
    /// run is the server's own, microseconds, and what a request waits
    /// for (its body, an application that waits) ends a run.
    #[inline]
    pub(crate) fn tick(&self) {
        if self.times_requests {
            self.polled.store(monotonic_nanos(), Ordering::Relaxed);
        }
    }

    /// Runs `future`, [ticking](Activity::tick) each time it is polled: for
    /// a connection whose task is not driven by `drive` (HTTP/3).
    pub(crate) async fn ticking<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            self.tick();
            future.as_mut().poll(cx)
        })
        .await
    }

    /// When the connection's task last ran (see [`Activity::tick`]), in
    /// nanoseconds on the monotonic clock.
    #[inline]
    pub(crate) fn polled(&self) -> u64 {
        self.polled.load(Ordering::Relaxed)
    }

    /// Milliseconds since `start`, read for every read and write.
    fn millis(&self) -> u64 {
        match self.base {
            Some(base) => coarse_millis().saturating_sub(base),
            None => u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    pub(super) fn touch(&self) -> u64 {
        let millis = self.millis();
        self.last.store(millis, Ordering::Relaxed);
        millis
    }

    fn at(&self, millis: &AtomicU64) -> Instant {
        self.start + Duration::from_millis(millis.load(Ordering::Relaxed))
    }

    /// Whether the connection's time is up under `limits`, and if not,
    /// when to look again. Cheap enough to run whenever a timer fires:
    /// the connection's own I/O only stores timestamps.
    pub(crate) fn verdict(&self, limits: &Timeouts) -> Verdict {
        let now = Instant::now();
        let last = match limits.moving {
            Moving::Bytes => self.at(&self.last),
            Moving::Responses => self.at(&self.progress),
        };
        let inactive_at = last + limits.inactive;
        if now >= inactive_at {
            return Verdict::Inactive;
        }
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            // A request may end at any moment, starting the idle count:
            // look again no later than one idle period from now.
            return Verdict::Live(inactive_at.min(now + limits.idle));
        }
        let idle_at = last + limits.idle;
        if now >= idle_at {
            return Verdict::Idle;
        }
        let mut next = idle_at.min(inactive_at);
        if let Some(header) = limits.header {
            let stalled_at = self.at(&self.last_write) + header;
            if now >= stalled_at {
                return Verdict::HeaderTimeout;
            }
            next = next.min(stalled_at);
        }
        Verdict::Live(next)
    }

    /// Records that a response made progress (see [`Moving::Responses`]).
    pub(crate) fn progressed(&self) {
        self.progress.store(self.millis(), Ordering::Relaxed);
    }

    /// Marks a request as in progress until the guard is dropped.
    pub(crate) fn request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Whether any request has been started.
    pub(crate) fn had_requests(&self) -> bool {
        self.requests.load(Ordering::Relaxed) > 0
    }

    /// Bytes written to the socket so far.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Bytes read from the socket so far.
    pub(crate) fn read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// Records `bytes` read from the client.
    pub(super) fn was_read(&self, bytes: usize) {
        // One reader per connection: a load and a store, not a locked add.
        let before = self.read.load(Ordering::Relaxed);
        self.read.store(before + bytes as u64, Ordering::Relaxed);
        self.read_last.store(true, Ordering::Relaxed);
        self.touch();
    }

    /// Whether the client has closed its side.
    pub(crate) fn remote_closed(&self) -> bool {
        self.remote_closed.load(Ordering::Relaxed)
    }

    /// Whether the client is in the middle of sending a request head: no
    /// request in progress, and the last bytes moved came from the client
    /// (a response being written, or an idle connection, would have
    /// written last).
    pub(crate) fn reading_head(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0 && self.read_last.load(Ordering::Relaxed)
    }

    pub(super) fn wrote(&self, bytes: usize) {
        self.read_last.store(false, Ordering::Relaxed);
        self.written.fetch_add(bytes as u64, Ordering::Relaxed);
        let millis = self.touch();
        self.last_write.store(millis, Ordering::Relaxed);
    }
}

/// Whether connections opened from now on are timed on the coarse clock.
static COARSE: AtomicBool = AtomicBool::new(false);

/// Times the connections opened from now on with Linux's coarse monotonic
/// clock (elsewhere: no change). It is read without asking the hardware (a
/// few nanoseconds, against tens for the precise clock on a virtual
/// machine) and is exact to a few milliseconds: enough for timeouts counted
/// in seconds, and it is read on every read and write. Not for tests that
/// hold tokio's clock still: the coarse clock goes on.
pub fn time_connections_coarsely() {
    COARSE.store(cfg!(target_os = "linux"), Ordering::Relaxed);
}

/// A request in progress; see [`Activity::request`].
pub(crate) struct InFlight<'a>(&'a Activity);

impl Drop for InFlight<'_> {
    // The end of a request is not itself recorded: writing its response,
    // which follows at once, is (for the idle and the header timeouts).
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Timeouts = Timeouts {
        moving: Moving::Bytes,
        idle: Duration::from_secs(5),
        header: Some(Duration::from_secs(30)),
        inactive: Duration::from_secs(180),
    };

    #[tokio::test(start_paused = true)]
    async fn idle_only_after_the_limit_with_nothing_in_flight() {
        let activity = Activity::new();
        assert!(matches!(activity.verdict(&LIMITS), Verdict::Live(_)));
        tokio::time::advance(Duration::from_secs(4)).await;
        let request = activity.request();
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(
            matches!(activity.verdict(&LIMITS), Verdict::Live(_)),
            "a request is in progress"
        );
        drop(request);
        activity.touch();
        assert!(
            matches!(activity.verdict(&LIMITS), Verdict::Live(_)),
            "writing the response is activity"
        );
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(activity.verdict(&LIMITS), Verdict::Idle);
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickle_of_bytes_without_a_request_times_out() {
        let activity = Activity::new();
        for _ in 0..7 {
            tokio::time::advance(Duration::from_secs(4)).await;
            activity.touch();
            assert!(matches!(activity.verdict(&LIMITS), Verdict::Live(_)));
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        activity.touch();
        assert_eq!(activity.verdict(&LIMITS), Verdict::HeaderTimeout);
        // The wait for headers counts from the server's last write (the
        // end of the last response).
        drop(activity.request());
        activity.wrote(100);
        assert!(matches!(activity.verdict(&LIMITS), Verdict::Live(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_moves_nothing_for_too_long_is_inactive() {
        let activity = Activity::new();
        let _request = activity.request();
        tokio::time::advance(Duration::from_secs(179)).await;
        let Verdict::Live(next) = activity.verdict(&LIMITS) else {
            panic!("still live");
        };
        assert_eq!(next, Instant::now() + Duration::from_secs(1));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(activity.verdict(&LIMITS), Verdict::Inactive);
    }

    #[tokio::test(start_paused = true)]
    async fn the_next_look_is_the_earliest_deadline() {
        let activity = Activity::new();
        assert_eq!(
            activity.verdict(&LIMITS),
            Verdict::Live(Instant::now() + Duration::from_secs(5))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn when_responses_count_control_frames_do_not_keep_a_connection() {
        let limits = Timeouts {
            moving: Moving::Responses,
            idle: Duration::from_secs(60),
            header: None,
            inactive: Duration::from_secs(180),
        };
        let activity = Activity::new();
        activity.progressed();
        // A PING every 15 s: bytes move, no response does.
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(15)).await;
            activity.touch();
            assert!(matches!(activity.verdict(&limits), Verdict::Live(_)));
        }
        tokio::time::advance(Duration::from_secs(15)).await;
        activity.touch();
        assert_eq!(activity.verdict(&limits), Verdict::Idle);
        // A response's progress counts.
        activity.progressed();
        assert!(matches!(activity.verdict(&limits), Verdict::Live(_)));
        // With a request in progress, the inactivity limit applies instead.
        let _request = activity.request();
        tokio::time::advance(Duration::from_secs(179)).await;
        activity.touch();
        assert!(matches!(activity.verdict(&limits), Verdict::Live(_)));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(activity.verdict(&limits), Verdict::Inactive);
    }
}

//! The one signal that winds an endpoint down at a stop or a reload: its
//! accept loop, its connections, their drivers and the request pipeline
//! all read the same [`StopSignal`].
//!
//! Closing an idle HTTP1 connection races with a client that is sending
//! its next request on it at that moment: the request is lost, and the
//! client sees the connection closed under it. That is acceptable when the
//! process exits, but a reload promises no failed request. So a reloading
//! endpoint *retires* its connections instead: each HTTP1 connection
//! answers its next request with `Connection: close` (the client then
//! knows not to reuse it) or ends at its ordinary idle timeout, and each
//! HTTP2 session gets a graceful `GOAWAY`, which the protocol makes
//! race-free. A stop *closes* them (HTTP1 connections idle now are closed
//! at once, the others after their response). Whatever is still open at
//! the end of the grace period is dropped.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::log::Logger;

/// How long dropped connections get to finish their logging once the
/// grace period is over.
const ABORT_WAIT: Duration = Duration::from_secs(1);

/// Where an endpoint is in winding down. Each phase follows the one
/// before; the accept loop stops at the first one past `Serving`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// Accepting and serving as usual.
    Serving = 0,
    /// Reloading: close HTTP1 connections after their next response, send
    /// HTTP2 sessions a graceful `GOAWAY`.
    Retiring = 1,
    /// Stopping: close idle connections now, the others after their
    /// response.
    Closing = 2,
    /// The grace period is over: drop every connection.
    Aborting = 3,
}

impl Phase {
    fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::Serving,
            1 => Self::Retiring,
            2 => Self::Closing,
            _ => Self::Aborting,
        }
    }
}

/// One endpoint's stop signal: its phase, which every party holding a
/// [`StopSignal::watch`] is woken for, and which is also kept where every
/// response can read it with one atomic load. The watchers are counted:
/// the endpoint has wound down once all of them are gone.
#[derive(Debug)]
pub(crate) struct StopSignal {
    phase: watch::Sender<Phase>,
    /// The phase as a number, for reading without the channel's lock.
    now: AtomicU8,
    /// HTTP2 sessions open, for the endpoint's `shuttingDown` event.
    sessions: AtomicUsize,
}

impl StopSignal {
    /// A signal for an endpoint that is serving.
    pub(crate) fn new() -> Self {
        Self {
            phase: watch::Sender::new(Phase::Serving),
            now: AtomicU8::new(Phase::Serving as u8),
            sessions: AtomicUsize::new(0),
        }
    }

    /// The current phase.
    pub(crate) fn phase(&self) -> Phase {
        Phase::from_u8(self.now.load(Ordering::Relaxed))
    }

    /// A watcher of the phase for an accept loop or a connection; the
    /// signal counts it until it is dropped.
    pub(crate) fn watch(&self) -> watch::Receiver<Phase> {
        self.phase.subscribe()
    }

    /// Counts an HTTP2 session until the guard is dropped.
    pub(crate) fn session(&self) -> SessionGuard<'_> {
        self.sessions.fetch_add(1, Ordering::Relaxed);
        SessionGuard(self)
    }

    /// Moves the endpoint to `phase` (retiring for a reload, closing for a
    /// stop): the accept loop stops, and every connection winds down.
    pub(crate) fn begin(&self, phase: Phase, logger: &Logger) {
        self.enter(phase, "close", logger);
    }

    /// Waits until every watcher is gone or `deadline` passes, and then
    /// drops those left. Whether they were all gone in time.
    pub(crate) async fn end(&self, deadline: Instant, logger: &Logger) -> bool {
        if tokio::time::timeout_at(deadline, self.phase.closed())
            .await
            .is_ok()
        {
            return true;
        }
        self.enter(Phase::Aborting, "destroy", logger);
        let _ = tokio::time::timeout(ABORT_WAIT, self.phase.closed()).await;
        false
    }

    fn enter(&self, phase: Phase, op: &str, logger: &Logger) {
        self.now.store(phase as u8, Ordering::Relaxed);
        let sessions = self.sessions.load(Ordering::Relaxed);
        if sessions > 0 {
            logger.event_with("shuttingDown", || vec![op.into(), sessions.into()]);
        }
        self.phase.send_replace(phase);
    }
}

/// Counts one HTTP2 session as open.
pub(crate) struct SessionGuard<'a>(&'a StopSignal);

impl Drop for SessionGuard<'_> {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::Relaxed);
    }
}

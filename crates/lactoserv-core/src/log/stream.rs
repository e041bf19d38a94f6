//! The process-wide event stream: every logger's events in order, the most
//! recent ones kept for sinks that attach later (Lactoserv's `LogSource` /
//! `EventSource` with `keepCount`; spec LOG-10 to LOG-12).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::event::{LogEvent, LogSink, Logger};

/// How many recent events are kept for late sinks (LOG-11).
pub const HISTORY_SIZE: usize = 100;

/// An ordered stream of events fanned out to the sinks attached to it.
///
/// Sinks are called with the stream locked (that keeps every sink's view in
/// one order), so a sink must only hand the event off, never log.
#[derive(Default)]
pub struct LogStream {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    history: VecDeque<LogEvent>,
    sinks: Vec<LogSink>,
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream").finish_non_exhaustive()
    }
}

impl LogStream {
    /// An empty stream with no sinks.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A root logger with main tag `main` whose events go to this stream.
    pub fn logger(self: &Arc<Self>, main: &str) -> Logger {
        let stream = Arc::clone(self);
        Logger::new(main, Arc::new(move |event: &LogEvent| stream.emit(event)))
    }

    /// Adds `event` to the stream.
    pub fn emit(&self, event: &LogEvent) {
        let mut state = self.lock();
        for sink in &state.sinks {
            sink(event);
        }
        if state.history.len() == HISTORY_SIZE {
            state.history.pop_front();
        }
        state.history.push_back(event.clone());
    }

    /// Attaches `sink`, first handing it every retained event, oldest first.
    pub fn attach(&self, sink: LogSink) {
        self.attach_after_last(sink, |_| false);
    }

    /// Attaches `sink`, first handing it the retained events that follow
    /// the last one matching `is_start` (all of them if none matches): how
    /// a recreated file sink skips what its predecessor wrote (LOG-12).
    pub fn attach_after_last(&self, sink: LogSink, is_start: impl Fn(&LogEvent) -> bool) {
        let mut state = self.lock();
        let from = state
            .history
            .iter()
            .rposition(is_start)
            .map_or(0, |at| at + 1);
        for event in state.history.iter().skip(from) {
            sink(event);
        }
        state.sinks.push(sink);
    }

    /// A copy of the retained events, oldest first.
    pub fn history(&self) -> Vec<LogEvent> {
        self.lock().history.iter().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a sink panicked mid-call.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting_sink() -> (LogSink, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink_seen = Arc::clone(&seen);
        let sink: LogSink =
            Arc::new(move |e: &LogEvent| sink_seen.lock().unwrap().push(e.kind.clone()));
        (sink, seen)
    }

    #[test]
    fn late_sink_starts_from_the_oldest_retained_event() {
        let stream = LogStream::new();
        let logger = stream.logger("host");
        for n in 0..(HISTORY_SIZE + 5) {
            logger.event(&format!("e{n}"), Vec::new());
        }
        let (sink, seen) = counting_sink();
        stream.attach(sink);
        logger.event("after", Vec::new());
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), HISTORY_SIZE + 1);
        assert_eq!(seen[0], "e5");
        assert_eq!(seen[HISTORY_SIZE], "after");
    }

    #[test]
    fn sink_can_resume_after_a_marker_event() {
        let stream = LogStream::new();
        let logger = stream.logger("webapp");
        for kind in ["a", "finalLoggedEvent", "b"] {
            logger.event(kind, Vec::new());
        }
        let (sink, seen) = counting_sink();
        stream.attach_after_last(sink, |e| e.kind == "finalLoggedEvent");
        assert_eq!(*seen.lock().unwrap(), ["b"]);
    }
}

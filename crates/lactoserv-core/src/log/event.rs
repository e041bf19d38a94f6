//! Log events and the loggers that make them (Lactoserv `LogPayload`,
//! `LogTag` and the `IntfLogger` proxies of `@this/loggy`; spec LOG-1 to
//! LOG-3).
//!
//! A [`Logger`] is a cheap handle: a tag path plus where its events go.
//! Components hold one and hand children to their parts
//! (`logger.child("conn").child(&id)`). A disabled logger is a `None` inside,
//! so code may log unconditionally at no cost beyond a branch.

use std::fmt;
use std::sync::Arc;

use super::id::new_id;
use super::value::LogValue;
use crate::quant::Moment;

/// One logged event ("payload").
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    /// When it was logged.
    pub when: Moment,
    /// Main tag, then context strings (`["webapp", "endpoint", "insecure"]`).
    pub tag: Vec<String>,
    /// The event type (`started`, `incomingRequest`, …).
    pub kind: String,
    /// Arguments.
    pub args: Vec<LogValue>,
}

/// Where a logger's events go. It is called on the logging thread, so it
/// must be quick and must not log itself (see
/// [`LogStream`](super::LogStream)).
pub type LogSink = Arc<dyn Fn(&LogEvent) + Send + Sync>;

/// A handle that logs events with one tag. Cloning is cheap.
#[derive(Clone, Default)]
pub struct Logger {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    tag: Vec<String>,
    sink: LogSink,
}

impl Logger {
    /// A logger with the main tag `main` (`host`, `main`, `webapp`, …),
    /// sending its events to `sink`.
    pub fn new(main: &str, sink: LogSink) -> Self {
        Self {
            inner: Some(Arc::new(Inner {
                tag: vec![main.to_owned()],
                sink,
            })),
        }
    }

    /// A logger that logs nothing; its children log nothing either.
    pub fn disabled() -> Self {
        Self { inner: None }
    }

    /// Does this logger log anything?
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The tag path, main tag first; empty for a disabled logger.
    pub fn tag(&self) -> &[String] {
        self.inner.as_ref().map_or(&[], |inner| &inner.tag)
    }

    /// The last tag part, when there is more than the main tag: for a
    /// logger made by [`Logger::with_new_id`], the ID.
    pub fn last_context(&self) -> Option<&str> {
        match self.tag() {
            [_, .., last] => Some(last),
            _ => None,
        }
    }

    /// A sub-logger whose tag has `context` appended. On a disabled logger
    /// this builds nothing.
    pub fn child(&self, context: &str) -> Self {
        let Some(inner) = &self.inner else {
            return Self::disabled();
        };
        let mut tag = Vec::with_capacity(inner.tag.len() + 1);
        tag.extend(inner.tag.iter().cloned());
        tag.push(context.to_owned());
        Self {
            inner: Some(Arc::new(Inner {
                tag,
                sink: Arc::clone(&inner.sink),
            })),
        }
    }

    /// A sub-logger whose appended context is a fresh ID (LOG-6), readable
    /// back with [`Logger::last_context`]. A disabled logger makes no ID.
    pub fn with_new_id(&self) -> Self {
        if self.is_enabled() {
            self.child(&new_id())
        } else {
            Self::disabled()
        }
    }

    /// Logs event `kind` with `args`, stamped with the current time.
    pub fn event(&self, kind: &str, args: Vec<LogValue>) {
        if let Some(inner) = &self.inner {
            inner.emit(Moment::now(), kind, args);
        }
    }

    /// Logs event `kind` with the arguments `args` makes, which is only
    /// called when this logger is enabled (for arguments that are costly
    /// to build).
    pub fn event_with(&self, kind: &str, args: impl FnOnce() -> Vec<LogValue>) {
        if let Some(inner) = &self.inner {
            inner.emit(Moment::now(), kind, args());
        }
    }

    /// Logs event `kind` with `args` as of `when` (for replaying or testing).
    pub fn event_at(&self, when: Moment, kind: &str, args: Vec<LogValue>) {
        if let Some(inner) = &self.inner {
            inner.emit(when, kind, args);
        }
    }
}

impl Inner {
    fn emit(&self, when: Moment, kind: &str, args: Vec<LogValue>) {
        let event = LogEvent {
            when,
            tag: self.tag.clone(),
            kind: kind.to_owned(),
            args,
        };
        (self.sink)(&event);
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Some(inner) => write!(f, "Logger({})", inner.tag.join(".")),
            None => f.write_str("Logger(disabled)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn collecting() -> (Logger, Arc<Mutex<Vec<LogEvent>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink_seen = Arc::clone(&seen);
        let sink: LogSink = Arc::new(move |e: &LogEvent| sink_seen.lock().unwrap().push(e.clone()));
        (Logger::new("webapp", sink), seen)
    }

    #[test]
    fn children_extend_the_tag_and_share_the_sink() {
        let (root, seen) = collecting();
        let logger = root.child("endpoint").child("insecure");
        logger.event("routing", vec!["x".into()]);
        let events = seen.lock().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].tag, ["webapp", "endpoint", "insecure"]);
        assert_eq!(events[0].kind, "routing");
        assert_eq!(events[0].args, [LogValue::from("x")]);
    }

    #[test]
    fn id_child_ends_with_its_id() {
        let (root, _) = collecting();
        let logger = root.child("conn").with_new_id();
        let id = logger.last_context().unwrap();
        assert_eq!(id.len(), 11, "{id}");
        assert_eq!(logger.tag()[1], "conn");
    }

    #[test]
    fn disabled_logger_builds_nothing_and_calls_nothing() {
        let logger = Logger::disabled().child("a").with_new_id();
        assert!(!logger.is_enabled());
        assert!(logger.tag().is_empty());
        assert_eq!(logger.last_context(), None);
        logger.event_with("x", || panic!("arguments built for a disabled logger"));
    }
}

//! Fatal top-level errors (spec 01 §4.7, Lactoserv
//! `host/private/TopErrorHandler.js`): a panic anywhere, the failure of a
//! background task nobody waits for, or a failed start. Each is written to
//! stderr at once (logging itself might be what broke), logged as
//! `host.topError`, and kept for the final report; the first one stops the
//! server cleanly with exit status 1 a quarter second later.

use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use lactoserv_core::log::{LogValue, Logger};
use lactoserv_core::service::Shutdown;
use tokio::sync::mpsc;

use crate::process::Request;

/// How long after the first fatal error the clean exit begins, so the log
/// has a chance to flush.
pub(crate) const GRACE: Duration = Duration::from_millis(250);

/// What kind of fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A panic, or an error nothing could handle (a failed start).
    UncaughtException,
    /// A background task failed and nobody was waiting for its result.
    UnhandledRejection,
}

impl Kind {
    /// The event logged on `host.topError`.
    fn event(self) -> &'static str {
        match self {
            Self::UncaughtException => "uncaughtException",
            Self::UnhandledRejection => "unhandledRejection",
        }
    }

    /// The label of the stderr report.
    fn stderr_label(self) -> &'static str {
        match self {
            Self::UncaughtException => "Uncaught exception",
            Self::UnhandledRejection => "Unhandled promise rejection",
        }
    }

    /// The label of the final report.
    fn report_label(self) -> &'static str {
        match self {
            Self::UncaughtException => "Uncaught exception",
            Self::UnhandledRejection => "Unhandled rejection",
        }
    }
}

/// The process's fatal errors, and where to announce them. Global because
/// a panic hook has no other way in.
struct Record {
    problems: Mutex<Vec<(Kind, String)>>,
    /// `host.topError`.
    logger: OnceLock<Logger>,
    /// The running system, told to stop after the first error, and its
    /// shutdown, which keeps the errors for the services.
    system: OnceLock<(mpsc::UnboundedSender<Request>, Shutdown)>,
    /// Threads logging a panic (see [`record`]), not yet done.
    logging: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

static RECORD: Record = Record {
    problems: Mutex::new(Vec::new()),
    logging: Mutex::new(Vec::new()),
    logger: OnceLock::new(),
    system: OnceLock::new(),
};

/// Logs fatal errors on `host.topError` from now on, and makes every panic
/// one.
pub(crate) fn install(host: &Logger) {
    let _ = RECORD.logger.set(host.child("topError"));
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let place = info.location().map_or_else(String::new, |at| {
            format!("\n    at {}:{}:{}", at.file(), at.line(), at.column())
        });
        let thread = std::thread::current();
        let within = thread
            .name()
            .map_or_else(String::new, |name| format!("\n  thread: '{name}'"));
        // A backtrace (when `RUST_BACKTRACE` asks for one) is for stderr
        // only: the final report stays short.
        let backtrace = std::backtrace::Backtrace::capture();
        let trace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("\n{backtrace}"),
            _ => String::new(),
        };
        let description = format!("Error: {message}{place}{within}");
        let value = LogValue::object([(
            "@Error".to_owned(),
            LogValue::object([("message", LogValue::from(message))]),
        )]);
        record(Kind::UncaughtException, description, &trace, value, true);
    }));
}

/// From now on, asks `system` to stop (with [`Request::Fatal`]) after the
/// first fatal error, and tells `shutdown` of every one.
pub(crate) fn notify(system: mpsc::UnboundedSender<Request>, shutdown: Shutdown) {
    let _ = RECORD.system.set((system, shutdown));
}

/// Records `err` as a fatal error of `kind`.
pub(crate) fn record_error(kind: Kind, err: &(dyn std::error::Error + 'static)) {
    record(
        kind,
        describe(err),
        "",
        LogValue::error("Error", err),
        false,
    );
}

/// Writes, logs and keeps one fatal error; `detail` is written to stderr
/// after the description, and not kept. A panic (`panicking`) is logged
/// from a thread of its own: the panicking thread may hold a lock the
/// log needs, which it lets go only once the hook has returned.
fn record(kind: Kind, description: String, detail: &str, value: LogValue, panicking: bool) {
    eprint!("\n\n{}:\n{description}{detail}\n\n", kind.stderr_label());
    if let Some((_, shutdown)) = RECORD.system.get() {
        shutdown.add_problem(kind.event(), value.clone());
    }
    if let Some(logger) = RECORD.logger.get() {
        if panicking {
            let logger = logger.clone();
            let thread = std::thread::spawn(move || logger.event(kind.event(), vec![value]));
            RECORD
                .logging
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(thread);
        } else {
            logger.event(kind.event(), vec![value]);
        }
    }
    let first = {
        let mut problems = RECORD
            .problems
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        problems.push((kind, description));
        problems.len() == 1
    };
    if first && let Some((system, _)) = RECORD.system.get() {
        let _ = system.send(Request::Fatal);
    }
}

/// Waits, a moment at most, until the panics being logged from threads of
/// their own are logged: the process is about to say `bye` and exit.
pub(crate) async fn settle() {
    let threads = std::mem::take(
        &mut *RECORD
            .logging
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    for thread in threads {
        while !thread.is_finished() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Whether any fatal error has happened.
pub(crate) fn any() -> bool {
    !RECORD
        .problems
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .is_empty()
}

/// The final report's account of the fatal errors (LIFE-24): for each, an
/// empty line, its label and its description.
pub(crate) fn report() -> String {
    let problems = RECORD
        .problems
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut text = String::new();
    for (kind, description) in problems.iter() {
        let _ = write!(text, "\n{}:\n{description}\n", kind.report_label());
    }
    text
}

/// `Name: message`, the error's extra properties, then each cause the
/// same way after `caused by:`.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(err);
    while let Some(err) = next {
        if !text.is_empty() {
            text.push_str("\n\ncaused by:\n");
        }
        match err.downcast_ref::<EarlyError>() {
            Some(early) => {
                let _ = write!(text, "{}: {}", early.name, early.message);
                for (key, value) in early.properties {
                    let _ = write!(text, "\n  {key}: '{value}'");
                }
            }
            None => {
                let _ = write!(text, "Error: {err}");
            }
        }
        next = err.source();
    }
    text
}

/// Runs `task` in the background; if it fails, nobody is there to handle
/// the failure, so it is a fatal error.
pub(crate) fn spawn_detached<F, E>(task: F)
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    tokio::spawn(async move {
        if let Err(err) = task.await {
            record_error(Kind::UnhandledRejection, &err);
        }
    });
}

/// `--early-errors` (CLI-25): exercises this module. A failure that is
/// handled is only logged; about a second later a background task fails
/// with a cause chain, and 50 ms after that another one panics.
pub(crate) fn schedule_early_errors() {
    let slow = EarlyError {
        name: "Error",
        message: "I am a slow-but-handled promise rejection.",
        properties: &[],
        cause: None,
    };
    if let Some(logger) = RECORD.logger.get() {
        logger.event(
            "rejectionHandledSlowly",
            vec![
                LogValue::error("Error", &slow),
                LogValue::object([("afterTicks", LogValue::from(5))]),
            ],
        );
    }
    spawn_detached(async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            panic!("I am an uncaught exception (from a callback).");
        });
        Err(EarlyError {
            name: "Error",
            message: "I am an unhandled promise rejection.",
            properties: &[],
            cause: Some(Box::new(EarlyError {
                name: "CausewayError",
                message: "I am a cause.",
                properties: &[("name", "CausewayError"), ("code", "CAUSAL-9000")],
                cause: None,
            })),
        })
    });
}

/// The deliberate errors of `--early-errors`, shaped like the reference's.
#[derive(Debug)]
struct EarlyError {
    name: &'static str,
    message: &'static str,
    properties: &'static [(&'static str, &'static str)],
    cause: Option<Box<EarlyError>>,
}

impl std::fmt::Display for EarlyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for EarlyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_names_each_cause_with_its_properties() {
        let err = EarlyError {
            name: "Error",
            message: "outer",
            properties: &[],
            cause: Some(Box::new(EarlyError {
                name: "CausewayError",
                message: "inner",
                properties: &[("code", "CAUSAL-9000")],
                cause: None,
            })),
        };
        assert_eq!(
            describe(&err),
            "Error: outer\n\ncaused by:\nCausewayError: inner\n  code: 'CAUSAL-9000'"
        );
    }
}

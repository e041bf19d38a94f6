//! The process (Lactoserv `host/export/Host.js`, `ShutdownHandler`,
//! `SignalHandler`, which call it the host): its log stream, the early
//! `host` events, the signals and what each asks of the running system
//! (spec 01 §4.1, §4.4–4.6, §4.8).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use lactoserv_core::log::{LogStream, LogValue, Logger, StdoutSink};
use lactoserv_core::quant::Moment;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::{COMMIT, PRODUCT_NAME, VERSION};

/// What a signal (or the debug timer) asks the system to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// Stop cleanly and exit (the first SIGTERM or SIGINT).
    Stop,
    /// Reload the configuration (SIGHUP).
    Reload,
    /// Write a heap profile (SIGUSR2).
    HeapDump,
    /// A fatal error happened: stop cleanly, exiting with status 1.
    Fatal,
}

/// The process: its log stream and `host` logger.
#[derive(Debug, Clone)]
pub(crate) struct Process {
    /// The process-wide log stream every logger writes to.
    pub(crate) stream: Arc<LogStream>,
    /// `host`.
    pub(crate) logger: Logger,
    /// Set once the clean-exit procedure has begun: a reload is then
    /// refused.
    pub(crate) exiting: Arc<AtomicBool>,
    /// The system log on stdout, if it goes there: flushed before an
    /// exit that skips the clean one.
    pub(crate) stdout: Arc<OnceLock<Weak<StdoutSink>>>,
}

impl Process {
    /// Logs the process's early events (`processInfo`, `productInfo`,
    /// `initialized`; LIFE-1) on a new log stream.
    pub(crate) fn start() -> Self {
        let stream = LogStream::new();
        let logger = stream.logger("host");
        let started = Moment::now();
        logger.event(
            "processInfo",
            vec![LogValue::object([
                ("pid", LogValue::from(std::process::id())),
                ("ppid", LogValue::from(std::os::unix::process::parent_id())),
                (
                    "startedAt",
                    LogValue::object([
                        ("atSec", LogValue::from(started.at_sec())),
                        ("utc", LogValue::from(started.to_human_text(0))),
                    ]),
                ),
            ])],
        );
        logger.event(
            "productInfo",
            vec![LogValue::object([
                ("name", LogValue::from(PRODUCT_NAME)),
                ("version", LogValue::from(VERSION)),
                ("commit", LogValue::from(COMMIT)),
            ])],
        );
        logger.event("initialized", Vec::new());
        Self {
            stream,
            logger,
            exiting: Arc::new(AtomicBool::new(false)),
            stdout: Arc::default(),
        }
    }

    /// Handles the signals from now on, sending what they ask for to
    /// `requests`. SIGTERM and SIGINT share one count: the first asks for a
    /// clean stop, the fourth exits at once (LIFE-7). SIGUSR1 is ignored
    /// rather than fatal (LIFE-29).
    pub(crate) fn watch_signals(
        &self,
        requests: mpsc::UnboundedSender<Request>,
    ) -> std::io::Result<()> {
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let mut user1 = signal(SignalKind::user_defined1())?;
        let mut user2 = signal(SignalKind::user_defined2())?;
        let signals = self.logger.child("signal");
        let exiting = self.exiting.clone();
        let stdout = self.stdout.clone();
        tokio::spawn(async move {
            let mut terminations = 0_u32;
            loop {
                let name = tokio::select! {
                    _ = terminate.recv() => "SIGTERM",
                    _ = interrupt.recv() => "SIGINT",
                    _ = hangup.recv() => "SIGHUP",
                    _ = user1.recv() => continue,
                    _ = user2.recv() => "SIGUSR2",
                };
                let logger = signals.child(name);
                match name {
                    "SIGHUP" if exiting.load(Ordering::Relaxed) => {
                        logger.event("ignoring", Vec::new());
                    }
                    "SIGHUP" => {
                        logger.event("reloading", Vec::new());
                        let _ = requests.send(Request::Reload);
                    }
                    "SIGUSR2" => {
                        let _ = requests.send(Request::HeapDump);
                    }
                    _ => {
                        terminations += 1;
                        logger.event("exiting", vec![terminations.into()]);
                        match terminations {
                            1 => {
                                let _ = requests.send(Request::Stop);
                            }
                            4.. => {
                                // What is logged so far still goes out.
                                if let Some(sink) = stdout.get().and_then(Weak::upgrade) {
                                    sink.flush();
                                }
                                eprint!("\n\nNot waiting for clean shutdown. Bye!\n");
                                std::process::exit(1);
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
        Ok(())
    }
}

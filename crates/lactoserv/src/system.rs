//! Running the server until it is told to stop (Lactoserv
//! `main-lactoserv/private/UsualSystem.js` and `host/export/Host.js`'s
//! signal handling): SIGTERM and SIGINT stop it gracefully; requests in
//! flight finish first.

use std::time::Duration;

use http::HeaderValue;
use lactoserv_core::log::{LogSink, LogStream, Logger};
use lactoserv_core::server::{Server, ServerOptions};
use lactoserv_core::service::Shutdown;
use lactoserv_core::webapp::WebappConfig;
use std::sync::Arc;
use tokio::signal::unix::{SignalKind, signal};

use crate::{COMMIT, PRODUCT_NAME, VERSION};

/// How long in-flight requests get to finish on a stop.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Bytes the allocator has handed out and not taken back (jemalloc's
/// `stats.allocated`, refreshed first).
fn heap_allocated() -> Option<u64> {
    tikv_jemalloc_ctl::epoch::advance().ok()?;
    tikv_jemalloc_ctl::stats::allocated::read()
        .ok()
        .and_then(|bytes| u64::try_from(bytes).ok())
}

/// Starts the server for `config` and serves until a stop signal (or a
/// service asks for a shutdown), logging to `sink` if given; the exit
/// status to end with.
pub(crate) async fn run(config: &WebappConfig, sink: Option<LogSink>) -> anyhow::Result<i32> {
    // The system log is kept when something writes it out: standard output
    // or a service (SyslogToFile). Otherwise logging costs nothing.
    let written_out = config.services.iter().any(|s| s.config.writes_system_log());
    let stream = (sink.is_some() || written_out).then(LogStream::new);
    if let (Some(stream), Some(sink)) = (&stream, sink) {
        stream.attach(sink);
    }
    let logger = |main: &str| {
        stream
            .as_ref()
            .map_or_else(Logger::disabled, |s| s.logger(main))
    };
    let system = logger("main").child("system");

    let shutdown = tokio::sync::watch::channel(None::<i32>).0;
    // Installed before starting, so a signal during start-up is not lost.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let server_header = HeaderValue::from_str(&format!("{PRODUCT_NAME}-{VERSION} {COMMIT}"))?;
    let options = ServerOptions {
        server_header,
        logger: logger("webapp"),
        log_stream: stream.clone(),
        heap: Some(Arc::new(heap_allocated)),
        shutdown: Shutdown(shutdown.clone()),
    };
    system.event("starting", Vec::new());
    let server = Server::start(config, &options).await?;
    system.event("started", Vec::new());
    let mut requested = shutdown.subscribe();
    let why = tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
        _ = requested.wait_for(Option::is_some) => "shutdownRequested",
    };
    system.event("stopping", vec!["shutdown".into(), why.into()]);
    server.stop(STOP_GRACE).await;
    system.event("stopped", Vec::new());
    let status = *shutdown.borrow();
    Ok(status.unwrap_or(0))
}

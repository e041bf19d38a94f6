//! The running system (Lactoserv `main-lactoserv/private/UsualSystem.js`
//! and `host/export/ShutdownHandler.js`): loads the configuration, runs the
//! webapp it describes, reloads it on request, and stops it cleanly (spec 01
//! LIFE-3 to LIFE-18).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use http::HeaderValue;
use lactoserv_config::ConfigLocation;
use lactoserv_core::catalog::Catalog;
use lactoserv_core::log::{LogValue, Logger};
use lactoserv_core::readiness;
use lactoserv_core::server::{Fate, Http1Engine, Http2Engine, Server, ServerOptions, Stash};
use lactoserv_core::service::Shutdown;
use lactoserv_core::webapp::WebappConfig;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::process::{Process, Request};
use crate::{COMMIT, PRODUCT_NAME, VERSION, check, debug, fatal, uptime};

/// How long requests in flight get to finish at a stop: the reference's
/// 10-second limit on its shutdown callbacks, less a little for the
/// services to flush their logs.
const STOP_GRACE: Duration = Duration::from_millis(9_500);

/// What the run is told from the command line.
pub(crate) struct RunOptions {
    /// Where the configuration comes from (re-read on reload).
    pub(crate) location: ConfigLocation,
    /// Whether the system log goes to stdout.
    pub(crate) log_to_stdout: bool,
    /// `--max-run-time-sec`.
    pub(crate) max_run_time: Option<f64>,
    /// `--early-errors`.
    pub(crate) early_errors: bool,
    /// Who serves HTTP1 (`LACTOSERV_HTTP1`).
    pub(crate) http1: Http1Engine,
    /// Who serves HTTP/2 (`LACTOSERV_HTTP2`).
    pub(crate) http2: Http2Engine,
}

/// The system: what stays the same across reloads.
struct System {
    process: Process,
    /// `main.system`.
    logger: Logger,
    options: RunOptions,
    /// The component types configurations may name.
    catalog: Catalog,
    server_header: HeaderValue,
    shutdown: Shutdown,
    /// Old servers still finishing their requests after a reload.
    draining: Vec<JoinHandle<bool>>,
}

/// Runs the system until it is told to stop; the exit status.
pub(crate) async fn run(process: Process, options: RunOptions, catalog: Catalog) -> i32 {
    let (requests, mut requested) = mpsc::unbounded_channel();
    let shutdown = Shutdown::new(watch::channel(None).0);
    fatal::notify(requests.clone(), shutdown.clone());
    if let Err(err) = process.watch_signals(requests.clone()) {
        let err = anyhow::Error::new(err).context("cannot handle signals");
        return failed_start(&process, &err).await;
    }
    if let Some(seconds) = options.max_run_time {
        debug::start_timer(
            &process.stream.logger("main").child("debug"),
            seconds,
            requests,
        );
    }
    if options.early_errors {
        fatal::schedule_early_errors();
    }
    let logger = process.stream.logger("main").child("system");
    lactoserv_core::metrics::process().read_allocated_with(crate::heap::allocated);
    let server_header = HeaderValue::from_str(&format!("{PRODUCT_NAME}-{VERSION} {COMMIT}"))
        .expect("the product name and version are header-safe");
    let mut system = System {
        process,
        logger,
        options,
        catalog,
        server_header,
        shutdown,
        draining: Vec::new(),
    };
    let log = system.logger.clone();
    log.event("initializing", Vec::new());
    if system.options.http1 == Http1Engine::Hyper {
        // Not an event of the reference's: the operator asked for a
        // different road, and the log says it was taken.
        log.event("http1Engine", vec!["hyper".into()]);
    }
    if system.options.http2 == Http2Engine::Hyper {
        log.event("http2Engine", vec!["hyper".into()]);
    }
    log.event("starting", Vec::new());
    let config = match system.load().await {
        Ok(config) => config,
        Err(err) => {
            log.event("errorDuringLoad", vec![error_value(&err)]);
            return failed_start(&system.process, &err).await;
        }
    };
    let keep_running = log.child("keepRunning");
    for kind in ["initializing", "initialized"] {
        keep_running.event(kind, Vec::new());
    }
    log.event("initialized", Vec::new());
    log.event("starting", Vec::new());
    for kind in ["starting", "running", "started"] {
        keep_running.event(kind, Vec::new());
    }
    let started = tokio::time::Instant::now();
    let uptime = uptime::keep_alive(keep_running.clone(), started);

    let mut server = match system.start(&config, &[], &mut Stash::default()).await {
        Ok(server) => server,
        Err(err) => {
            log.event("errorDuringStart", vec![error_value(&err)]);
            uptime.abort();
            return failed_start(&system.process, &err).await;
        }
    };
    let mut config = config;
    log.event("started", Vec::new());
    crate::systemd::ready();

    let mut asked = system.shutdown.watch();
    let mut fatal = false;
    loop {
        tokio::select! {
            request = requested.recv() => match request {
                Some(Request::Reload) => match system.reload(server, config).await {
                    Ok(running) => (server, config) = running,
                    Err(()) => {
                        // Neither configuration could start again: exit as
                        // after a failed start.
                        system.shutdown.request(1);
                        system.process.exiting.store(true, std::sync::atomic::Ordering::Relaxed);
                        uptime.abort();
                        for old in system.draining.drain(..) {
                            let _ = old.await;
                        }
                        exit_events(&system.process, 1);
                        return 1;
                    }
                },
                Some(Request::Fatal) => {
                    // The first fatal error (LIFE-26): a moment for the log,
                    // then a clean exit with status 1.
                    tokio::time::sleep(fatal::GRACE).await;
                    system.shutdown.request(1);
                    fatal = true;
                    break;
                }
                Some(Request::HeapDump) => crate::heap::dump(&system.process.logger),
                Some(Request::Stop) | None => break,
            },
            _ = asked.wait_for(Option::is_some) => break,
        }
    }

    // The clean-exit procedure (LIFE-10), after the pause a `Health`
    // application may ask for between saying "draining" and closing the
    // listeners (none after a fatal error).
    crate::systemd::stopping();
    let pause = readiness::process().draining();
    if !fatal && !pause.is_zero() {
        tokio::time::sleep(pause).await;
    }
    fatal::settle().await;
    system
        .process
        .exiting
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let mut status = system.shutdown.status().unwrap_or(0);
    if status == 0 && fatal::any() {
        status = 1;
    }
    let host = system.process.logger.clone();
    if status != 0 {
        host.child("shutdown").event("exiting", vec![status.into()]);
    }
    let callbacks = host.child("callback").child("shutdown");
    callbacks.event("running", Vec::new());
    log.event("stopping", vec!["shutdown".into()]);
    keep_running.event("stopping", vec!["shutdown".into()]);
    uptime.abort();
    uptime::log(&keep_running, started);
    keep_running.event("stopped", Vec::new());
    keep_running.event("stopped", vec!["shutdown".into()]);
    let mut in_time = server.stop(STOP_GRACE).await;
    for old in system.draining.drain(..) {
        in_time &= old.await.unwrap_or(false);
    }
    log.event("stopped", vec!["shutdown".into()]);
    host.event("exitCalled", vec![0.into()]);
    if !in_time {
        callbacks.event("timedOut", Vec::new());
        println!(
            "Unexpected error in callback runner:\n Error: Timed out during callback handler!"
        );
        if status == 0 {
            status = 1;
        }
    }
    callbacks.event("done", Vec::new());
    if status == 0 && fatal::any() {
        // A fatal error while stopping.
        status = 1;
    }
    // Nothing is left to wait for: the services have flushed their files,
    // and the caller flushes stdout.
    host.child("shutdown").event("bye", vec![status.into()]);
    status
}

/// A start that failed (LIFE-4): the error is fatal; the process exits
/// cleanly with status 1 once the log has had a moment.
async fn failed_start(process: &Process, err: &anyhow::Error) -> i32 {
    fatal::record_error(fatal::Kind::UncaughtException, err.as_ref());
    tokio::time::sleep(fatal::GRACE).await;
    fatal::settle().await;
    exit_events(process, 1);
    1
}

/// The events of an exit before the system ever ran (LIFE-4).
fn exit_events(process: &Process, status: i32) {
    let host = &process.logger;
    host.child("shutdown").event("exiting", vec![status.into()]);
    let callbacks = host.child("callback").child("shutdown");
    callbacks.event("running", Vec::new());
    callbacks.event("done", Vec::new());
    host.child("shutdown").event("bye", vec![status.into()]);
}

impl System {
    /// Reads and checks the configuration, logging the steps.
    async fn load(&self) -> anyhow::Result<WebappConfig> {
        let log = &self.logger;
        log.event("readingConfiguration", Vec::new());
        let url = self.options.location.url().to_string();
        log.event("importing", vec![url.clone().into()]);
        let location = self.options.location.clone();
        let catalog = self.catalog.clone();
        let loaded = tokio::task::spawn_blocking(move || check::load_at(&location, &catalog))
            .await
            .context("the configuration loader stopped")?;
        let config = match loaded {
            Ok(config) => config,
            Err(err) => {
                log.event("configFileError", vec![error_value(&err)]);
                return Err(err);
            }
        };
        log.event("imported", vec![url.into()]);
        log.event("readConfiguration", Vec::new());
        log.event("constructingWebapp", Vec::new());
        log.event("constructedWebapp", Vec::new());
        Ok(config)
    }

    /// The server options for `config`: its webapp logs only when
    /// something writes the system log out (stdout or a service).
    fn server_options(&self, config: &WebappConfig) -> ServerOptions {
        let written_out = self.options.log_to_stdout
            || config.services.iter().any(|s| s.config.writes_system_log());
        ServerOptions {
            server_header: self.server_header.clone(),
            logger: if written_out {
                self.process.stream.logger("webapp")
            } else {
                Logger::disabled()
            },
            log_stream: Some(self.process.stream.clone()),
            heap: Some(Arc::new(crate::heap::allocated)),
            shutdown: self.shutdown.clone(),
            http1: self.options.http1,
            http2: self.options.http2,
        }
    }

    /// Prepares and launches a server for `config`, taking over the
    /// sockets in `stash` for the interfaces in `held`.
    async fn start(
        &self,
        config: &WebappConfig,
        held: &[lactoserv_core::endpoint::interface::Interface],
        stash: &mut Stash,
    ) -> anyhow::Result<Server> {
        let options = self.server_options(config);
        readiness::process().starting();
        let staged = Server::stage(config, &options, held)?;
        let server = staged.launch(stash).await?;
        readiness::process().started();
        Ok(server)
    }

    /// Reloads the configuration (LIFE-16, LIFE-18a–c): the new one is
    /// loaded, built and bound while the old one serves; only then does the
    /// old one stop accepting and hand its sockets over, and finish its
    /// requests in the background. If anything fails, the old one keeps
    /// serving (or, if the new one fails inside its start, is started
    /// again on the same sockets).
    async fn reload(
        &mut self,
        old: Server,
        old_config: WebappConfig,
    ) -> Result<(Server, WebappConfig), ()> {
        let log = self.logger.clone();
        let callbacks = self.process.logger.child("callback").child("reload");
        callbacks.event("running", Vec::new());
        log.event("reload", vec!["requested".into()]);
        callbacks.event("done", Vec::new());
        log.event("reloading", Vec::new());
        crate::systemd::reloading();
        // "Draining" for the pause a `Health` application asks for, then
        // until the new configuration (or the old one again) serves.
        let pause = readiness::process().draining();
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        let result = self.reload_to(old, old_config).await;
        crate::systemd::ready();
        result
    }

    async fn reload_to(
        &mut self,
        old: Server,
        old_config: WebappConfig,
    ) -> Result<(Server, WebappConfig), ()> {
        let log = self.logger.clone();
        let refused = |err: &anyhow::Error, kind: &str| {
            log.event(kind, vec![error_value(err)]);
            log.event("errorDuringReload", vec![error_value(err)]);
            log.event("notReloading", Vec::new());
            // The old configuration goes on serving.
            readiness::process().resumed();
        };
        let config = match self.load().await {
            Ok(config) => config,
            Err(err) => {
                refused(&err, "errorDuringLoad");
                return Ok((old, old_config));
            }
        };
        let held = old.interfaces();
        readiness::process().starting();
        let staged = match Server::stage(&config, &self.server_options(&config), &held) {
            Ok(staged) => staged,
            Err(err) => {
                refused(&err.into(), "errorDuringStart");
                return Ok((old, old_config));
            }
        };
        log.event("reloadContinuing", Vec::new());
        log.event("stopping", vec!["forReload".into()]);
        let (mut stash, draining) = old.retire(Fate::WillReload).await;
        self.draining
            .push(tokio::spawn(draining.finish(STOP_GRACE)));
        log.event("stopped", vec!["forReload".into()]);
        match staged.launch(&mut stash).await {
            Ok(server) => {
                readiness::process().started();
                lactoserv_core::metrics::process().reloaded();
                log.event("reloaded", Vec::new());
                Ok((server, config))
            }
            Err(err) => {
                // The new configuration failed inside its own start: bring
                // the old one back on the same sockets.
                log.event("errorDuringStart", vec![error_value(&err.into())]);
                let interfaces = stash.interfaces();
                match self.start(&old_config, &interfaces, &mut stash).await {
                    Ok(server) => Ok((server, old_config)),
                    Err(err) => {
                        log.event("errorDuringStart", vec![error_value(&err)]);
                        Err(())
                    }
                }
            }
        }
    }
}

/// An error as a logged value, with its causes (`{ '@Error': { message,
/// cause } }`).
fn error_value(err: &anyhow::Error) -> LogValue {
    LogValue::error("Error", err.as_ref())
}

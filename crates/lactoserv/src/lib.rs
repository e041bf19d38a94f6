//! The Lactoserv web application server as a program (Lactoserv
//! `main-lactoserv/export/default.js`): the command line, loading and
//! checking the configuration, signals, reloads, systemd, the fatal-error
//! report, mapped to the reference's output and exit statuses.
//!
//! [`run`] is all of it, for a catalog of component types: the `lactoserv`
//! binary passes the built-in one, and a program with types of its own
//! passes one with those added:
//!
//! ```no_run
//! use std::process::ExitCode;
//!
//! fn main() -> ExitCode {
//!     let mut catalog = lactoserv_builtins::catalog();
//!     // catalog.add_application::<MyAppConfig>("MyApp");
//!     lactoserv::run(catalog)
//! }
//! ```
//!
//! Layout:
//! - `cli`: the command line; `check`: loading and checking a config.
//! - `process`: the process's log stream, early events and signals.
//! - `system`: the running system: start, reloads, the clean stop.
//! - `fatal`: fatal errors and the final report; `debug`: the run timer;
//!   `heap`: heap profiles; `systemd`: socket names and readiness.

mod check;
mod cli;
mod debug;
mod fatal;
mod heap;
mod process;
mod system;
mod systemd;
mod uptime;

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use cli::{Args, Command};
use lactoserv_core::catalog::Catalog;
use lactoserv_core::log::StdoutSink;
use lactoserv_core::server::{Http1Engine, Http2Engine};

/// jemalloc rather than the C library's allocator: it keeps per-thread
/// caches that make the many small allocations of request handling cheaper,
/// and it offers the heap profiling the heap-dump signal will use.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts: heap profiling on, sampling
/// one allocation per 2 MiB allocated on average (cheap enough to leave on,
/// and what SIGUSR2's heap dump reports). jemalloc looks the option string
/// up by symbol name, as a C `const char *`.
#[allow(non_upper_case_globals, unsafe_code)]
#[unsafe(export_name = "_rjem_malloc_conf")]
#[used]
static malloc_conf: ConfPointer =
    ConfPointer(c"prof:true,prof_active:true,lg_prof_sample:21".as_ptr());

/// A C string pointer that may live in a static.
#[repr(transparent)]
struct ConfPointer(*const std::ffi::c_char);

// SAFETY: the pointer is to a string literal, which is immutable and
// lives for the whole program.
#[allow(unsafe_code)]
unsafe impl Sync for ConfPointer {}

/// The most threads file reads and other blocking work run on at once:
/// clients that start many file reads together queue for these rather than
/// make the runtime start a thread for each (tokio allows 512, each with
/// its stack and allocator caches).
const BLOCKING_THREADS: usize = 32;

/// The product's name, as `--version` and the final report show it.
const PRODUCT_NAME: &str = "lactoserv";

/// The product's version.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The source commit, when the build was told it; the reference's shape is
/// kept either way.
const COMMIT: &str = match option_env!("LACTOSERV_COMMIT") {
    Some(commit) => commit,
    None => "0000000",
};

/// Runs the server as the `lactoserv` command does, with the component
/// types of `catalog`: parses the command line, then checks the
/// configuration (`--dry-run`) or serves it until stopped. The exit status
/// is the reference's.
pub fn run(catalog: Catalog) -> ExitCode {
    let mut argv = std::env::args_os();
    let program_path = argv.next().unwrap_or_default();
    let program = Path::new(&program_path).file_name().map_or_else(
        || PRODUCT_NAME.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    let rest: Vec<_> = argv.collect();
    let (command, wrapper) = cli::parse(rest.iter().cloned(), &program);

    if wrapper.print_command {
        let exe = std::env::current_exe().unwrap_or_else(|_| program_path.clone().into());
        eprintln!("Running system via command:");
        eprintln!("  {}", cli::shell_quote(&exe.to_string_lossy()));
        for word in &rest {
            eprintln!("  {}", cli::shell_quote(&word.to_string_lossy()));
        }
    }
    if !wrapper.node_opts.is_empty() {
        eprintln!(
            "Ignoring --node-opts ({}): this server has no Node runtime.",
            wrapper.node_opts.join(" ")
        );
    }

    match command {
        Command::Help(text) => {
            out(&text);
            ExitCode::SUCCESS
        }
        Command::Version => {
            out(&format!("{PRODUCT_NAME} v{VERSION}\n"));
            ExitCode::SUCCESS
        }
        Command::Usage { usage, message } => {
            eprint!("{usage}");
            eprintln!();
            eprintln!("{message}");
            ExitCode::FAILURE
        }
        Command::Run(args) if args.dry_run => dry_run(&args, &catalog),
        Command::Run(args) => serve(&args, catalog),
    }
}

/// `--dry-run`: every check start-up makes short of binding sockets and
/// writing files, then a report (Lactoserv prints only the first line).
fn dry_run(args: &Args, catalog: &Catalog) -> ExitCode {
    match check::load(&args.config, catalog) {
        Ok(config) => {
            out(&format!(
                "Configuration file is valid.\n{}",
                config.summary()
            ));
            ExitCode::SUCCESS
        }
        Err(err) => {
            out(&format!("Configuration file trouble:\n{err:#}\n"));
            exit_report(1)
        }
    }
}

/// A real run: log the process's early events, then load the
/// configuration, start every endpoint, and serve until a stop signal, then
/// stop gracefully.
fn serve(args: &Args, catalog: Catalog) -> ExitCode {
    raise_open_file_limit();
    systemd::export_socket_names();
    let process = process::Process::start();
    fatal::install(&process.logger);
    // `--log-to-stdout`: the system log, in the human format, on stdout,
    // from the first retained event on.
    let stdout_log = if args.log_to_stdout {
        match StdoutSink::start() {
            Ok(sink) => {
                process.stream.attach(sink.sink());
                let sink = Arc::new(sink);
                let _ = process.stdout.set(Arc::downgrade(&sink));
                Some(sink)
            }
            Err(err) => {
                let err = anyhow::Error::new(err).context("cannot log to stdout");
                fatal::record_error(fatal::Kind::UncaughtException, err.as_ref());
                return exit_report(1);
            }
        }
    } else {
        None
    };
    let engines = match hyper_asked("LACTOSERV_HTTP1")
        .and_then(|http1| hyper_asked("LACTOSERV_HTTP2").map(|http2| (http1, http2)))
    {
        Ok((http1, http2)) => (
            if http1 {
                Http1Engine::Hyper
            } else {
                Http1Engine::Own
            },
            if http2 {
                Http2Engine::Hyper
            } else {
                Http2Engine::Own
            },
        ),
        Err(err) => {
            fatal::record_error(fatal::Kind::UncaughtException, err.as_ref());
            return exit_report(1);
        }
    };
    let location = match check::locate(&args.config) {
        Ok(location) => location,
        Err(err) => {
            fatal::record_error(fatal::Kind::UncaughtException, err.as_ref());
            return exit_report(1);
        }
    };
    // On one core (a pinned or single-CPU server) a single-threaded runtime
    // does the same work without handing tasks between threads.
    let one_core = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let mut builder = if one_core {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let err = anyhow::Error::new(err).context("cannot start the runtime");
            fatal::record_error(fatal::Kind::UncaughtException, err.as_ref());
            return exit_report(1);
        }
    };
    lactoserv_core::server::time_connections_coarsely();
    let options = system::RunOptions {
        location,
        log_to_stdout: args.log_to_stdout,
        max_run_time: args.max_run_time_sec,
        early_errors: args.early_errors,
        http1: engines.0,
        http2: engines.1,
    };
    let status = runtime.block_on(system::run(process, options, catalog));
    // After `bye` the process exits at once: tasks still parked on the
    // blocking threads (a file read a client gave up on) are not waited for.
    runtime.shutdown_background();
    if let Some(sink) = stdout_log.and_then(Arc::into_inner) {
        sink.finish();
    }
    match status {
        0 => ExitCode::SUCCESS,
        status => exit_report(u8::try_from(status).unwrap_or(1)),
    }
}

/// Whether the environment variable `name` (`LACTOSERV_HTTP1`,
/// `LACTOSERV_HTTP2`) asks for hyper (`hyper`) rather than the server's own
/// protocol code (unset, or `own`): for ruling the server's own code in or
/// out when a fault is suspected in it.
fn hyper_asked(name: &str) -> anyhow::Result<bool> {
    match std::env::var(name).as_deref() {
        Err(std::env::VarError::NotPresent) | Ok("" | "own") => Ok(false),
        Ok("hyper") => Ok(true),
        Ok(other) => {
            anyhow::bail!("environment variable {name}: must be `own` or `hyper`, not `{other}`")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("environment variable {name}: must be `own` or `hyper`")
        }
    }
}

/// Raises the limit on open files to the most the system allows this
/// process: each connection is a file, and the usual default of 1,024 is
/// far below what the endpoints' `maxConnections` let through. (Many
/// servers and runtimes do the same at start.) Failing leaves the limit as
/// it was.
fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: both calls only read or write the `rlimit` given.
    #[allow(unsafe_code)]
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) == 0
            && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &raw const limit);
        }
    }
}

/// The reference's final report on a non-zero exit (LIFE-24): the fatal
/// errors, the product info and the exit code, on stdout.
fn exit_report(code: u8) -> ExitCode {
    out(&format!(
        "{}\n{{ name: '{PRODUCT_NAME}', version: '{VERSION}', commit: '{COMMIT}' }}\n\nExiting with code: {code}\n",
        fatal::report()
    ));
    ExitCode::from(code)
}

/// Writes to stdout. A closed stdout (`lactoserv --help | head -1`) is not
/// an error worth a panic: the reader has what it wanted.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

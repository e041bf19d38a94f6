//! Loading Lactoserv configuration files.
//!
//! A configuration is a JavaScript module whose default export describes the
//! server (Lactoserv `main-lactoserv/private/WebappMaker.js` and
//! `metacomp/export/LimitedLoader.js`). This crate evaluates it in an embedded
//! engine (QuickJS, through rquickjs) with a small Node look-alike
//! environment, and hands back a plain [`serde_json::Value`] tree. Nothing
//! outside this crate sees a JavaScript value; the typed model is built from
//! the tree by `lactoserv-core`.
//!
//! `.json` files are accepted too, as an extension: parsed as JSON, with
//! components naming their class as a string.
//!
//! Layout:
//! - [`location`]: where a config lives (path and `file:` URL).
//! - [`error`]: load errors, rendered with file, line, column and source.
//! - `engine`: the JavaScript evaluation (runtime, module loader, host
//!   functions); the sandbox itself is written in JS under `src/js/`.
//! - `json`: plain JSON configs.

#![forbid(unsafe_code)]

mod engine;
pub mod error;
mod json;
pub mod location;

use std::sync::Arc;
use std::time::Duration;

pub use error::{LoadError, SourceLocation};
pub use location::ConfigLocation;

/// The longest a config may take to evaluate; a config that loops forever
/// must not hang start-up or a reload.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// The level of a `console.*` call made by a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleLevel {
    /// `console.log`, `console.dir`.
    Log,
    /// `console.info`.
    Info,
    /// `console.warn`.
    Warn,
    /// `console.error`, `console.trace`.
    Error,
    /// `console.debug`.
    Debug,
}

/// Receives what a config prints with `console.*`.
pub type ConsoleSink = Arc<dyn Fn(ConsoleLevel, &str) + Send + Sync>;

/// How to load a configuration.
#[derive(Clone)]
pub struct LoadOptions {
    /// Evaluation deadline (default [`DEFAULT_DEADLINE`]).
    pub deadline: Duration,
    /// Where `console.*` output goes (default: stderr).
    pub console: ConsoleSink,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            deadline: DEFAULT_DEADLINE,
            // Before the server has a system log, everything a config
            // prints goes to stderr, keeping stdout for the server's own
            // output (the dry-run report).
            console: Arc::new(|_, text| eprintln!("{text}")),
        }
    }
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// Loads the configuration at `location`: evaluates it (JS) or parses it
/// (`.json`), and returns its value tree.
///
/// Every load starts from scratch (a fresh engine and module cache), so a
/// reload sees every imported file as it is now.
pub fn load(
    location: &ConfigLocation,
    options: &LoadOptions,
) -> Result<serde_json::Value, LoadError> {
    if location.is_json() {
        json::load(location)
    } else {
        engine::load(location, options)
    }
}

//! The Lactoserv framework: the component model that configuration files
//! describe, the quantity types their settings use, and the checks that turn
//! a plain configuration value tree into a typed, linked model.
//!
//! This crate knows nothing of JavaScript: `lactoserv-config` evaluates a
//! configuration file into a [`serde_json::Value`], and this crate takes it
//! from there.
//!
//! Layout:
//! - [`app`], [`net`]: applications at run time; requests and responses.
//! - [`service`]: services at run time.
//! - [`quant`]: durations, byte counts and rates; their grammar and formats.
//! - [`names`]: component-name syntax.
//! - [`bind`]: turning one component's bindings into its typed config struct.
//! - [`blob`]: bindings that take a string or a `Buffer`.
//! - [`bucket`]: the token bucket behind the rate limiters.
//! - [`component`]: the traits a component's config implements.
//! - [`catalog`]: class name → constructor, for built-ins and user types.
//! - [`host`], [`endpoint`]: the two component kinds the framework owns.
//! - [`logging`]: the `logging` on/off map.
//! - [`log`]: the system log: events, loggers, human and JSON formats.
//! - [`webapp`]: the whole configuration, built and linked.
//! - [`server`]: the running server: endpoints, TLS, request handling.

/// Defines an error type made of a message and, optionally, the error that
/// caused it, kept as its source so that reports show the whole chain:
/// what applications and services report, whatever their own errors are.
macro_rules! message_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, thiserror::Error)]
        #[error("{message}")]
        pub struct $name {
            message: String,
            #[source]
            source: Option<Box<dyn std::error::Error + Send + Sync>>,
        }

        impl $name {
            /// An error `message` describes whole.
            pub fn new(message: impl Into<String>) -> Self {
                Self {
                    message: message.into(),
                    source: None,
                }
            }

            /// `message`, caused by `source`.
            pub fn caused_by(
                message: impl Into<String>,
                source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
            ) -> Self {
                Self {
                    message: message.into(),
                    source: Some(source.into()),
                }
            }
        }
    };
}

pub mod app;
pub mod bind;
pub mod blob;
pub mod bucket;
pub mod catalog;
pub mod component;
pub mod endpoint;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod host;
pub mod log;
pub mod logging;
pub mod metrics;
pub mod names;
pub mod net;
pub mod quant;
pub mod readiness;
pub mod server;
pub mod service;
pub mod webapp;

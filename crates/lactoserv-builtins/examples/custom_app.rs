//! Adding your own application type from Rust, and naming it in a config.
//!
//! A framework user describes the type's bindings as a config struct,
//! registers it in the catalog under a class name, and a configuration then
//! names it with a string `class`. The config below mixes it with built-ins;
//! the catalog checks its bindings like theirs.
//!
//! `cargo run -p lactoserv-builtins --example custom_app -- [config.mjs]`

use std::path::Path;
use std::process::ExitCode;

use lactoserv_config::{ConfigLocation, LoadOptions};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::ApplicationConfig;
use lactoserv_core::webapp::WebappConfig;
use serde::Deserialize;

/// The bindings of a `Greeter` application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GreeterConfig {
    /// What to say; `hi` unless configured.
    #[serde(default = "default_greeting")]
    greeting: String,
}

fn default_greeting() -> String {
    "hi".into()
}

impl ApplicationConfig for GreeterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self.greeting.trim().is_empty() {
            return Err(BindError::new("greeting", "must say something"));
        }
        Ok(())
    }
}

/// The config this example loads unless given another.
const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/greeter-config.mjs");

fn main() -> ExitCode {
    let path: std::path::PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| DEFAULT_CONFIG.into(), Into::into);

    let mut catalog = lactoserv_builtins::catalog();
    catalog.add_application::<GreeterConfig>("Greeter");

    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let value = match ConfigLocation::from_path(Path::new(&path), &cwd)
        .and_then(|location| lactoserv_config::load(&location, &LoadOptions::default()))
    {
        Ok(value) => value,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match WebappConfig::from_value(&value, &catalog) {
        Ok(config) => {
            for app in &config.applications {
                println!("{}: {} {:?}", app.name, app.class, app.config);
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}

//! Prints the value tree a configuration file evaluates to, as JSON: what the
//! server's component model is built from. Handy when writing a config.
//!
//! `cargo run -p lactoserv-config --example dump_config -- path/to/config.mjs`

use std::path::Path;
use std::process::ExitCode;

use lactoserv_config::{ConfigLocation, LoadOptions, load};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: dump_config <config file>");
        return ExitCode::FAILURE;
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let result = ConfigLocation::from_path(Path::new(&path), &cwd)
        .and_then(|location| load(&location, &LoadOptions::default()));
    match result {
        Ok(value) => {
            println!("{value:#}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

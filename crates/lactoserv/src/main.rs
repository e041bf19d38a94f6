//! `lactoserv` (installed as `bin/run`): the Lactoserv web application
//! server with the built-in applications and services.

use std::process::ExitCode;

fn main() -> ExitCode {
    lactoserv::run(lactoserv_builtins::catalog())
}

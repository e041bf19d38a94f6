//! The built-in applications and services of Lactoserv
//! (`@lactoserv/webapp-builtins`).
//!
//! Each type lives in its own module beside its config struct. This crate
//! uses only the public API of `lactoserv-core`, as a framework user's crate
//! would.
//!
//! Layout:
//! - [`catalog`]: the one list of built-in class names.
//! - `apps/`: the ten applications.
//! - `services/`: the nine services.
//! - `support/`: config value types shared by several built-ins.

#![forbid(unsafe_code)]

use lactoserv_core::catalog::Catalog;

mod apps;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod services;
mod support;

/// A catalog holding every built-in application and service type.
pub fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    apps::register(&mut catalog);
    services::register(&mut catalog);
    catalog
}

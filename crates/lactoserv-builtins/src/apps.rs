//! The built-in applications.

use lactoserv_core::catalog::Catalog;

/// Adds every built-in application type to `catalog`.
pub(crate) fn register(_catalog: &mut Catalog) {}

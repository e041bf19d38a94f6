//! The built-in services.

use lactoserv_core::catalog::Catalog;

/// Adds every built-in service type to `catalog`.
pub(crate) fn register(_catalog: &mut Catalog) {}

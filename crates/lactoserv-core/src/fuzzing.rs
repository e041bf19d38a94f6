//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature):
//! the framework's parsers of what clients and configurations send that
//! are not public otherwise.

pub use crate::server::fuzzing::http1_exchange;

/// Whether `text` is a PEM certificate chain, and whether it is a PEM
/// private key, as the configuration checks judge them.
pub fn pem(text: &str) -> (bool, bool) {
    (
        crate::host::pem::is_certificate_chain(text),
        crate::host::pem::is_private_key(text),
    )
}

//! What the tests of the Lactoserv crates share (a development-only crate,
//! never published): free loopback ports, config files in fresh folders, a
//! server process started from its binary, and TLS clients that accept the
//! servers' test certificates.

#![forbid(unsafe_code)]

pub mod acme_front;
pub mod config;
pub mod pebble;
pub mod ports;
pub mod process;
pub mod tls;

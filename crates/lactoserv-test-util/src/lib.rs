//! What the tests of the Lactoserv crates share (a development-only crate,
//! never published): free loopback ports, config files in fresh folders, a
//! server process started from its binary, TLS and HTTP/3 clients that
//! accept the servers' test certificates, and an ACME authority (Pebble,
//! with a front adding what it lacks).

#![forbid(unsafe_code)]

pub mod acme_front;
pub mod config;
pub mod http3;
pub mod pebble;
pub mod ports;
pub mod process;
pub mod quic_flood;
pub mod tls;

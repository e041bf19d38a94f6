//! The server under test: the real binary, started as a process of its own
//! by the shared fixtures.

pub(crate) use lactoserv_test_util::ports::{free_port, free_ports};
pub(crate) use lactoserv_test_util::process::{Collected, ServerProcess, read_some};

/// The binary under test.
pub(crate) const LACTOSERV: &str = env!("CARGO_BIN_EXE_lactoserv");

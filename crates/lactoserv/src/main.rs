//! The `lactoserv` binary.
fn main() {}

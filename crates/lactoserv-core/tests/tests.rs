//! Integration tests of the framework through its public API: a real
//! server on real sockets with applications defined here, talked to by a
//! real client.

mod http3;
mod server;

//! Integration tests of config loading: real files evaluated by the real
//! engine.

mod errors;
mod snapshots;
mod util;

//! Integration tests of the built-in catalog, through the public API only,
//! as a framework user's crate would use it.

mod custom;
mod example_configs;

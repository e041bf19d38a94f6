//! Tests of the quantity module against the test vectors of the spec
//! (§B.6.3 for parsing, §B.7 for formatting), which were taken from
//! Lactoserv's own `quant/tests/*.test.js`.

mod formats;
mod generic;
mod moment;
mod typed;

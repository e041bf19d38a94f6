//! Tests of the quantity module against the test vectors of the spec
//! (§B.6.3 for parsing, §B.7 for formatting), which were taken from
//! Lactoserv's own `quant/tests/*.test.js`.

mod formats;
mod generic;
mod moment;
mod text;
mod typed;

use std::fmt::Display;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::quant::{
    ByteCount, ByteRate, ConnectionCount, ConnectionRate, Duration, Frequency, ParseError,
    RequestCount, RequestRate,
};

/// A typed quantity, as far as these tests need.
trait Quantity: FromStr<Err = ParseError> + Display + Serialize + DeserializeOwned + Copy {
    /// The value in base units.
    fn raw(self) -> f64;
}

macro_rules! impl_quantity {
    ($($t:ty),*) => {$(
        impl Quantity for $t {
            fn raw(self) -> f64 {
                self.value()
            }
        }
    )*};
}
impl_quantity!(
    Duration,
    Frequency,
    ByteCount,
    ByteRate,
    ConnectionCount,
    ConnectionRate,
    RequestCount,
    RequestRate
);

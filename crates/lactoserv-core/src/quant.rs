//! Quantities with real-world units: durations, frequencies, byte counts and
//! rates, connection and request counts and rates, plus the text formats they
//! appear in (Lactoserv `@lactoserv/quant` and the count/rate classes of
//! `@lactoserv/webapp-util`).
//!
//! Configuration files write these as strings like `"5 min"` or
//! `"100 KiB/sec"`; every typed quantity is parsed by the one generic grammar
//! of [`UnitQuantity`] and then converted to base units by multiplying with
//! per-unit factors, exactly as Lactoserv does, so that float results match
//! the reference bit for bit.
//!
//! Layout:
//! - `unit`: [`UnitQuantity`], the generic grammar (number + unit spec).
//! - `typed`: the macro that gives every typed quantity its common API
//!   (parsing, canonical text, serde).
//! - `duration`, `frequency`, `bytes`, `counts`: the eight typed quantities
//!   and their unit tables.
//! - `format`: number formatting as JavaScript prints it, duration text
//!   (FMT-1/FMT-2) and byte-count text (FMT-3).
//! - `moment`: [`Moment`], a point in time, and its three text forms (FMT-4).

mod bytes;
mod counts;
mod duration;
pub(crate) mod format;
pub(crate) mod frequency;
mod moment;
mod typed;
mod unit;

#[cfg(test)]
mod tests;

pub use bytes::{ByteCount, ByteRate};
pub use counts::{ConnectionCount, ConnectionRate, RequestCount, RequestRate};
pub use duration::Duration;
pub use format::{format_byte_count, format_number, push_byte_count};
pub use frequency::Frequency;
pub use moment::Moment;
pub use unit::UnitQuantity;

/// A string that is not a valid quantity of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Could not parse as a {kind}: {}", quote(.input))]
pub struct ParseError {
    /// The kind of quantity that was expected (`duration`, `byte rate`, …).
    pub kind: &'static str,
    /// The text that failed to parse.
    pub input: String,
}

impl ParseError {
    pub(crate) fn new(kind: &'static str, input: &str) -> Self {
        Self {
            kind,
            input: input.to_owned(),
        }
    }
}

/// Quotes `text` the way JSON does, so control characters in a bad value
/// stay visible in an error message.
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

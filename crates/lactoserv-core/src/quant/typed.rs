//! The API every typed quantity shares (the common part of Lactoserv's
//! `Duration`, `ByteCount`, … classes, each a `UnitQuantity` subclass with a
//! fixed unit): construction, parsing through the generic grammar plus unit
//! tables, canonical text, and serde as that text.
//!
//! Deserialization accepts strings only: the reference rejects a bare number
//! with `Cannot parse value: <value>`, because a number carries no unit.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::ParseError;

/// Deserializes a quantity from a string, with the reference's messages for
/// non-strings and the kind-naming parse error for bad strings.
pub(crate) fn deserialize_quantity<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr<Err = ParseError>,
{
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => text.parse().map_err(D::Error::custom),
        other => Err(D::Error::custom(format_args!(
            "Cannot parse value: {other}"
        ))),
    }
}

/// Defines a typed quantity: an `f64` newtype in base units, parsed with the
/// generic grammar and converted with the given unit tables (or, failing
/// that, the `or` tables: a second way of writing the same unit).
macro_rules! typed_quantity {
    (
        $(#[$meta:meta])*
        $name:ident,
        base = $base:literal,
        kind = $kind:literal,
        unit = $unit:literal,
        tables = [$($table:expr),+ $(,)?]
        $(, or = [$($alt:expr),+ $(,)?])? $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
        pub struct $name(f64);

        impl $name {
            #[doc = concat!("A ", $kind, " of `value` ", $base, ".")]
            pub const fn new(value: f64) -> Self {
                Self(value)
            }

            #[doc = concat!("The value in ", $base, ".")]
            pub fn value(self) -> f64 {
                self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::quant::ParseError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                input
                    .parse::<$crate::quant::UnitQuantity>()
                    .ok()
                    .and_then(|q| {
                        q.convert(&[$($table),+])
                            $(.or_else(|| q.convert(&[$($alt),+])))?
                    })
                    .map(Self)
                    .ok_or_else(|| $crate::quant::ParseError::new($kind, input))
            }
        }

        impl ::std::fmt::Display for $name {
            /// The canonical text, which parses back to the same value
            /// (for finite values).
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{} {}", $crate::quant::format_number(self.0), $unit)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::quant::typed::deserialize_quantity(deserializer)
            }
        }
    };
}

pub(crate) use typed_quantity;

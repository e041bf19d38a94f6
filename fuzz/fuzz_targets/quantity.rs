//! The quantity grammar (`'5 min'`, `'100 KiB/sec'`): any text parses or is
//! refused, and what parses is written in a form that parses back to it.

#![no_main]

use std::str::FromStr;

use lactoserv_core::quant::{ByteCount, ByteRate, Duration, Frequency, RequestRate};
use libfuzzer_sys::fuzz_target;

fn round_trip<Q>(input: &str)
where
    Q: FromStr + std::fmt::Display + PartialEq + std::fmt::Debug + Copy,
{
    if let Ok(quantity) = input.parse::<Q>() {
        let text = quantity.to_string();
        if let Ok(again) = text.parse::<Q>() {
            let (a, b) = (format!("{quantity:?}"), format!("{again:?}"));
            // NaN is never equal to itself; its text is what matters.
            assert!(
                again == quantity || a == b,
                "{input:?} -> {text:?} -> {again:?}"
            );
        }
    }
}

fuzz_target!(|input: &str| {
    round_trip::<Duration>(input);
    round_trip::<ByteCount>(input);
    round_trip::<ByteRate>(input);
    round_trip::<Frequency>(input);
    round_trip::<RequestRate>(input);
});

//! Conditional and range requests: any header values give an outcome, and
//! the ranges of a 206 lie within the body.

#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lactoserv_core::net::conditional::{Outcome, Representation, evaluate};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = [
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
    "range",
];

fuzz_target!(|input: &[u8]| {
    // A length, then header values, one per line, given to the names in
    // turn.
    let Some((&first, rest)) = input.split_first() else {
        return;
    };
    let length = u64::from(first) * 37;
    let mut headers = HeaderMap::new();
    for (at, line) in rest.split(|&b| b == b'\n').enumerate() {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            let name = HeaderName::from_static(NAMES[at % NAMES.len()]);
            headers.append(name, value);
        }
    }
    let representation = Representation {
        etag: Some("\"abc\""),
        last_modified: Some(1_700_000_000),
        length,
        ranges: true,
    };
    for method in [Method::GET, Method::HEAD] {
        if let Outcome::Partial(ranges) = evaluate(&method, &headers, &representation) {
            assert!(!ranges.is_empty());
            for range in ranges {
                assert!(
                    range.start <= range.end && range.end < length,
                    "{range:?} of {length}"
                );
            }
        }
    }
});

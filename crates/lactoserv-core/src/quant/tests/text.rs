//! Canonical text of the typed quantities (and its round trip through the
//! parser), and serde in both directions with the reference's messages.

use super::Quantity;
use crate::quant::{
    ByteCount, ByteRate, ConnectionCount, ConnectionRate, Duration, Frequency, RequestCount,
    RequestRate,
};

#[test]
fn prints_canonical_text() {
    assert_eq!(Duration::new(300.0).to_string(), "300 sec");
    assert_eq!(Duration::new(0.25).to_string(), "0.25 sec");
    assert_eq!(Duration::new(1e-9).to_string(), "1e-9 sec");
    assert_eq!(Duration::new(-0.0).to_string(), "0 sec");
    assert_eq!(Frequency::new(2.0).to_string(), "2 /sec");
    assert_eq!(ByteCount::new(1e21).to_string(), "1e+21 byte");
    assert_eq!(ByteRate::new(102_400.0).to_string(), "102400 byte/sec");
    assert_eq!(ConnectionCount::new(5.0).to_string(), "5 conn");
    assert_eq!(ConnectionRate::new(0.5).to_string(), "0.5 conn/sec");
    assert_eq!(RequestCount::new(20.0).to_string(), "20 req");
    assert_eq!(RequestRate::new(10.0).to_string(), "10 req/sec");
}

/// Finite values spread over the whole range: simple decimals, thirds,
/// powers of ten on both sides of the plain/exponent switch, extremes.
fn sample_values() -> Vec<f64> {
    let mut values = vec![
        0.0,
        1.0,
        0.1,
        0.25,
        300.0,
        1.0 / 3.0,
        2.0 / 3.0,
        1.0 / 60.0,
        1e-7,
        1e-6,
        9.99e-7,
        1.5e-9,
        1e20,
        1e21,
        123_456_789_012_345_680_000.0,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::EPSILON,
        4.56789,
        1_491_308.088_888_889,
    ];
    let mut x = 0.123_456_789_f64;
    for _ in 0..2000 {
        // A cheap deterministic scramble over many magnitudes.
        x = (x * 7919.0 + 0.618_033_988_749_895).fract();
        let exponent = (x * 700.0) as i32 - 350;
        values.push(x * 10f64.powi(exponent));
    }
    values.retain(|v| v.is_finite());
    let negatives: Vec<f64> = values.iter().map(|v| -v).collect();
    values.extend(negatives);
    values
}

/// Asserts that the canonical text of every sample parses back exactly.
fn assert_round_trips<Q: Quantity>(make: fn(f64) -> Q) {
    for value in sample_values() {
        let text = make(value).to_string();
        match text.parse::<Q>() {
            Ok(back) => assert_eq!(back.raw(), value, "round trip of {text:?}"),
            Err(e) => panic!("{text:?} does not parse back: {e}"),
        }
    }
}

#[test]
fn canonical_text_parses_back_to_same_value() {
    assert_round_trips(Duration::new);
    assert_round_trips(Frequency::new);
    assert_round_trips(ByteCount::new);
    assert_round_trips(ByteRate::new);
    assert_round_trips(ConnectionCount::new);
    assert_round_trips(ConnectionRate::new);
    assert_round_trips(RequestCount::new);
    assert_round_trips(RequestRate::new);
}

#[test]
fn serializes_as_canonical_text() {
    let json = serde_json::to_value(Duration::new(300.0));
    assert_eq!(json.ok(), Some(serde_json::json!("300 sec")));
    let json = serde_json::to_value(ByteRate::new(1024.0));
    assert_eq!(json.ok(), Some(serde_json::json!("1024 byte/sec")));
}

/// The deserialization error message for `json` as `Q`.
fn deserialize_error<Q: Quantity>(json: serde_json::Value) -> String {
    match serde_json::from_value::<Q>(json) {
        Ok(q) => panic!("should not deserialize, got {}", q),
        Err(e) => e.to_string(),
    }
}

#[test]
fn deserializes_from_strings() {
    let d: Duration = serde_json::from_value(serde_json::json!("5 min")).unwrap();
    assert_eq!(d, Duration::new(300.0));
    let r: RequestRate = serde_json::from_value(serde_json::json!("600 req per min")).unwrap();
    assert_eq!(r.value(), 10.0);
}

#[test]
fn rejects_non_strings_with_the_json_text() {
    let cases = [
        (serde_json::json!(300), "Cannot parse value: 300"),
        (serde_json::json!(1.5), "Cannot parse value: 1.5"),
        (serde_json::json!(true), "Cannot parse value: true"),
        (serde_json::json!(null), "Cannot parse value: null"),
        (
            serde_json::json!({"sec": 1}),
            r#"Cannot parse value: {"sec":1}"#,
        ),
        (
            serde_json::json!(["1 sec"]),
            r#"Cannot parse value: ["1 sec"]"#,
        ),
    ];
    for (json, message) in cases {
        assert_eq!(deserialize_error::<Duration>(json), message);
    }
}

#[test]
fn names_the_expected_kind_for_bad_strings() {
    let bad = || serde_json::json!("2 mins");
    let cases = [
        (deserialize_error::<Duration>(bad()), "duration"),
        (deserialize_error::<Frequency>(bad()), "frequency"),
        (deserialize_error::<ByteCount>(bad()), "byte count"),
        (deserialize_error::<ByteRate>(bad()), "byte rate"),
        (
            deserialize_error::<ConnectionCount>(bad()),
            "connection count",
        ),
        (
            deserialize_error::<ConnectionRate>(bad()),
            "connection rate",
        ),
        (deserialize_error::<RequestCount>(bad()), "request count"),
        (deserialize_error::<RequestRate>(bad()), "request rate"),
    ];
    for (message, kind) in cases {
        assert_eq!(message, format!(r#"Could not parse as a {kind}: "2 mins""#));
    }
}

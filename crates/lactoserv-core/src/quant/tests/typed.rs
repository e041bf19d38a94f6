//! The typed quantities: every §B.6.3 vector, with exact float results
//! under the multiply-by-factor rule.

use super::Quantity;
use crate::quant::{
    ByteCount, ByteRate, ConnectionCount, ConnectionRate, Duration, Frequency, RequestCount,
    RequestRate,
};

/// Asserts each input parses as `Q` to exactly its value.
fn assert_values<Q: Quantity>(vectors: &[(&str, f64)]) {
    for &(input, value) in vectors {
        match input.parse::<Q>() {
            Ok(q) => assert_eq!(q.raw(), value, "parsing {input:?}"),
            Err(e) => panic!("{input:?} should parse: {e}"),
        }
    }
}

/// Asserts each input is rejected as `Q`.
fn assert_rejects<Q: Quantity>(inputs: &[&str]) {
    for input in inputs {
        assert!(input.parse::<Q>().is_err(), "{input:?} should be rejected");
    }
}

const MS: f64 = 1.0 / 1000.0;
const DAY: f64 = 86_400.0;
const HOUR: f64 = 3_600.0;

#[test]
fn parses_duration_vectors() {
    assert_values::<Duration>(&[
        ("1 day", DAY),
        ("1 d", DAY),
        ("1 hour", HOUR),
        ("1 hr", HOUR),
        ("1 h", HOUR),
        ("1 minute", 60.0),
        ("1 min", 60.0),
        ("1 m", 60.0),
        ("1 second", 1.0),
        ("1 sec", 1.0),
        ("1 s", 1.0),
        ("1sec", 1.0),
        ("1_sec", 1.0),
        ("0.25 sec", 0.25),
        ("023 s", 23.0),
        ("+4.567_890 s", 4.56789),
        ("2e+02 s", 200.0),
        (".5 sec", 0.5),
        ("+.5 s", 0.5),
        ("  2 min  ", 120.0),
        ("2 min/", 120.0),
        ("2 min per", 120.0),
        ("1_000ms", 1.0),
        ("1_000 msec", 1.0),
        ("1_000_000 us", 1.0),
        ("1_000_000_000 ns", 1.0),
        ("234.567_msec", 234.567 * MS),
        ("234.567_day", 234.567 * DAY),
        ("-2.987 s", -2.987),
        ("2e-1 s", 0.2),
        ("1e3 ms", 1.0),
        ("1E3 ms", 1.0),
        ("5. sec", 5.0),
        ("1.5e1_0 s", 15_000_000_000.0),
        ("1 nsec", 1.0 / 1_000_000_000.0),
        ("3 usec", 3.0 * (1.0 / 1_000_000.0)),
    ]);
}

#[test]
fn rejects_duration_vectors() {
    assert_rejects::<Duration>(&[
        "123",
        "hr",
        "1 x",
        "1 /sec",
        "1 s_ec",
        "1 SEC",
        "1 Sec",
        "2 mins",
        "0x10 sec",
        "Infinity sec",
        "- 1 sec",
        "5e s",
        "1- sec",
        "1 sec/sec",
        "1 min/sec",
        "1e400 sec",
    ]);
}

#[test]
fn parses_frequency_vectors() {
    assert_values::<Frequency>(&[
        ("1 /sec", 1.0),
        ("1 per s", 1.0),
        ("2 /s", 2.0),
        ("2 Hz", 2.0),
        ("2 hertz", 2.0),
        ("1 /min", 1.0 / 60.0),
        ("1 per m", 1.0 / 60.0),
        ("1 /hr", 1.0 / HOUR),
        ("1 per h", 1.0 / HOUR),
        ("1 /day", 1.0 / DAY),
        ("0.001 /msec", 1.0),
        ("234.567_per_sec", 234.567),
        ("234.567 /msec", 234_567.0),
        ("123_per_sec", 123.0),
        ("5/hour", 5.0 * (1.0 / HOUR)),
        ("5 per hour", 5.0 * (1.0 / HOUR)),
        ("5 per_hour", 5.0 * (1.0 / HOUR)),
        ("5/ hour", 5.0 * (1.0 / HOUR)),
        ("5 /hour", 5.0 * (1.0 / HOUR)),
        ("5_/_hour", 5.0 * (1.0 / HOUR)),
        ("-5 per hour", -5.0 * (1.0 / HOUR)),
    ]);
}

#[test]
fn rejects_frequency_vectors() {
    assert_rejects::<Frequency>(&[
        "123", "hz", "/sec", "per sec", "1 sec", "1 per x", "_1 /sec", "2 hz", "2 Hz/sec",
        "5perhour",
    ]);
}

#[test]
fn parses_byte_count_vectors() {
    let kib = 1024.0;
    assert_values::<ByteCount>(&[
        ("10_000 B", 10_000.0),
        ("1234 kB", 1_234_000.0),
        ("1234 KiB", 1_263_616.0),
        ("1 MiB", 1_048_576.0),
        ("1234 TiB", 1234.0 * kib * kib * kib * kib),
        ("1.5 KiB", 1536.0),
        ("0 byte", 0.0),
        ("0 TB", 0.0),
        ("32 byte", 32.0),
        ("2 MB", 2e6),
        ("3 GB", 3e9),
        ("4 GiB", 4.0 * kib * kib * kib),
        ("5 TB", 5e12),
    ]);
}

#[test]
fn rejects_byte_count_vectors() {
    assert_rejects::<ByteCount>(&[
        "123", "byte", "1 x", "1 per B", "1 b_yte", "1 kb", "1 KB", "1 mib", "1 b", "1 bytes",
        "1  B", "1 2 B", "100 conn", "1 B/sec",
    ]);
}

#[test]
fn parses_byte_rate_vectors() {
    let gib = 1024.0 * 1024.0 * 1024.0;
    assert_values::<ByteRate>(&[
        ("1 KiB/sec", 1024.0),
        ("1 kB/sec", 1000.0),
        ("1 byte/ms", 1000.0),
        ("1 byte/ns", 1e9),
        ("1 byte/min", 1.0 / 60.0),
        ("45 byte/day", 45.0 * (1.0 / DAY)),
        ("5 KiB/us", 5.0 * 1024.0 * 1e6),
        ("32 KiB/sec", 32_768.0),
        ("100 KiB / sec", 102_400.0),
        ("100KiB/sec", 102_400.0),
        ("120 GiB per day", 120.0 * gib * (1.0 / DAY)),
    ]);
    let approx = "120 GiB per day".parse::<ByteRate>().map(ByteRate::value);
    assert!(approx.is_ok_and(|v| (v - 1_491_308.09).abs() < 0.01));
}

#[test]
fn rejects_byte_rate_vectors() {
    assert_rejects::<ByteRate>(&[
        "123",
        "kB/sec",
        "1 x",
        "1 sec per B",
        "1 kb/sec",
        "1 Hz",
        "1 B/Hz",
        "10 KiB",
        "1 /sec",
    ]);
}

#[test]
fn parses_connection_and_request_vectors() {
    assert_values::<ConnectionCount>(&[("5 conn", 5.0), ("5 c", 5.0), ("5 connection", 5.0)]);
    assert_values::<ConnectionRate>(&[
        ("1 conn per second", 1.0),
        ("3 conn per sec", 3.0),
        ("1 c/ms", 1000.0),
        ("6 connection/min", 6.0 * (1.0 / 60.0)),
    ]);
    assert_values::<RequestCount>(&[("20 req", 20.0), ("20 r", 20.0), ("20 request", 20.0)]);
    assert_values::<RequestRate>(&[
        ("600 req per min", 10.0),
        ("10 r/s", 10.0),
        ("1 request/day", 1.0 / DAY),
    ]);
}

#[test]
fn rejects_connection_and_request_vectors() {
    assert_rejects::<ConnectionCount>(&["5 connections", "5", "5 conn/sec", "5 req"]);
    assert_rejects::<ConnectionRate>(&["1 /sec", "5 conn", "1 conn/Hz", "1 req/sec"]);
    assert_rejects::<RequestCount>(&["20 requests", "20", "20 req/sec", "20 conn"]);
    assert_rejects::<RequestRate>(&["1 req/conn", "20 req", "1 /sec", "1 conn/sec"]);
}

#[test]
fn frequency_table_extends_shared_per_second_table() {
    // Frequency keeps its own copy of the per-second table (plus hertz);
    // the copy must not drift from the table the rates use.
    for (name, factor) in crate::quant::frequency::PER_SEC_UNITS {
        let input = format!("1 {name}");
        assert_eq!(
            input.parse::<Frequency>().map(Frequency::value),
            Ok(*factor),
            "{input}"
        );
    }
}

//! Duration text and object (FMT-1, FMT-2), byte-count text (FMT-3), and
//! the JavaScript-style number formatting they rest on.

use crate::quant::format::to_fixed;
use crate::quant::{Duration, format_byte_count, format_number};

#[test]
fn formats_duration_vectors() {
    let vectors = [
        (0.0, "0 sec (instantaneous)"),
        (0.001_234_7, "1.235 msec"),
        (0.000_000_999_999_6, "1.000 usec"),
        (0.999_999_500_001, "1.000 sec"),
        (99.999_499_99, "99.999 sec"),
        (99.9995, ":01:40.0"),
        (100.0, ":01:40.0"),
        (100.950_01, ":01:41.0"),
        (3599.949, ":59:59.9"),
        (3_599.950_001, "1:00:00"),
        (3_600.500_01, "1:00:01"),
        (86_400.0, "1d 0:00:00"),
        (127_353.0, "1d 11:22:33"),
        (49_021_687.9, "567d 9:08:08"),
        (0.000_000_000_000_009, "0.000 nsec"),
        (0.000_000_002_5, "2.500 nsec"),
        (-2.0, "-2.000 sec"),
        (1.0, "1.000 sec"),
    ];
    for (sec, text) in vectors {
        assert_eq!(Duration::new(sec).to_text(false), text, "formatting {sec}");
    }
}

#[test]
fn formats_duration_without_spaces() {
    assert_eq!(Duration::new(0.0).to_text(true), "0_sec");
    assert_eq!(Duration::new(-2.0).to_text(true), "-2.000_sec");
    assert_eq!(Duration::new(0.007_334).to_text(true), "7.334_msec");
    assert_eq!(Duration::new(100.0).to_text(true), ":01:40.0");
    // The reference keeps the space after the day count (FMT-1 quirk).
    assert_eq!(Duration::new(86_400.0).to_text(true), "1d 0:00:00");
}

#[test]
fn formats_duration_json_object() {
    assert_eq!(
        Duration::new(300.0).to_json_object().to_string(),
        r#"{"sec":300,"duration":":05:00.0"}"#
    );
    assert_eq!(
        Duration::new(0.0012347).to_json_object(),
        serde_json::json!({ "sec": 0.0012347, "duration": "1.235 msec" })
    );
}

#[test]
fn formats_byte_count_vectors() {
    let gib = 1024.0 * 1024.0 * 1024.0;
    let vectors = [
        (None, "<none>"),
        (Some(0.0), "0 B"),
        (Some(0.005), "0.01 B"),
        (Some(99_999.0), "99999 B"),
        (Some(100_000.0), "97.66 KiB"),
        (Some(102_400.0), "100 KiB"),
        (Some(102_401.0), "100.00 KiB"),
        (Some(1_048_576.0), "1024 KiB"),
        (Some(10_240_000.0), "9.77 MiB"),
        (Some(gib * 123.0), "123 GiB"),
        (Some(5_000_000.0), "4882.81 KiB"),
        (Some(-1_234_567.0), "-1205.63 KiB"),
        (Some(gib * 1024.0 * 20_000.0), "20000 TiB"),
    ];
    for (bytes, text) in vectors {
        assert_eq!(
            format_byte_count(bytes, false),
            text,
            "formatting {bytes:?}"
        );
    }
    assert_eq!(format_byte_count(Some(104.0), true), "104_B");
}

#[test]
fn formats_numbers_as_javascript() {
    let vectors = [
        (0.0, "0"),
        (-0.0, "0"),
        (300.0, "300"),
        (0.25, "0.25"),
        (-2.5, "-2.5"),
        (1.0 / 3.0, "0.3333333333333333"),
        (1e-6, "0.000001"),
        (1.5e-7, "1.5e-7"),
        (1e-9, "1e-9"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.25e22, "1.25e+22"),
        (123.456, "123.456"),
        (f64::MAX, "1.7976931348623157e+308"),
        // Exactly halfway between two shortest forms: the even one wins.
        // (Written as sums: each is exact, but too long for a literal.)
        (1_579_905_508_748_141.0 + 0.25, "1579905508748141.2"),
        (238_921_380_027_567.0 + 0.125, "238921380027567.12"),
        (-1_607_402_612_167_546.0 - 0.25, "-1607402612167546.2"),
        (748_705_343_648_292.0 + 0.25, "748705343648292.2"),
        (748_705_343_648_292.0 + 0.75, "748705343648292.8"),
        (5e-324, "5e-324"),
        (f64::INFINITY, "Infinity"),
        (f64::NAN, "NaN"),
    ];
    for (value, text) in vectors {
        assert_eq!(format_number(value), text, "formatting {value}");
    }
}

#[test]
fn rounds_exact_ties_away_from_zero_like_to_fixed() {
    assert_eq!(to_fixed(0.125, 2), "0.13");
    assert_eq!(to_fixed(-0.125, 2), "-0.13");
    assert_eq!(to_fixed(0.0625, 3), "0.063");
    assert_eq!(to_fixed(2.5, 0), "3");
    // Not a tie in binary: 1.005 is slightly below, so it rounds down.
    assert_eq!(to_fixed(1.005, 2), "1.00");
    assert_eq!(to_fixed(1234.5678, 2), "1234.57");
    assert_eq!(to_fixed(1e21, 2), "1e+21");
}

#[test]
fn appended_texts_are_the_texts() {
    for bytes in [0, 1, 6, 1023, 99_999, 100_000, 123_456_789] {
        for no_spaces in [false, true] {
            let mut out = String::from("x");
            crate::quant::push_byte_count(&mut out, bytes, no_spaces);
            let expected = crate::quant::format_byte_count(Some(bytes as f64), no_spaces);
            assert_eq!(out, format!("x{expected}"), "{bytes}");
        }
    }
    let mut sec = 1e-13;
    while sec < 5000.0 {
        for value in [sec, sec * 1.0005, sec * 0.9995, -sec] {
            for no_spaces in [false, true] {
                let mut out = String::new();
                Duration::new(value).push_text(&mut out, no_spaces);
                assert_eq!(out, Duration::new(value).to_text(no_spaces), "{value}");
            }
        }
        sec *= 1.7;
    }
    let mut out = String::new();
    Duration::new(0.0).push_text(&mut out, true);
    assert_eq!(out, Duration::new(0.0).to_text(true));
}

//! `Moment` text forms (FMT-4) and the calendar conversion behind them.

use crate::quant::Moment;

#[test]
fn formats_access_log_form_with_truncated_fraction() {
    let m = Moment::new(1_700_000_000.123_49);
    assert_eq!(m.to_access_log_text(4), "20231114_22:13:20.1234");
    let m = Moment::new(1_700_000_000.999_99);
    assert_eq!(m.to_access_log_text(4), "20231114_22:13:20.9999");
    assert_eq!(m.to_access_log_text(0), "20231114_22:13:20");
}

#[test]
fn formats_human_log_form() {
    let m = Moment::new(1_700_000_000.123_49);
    assert_eq!(m.to_human_text(4), "2023-11-14 22:13:20.1234");
    assert_eq!(m.to_human_text(1), "2023-11-14 22:13:20.1");
    assert_eq!(m.to_human_text(6), "2023-11-14 22:13:20.123490");
}

#[test]
fn pads_fraction_with_leading_zeros() {
    let m = Moment::new(1_700_000_000.001_2);
    assert_eq!(m.to_human_text(4), "2023-11-14 22:13:20.0012");
    assert_eq!(
        Moment::new(1_700_000_000.0).to_human_text(3),
        "2023-11-14 22:13:20.000"
    );
}

#[test]
fn formats_json_object_without_fraction() {
    let m = Moment::new(1_700_000_000.5);
    assert_eq!(
        m.to_json_object(),
        serde_json::json!({ "atSec": 1_700_000_000.5, "utc": "2023-11-14 22:13:20" })
    );
    assert_eq!(
        Moment::new(86_400.0).to_json_object().to_string(),
        r#"{"atSec":86400,"utc":"1970-01-02 00:00:00"}"#
    );
}

#[test]
fn converts_epoch_and_dates_before_2000() {
    let cases = [
        (0.0, "1970-01-01 00:00:00"),
        (68_169_600.0, "1972-02-29 00:00:00"),
        (946_684_799.0, "1999-12-31 23:59:59"),
        (946_684_800.0, "2000-01-01 00:00:00"),
        (951_782_400.0, "2000-02-29 00:00:00"),
        (951_868_800.0, "2000-03-01 00:00:00"),
        (793_065_600.0, "1995-02-18 00:00:00"),
    ];
    for (at_sec, text) in cases {
        assert_eq!(Moment::new(at_sec).to_human_text(0), text, "at {at_sec}");
    }
}

#[test]
fn handles_leap_and_century_years() {
    let cases = [
        (1_709_164_800.0, "2024-02-29 00:00:00"),
        (1_709_251_199.0, "2024-02-29 23:59:59"),
        (4_107_542_400.0, "2100-03-01 00:00:00"),
        (4_107_456_000.0, "2100-02-28 00:00:00"),
        (1_735_603_200.0, "2024-12-31 00:00:00"),
        (253_402_300_799.0, "9999-12-31 23:59:59"),
    ];
    for (at_sec, text) in cases {
        assert_eq!(Moment::new(at_sec).to_human_text(0), text, "at {at_sec}");
    }
}

#[test]
fn agrees_with_day_by_day_calendar_walk() {
    // Walk day by day from 1900-01-01 (a Monday of a non-leap century year)
    // to 2101-01-01, checking every date the conversion produces.
    let days_in = |year: i64, month: u32| match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let (mut year, mut month, mut day) = (1900_i64, 1_u32, 1_u32);
    let mut at_sec = -2_208_988_800.0;
    while year < 2101 {
        let expected = format!("{year}{month:02}{day:02}_12:00:00");
        assert_eq!(
            Moment::new(at_sec + 43_200.0).to_access_log_text(0),
            expected
        );
        day += 1;
        if day > days_in(year, month) {
            day = 1;
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        at_sec += 86_400.0;
    }
}

#[test]
fn formats_times_before_1970_with_consistent_fraction() {
    let m = Moment::new(-0.25);
    assert_eq!(m.to_human_text(2), "1969-12-31 23:59:59.75");
    assert_eq!(
        Moment::new(-86_400.0).to_human_text(0),
        "1969-12-31 00:00:00"
    );
    assert_eq!(
        Moment::new(-1e-200).to_human_text(4),
        "1969-12-31 23:59:59.9999"
    );
}

#[test]
fn marks_moments_outside_javascript_dates_as_nan() {
    assert_eq!(
        Moment::new(1e16).to_human_text(0),
        "NaN-NaN-NaN NaN:NaN:NaN"
    );
}

#[test]
fn now_is_after_2023() {
    assert!(Moment::now().at_sec() > 1_700_000_000.0);
}

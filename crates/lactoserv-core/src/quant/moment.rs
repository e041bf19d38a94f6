//! A point in time as seconds since the Unix epoch, and its UTC text forms
//! (Lactoserv `quant/export/Moment.js`, FMT-4).
//!
//! The calendar conversion is done here rather than with a date crate: it is
//! a few lines of proleptic-Gregorian arithmetic, and the fields must be
//! derived exactly as JavaScript's `Date` derives them (from a whole number
//! of milliseconds) while the fraction is derived from the seconds, as the
//! reference does.

use std::time::{SystemTime, UNIX_EPOCH};

use super::format::json_number;

/// Milliseconds per day.
const MSEC_PER_DAY: i64 = 86_400_000;

/// Largest distance from the epoch JavaScript's `Date` represents, in
/// milliseconds; beyond it every field of a date is `NaN`.
const MAX_DATE_MSEC: f64 = 8.64e15;

/// A point in time: seconds since 1970-01-01 00:00:00 UTC, with fraction.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Moment(f64);

/// The UTC calendar fields of a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
}

impl Moment {
    /// The moment `at_sec` seconds after the Unix epoch (negative: before).
    pub const fn new(at_sec: f64) -> Self {
        Self(at_sec)
    }

    /// The current wall-clock time.
    pub fn now() -> Self {
        let at_sec = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => since.as_secs_f64(),
            Err(before) => -before.duration().as_secs_f64(),
        };
        Self(at_sec)
    }

    /// Seconds since the Unix epoch.
    pub fn at_sec(self) -> f64 {
        self.0
    }

    /// The access-log form, `YYYYMMDD_HH:MM:SS.ffff`, with `decimals`
    /// fraction digits (none and no dot for 0), truncated, not rounded.
    pub fn to_access_log_text(self, decimals: u32) -> String {
        self.text("", "_", decimals)
    }

    /// The human-log form, `YYYY-MM-DD HH:MM:SS.ffff`, with `decimals`
    /// fraction digits (none and no dot for 0), truncated, not rounded.
    pub fn to_human_text(self, decimals: u32) -> String {
        self.text("-", " ", decimals)
    }

    /// The form used in JSON output (`startedAt`, `stoppedAt`, …):
    /// `{ "atSec": <seconds>, "utc": "YYYY-MM-DD HH:MM:SS" }`.
    pub fn to_json_object(self) -> serde_json::Value {
        serde_json::json!({
            "atSec": json_number(self.0),
            "utc": self.to_human_text(0),
        })
    }

    /// The date and time, with `date_sep` between date fields and
    /// `middle_sep` between date and time.
    fn text(self, date_sep: &str, middle_sep: &str, decimals: u32) -> String {
        let frac = fraction_text(self.0, decimals);
        match self.fields() {
            Some(Fields {
                year,
                month,
                day,
                hour,
                min,
                sec,
            }) => format!(
                "{year}{date_sep}{month:02}{date_sep}{day:02}{middle_sep}\
                 {hour:02}:{min:02}:{sec:02}{frac}"
            ),
            None => format!("NaN{date_sep}NaN{date_sep}NaN{middle_sep}NaN:NaN:NaN{frac}"),
        }
    }

    /// The UTC calendar fields, or `None` outside the range of JavaScript
    /// dates. As `new Date(sec * 1000)` does, the time is first cut to whole
    /// milliseconds; the cut goes down (not toward zero as in JavaScript),
    /// so that times before 1970 agree with their fraction digits.
    fn fields(self) -> Option<Fields> {
        let msec = (self.0 * 1000.0).floor();
        if msec.is_nan() || msec.abs() > MAX_DATE_MSEC {
            return None;
        }
        // Whole and within ±8.64e15, so the cast is exact.
        let msec = msec as i64;
        let days = msec.div_euclid(MSEC_PER_DAY);
        let in_day = msec.rem_euclid(MSEC_PER_DAY) / 1000;
        let (year, month, day) = civil_from_days(days);
        // `in_day` is below 86 400, so these fit in `u32`.
        let in_day = in_day as u32;
        Some(Fields {
            year,
            month,
            day,
            hour: in_day / 3600,
            min: in_day / 60 % 60,
            sec: in_day % 60,
        })
    }
}

/// The fraction digits of `at_sec`: `.` plus `decimals` digits, truncated,
/// or nothing for 0 decimals. Computed from `at_sec × 10^decimals` as the
/// reference does (taking the fraction first would lose a digit to float
/// error); the remainder is taken downward so times before 1970 get digits
/// counting forward from their (floored) second.
fn fraction_text(at_sec: f64, decimals: u32) -> String {
    if decimals == 0 {
        return String::new();
    }
    let ten_power = (0..decimals).fold(1.0_f64, |p, _| p * 10.0);
    // `rem_euclid` of a tiny negative number rounds up to `ten_power`
    // itself; the true digits are all nines.
    let frac = (at_sec * ten_power)
        .rem_euclid(ten_power)
        .floor()
        .min(ten_power - 1.0);
    // A whole number below 10^decimals: integer formatting says the same
    // as the JavaScript-style number formatting, for much less.
    format!(".{:0>width$}", frac as u64, width = decimals as usize)
}

/// Converts days since 1970-01-01 to a proleptic-Gregorian (year, month,
/// day). Counts in 400-year eras of 146 097 days, each starting on 1 March
/// so that the leap day falls at the end of the era's years.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    /// Days from 0000-03-01 to 1970-01-01.
    const EPOCH_SHIFT: i64 = 719_468;
    const DAYS_PER_ERA: i64 = 146_097;

    let shifted = days + EPOCH_SHIFT;
    let era = shifted.div_euclid(DAYS_PER_ERA);
    let day_of_era = shifted.rem_euclid(DAYS_PER_ERA);
    // Every fourth year has a leap day, except the last year of each
    // century, except the last year of the era.
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months from March, with a 153-day cycle per five months.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    // `day` is 1..=31 and `month` 1..=12, so these fit in `u32`.
    (year, month as u32, day as u32)
}

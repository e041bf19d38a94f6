//! Text forms of numbers and quantities as Lactoserv prints them: numbers as
//! JavaScript's `String(number)` and `toFixed` write them, human-friendly
//! durations (`Duration.stringFromSec`, FMT-1) and byte counts
//! (`ByteCount.stringFromByteCount`, FMT-3).

/// Writes `value` as JavaScript's `String(value)` does: the shortest digits
/// that read back as the same number, in plain notation for magnitudes from
/// 1e-6 up to (not including) 1e21 and as `1.5e-7` / `1e+21` outside that
/// range. Both forms are valid numbers in the quantity grammar.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if value == 0.0 {
        // Negative zero too, as in JavaScript.
        return "0".to_owned();
    }

    // Rust's `{:e}` gives the same shortest round-trip digits JavaScript
    // uses, as `d.ddde<exp>`; only the layout differs.
    let scientific = format!("{:e}", value.abs());
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return value.to_string();
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return value.to_string();
    };
    let mut digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    if let Some(even) = even_tie_digits(value.abs(), &digits) {
        digits = even;
    }
    let sign = if value < 0.0 { "-" } else { "" };

    // Number of digits before the decimal point, as in ECMA-262
    // `Number::toString` (value = 0.digits × 10^point).
    let point = exponent + 1;
    let count = digits.len() as i32;
    let body = if count <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - count) as usize))
    } else if 0 < point && point <= 21 {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent >= 0 { "+" } else { "-" };
        format!("{first}{dot}{rest}e{exp_sign}{}", exponent.abs())
    };
    format!("{sign}{body}")
}

/// When `magnitude` lies exactly halfway between the two shortest digit
/// strings that read back as it (`1579905508748141.25` between `…141.2` and
/// `…141.3`), JavaScript takes the one ending in an even digit, while Rust
/// may take the other. Returns the even one in that case, `None` otherwise.
///
/// Such ties need at least 15 shortest digits (the two candidates must both
/// lie within one ulp), so shorter `digits` are answered without work.
fn even_tie_digits(magnitude: f64, digits: &str) -> Option<String> {
    if digits.len() < 15 {
        return None;
    }
    // Cheap pre-check: a tie shows as `…50` with two more digits than the
    // shortest form; only then is the (slow) exact expansion worth making.
    let near = format!("{magnitude:.prec$e}", prec = digits.len() + 1);
    if !near.split_once('e').is_some_and(|(m, _)| m.ends_with("50")) {
        return None;
    }
    // 800 places is more than any `f64` has, so this is the exact value.
    let exact = format!("{magnitude:.800e}");
    let (mantissa, _) = exact.split_once('e')?;
    let exact_digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let exact_digits = exact_digits.trim_end_matches('0');
    if exact_digits.len() != digits.len() + 1 || !exact_digits.ends_with('5') {
        return None;
    }

    // The candidates are the exact digits cut short and that plus one in the
    // last place; the cut one cannot end in 9, or a shorter string would
    // have read back too.
    let mut lower = exact_digits.as_bytes()[..digits.len()].to_vec();
    let last = lower.last_mut()?;
    match *last {
        b'9' => return None,
        odd if (odd - b'0') % 2 == 1 => *last += 1,
        _ => {}
    }
    String::from_utf8(lower).ok()
}

/// `value` as a JSON number the way `JSON.stringify` writes it: whole
/// numbers without a fraction (`300`, not `300.0`), and `null` for NaN and
/// infinities.
pub(crate) fn json_number(value: f64) -> serde_json::Value {
    /// 2^53: below it every whole `f64` converts to `i64` exactly.
    const EXACT_INT: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() < EXACT_INT {
        // Whole and in range, so the cast is exact (and `-0` becomes `0`).
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Writes `value` with exactly `places` decimals as JavaScript's
/// `toFixed(places)` does. Rust's `{:.N}` rounds exact ties to even, where
/// JavaScript rounds them away from zero (`0.125` → `0.13`), so ties are
/// detected and handled here.
pub(crate) fn to_fixed(value: f64, places: u32) -> String {
    if !value.is_finite() || value.abs() >= 1e21 {
        return format_number(value);
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();

    // `magnitude` × 10^places is exactly halfway between two integers iff
    // `magnitude` × 2^(places+1) is an odd integer (scaling by a power of
    // two is exact).
    let doubled = magnitude * f64::from(1u32 << (places + 1));
    let is_tie =
        doubled.fract() == 0.0 && doubled < 9_007_199_254_740_992.0 && doubled % 2.0 == 1.0;
    if !is_tie {
        return format!("{sign}{magnitude:.prec$}", prec = places as usize);
    }

    // `doubled` is an odd integer below 2^53, so the casts are exact; the
    // result is (doubled × 5^places + 1) / 2 units of 10^-places.
    let units = (doubled as u128 * 5u128.pow(places)).div_ceil(2);
    let scale = 10u128.pow(places);
    if places == 0 {
        format!("{sign}{units}")
    } else {
        format!(
            "{sign}{}.{:0width$}",
            units / scale,
            units % scale,
            width = places as usize
        )
    }
}

/// Formats a duration in seconds for humans (FMT-1): `1.235 msec`,
/// `:01:40.0`, `1d 11:22:33`. With `no_spaces`, the number and unit are
/// joined with `_` (so the text is one token in a log line).
pub(crate) fn duration_text(sec: f64, no_spaces: bool) -> String {
    let sep = if no_spaces { "_" } else { " " };

    if !sec.is_finite() {
        return format!("{}{sep}sec", format_number(sec));
    }
    if sec < 99.9995 {
        if sec == 0.0 {
            let note = if no_spaces { "" } else { " (instantaneous)" };
            return format!("0{sep}sec{note}");
        }
        if sec < 0.0 {
            return format!("{}{sep}sec", to_fixed(sec, 3));
        }
        let (t, unit) = short_duration(sec);
        return format!("{}.{:03}{sep}{unit}", t / 1000, t % 1000);
    }

    clock_text(sec, sep)
}

/// A duration of more than 0 and less than 99.9995 s in thousandths of
/// its unit, and the unit (FMT-1).
fn short_duration(sec: f64) -> (u64, &'static str) {
    let mut range = ((sec.log10().floor() / 3.0).floor() * 3.0) as i32;
    // 10^(3 - range) for the ranges that have a unit name; the scale for
    // nanoseconds also serves anything smaller.
    let scale = match range {
        0 => 1e3,
        -3 => 1e6,
        -6 => 1e9,
        _ => 1e12,
    };
    // Positive, so Rust's ties-away-from-zero rounding is JavaScript's
    // `Math.round`. Counted in thousandths of the unit, so that the three
    // decimals come from integers (as `toFixed(3)` would print them)
    // without float formatting.
    let mut thousandths = (sec * scale).round();
    if thousandths == 1_000_000.0 {
        range += 3;
        thousandths = 1000.0;
    }
    let unit = match range {
        0 => "sec",
        -3 => "msec",
        -6 => "usec",
        -9 => "nsec",
        _ => {
            thousandths = (sec * 1e12).round();
            "nsec"
        }
    };
    (thousandths as u64, unit)
}

/// [`duration_text`] appended to `out`, without making a string of its own
/// in the common case (below 100 s: each access log line has one).
pub(crate) fn push_duration_text(out: &mut String, sec: f64, no_spaces: bool) {
    if sec > 0.0 && sec < 99.9995 {
        let (t, unit) = short_duration(sec);
        let mut digits = itoa::Buffer::new();
        out.push_str(digits.format(t / 1000));
        out.push('.');
        let fraction = t % 1000;
        if fraction < 100 {
            out.push('0');
        }
        if fraction < 10 {
            out.push('0');
        }
        out.push_str(digits.format(fraction));
        out.push(if no_spaces { '_' } else { ' ' });
        out.push_str(unit);
    } else {
        out.push_str(&duration_text(sec, no_spaces));
    }
}

/// The clock form of FMT-1 for durations from 99.9995 s on: tenths below an
/// hour (`:59:59.9`), whole seconds from then on, days as a `<n>d ` prefix.
fn clock_text(sec: f64, sep: &str) -> String {
    let with_tenth = sec < 60.0 * 60.0 - 0.05;
    let rounded = if with_tenth {
        (sec * 10.0).round()
    } else {
        sec.round() * 10.0
    };
    if !rounded.is_finite() {
        // Within a factor of ten of the largest `f64`; the reference throws.
        return format!("{}{sep}sec", format_number(sec));
    }
    let (day, in_day) = divide_whole_decimal(&format!("{rounded:.0}"), 864_000);

    let tenth = in_day % 10;
    let s = (in_day / 10) % 60;
    let min = (in_day / 600) % 60;
    let hour = in_day / 36_000;

    let mut text = if day != "0" {
        format!("{day}d {hour}")
    } else if hour > 0 {
        hour.to_string()
    } else {
        String::new()
    };
    text.push_str(&format!(":{min:02}:{s:02}"));
    if with_tenth {
        text.push_str(&format!(".{tenth}"));
    }
    text
}

/// Divides the whole number written in decimal `digits` by `divisor`,
/// returning the quotient in decimal and the remainder. Done on the text
/// because durations can be far beyond any integer type (the reference
/// uses big integers, so even `1e300` seconds prints every day digit).
fn divide_whole_decimal(digits: &str, divisor: u64) -> (String, u64) {
    let mut quotient = String::with_capacity(digits.len());
    let mut remainder = 0_u64;
    for digit in digits.bytes().filter(u8::is_ascii_digit) {
        remainder = remainder * 10 + u64::from(digit - b'0');
        let q = remainder / divisor;
        remainder %= divisor;
        if !(quotient.is_empty() && q == 0) {
            quotient.push_str(&q.to_string());
        }
    }
    if quotient.is_empty() {
        quotient.push('0');
    }
    (quotient, remainder)
}

/// [`format_byte_count`] of `bytes` appended to `out`, without making a
/// string of its own for a whole count below 100,000 (each access log line
/// has one).
pub fn push_byte_count(out: &mut String, bytes: u64, no_spaces: bool) {
    if bytes < 100_000 {
        out.push_str(itoa::Buffer::new().format(bytes));
        out.push_str(if no_spaces { "_B" } else { " B" });
    } else {
        out.push_str(&format_byte_count(Some(bytes as f64), no_spaces));
    }
}

/// Formats a byte count for humans (FMT-3): `<none>` for `None`, else the
/// count in `B`, `KiB`, `MiB`, `GiB` or `TiB`, chosen so the number stays
/// below 10 000 (100 000 for bytes), as a whole number when it is one and
/// with two decimals otherwise. With `no_spaces`, the number and unit are
/// joined with `_`.
pub fn format_byte_count(bytes: Option<f64>, no_spaces: bool) -> String {
    let Some(bytes) = bytes else {
        return "<none>".to_owned();
    };
    let sep = if no_spaces { "_" } else { " " };
    let neg = if bytes < 0.0 { "-" } else { "" };
    let bytes = bytes.abs();

    const KIB: f64 = 1024.0;
    let (amount, unit) = if bytes < 100_000.0 {
        (bytes, "B")
    } else if bytes < 10_000.0 * KIB {
        (bytes / KIB, "KiB")
    } else if bytes < 10_000.0 * KIB * KIB {
        (bytes / (KIB * KIB), "MiB")
    } else if bytes < 10_000.0 * KIB * KIB * KIB {
        (bytes / (KIB * KIB * KIB), "GiB")
    } else {
        (bytes / (KIB * KIB * KIB * KIB), "TiB")
    };

    let number = if amount.is_finite() && amount.fract() == 0.0 {
        // Whole amounts here are below 10^5 (or huge TiB counts): integer
        // formatting says the same as the JavaScript-style one, for less.
        if amount < 1e15 {
            (amount as u64).to_string()
        } else {
            format_number(amount)
        }
    } else {
        to_fixed(amount, 2)
    };
    format!("{neg}{number}{sep}{unit}")
}

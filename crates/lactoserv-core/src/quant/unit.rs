//! A number with an optional numerator and denominator unit, and the generic
//! quantity grammar every typed quantity is parsed with (Lactoserv
//! `quant/export/UnitQuantity.js`, its `parse` and `parseUnitSpec`).
//!
//! The parser follows the reference's regular expressions step by step
//! (including where they backtrack) rather than a cleaned-up grammar, because
//! existing configuration files must be accepted or rejected exactly as
//! before.

use std::str::FromStr;

use super::ParseError;

/// Longest unit specification (after the number and separator) accepted, in
/// UTF-16 code units as JavaScript counts string length.
const MAX_UNIT_SPEC_LEN: usize = 100;

/// Longest unit name, in characters.
const MAX_UNIT_NAME_LEN: usize = 10;

/// A parsed quantity string: a value and its (uncancelled) units.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitQuantity {
    /// The number as written, always finite.
    pub value: f64,
    /// The numerator unit name, if any.
    pub numerator: Option<String>,
    /// The denominator unit name, if any.
    pub denominator: Option<String>,
}

/// A table of unit factors, keyed the way the reference keys them: `"sec/"`
/// for a numerator unit, `"/sec"` for a denominator unit.
pub(crate) type UnitTable = &'static [(&'static str, f64)];

impl UnitQuantity {
    /// Converts to a plain number by looking each unit up in the tables, in
    /// order, and multiplying by its factor. Each table must account for
    /// exactly one unit, and every unit must be accounted for; otherwise the
    /// quantity has the wrong units and the result is `None`.
    pub(crate) fn convert(&self, tables: &[UnitTable]) -> Option<f64> {
        let mut pending: Vec<String> = Vec::with_capacity(2);
        if let Some(n) = &self.numerator {
            pending.push(format!("{n}/"));
        }
        if let Some(d) = &self.denominator {
            pending.push(format!("/{d}"));
        }

        let mut value = self.value;
        for table in tables {
            let (index, factor) = pending.iter().enumerate().find_map(|(i, key)| {
                table
                    .iter()
                    .find(|(name, _)| name == key)
                    .map(|&(_, factor)| (i, factor))
            })?;
            value *= factor;
            pending.remove(index);
        }

        pending.is_empty().then_some(value)
    }
}

impl FromStr for UnitQuantity {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, ParseError> {
        parse(input).ok_or_else(|| ParseError::new("quantity", input))
    }
}

/// Parses the whole quantity string, or `None` if it is not valid.
fn parse(input: &str) -> Option<UnitQuantity> {
    // The reference's `.` never matches a line terminator, so any of them
    // anywhere makes one of its patterns fail.
    if input.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let text = input.trim_matches(' ');
    if text.is_empty() {
        return None;
    }

    let (number, unit_spec) = split_number(text)?;
    let value = parse_number(number)?;
    let (numerator, denominator) = parse_unit_spec(unit_spec)?;

    Some(UnitQuantity {
        // `-0` means 0; adding positive zero turns negative zero into it.
        value: value + 0.0,
        numerator,
        denominator,
    })
}

/// Splits `text` into the number and the unit specification, dropping the
/// optional separator. The number is the longest run of number-ish
/// characters not ending in `_` after which the rest fits; shorter runs are
/// only tried when the longest one leaves an unacceptable rest, as the
/// reference's backtracking regex does.
fn split_number(text: &str) -> Option<(&str, &str)> {
    let run = text
        .bytes()
        .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'_' | b'0'..=b'9' | b'e' | b'E'))
        .count();

    // `run` counts ASCII bytes only, so every `len` below is a char boundary.
    for len in (1..=run).rev() {
        let (number, rest) = text.split_at(len);
        if number.ends_with('_') {
            continue;
        }
        let with_separator = rest
            .strip_prefix([' ', '_'])
            .into_iter()
            .chain(std::iter::once(rest));
        for spec in with_separator {
            if !spec.starts_with(' ') && spec.encode_utf16().count() <= MAX_UNIT_SPEC_LEN {
                return Some((number, spec));
            }
        }
    }
    None
}

/// Parses the number part: underscores only between digits, then a plain
/// decimal literal. Literals that overflow to infinity are rejected.
fn parse_number(number: &str) -> Option<f64> {
    let bytes = number.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'_' {
            continue;
        }
        let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
        let digit_after = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(digit_before && digit_after) {
            return None;
        }
    }

    let literal: String = number.chars().filter(|&c| c != '_').collect();
    if !is_decimal_literal(literal.as_bytes()) {
        return None;
    }
    literal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Whether `s` is `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`.
fn is_decimal_literal(s: &[u8]) -> bool {
    let digits = |from: usize| s[from..].iter().take_while(|b| b.is_ascii_digit()).count();

    let mut i = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let int_digits = digits(i);
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = digits(i);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = digits(i);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == s.len()
}

/// Parsed units: numerator and denominator, `None` where absent.
type Units = (Option<String>, Option<String>);

/// Parses a unit specification (`sec`, `KiB/sec`, `per day`, `/`, …).
fn parse_unit_spec(spec: &str) -> Option<Units> {
    let core = spec.trim_matches(' ');
    let allowed = |c: char| matches!(c, ' ' | '_' | '/') || is_letter(c);
    if !core.chars().all(allowed) || core.ends_with('_') {
        return None;
    }

    let (numerator, denominator) = match denominator_part(core) {
        Some(denominator) => ("", denominator),
        None => {
            let split = core.find([' ', '_', '/']).unwrap_or(core.len());
            let (numerator, rest) = core.split_at(split);
            let rest = rest.strip_prefix([' ', '_']).unwrap_or(rest);
            (numerator, denominator_part(rest)?)
        }
    };

    if !is_unit_name(numerator) || !is_unit_name(denominator) {
        return None;
    }
    if numerator == "per" || denominator == "per" {
        // Too confusing to allow (`1 per per`).
        return None;
    }

    let cancels = numerator == denominator;
    let keep = |name: &str| (!name.is_empty() && !cancels).then(|| name.to_owned());
    Some((keep(numerator), keep(denominator)))
}

/// Matches a denominator part (empty, or `/` or a word `per`, one optional
/// separator, then the rest), returning the rest as the denominator name to
/// be checked, or `None` if `spec` does not start like a denominator.
fn denominator_part(spec: &str) -> Option<&str> {
    if spec.is_empty() {
        return Some("");
    }
    let rest = match spec.strip_prefix('/') {
        Some(rest) => rest,
        None => {
            let rest = spec.strip_prefix("per")?;
            if !(rest.is_empty() || rest.starts_with([' ', '_'])) {
                return None;
            }
            rest
        }
    };
    Some(rest.strip_prefix([' ', '_']).unwrap_or(rest))
}

/// Whether `name` is 0 to 10 letters (emptiness is checked by the caller).
fn is_unit_name(name: &str) -> bool {
    name.chars().all(is_letter) && name.chars().count() <= MAX_UNIT_NAME_LEN
}

/// Whether `c` is a Unicode letter (general category `L`), as the
/// reference's `\p{Letter}` tests. The standard library only offers the
/// broader `Alphabetic` property; letter-numbers (`Ⅻ`) and the circled and
/// squared Latin letters are taken out of it here, but combining vowel signs
/// of some scripts remain accepted. No unit in any table contains such a
/// character, so only generic parses of exotic names can differ.
fn is_letter(c: char) -> bool {
    c.is_alphabetic()
        && !c.is_numeric()
        && !matches!(c, '\u{24B6}'..='\u{24E9}' | '\u{1F130}'..='\u{1F149}' | '\u{1F150}'..='\u{1F169}' | '\u{1F170}'..='\u{1F189}')
}

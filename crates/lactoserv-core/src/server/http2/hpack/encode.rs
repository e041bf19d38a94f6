//! Encoding a response's header block: every field a literal without
//! indexing (RFC 7541 §6.2.2), its name from the static table when it is
//! there, nothing Huffman-coded, the dynamic table never used.
//!
//! Left out of the dynamic table, a block depends on nothing the
//! connection has sent before, so the fields of a prepared response are
//! encoded once and their bytes kept with it; only `:status`, `date` and
//! `content-length` are encoded per answer, and all three are short.

use http::{HeaderName, StatusCode};

use super::tables::STATIC;

/// Appends `:status`, indexed when the static table has the code.
pub(crate) fn status(dst: &mut Vec<u8>, status: StatusCode) {
    let indexed = match status.as_u16() {
        200 => 8,
        204 => 9,
        206 => 10,
        304 => 11,
        400 => 12,
        404 => 13,
        500 => 14,
        _ => 0,
    };
    if indexed != 0 {
        dst.push(0x80 | indexed);
    } else {
        integer(dst, 0x00, 4, 8);
        string(dst, status.as_str().as_bytes());
    }
}

/// Appends the field `name: value`.
pub(crate) fn field(dst: &mut Vec<u8>, name: &HeaderName, value: &[u8]) {
    match static_name(name.as_str()) {
        Some(index) => integer(dst, 0x00, 4, index),
        None => {
            dst.push(0x00);
            string(dst, name.as_str().as_bytes());
        }
    }
    string(dst, value);
}

/// Appends `content-length: length`.
#[cfg(test)]
pub(crate) fn content_length(dst: &mut Vec<u8>, length: u64) {
    integer(dst, 0x00, 4, CONTENT_LENGTH);
    string(dst, itoa::Buffer::new().format(length).as_bytes());
}

/// Appends `date: value`.
#[cfg(test)]
pub(crate) fn date(dst: &mut Vec<u8>, value: &[u8]) {
    integer(dst, 0x00, 4, DATE);
    string(dst, value);
}

/// Appends `date` with the current second's date.
pub(crate) fn date_now(dst: &mut Vec<u8>) {
    integer(dst, 0x00, 4, DATE);
    // An HTTP date is always 29 bytes.
    dst.push(29);
    crate::server::http1::extend_date(dst);
}

/// The static table's indexes of the names every answer may carry.
#[cfg(test)]
const CONTENT_LENGTH: usize = 28;
const DATE: usize = 33;

/// The static table's index of `name`, for the names responses use.
fn static_name(name: &str) -> Option<usize> {
    // The first entry with the name: those with values come first for
    // `:status` only, which is not a header name.
    STATIC
        .iter()
        .position(|(entry, _)| *entry == name)
        .map(|at| at + 1)
}

/// An integer `value` with an `n`-bit prefix, the first byte's other bits
/// being `flags` (RFC 7541 §5.1).
fn integer(dst: &mut Vec<u8>, flags: u8, n: u8, value: usize) {
    let max = (1_usize << n) - 1;
    if value < max {
        dst.push(flags | value as u8);
        return;
    }
    dst.push(flags | max as u8);
    let mut rest = value - max;
    while rest >= 0x80 {
        dst.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    dst.push(rest as u8);
}

/// A string literal, not Huffman-coded.
fn string(dst: &mut Vec<u8>, bytes: &[u8]) {
    integer(dst, 0x00, 7, bytes.len());
    dst.extend_from_slice(bytes);
}

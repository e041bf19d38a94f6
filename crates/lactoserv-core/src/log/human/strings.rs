//! String literals and object keys as the human log format writes them:
//! the way Node's `util.inspect()` quotes a string, and the key rules of
//! Lactoserv `HumanVisitor.#renderKey()` (spec LOG-19).

use super::super::text::js_length;

/// Strings longer than this (in UTF-16 units) are cut, with a note of how
/// much was left out (`util.inspect` `maxStringLength`).
const MAX_STRING_LENGTH: usize = 10_000;

/// Strings longer than this are written one literal per line, joined with
/// `+` (`util.inspect` `breakLength` minus 4; its other condition, more than
/// 16 units, is implied).
const SPLIT_LENGTH: usize = 80 - 4;

/// `text` as a JavaScript string literal, as `util.inspect(text)` writes it.
pub(crate) fn inspect_string(text: &str) -> String {
    let total = js_length(text);
    let (text, trailer) = if total > MAX_STRING_LENGTH {
        let remaining = total - MAX_STRING_LENGTH;
        let plural = if remaining > 1 { "s" } else { "" };
        (
            cut_to_length(text, MAX_STRING_LENGTH),
            format!("... {remaining} more character{plural}"),
        )
    } else {
        (text, String::new())
    };

    let length = js_length(text);
    let mut out = if length > SPLIT_LENGTH {
        // One literal per line of the string (each keeping its `\n`).
        text.split_inclusive('\n')
            .map(quote)
            .collect::<Vec<_>>()
            .join(" +\n  ")
    } else {
        quote(text)
    };
    out.push_str(&trailer);
    out
}

/// An object key followed by `:`: bare if it is an identifier or a
/// canonical non-negative integer, `[-12]:` for a negative integer, quoted
/// otherwise.
pub(crate) fn render_key(key: &str) -> String {
    if is_identifier(key) || is_index(key) {
        format!("{key}:")
    } else if key
        .strip_prefix('-')
        .is_some_and(|rest| rest != "0" && is_index(rest))
    {
        format!("[{key}]:")
    } else {
        format!("{}:", inspect_string(key))
    }
}

/// `[$_a-zA-Z][$_a-zA-Z0-9]*`.
fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c == '$' || c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '$' || c == '_' || c.is_ascii_alphanumeric())
}

/// `0` or `[1-9][0-9]{0,15}`.
fn is_index(key: &str) -> bool {
    key == "0"
        || (!key.starts_with('0')
            && (1..=16).contains(&key.len())
            && key.bytes().all(|b| b.is_ascii_digit()))
}

/// The longest prefix of `text` of at most `units` UTF-16 units (never
/// splitting a character).
fn cut_to_length(text: &str, units: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.len_utf16();
        if used > units {
            return &text[..at];
        }
    }
    text
}

/// One quoted literal: single quotes unless the text has `'`, then double
/// quotes unless it also has `"`, then backticks unless it also has a
/// backtick or `${`; control characters, the chosen quote (only when it is
/// `'`) and backslashes are escaped.
fn quote(text: &str) -> String {
    let quote = if !text.contains('\'') {
        '\''
    } else if !text.contains('"') {
        '"'
    } else if !text.contains('`') && !text.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\'' if quote == '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

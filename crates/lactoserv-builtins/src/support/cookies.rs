//! Parsing a request's `Cookie` header as Lactoserv does for its logs
//! (`net-util/export/Cookies.js`): strict about what a cookie assignment
//! may contain (RFC 6265's `cookie-name` and `cookie-value`), lenient about
//! what lies between assignments, and each value URI-decoded (JavaScript's
//! `decodeURI`), a value that does not decode being left out.
//!
//! Hand-written: the cookie crates parse the RFC's exact `; `-separated
//! grammar and reject or split differently from the reference's scan,
//! which finds every `name=value` followed by `;` or the end, wherever it
//! is in the header.

/// A byte of a cookie name: visible ASCII (and DEL) but for separators.
fn is_name_byte(byte: u8) -> bool {
    (0x21..=0x7f).contains(&byte) && !b"[]\\()<>{}@,;:\"=".contains(&byte)
}

/// A byte of a cookie value: visible ASCII (and DEL) but for `\ , ; "`.
fn is_value_byte(byte: u8) -> bool {
    (0x21..=0x7f).contains(&byte) && !b"\\,;\"".contains(&byte)
}

/// The cookies in `header`, in order of first appearance (a repeated name
/// keeps its first place and takes the last value); empty when none is
/// well formed.
pub(crate) fn parse(header: &str) -> Vec<(String, String)> {
    let bytes = header.as_bytes();
    let mut cookies: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match assignment(bytes, at) {
            Ok((name, value, end)) => {
                if let Some(value) = decode_uri(&header[value]) {
                    let name = &header[name];
                    match cookies.iter_mut().find(|(n, _)| n == name) {
                        Some(existing) => existing.1 = value,
                        None => cookies.push((name.to_owned(), value)),
                    }
                }
                at = end;
            }
            // No assignment starts anywhere up to `resume` either: each
            // would run into the same obstacle.
            Err(resume) => at = resume,
        }
    }
    cookies
}

/// Matches `name=value` then ` *;` or ` *$` at `start`: the name's and the
/// value's ranges and where the match ends; or where to look next.
fn assignment(
    bytes: &[u8],
    start: usize,
) -> Result<(std::ops::Range<usize>, std::ops::Range<usize>, usize), usize> {
    let name_end = start
        + bytes[start..]
            .iter()
            .take_while(|&&b| is_name_byte(b))
            .count();
    if name_end == start || bytes.get(name_end) != Some(&b'=') {
        return Err(name_end.max(start) + 1);
    }
    let value_start = name_end + 1;
    let run = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|&&b| is_value_byte(b))
            .count()
    };
    let (value, after) = if bytes.get(value_start) == Some(&b'"') {
        let end = run(value_start + 1);
        if bytes.get(end) != Some(&b'"') {
            return Err(value_start);
        }
        (value_start + 1..end, end + 1)
    } else {
        let end = run(value_start);
        (value_start..end, end)
    };
    let spaces = bytes[after..].iter().take_while(|&&b| b == b' ').count();
    match bytes.get(after + spaces) {
        None => Ok((start..name_end, value, after + spaces)),
        Some(b';') => Ok((start..name_end, value, after + spaces + 1)),
        Some(_) => Err(value_start),
    }
}

/// JavaScript's `decodeURI`: `%XX` escapes decoded as UTF-8, except those
/// of the characters a URI reserves (`; / ? : @ & = + $ , #`), which stay
/// escaped; `None` for a malformed escape or invalid UTF-8.
fn decode_uri(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            let next = text[at..].find('%').map_or(bytes.len(), |n| at + n);
            out.push_str(&text[at..next]);
            at = next;
            continue;
        }
        let first = escaped_byte(bytes, at)?;
        let length = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => return None,
        };
        if length == 1 {
            if b";/?:@&=+$,#".contains(&first) {
                out.push_str(&text[at..at + 3]);
            } else {
                out.push(char::from(first));
            }
            at += 3;
            continue;
        }
        let mut sequence = [first, 0, 0, 0];
        for (i, slot) in sequence.iter_mut().enumerate().take(length).skip(1) {
            *slot = escaped_byte(bytes, at + 3 * i)?;
        }
        out.push_str(std::str::from_utf8(&sequence[..length]).ok()?);
        at += 3 * length;
    }
    Some(out)
}

/// The byte of the `%XX` escape at `at`.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let hex = bytes.get(at + 1..at + 3)?;
    u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(header: &str) -> Vec<(String, String)> {
        parse(header)
    }

    fn list(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_the_usual_list() {
        assert_eq!(pairs("a=1; b=two"), list(&[("a", "1"), ("b", "two")]));
        assert_eq!(
            pairs("a=1;b=2 ;  c=\"3\""),
            list(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
        assert_eq!(pairs("empty=; x=y"), list(&[("empty", ""), ("x", "y")]));
    }

    #[test]
    fn skips_what_is_not_an_assignment_and_finds_the_rest() {
        assert_eq!(pairs("junk b=c"), list(&[("b", "c")]));
        assert_eq!(pairs("a=b c=d"), list(&[("c", "d")]));
        assert_eq!(pairs("a=\"open; b=2"), list(&[("b", "2")]));
        assert_eq!(pairs("[x]=1; y=2"), list(&[("y", "2")]));
        assert!(pairs("no cookies here").is_empty());
        assert!(pairs("").is_empty());
    }

    #[test]
    fn a_repeated_name_keeps_its_place_and_the_last_value() {
        assert_eq!(pairs("a=1; b=2; a=3"), list(&[("a", "3"), ("b", "2")]));
    }

    #[test]
    fn values_are_decoded_as_decode_uri_does() {
        assert_eq!(pairs("a=%41%20b"), list(&[("a", "A b")]));
        assert_eq!(pairs("a=%2F%3b%23"), list(&[("a", "%2F%3b%23")]));
        assert_eq!(pairs("a=caf%C3%A9"), list(&[("a", "café")]));
        // Malformed or not UTF-8: the cookie is left out.
        assert_eq!(pairs("a=%zz; b=1"), list(&[("b", "1")]));
        assert_eq!(pairs("a=%C3; b=1"), list(&[("b", "1")]));
        assert_eq!(pairs("a=%ED%A0%80; b=1"), list(&[("b", "1")]));
    }
}

//! `Range` header parsing as the reference does it (the `range-parser`
//! package: lenient integers, overlapping and adjacent ranges combined), with
//! our suffix-range rule (spec 02 RNG-3, RNG-6).

/// An inclusive byte range `[start, end]` of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// The first byte.
    pub start: u64,
    /// The last byte (inclusive).
    pub end: u64,
}

impl ByteRange {
    /// How many bytes the range covers.
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    /// Never true: a range covers at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// What a `Range` header asks of a body of a given length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeRequest {
    /// No range can be served (416).
    Unsatisfiable,
    /// These ranges, combined and in order of first appearance.
    Ranges(Vec<ByteRange>),
}

/// Parses `value` against a body of `length` bytes.
pub fn parse_range(value: &str, length: u64) -> RangeRequest {
    let Some((unit, list)) = value.split_once('=') else {
        return RangeRequest::Unsatisfiable;
    };
    if length == 0 {
        return RangeRequest::Unsatisfiable;
    }
    let last = length - 1;
    let mut ranges: Vec<ByteRange> = Vec::new();
    for element in list.split(',') {
        let mut parts = element.split('-');
        let start = parts.next().and_then(leading_integer);
        let end = parts.next().and_then(leading_integer);
        let range = match (start, end) {
            // A suffix (`-n`, or any start that is not a number): the last
            // `n` bytes, all of them when `n` is at least the length.
            (None, Some(0)) => None,
            (None, Some(n)) => Some((length.saturating_sub(n), last)),
            (None, None) => None,
            (Some(start), None) => Some((start, last)),
            (Some(start), Some(end)) => Some((start, end.min(last))),
        };
        if let Some((start, end)) = range
            && start <= end
        {
            ranges.push(ByteRange { start, end });
        }
    }
    if ranges.is_empty() || unit != "bytes" {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Ranges(combine(ranges))
}

/// The leading decimal integer of `text`, as JavaScript's `parseInt`
/// reads it: optional leading whitespace and `+`, then digits; anything
/// after them ignored. `None` without digits (or a negative sign).
fn leading_integer(text: &str) -> Option<u64> {
    let text = text.trim_start();
    let text = text.strip_prefix('+').unwrap_or(text);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    // Beyond u64 a range is past any body: saturate.
    Some(text[..digits].parse().unwrap_or(u64::MAX))
}

/// Merges ranges that overlap or touch, keeping them in order of first
/// appearance.
fn combine(ranges: Vec<ByteRange>) -> Vec<ByteRange> {
    if ranges.len() == 1 {
        return ranges;
    }
    let mut indexed: Vec<(usize, ByteRange)> = ranges.into_iter().enumerate().collect();
    indexed.sort_by_key(|(_, r)| r.start);
    let mut merged: Vec<(usize, ByteRange)> = Vec::with_capacity(indexed.len());
    for (index, range) in indexed {
        match merged.last_mut() {
            Some((first, current)) if range.start <= current.end.saturating_add(1) => {
                current.end = current.end.max(range.end);
                *first = (*first).min(index);
            }
            _ => merged.push((index, range)),
        }
    }
    merged.sort_by_key(|(index, _)| *index);
    merged.into_iter().map(|(_, range)| range).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(value: &str, length: u64) -> Vec<(u64, u64)> {
        match parse_range(value, length) {
            RangeRequest::Ranges(ranges) => ranges.iter().map(|r| (r.start, r.end)).collect(),
            RangeRequest::Unsatisfiable => panic!("{value}: unsatisfiable"),
        }
    }

    fn unsatisfiable(value: &str, length: u64) -> bool {
        parse_range(value, length) == RangeRequest::Unsatisfiable
    }

    #[test]
    fn single_ranges_follow_the_spec_vectors() {
        assert_eq!(ranges("bytes=10-500", 1000), [(10, 500)]);
        assert_eq!(ranges("bytes=1-4", 10), [(1, 4)]);
        assert_eq!(ranges("bytes=0-9", 731), [(0, 9)]);
        assert_eq!(ranges("bytes=700-", 731), [(700, 730)]);
        assert_eq!(ranges("bytes=-31", 731), [(700, 730)]);
        assert_eq!(ranges("bytes=725-800", 731), [(725, 730)]);
        assert_eq!(ranges("bytes=0-0", 731), [(0, 0)]);
        assert_eq!(ranges("bytes=0-3,abc", 731), [(0, 3)]);
        assert_eq!(ranges("bytes=1x-5y", 731), [(1, 5)]);
        for value in ["bytes=+5-+9", "bytes= 5-9", "bytes=5-9-20"] {
            assert_eq!(ranges(value, 731), [(5, 9)], "{value}");
        }
        assert_eq!(ranges("bytes=abc-5", 731), [(726, 730)]);
    }

    #[test]
    fn a_suffix_longer_than_the_body_is_the_whole_body() {
        assert_eq!(ranges("bytes=-2000", 731), [(0, 730)]);
        assert!(unsatisfiable("bytes=-0", 731));
    }

    #[test]
    fn overlapping_and_adjacent_ranges_combine() {
        assert_eq!(ranges("bytes=0-4,5-9", 731), [(0, 9)]);
        assert_eq!(ranges("bytes=0-5,3-9", 731), [(0, 9)]);
        assert_eq!(ranges("bytes=0-0,5-9", 731), [(0, 0), (5, 9)]);
        assert_eq!(ranges("bytes=1-5, 100-110", 1000), [(1, 5), (100, 110)]);
        assert_eq!(ranges("bytes=100-110,1-5", 1000), [(100, 110), (1, 5)]);
        assert_eq!(ranges("bytes=50-60,1-5,4-8", 1000), [(50, 60), (1, 8)]);
    }

    #[test]
    fn bad_ranges_are_unsatisfiable() {
        for value in [
            "florps=10-500",
            "bytes=731-",
            "bytes=10-1",
            "bytes=abc",
            "bytes=",
            "bytes=--5",
            "Bytes=0-3",
            "bytes = 0-3",
            "items=0-3",
            "bytes",
        ] {
            assert!(unsatisfiable(value, 731), "{value}");
        }
        assert!(unsatisfiable("bytes=0-0", 0));
        assert!(unsatisfiable("bytes=99999999999999999999999-", 10));
    }
}

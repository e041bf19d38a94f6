use http::HeaderValue;

use super::*;

/// `Sun, 21 Jan 2024 06:18:17 GMT`.
const T: u64 = 1_705_817_897;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn rep(etag: Option<&str>, last_modified: Option<u64>) -> Representation<'_> {
    Representation {
        etag,
        last_modified,
        length: 1000,
        ranges: true,
    }
}

fn date(secs: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

fn outcome(method: Method, pairs: &[(&'static str, &str)], rep: &Representation<'_>) -> Outcome {
    evaluate(&method, &headers(pairs), rep)
}

fn fresh(pairs: &[(&'static str, &str)], rep: &Representation<'_>) -> bool {
    outcome(Method::GET, pairs, rep) == Outcome::NotModified
}

#[test]
fn freshness_follows_the_spec_vectors() {
    let xyz = rep(Some("\"xyz\""), Some(T));
    for method in [Method::POST, Method::PUT] {
        assert_eq!(
            outcome(method, &[("if-none-match", "\"xyz\"")], &xyz),
            Outcome::Whole
        );
    }
    assert!(!fresh(&[], &xyz));
    assert!(!fresh(
        &[("cache-control", "no-cache"), ("if-none-match", "\"xyz\"")],
        &xyz
    ));
    assert!(fresh(&[("if-none-match", "\"xyz\"")], &xyz));
    assert!(fresh(
        &[("if-none-match", "\"abc\", \"xyz\", \"pdq\"")],
        &xyz
    ));
    assert!(!fresh(
        &[("if-none-match", "\"xyz\"")],
        &rep(Some("\"abc\""), None)
    ));
    assert!(fresh(
        &[("if-modified-since", &date(T))],
        &rep(None, Some(T))
    ));
    assert!(!fresh(
        &[("if-modified-since", &date(T))],
        &rep(None, Some(T + 2))
    ));
    let both = rep(Some("\"xyz\""), Some(T + 2));
    assert!(fresh(
        &[
            ("if-modified-since", &date(T)),
            ("if-none-match", "\"xyz\"")
        ],
        &both
    ));
    assert!(!fresh(
        &[
            ("if-modified-since", &date(T)),
            ("if-none-match", "\"abc\"")
        ],
        &both
    ));
    assert!(fresh(
        &[
            ("if-modified-since", &date(T - 1)),
            ("if-none-match", "\"xyz\"")
        ],
        &xyz
    ));
    assert!(!fresh(&[("if-modified-since", "garbage")], &xyz));
    assert!(fresh(
        &[("if-modified-since", "Tue, 01 Jan 2030 00:00:00 GMT")],
        &xyz
    ));
    assert!(!fresh(
        &[
            ("cache-control", "max-age=0, no-cache"),
            ("if-modified-since", "Tue, 01 Jan 2030 00:00:00 GMT")
        ],
        &xyz
    ));
    assert!(fresh(
        &[
            ("pragma", "no-cache"),
            ("if-modified-since", "Tue, 01 Jan 2030 00:00:00 GMT")
        ],
        &xyz
    ));
}

#[test]
fn if_none_match_uses_weak_comparison_and_star() {
    let strong = rep(Some("\"xyz\""), None);
    assert!(fresh(&[("if-none-match", "W/\"xyz\"")], &strong));
    assert!(fresh(
        &[("if-none-match", "\"xyz\"")],
        &rep(Some("W/\"xyz\""), None)
    ));
    assert!(fresh(&[("if-none-match", "*")], &strong));
    assert!(fresh(&[("if-none-match", "*")], &rep(None, None)));
    assert!(fresh(&[("if-none-match", "\"a\",\t\"xyz\"")], &strong));
    assert!(fresh(&[("if-none-match", "\"a\",\"xyz\"")], &strong));
    assert!(!fresh(&[("if-none-match", "\"xyz\"")], &rep(None, Some(T))));
}

#[test]
fn failed_preconditions_come_before_freshness() {
    let strong = rep(Some("\"xyz\""), Some(T));
    let failed = Outcome::PreconditionFailed;
    let get =
        |pairs: &[(&'static str, &str)], rep: &Representation<'_>| outcome(Method::GET, pairs, rep);
    assert_eq!(get(&[("if-match", "\"nope\"")], &strong), failed);
    assert_eq!(get(&[("if-match", "\"xyz\"")], &strong), Outcome::Whole);
    assert_eq!(
        get(&[("if-match", "\"a\", \"xyz\"")], &strong),
        Outcome::Whole
    );
    assert_eq!(get(&[("if-match", "*")], &strong), Outcome::Whole);
    assert_eq!(get(&[("if-match", "W/\"xyz\"")], &strong), failed);
    let weak = rep(Some("W/\"xyz\""), Some(T));
    assert_eq!(get(&[("if-match", "W/\"xyz\"")], &weak), failed);
    assert_eq!(get(&[("if-match", "\"xyz\"")], &rep(None, None)), failed);
    assert_eq!(
        get(&[("if-unmodified-since", &date(T - 1))], &strong),
        failed
    );
    assert_eq!(
        get(&[("if-unmodified-since", &date(T))], &strong),
        Outcome::Whole
    );
    assert_eq!(
        get(
            &[("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT")],
            &strong
        ),
        failed
    );
    assert_eq!(
        get(&[("if-unmodified-since", "whenever")], &strong),
        Outcome::Whole
    );
    // If-Match present: If-Unmodified-Since is not looked at.
    assert_eq!(
        get(
            &[("if-match", "\"xyz\""), ("if-unmodified-since", &date(0))],
            &strong
        ),
        Outcome::Whole
    );
    assert_eq!(
        get(
            &[("if-match", "\"nope\""), ("if-none-match", "\"xyz\"")],
            &strong
        ),
        failed
    );
}

fn ranged(pairs: &[(&'static str, &str)], rep: &Representation<'_>) -> Outcome {
    outcome(Method::GET, pairs, rep)
}

fn partial(start: u64, end: u64) -> Outcome {
    Outcome::Partial(vec![ByteRange { start, end }])
}

#[test]
fn ranges_follow_the_spec_vectors() {
    let plain = rep(None, None);
    assert_eq!(ranged(&[], &plain), Outcome::Whole);
    assert_eq!(
        ranged(&[("range", "bytes=10-500")], &plain),
        partial(10, 500)
    );
    assert_eq!(
        outcome(Method::POST, &[("range", "bytes=10-500")], &plain),
        Outcome::Whole
    );
    assert_eq!(
        ranged(&[("range", "florps=10-500")], &plain),
        Outcome::Unsatisfiable
    );
    assert_eq!(
        ranged(&[("range", "bytes=1-5, 100-110")], &plain),
        Outcome::Partial(vec![
            ByteRange { start: 1, end: 5 },
            ByteRange {
                start: 100,
                end: 110
            }
        ])
    );
    let no_ranges = Representation {
        ranges: false,
        ..plain
    };
    assert_eq!(
        ranged(&[("range", "bytes=0-1")], &no_ranges),
        Outcome::Whole
    );
    let tagged = rep(Some("\"abc\""), None);
    assert_eq!(
        ranged(
            &[("range", "bytes=0-3"), ("if-none-match", "\"abc\"")],
            &tagged
        ),
        Outcome::NotModified
    );
}

#[test]
fn if_range_follows_the_spec_vectors() {
    let range = ("range", "bytes=10-11");
    let florp = rep(Some("\"FLORP\""), None);
    assert_eq!(
        ranged(&[range, ("if-range", "\"FLORP\"")], &florp),
        partial(10, 11)
    );
    let weak = rep(Some("W/\"FLORP\""), None);
    assert_eq!(
        ranged(&[range, ("if-range", "W/\"FLORP\"")], &weak),
        Outcome::Whole
    );
    assert_eq!(
        ranged(&[range, ("if-range", "\"FLORP\"")], &rep(None, None)),
        Outcome::Whole
    );
    assert_eq!(
        ranged(
            &[range, ("if-range", "\"FLORP\"")],
            &rep(Some("\"ZOINKS\""), None)
        ),
        Outcome::Whole
    );
    let modified = rep(None, Some(T));
    let range = ("range", "bytes=51-60");
    assert_eq!(
        ranged(
            &[range, ("if-range", "Thu, 16 May 2024 00:04:21 GMT")],
            &modified
        ),
        partial(51, 60)
    );
    assert_eq!(
        ranged(&[range, ("if-range", &date(T - 1))], &modified),
        Outcome::Whole
    );
    assert_eq!(
        ranged(&[range, ("if-range", &date(T))], &modified),
        partial(51, 60)
    );
    assert_eq!(
        ranged(&[range, ("if-range", &date(T))], &rep(None, None)),
        Outcome::Whole
    );
    // Not applicable: the whole body even for a malformed range.
    assert_eq!(
        ranged(&[("range", "bytes=900-"), ("if-range", "\"x\"")], &florp),
        Outcome::Whole
    );
}

#[test]
fn http_dates_parse_in_all_three_forms() {
    for value in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        assert_eq!(parse_date(value), Some(784_111_777), "{value}");
    }
    assert_eq!(parse_date("who knows"), None);
}

#[test]
fn only_conditional_headers_make_a_request_conditional() {
    assert!(!is_conditional(&headers(&[
        ("host", "x"),
        ("accept", "*/*")
    ])));
    for name in [
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "if-range",
        "range",
    ] {
        assert!(
            is_conditional(&headers(&[("host", "x"), (name, "x")])),
            "{name}"
        );
    }
}

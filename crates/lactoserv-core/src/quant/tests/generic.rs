//! The generic grammar (`UnitQuantity`): every accept and reject vector of
//! §B.6.3, plus the limits and quirks of QTY-1..4.

use crate::quant::UnitQuantity;

/// Parses `input`, panicking with the input named if it is rejected.
fn parse(input: &str) -> UnitQuantity {
    match input.parse::<UnitQuantity>() {
        Ok(q) => q,
        Err(e) => panic!("{input:?} should parse: {e}"),
    }
}

/// Asserts `input` parses to exactly `value` with the given units.
fn assert_parses(input: &str, value: f64, numerator: Option<&str>, denominator: Option<&str>) {
    let q = parse(input);
    assert_eq!(
        (q.value, q.numerator.as_deref(), q.denominator.as_deref()),
        (value, numerator, denominator),
        "parsing {input:?}"
    );
}

#[test]
fn accepts_unitless_forms() {
    let vectors = [
        ("123", 123.0),
        (" 777 ", 777.0),
        ("0/", 0.0),
        ("1 /", 1.0),
        ("2_/", 2.0),
        ("5per", 5.0),
        ("7_per", 7.0),
        ("789 ab/ab", 789.0),
        ("789 x per x", 789.0),
    ];
    for (input, value) in vectors {
        assert_parses(input, value, None, None);
    }
}

#[test]
fn accepts_numerator_only() {
    for input in ["0 x", "0_x", "0z", "   0 x   "] {
        let unit = if input == "0z" { "z" } else { "x" };
        assert_parses(input, 0.0, Some(unit), None);
    }
    assert_parses(".2 z", 0.2, Some("z"), None);
    assert_parses("123 zz/", 123.0, Some("zz"), None);
    assert_parses("4.5 zz /", 4.5, Some("zz"), None);
    assert_parses(".6 zz per", 0.6, Some("zz"), None);
    assert_parses("1 abcdefghij", 1.0, Some("abcdefghij"), None);
}

#[test]
fn accepts_denominator_only() {
    let inputs = [
        "0 /x", "0 / x", "0/x", "0_/x", "0/_x", "0per x", "0 per x", "0_per_x",
    ];
    for input in inputs {
        assert_parses(input, 0.0, None, Some("x"));
    }
}

#[test]
fn accepts_numerator_and_denominator() {
    for input in ["0 x/y", "0 x per y", "0 x_per_y", "0_x_per_y"] {
        assert_parses(input, 0.0, Some("x"), Some("y"));
    }
    assert_parses("-1 a/b", -1.0, Some("a"), Some("b"));
    assert_parses("+1 a/b", 1.0, Some("a"), Some("b"));
}

#[test]
fn accepts_exponents_and_digit_separators() {
    assert_parses("2e+0 zz", 2.0, Some("zz"), None);
    assert_parses("123e5 zonk/zip", 12_300_000.0, Some("zonk"), Some("zip"));
    assert_parses("123e-5 zonk/zip", 0.00123, Some("zonk"), Some("zip"));
    assert_parses("1_2 x", 12.0, Some("x"), None);
    assert_parses("1_23_4 x", 1234.0, Some("x"), None);
    assert_parses("1_2_3_4_5_x", 12345.0, Some("x"), None);
    assert_parses("12.3_4_5 florp/z", 12.345, Some("florp"), Some("z"));
}

#[test]
fn rejects_spec_vectors() {
    let rejects = [
        "",
        "a",
        "1z abc",
        "$1 xyz",
        "1  x",
        "1 2 q",
        "_1 boop",
        "1_ bonk",
        "1__2 hz",
        "3__kB",
        "1._2 MM",
        "1_.2 zyx",
        "1e2e3 x",
        "1e1.2 bb",
        "1 b7b",
        "1 b@b",
        "1 b/7",
        "1 b per 7",
        "1 per %",
        "1 b/c/d",
        "1 b/c/",
        "1 /c/",
        "1 b/_",
        "1 b  /c",
        "1 b/  c",
        "1 b__/c",
        "1 b/__c",
        "1 b_ /c",
        "1 b _/c",
        "1 b/_ c",
        "1 b/ _c",
        "1per_",
        "1 b per c per d",
        "1 b  per c",
        "1 b per  c",
        "1 b__per c",
        "1 b_ per c",
        "1 b per_ c",
        "1 per per",
        "1 /per",
        "1 per/",
        ". z",
        "..1 z",
        "1.. z",
        "e1 z",
        ".e1 z",
        "1ee1 z",
        "++1 z",
        "+-1 z",
        "1+ z",
        "1-1 z",
        "1e z",
        "1e+ z",
        "1e++1 z",
        "1e1+ z",
        "1 abcdefghijk",
        "1\tsec",
    ];
    for input in rejects {
        assert!(
            input.parse::<UnitQuantity>().is_err(),
            "{input:?} should be rejected"
        );
    }
}

#[test]
fn rejects_line_terminators_and_non_space_blanks() {
    for input in [
        "1 sec\n",
        "\n1 sec",
        "1\nsec",
        "1 sec\r",
        "1\u{2028}sec",
        "\u{a0}1 sec",
    ] {
        assert!(
            input.parse::<UnitQuantity>().is_err(),
            "{input:?} should be rejected"
        );
    }
}

#[test]
fn rejects_overflow_but_underflows_to_zero() {
    assert!("1e400 sec".parse::<UnitQuantity>().is_err());
    assert!("-1e400 sec".parse::<UnitQuantity>().is_err());
    assert_parses("1e-400 s", 0.0, Some("s"), None);
}

#[test]
fn reads_negative_zero_as_positive_zero() {
    let q = parse("-0 sec");
    assert_eq!(q.value, 0.0);
    assert!(q.value.is_sign_positive());
}

#[test]
fn rejects_overlong_unit_specs() {
    // No valid spec comes near the 100-unit limit (two 10-letter names and
    // ` per ` are 25), so the limit shows only as a rejection.
    assert!(
        format!("1 {}", "a".repeat(101))
            .parse::<UnitQuantity>()
            .is_err()
    );
    assert!(
        format!("1 x/{}", "𝐀".repeat(50))
            .parse::<UnitQuantity>()
            .is_err()
    );
    // Trailing spaces belong to the whole string, not the spec.
    assert_parses(
        &format!("1 abcdefghij{}", " ".repeat(120)),
        1.0,
        Some("abcdefghij"),
        None,
    );
}

#[test]
fn accepts_unicode_letters_in_unit_names() {
    assert_parses("3 Ω", 3.0, Some("Ω"), None);
    assert_parses("3 çà/été", 3.0, Some("çà"), Some("été"));
    assert_parses("3 𝐀𝐀", 3.0, Some("𝐀𝐀"), None);
}

#[test]
fn treats_unit_names_case_sensitively() {
    assert_parses("1 Sec/sec", 1.0, Some("Sec"), Some("sec"));
}

#[test]
fn follows_reference_quirk_of_leading_underscore_before_slash() {
    // The reference's unit-spec pattern lets a spec start with `_` when what
    // follows is a denominator: `1 _/x` is `1 /x`.
    assert_parses("1 _/x", 1.0, None, Some("x"));
    assert_parses("1__/x", 1.0, None, Some("x"));
    assert!("1 _sec".parse::<UnitQuantity>().is_err());
}

#[test]
fn names_quantity_in_parse_error() {
    let err = "2 mins/x/y".parse::<UnitQuantity>().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Could not parse as a quantity: "2 mins/x/y""#
    );
}

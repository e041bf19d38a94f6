//! Human-format vectors from the spec (LOG-15 to LOG-22) and the reference
//! unit tests.

use super::*;
use crate::quant::{ByteCount, Duration};

/// A moment `sec` seconds into the minute 2026-11-27 16:57 UTC, nudged by
/// half a tenth of a millisecond so the truncated fraction is exactly the
/// digits written.
fn at(sec: f64) -> Moment {
    Moment::new(1_795_798_620.0 + sec + 0.000_05)
}

fn event(when: Moment, tag: &str, kind: &str, args: Vec<LogValue>) -> LogEvent {
    LogEvent {
        when,
        tag: tag.split('.').map(str::to_owned).collect(),
        kind: kind.to_owned(),
        args,
    }
}

fn one_line(value: LogValue) -> String {
    value_to_human(&value)
}

fn strings(items: &[&str]) -> LogValue {
    LogValue::from(items.to_vec())
}

#[test]
fn renders_the_reference_payload_vector() {
    let e = event(
        Moment::new(1_715_623_760.543_2),
        "some.tag",
        "yeah",
        vec![
            LogValue::object([("a", 10.into()), ("b-c", 20.into())]),
            vec![1, 2, 3].into(),
            "yes!".into(),
        ],
    );
    let expected = ":20.5432 some.tag yeah({ a: 10, 'b-c': 20 }, [1, 2, 3], 'yes!')";
    assert_eq!(event_to_human(&e, false, None), expected);
    assert_eq!(event_to_human(&e, false, Some(119)), expected);
}

#[test]
fn renders_observed_single_line_events() {
    let routing = event(
        at(16.8259),
        "webapp.endpoint.insecure",
        "routing",
        vec![LogValue::object([
            ("protocol", "http".into()),
            ("interface", "*:8080".into()),
            ("application", "myRedirector".into()),
        ])],
    );
    assert_eq!(
        event_to_human(&routing, false, Some(119)),
        ":16.8259 webapp.endpoint.insecure routing({ protocol: 'http', interface: '*:8080', application: 'myRedirector' })"
    );
    let written = event(
        at(24.0030),
        "webapp.endpoint.secure.conn.bn_8b1f9_00",
        "totalWritten",
        vec![ByteCount::new(3690.0).into()],
    );
    assert_eq!(
        event_to_human(&written, false, Some(119)),
        ":24.0030 webapp.endpoint.secure.conn.bn_8b1f9_00 totalWritten(@ByteCount(3690, '3690 B'))"
    );
    let closed = event(
        at(24.0035),
        "webapp.endpoint.secure.conn.bn_8b1f9_00",
        "closed",
        vec!["ok".into()],
    );
    assert_eq!(
        event_to_human(&closed, false, Some(119)),
        ":24.0035 webapp.endpoint.secure.conn.bn_8b1f9_00 closed('ok')"
    );
    let started = event(at(1.0), "webapp", "started", Vec::new());
    assert_eq!(
        event_to_human(&started, false, None),
        ":01.0000 webapp started()"
    );
}

#[test]
fn wraps_a_long_object_argument_onto_indented_lines() {
    let local = strings(&["*", "127.0.0.1", "::1"]);
    let named = strings(&["localhost", "*.localhost"]);
    let hosts = LogValue::object([
        ("*", local.clone()),
        ("127.0.0.1", local.clone()),
        ("::1", local),
        ("localhost", named.clone()),
        ("*.localhost", named),
    ]);
    let e = event(at(16.8341), "webapp.host", "knownHosts", vec![hosts]);
    assert_eq!(
        event_to_human(&e, false, Some(119)),
        ":16.8341 webapp.host\n  knownHosts(\n    {\n      '*': ['*', '127.0.0.1', '::1'],\n      \
         '127.0.0.1': ['*', '127.0.0.1', '::1'],\n      '::1': ['*', '127.0.0.1', '::1'],\n      \
         localhost: ['localhost', '*.localhost'],\n      '*.localhost': ['localhost', '*.localhost']\n    })"
    );
}

#[test]
fn moves_a_call_that_fits_on_its_own_line_there() {
    let e = event(
        at(23.9166),
        "webapp.endpoint.secure.dispatch.ra_8b1f9_03.mySite.requestRate",
        "notHandled",
        vec![Duration::new(0.000_666_379_928_588_867_2).into()],
    );
    assert_eq!(
        event_to_human(&e, false, Some(119)),
        ":23.9166 webapp.endpoint.secure.dispatch.ra_8b1f9_03.mySite.requestRate\n  \
         notHandled(@Duration(0.0006663799285888672, '666.380 usec'))"
    );
}

#[test]
fn keeps_nested_values_on_their_key_lines() {
    let request = LogValue::object([
        (
            "origin",
            LogValue::endpoint_address("::ffff:127.0.0.1".parse().unwrap(), 54716),
        ),
        ("protocol", "http-1.1".into()),
        ("method", "get".into()),
        ("url", "//localhost:8080/foo?x=1".into()),
        (
            "headers",
            LogValue::object([
                ("accept", "*/*".into()),
                ("user-agent", "curl/7.88.1".into()),
            ]),
        ),
    ]);
    let e = event(
        at(32.9331),
        "webapp.endpoint.insecure.req.dt_8b1f9_06",
        "request",
        vec![request],
    );
    assert_eq!(
        event_to_human(&e, false, Some(119)),
        ":32.9331 webapp.endpoint.insecure.req.dt_8b1f9_06\n  request(\n    {\n      \
         origin: @EndpointAddress('::ffff:127.0.0.1', 54716),\n      protocol: 'http-1.1',\n      \
         method: 'get',\n      url: '//localhost:8080/foo?x=1',\n      \
         headers: { accept: '*/*', 'user-agent': 'curl/7.88.1' }\n    })"
    );
}

#[test]
fn quotes_strings_as_node_inspect_does() {
    assert_eq!(one_line("".into()), "''");
    assert_eq!(one_line("a\tb\nc\\d".into()), "'a\\tb\\nc\\\\d'");
    assert_eq!(
        one_line("SyntaxError: Unexpected identifier 'is'\n".into()),
        "\"SyntaxError: Unexpected identifier 'is'\\n\""
    );
    assert_eq!(one_line("it's \"x\"".into()), "`it's \"x\"`");
    assert_eq!(one_line("it's \"x\" `y`".into()), "'it\\'s \"x\" `y`'");
    assert_eq!(
        one_line("\u{1b}[1m\u{7f}\u{0b}".into()),
        "'\\x1B[1m\\x7F\\x0B'"
    );
    assert_eq!(one_line("héllo ✓".into()), "'héllo ✓'");
}

#[test]
fn splits_long_multi_line_strings_into_joined_literals() {
    let long = format!("{}\nsecond line\n", "x".repeat(80));
    assert_eq!(
        one_line(long.into()),
        format!("'{}\\n' +\n  'second line\\n'", "x".repeat(80))
    );
    let cut = "y".repeat(10_003);
    assert!(one_line(cut.into()).ends_with("yyy'... 3 more characters"));
}

#[test]
fn writes_keys_bare_only_when_javascript_would() {
    let obj = LogValue::object([
        ("$ok_1", 1.into()),
        ("0", 2.into()),
        ("1234567890123456", 3.into()),
        ("01", 4.into()),
        ("-12", 5.into()),
        ("-0", 6.into()),
        ("@Error", 7.into()),
    ]);
    assert_eq!(
        one_line(obj),
        "{ $ok_1: 1, 0: 2, 1234567890123456: 3, '01': 4, [-12]: 5, '-0': 6, '@Error': 7 }"
    );
    assert_eq!(one_line(LogValue::Object(Vec::new())), "{}");
    assert_eq!(one_line(LogValue::Array(Vec::new())), "[]");
}

#[test]
fn prints_numbers_and_constants_as_javascript_does() {
    assert_eq!(
        one_line(1_795_798_635.692_836_5.into()),
        "1795798635.6928365"
    );
    assert_eq!(one_line(1e21.into()), "1e+21");
    assert_eq!(one_line(300.0.into()), "300");
    assert_eq!(one_line(f64::NAN.into()), "NaN");
    assert_eq!(one_line(LogValue::Null), "null");
    assert_eq!(one_line(false.into()), "false");
}

#[test]
fn renders_special_sexps() {
    assert_eq!(one_line(LogValue::undefined()), "undefined");
    assert_eq!(
        one_line(LogValue::opaque_instance("Socket")),
        "@Socket(...)"
    );
    assert_eq!(
        one_line(LogValue::named("BigInt", vec!["123".into()])),
        "123n"
    );
    assert_eq!(
        one_line(LogValue::named("Symbol", vec!["x".into()])),
        "Symbol('x')"
    );
    assert_eq!(
        one_line(LogValue::named("Symbol", vec!["x".into(), true.into()])),
        "Symbol.for('x')"
    );
    assert_eq!(
        one_line(LogValue::named("Symbol", vec![LogValue::Null])),
        "Symbol()"
    );
    assert_eq!(
        one_line(LogValue::named("Function", vec!["f".into()])),
        "function f {...}"
    );
    assert_eq!(
        one_line(LogValue::named("Class", Vec::new())),
        "class {...}"
    );
    assert_eq!(
        one_line(LogValue::named("Proxy", vec!["bn_8b1f9_00".into()])),
        "@Proxy('bn_8b1f9_00')"
    );
    assert_eq!(
        one_line(LogValue::interface_address("*", Some(8444))),
        "@InterfaceAddress({ address: '*', portNumber: 8444 })"
    );
    assert_eq!(
        one_line(LogValue::interface_fd(3)),
        "@InterfaceAddress({ fd: 3 })"
    );
    assert_eq!(
        one_line(Moment::new(1_795_798_643.983_519).into()),
        "@Moment(1795798643.983519, '2026-11-27_16:57:23.983519')"
    );
    let shared = LogValue::Def {
        index: 0,
        value: Box::new(vec![1].into()),
    };
    assert_eq!(
        one_line(vec![shared, LogValue::Ref(0)].into()),
        "[#0 = [1], #0]"
    );
}

#[test]
fn writes_a_separator_before_the_first_event_and_each_new_minute() {
    let mut formatter = HumanFormatter::new(false, DEFAULT_WIDTH);
    let first = event(Moment::new(1_795_798_681.770_75), "main", "a", Vec::new());
    assert_eq!(
        formatter.format(&first),
        "\n------------------------- 2026-11-27 16:58:01.7707 -------------------------\n:01.7707 main a()\n"
    );
    let same_minute = event(Moment::new(1_795_798_739.9), "main", "b", Vec::new());
    assert_eq!(formatter.format(&same_minute), ":59.9000 main b()\n");
    let next_minute = event(Moment::new(1_795_798_740.0), "main", "c", Vec::new());
    assert!(
        formatter
            .format(&next_minute)
            .starts_with("\n-------------------------")
    );
}

#[test]
fn narrow_widths_shorten_the_separator_dashes_down_to_none() {
    let e = event(Moment::new(1_795_798_681.770_75), "main", "a", Vec::new());
    let narrow = HumanFormatter::new(false, 40).format(&e);
    assert!(
        narrow.starts_with("\n----- 2026-11-27 16:58:01.7707 -----\n"),
        "{narrow}"
    );
    let tiny = HumanFormatter::new(false, 20).format(&e);
    assert!(tiny.starts_with("\n 2026-11-27 16:58:01.7707 \n"), "{tiny}");
}

#[test]
fn file_marker_is_a_line_of_77_dashes_and_spaces() {
    let line = FILE_MARKER.trim_matches('\n');
    assert_eq!(line.len(), 77);
    assert_eq!(FILE_MARKER, format!("\n\n{line}\n\n\n"));
}

/// Removes ANSI escapes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn styled_output_has_the_same_visible_layout() {
    let e = event(
        at(42.4987),
        "host.signal.SIGINT.deep.deeper.deepest",
        "exiting",
        vec![
            LogValue::object([("a", "x".into()), ("b", LogValue::Null)]),
            Duration::new(3.0).into(),
            LogValue::undefined(),
        ],
    );
    let styled = event_to_human(&e, true, Some(119));
    assert!(styled.starts_with("\x1b[1m\x1b[34m:42.4987\x1b[39m\x1b[22m \x1b[2mhost\x1b[22m"));
    assert_ne!(styled, event_to_human(&e, false, Some(119)));
    assert_eq!(strip_ansi(&styled), event_to_human(&e, false, Some(119)));
    assert_eq!(
        strip_ansi(&event_to_human(&e, true, Some(40))),
        event_to_human(&e, false, Some(40))
    );
}

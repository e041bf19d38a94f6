//! The JSON log format: one JSON object per event, one event per line
//! (Lactoserv `LogPayload.toPlainObject()` written with `JSON.stringify` by
//! the `json` format of `TextFileSink`, with `Sexp.toJSON()` for sexps;
//! spec LOG-23/LOG-24).
//!
//! Written by hand rather than through `serde_json` so numbers come out as
//! JavaScript prints them (`1e+21`, not `1e21`) and sexps take their
//! reference shapes.

use super::event::LogEvent;
use super::value::{Functor, LogValue};
use crate::quant::format_number;

/// `event` as one line of JSON (without the newline): keys `when`, `tag`,
/// `type`, `args`, in that order. No `stack` is written (LOG-26 allows
/// leaving it out).
pub fn event_to_json(event: &LogEvent) -> String {
    let mut out = String::with_capacity(128);
    out.push_str("{\"when\":{\"atSec\":");
    write_number(event.when.at_sec(), &mut out);
    out.push_str(",\"utc\":");
    write_string(&event.when.to_human_text(0), &mut out);
    out.push_str("},\"tag\":[");
    for (at, part) in event.tag.iter().enumerate() {
        if at != 0 {
            out.push(',');
        }
        write_string(part, &mut out);
    }
    out.push_str("],\"type\":");
    write_string(&event.kind, &mut out);
    out.push_str(",\"args\":");
    write_array(&event.args, &mut out);
    out.push('}');
    out
}

/// `value` as JSON, in the encoding of LOG-24.
pub fn value_to_json(value: &LogValue) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &LogValue, out: &mut String) {
    match value {
        LogValue::Null => out.push_str("null"),
        LogValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        LogValue::Number(n) => write_number(*n, out),
        LogValue::String(s) => write_string(s, out),
        LogValue::Array(items) => write_array(items, out),
        LogValue::Object(entries) => {
            out.push('{');
            for (at, (key, value)) in entries.iter().enumerate() {
                if at != 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(value, out);
            }
            out.push('}');
        }
        LogValue::Sexp { functor, args } => match functor {
            Functor::Name(name) => {
                write_tagged_open(name, out);
                write_array(args, out);
                out.push('}');
            }
            Functor::Class(name) | Functor::Function(name) => {
                let kind = if matches!(functor, Functor::Class(_)) {
                    "Class"
                } else {
                    "Function"
                };
                out.push_str("{\"@Sexp\":[");
                write_tagged_open(kind, out);
                out.push('[');
                write_string(name, out);
                out.push_str("]}");
                for arg in args {
                    out.push(',');
                    write_value(arg, out);
                }
                out.push_str("]}");
            }
        },
        LogValue::Def { index, value } => {
            out.push_str("{\"@def\":[");
            out.push_str(&index.to_string());
            out.push(',');
            write_value(value, out);
            out.push_str("]}");
        }
        LogValue::Ref(index) => {
            out.push_str("{\"@ref\":[");
            out.push_str(&index.to_string());
            out.push_str("]}");
        }
    }
}

/// Writes `{"@<name>":`, the start of a one-key tagged object.
fn write_tagged_open(name: &str, out: &mut String) {
    out.push('{');
    write_string(&format!("@{name}"), out);
    out.push(':');
}

fn write_array(items: &[LogValue], out: &mut String) {
    out.push('[');
    for (at, item) in items.iter().enumerate() {
        if at != 0 {
            out.push(',');
        }
        write_value(item, out);
    }
    out.push(']');
}

/// A number as `JSON.stringify` writes it: JavaScript's form, `null` when
/// not finite.
fn write_number(value: f64, out: &mut String) {
    if value.is_finite() {
        out.push_str(&format_number(value));
    } else {
        out.push_str("null");
    }
}

/// A string as `JSON.stringify` writes it: `"` and `\` escaped, control
/// characters as short escapes or `\u00xx`, everything else raw.
fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::{Duration, Moment};

    #[test]
    fn writes_the_observed_response_line_without_a_stack() {
        let args = serde_json::json!({
            "ok": true, "errorCodes": [], "errors": {}, "statusCode": 200, "contentLength": 731,
            "headers": {
                "server": "lactoserv-0.9.4 ed231cf5", "accept-ranges": "bytes",
                "content-type": "text/html; charset=utf-8", "etag": "\"i1AkuJAPJs4wiOd2dMr1\"",
                "cache-control": "public, max-age=300", "content-length": 731,
                "last-modified": "Fri, 27 Nov 2026 16:52:32 GMT"
            }
        });
        let event = LogEvent {
            when: Moment::new(1_795_798_643.983_519),
            tag: ["webapp", "endpoint", "secure", "req", "ra_8b1f9_03"]
                .map(String::from)
                .to_vec(),
            kind: "response".to_owned(),
            args: vec![args.into()],
        };
        assert_eq!(
            event_to_json(&event),
            r#"{"when":{"atSec":1795798643.983519,"utc":"2026-11-27 16:57:23"},"tag":["webapp","endpoint","secure","req","ra_8b1f9_03"],"type":"response","args":[{"ok":true,"errorCodes":[],"errors":{},"statusCode":200,"contentLength":731,"headers":{"server":"lactoserv-0.9.4 ed231cf5","accept-ranges":"bytes","content-type":"text/html; charset=utf-8","etag":"\"i1AkuJAPJs4wiOd2dMr1\"","cache-control":"public, max-age=300","content-length":731,"last-modified":"Fri, 27 Nov 2026 16:52:32 GMT"}}]}"#
        );
    }

    #[test]
    fn encodes_sexps_by_functor_kind() {
        let duration = LogValue::from(Duration::new(0.028_159_379_959_106_445));
        assert_eq!(
            value_to_json(&duration),
            r#"{"@Sexp":[{"@Class":["Duration"]},0.028159379959106445,"28.159 msec"]}"#
        );
        let socket = LogValue::Sexp {
            functor: Functor::Function("Socket".to_owned()),
            args: vec![LogValue::elided()],
        };
        assert_eq!(
            value_to_json(&socket),
            r#"{"@Sexp":[{"@Function":["Socket"]},{"@Elided":[]}]}"#
        );
        assert_eq!(
            value_to_json(&LogValue::undefined()),
            r#"{"@Undefined":[]}"#
        );
        assert_eq!(
            value_to_json(&LogValue::named("Proxy", vec!["bn_8b1f9_00".into()])),
            r#"{"@Proxy":["bn_8b1f9_00"]}"#
        );
        let shared = LogValue::Def {
            index: 0,
            value: Box::new(vec![1].into()),
        };
        assert_eq!(
            value_to_json(&vec![shared, LogValue::Ref(0)].into()),
            r#"[{"@def":[0,[1]]},{"@ref":[0]}]"#
        );
    }

    #[test]
    fn writes_numbers_and_strings_as_json_stringify_does() {
        let values: Vec<LogValue> = vec![
            1e21.into(),
            f64::INFINITY.into(),
            f64::NAN.into(),
            (-0.0).into(),
            "é\u{1}\u{7f}\"\\\n".into(),
        ];
        assert_eq!(
            value_to_json(&values.into()),
            "[1e+21,null,null,0,\"é\\u0001\u{7f}\\\"\\\\\\n\"]"
        );
    }

    #[test]
    fn event_without_args_has_an_empty_args_array() {
        let event = LogEvent {
            when: Moment::new(1_795_798_636.5),
            tag: vec!["main".to_owned(), "system".to_owned()],
            kind: "started".to_owned(),
            args: Vec::new(),
        };
        assert_eq!(
            event_to_json(&event),
            r#"{"when":{"atSec":1795798636.5,"utc":"2026-11-27 16:57:16"},"tag":["main","system"],"type":"started","args":[]}"#
        );
    }
}

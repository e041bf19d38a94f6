//! The human log format: one `:SS.ffff tag.path type(args)` entry per event,
//! wrapped to a width, with a full-timestamp separator line each new minute
//! (Lactoserv `HumanVisitor`, `LogPayload.toHuman()` and the human formats
//! of `TextFileSink`; spec LOG-15 to LOG-22).

mod strings;
mod style;
#[cfg(test)]
mod tests;

use self::strings::{inspect_string, render_key};
use self::style::Style;
use super::event::LogEvent;
use super::text::{Part, Text, js_length};
use super::value::{Functor, LogValue};
use crate::quant::{Moment, format_number};

/// What a file sink writes before its first event, to mark where a new run
/// of the process starts appending (LOG-17). Not used for stdout/stderr.
pub const FILE_MARKER: &str =
    "\n\n- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n\n\n";

/// Render width when the output is not a terminal of known width (LOG-18).
pub const DEFAULT_WIDTH: usize = 119;

/// Renders `event` in the human format, without a trailing newline: on one
/// line when `max_width` is `None`, else wrapped to that width where
/// possible. With `styled`, ANSI escapes are added (the `humanStyled`
/// format); the layout is the same.
pub fn event_to_human(event: &LogEvent, styled: bool, max_width: Option<usize>) -> String {
    Renderer { styled }.event(event).render(max_width)
}

/// Renders one value in its single-line human form, e.g.
/// `{ a: 10, 'b-c': 20 }`.
pub fn value_to_human(value: &LogValue) -> String {
    Renderer { styled: false }.value(value).flat()
}

/// The full timestamp of a separator line: `YYYY-MM-DD HH:MM:SS.ffff`, UTC,
/// fraction truncated.
pub fn full_timestamp(when: Moment) -> String {
    when.to_human_text(4)
}

/// A stateful human-format writer for one sink: renders events and inserts
/// the full-timestamp separator lines (LOG-16) where they are due.
#[derive(Debug, Clone)]
pub struct HumanFormatter {
    styled: bool,
    width: usize,
    /// Start of the minute after the last separator's event, in epoch
    /// seconds; `None` before the first event.
    next_full: Option<f64>,
}

impl HumanFormatter {
    /// A formatter writing `width` columns wide (see [`DEFAULT_WIDTH`]), with
    /// ANSI styling if `styled`.
    pub fn new(styled: bool, width: usize) -> Self {
        Self {
            styled,
            width,
            next_full: None,
        }
    }

    /// The text to write for `event`, ending with exactly one newline, and
    /// preceded by a blank line and a separator line when one is due.
    pub fn format(&mut self, event: &LogEvent) -> String {
        let mut out = String::new();
        let at_sec = event.when.at_sec();
        if self.next_full.is_none_or(|next| at_sec >= next) {
            let dashes = "-".repeat(self.width.min(80).saturating_sub(30) / 2);
            let stamp = Renderer {
                styled: self.styled,
            }
            .styled(full_timestamp(event.when), Style::When);
            out.push('\n');
            out.push_str(&dashes);
            out.push(' ');
            out.push_str(&stamp.flat());
            out.push(' ');
            out.push_str(&dashes);
            out.push('\n');
            self.next_full = Some((at_sec / 60.0).trunc() * 60.0 + 60.0);
        }
        out.push_str(&event_to_human(event, self.styled, Some(self.width)));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// Builds the text tree of an event or value (the reference `HumanVisitor`).
struct Renderer {
    styled: bool,
}

impl Renderer {
    /// `text` as an atom, styled if this renderer styles.
    fn styled(&self, text: String, style: Style) -> Text {
        if self.styled {
            let len = js_length(&text);
            Text::Atom {
                value: style.apply(&text),
                len,
            }
        } else {
            Text::atom(text)
        }
    }

    fn event(&self, event: &LogEvent) -> Text {
        let when = self.styled(seconds_of_minute(event.when), Style::When);
        Text::combo(vec![
            Part::Text(when),
            Part::Indent,
            Part::Space,
            Part::Text(self.tag(&event.tag)),
            Part::Space,
            Part::Text(self.call(&event.kind, &event.args, Some(Style::Payload)).0),
        ])
    }

    fn tag(&self, tag: &[String]) -> Text {
        if !self.styled {
            return Text::atom(tag.join("."));
        }
        let mut value = String::new();
        let mut len = 0;
        for (at, part) in tag.iter().enumerate() {
            if at != 0 {
                value.push('.');
                len += 1;
            }
            match Style::for_tag_part(at) {
                Some(style) => value.push_str(&style.apply(part)),
                None => value.push_str(part),
            }
            len += js_length(part);
        }
        Text::Atom { value, len }
    }

    /// Renders a value; the flag says whether it is an "indented" value (a
    /// non-empty aggregate or a call with arguments), which an object
    /// property keeps on its key's line rather than indenting.
    fn value_with_kind(&self, value: &LogValue) -> (Text, bool) {
        match value {
            LogValue::Null => (self.styled("null".into(), Style::Null), false),
            LogValue::Bool(b) => (Text::atom(b.to_string()), false),
            LogValue::Number(n) => (self.styled(format_number(*n), Style::Number), false),
            LogValue::String(s) => (self.styled(inspect_string(s), Style::String), false),
            LogValue::Array(items) => self.array(items),
            LogValue::Object(entries) => self.object(entries),
            LogValue::Sexp { functor, args } => self.sexp(functor, args),
            LogValue::Def { index, value } => {
                let text = Text::combo(vec![
                    Part::Text(self.styled(format!("#{index}"), Style::DefRef)),
                    Part::Text(self.styled(" = ".into(), Style::DefRef)),
                    Part::Indent,
                    Part::Text(self.value(value)),
                ]);
                (text, false)
            }
            LogValue::Ref(index) => (self.styled(format!("#{index}"), Style::DefRef), false),
        }
    }

    fn value(&self, value: &LogValue) -> Text {
        self.value_with_kind(value).0
    }

    fn array(&self, items: &[LogValue]) -> (Text, bool) {
        if items.is_empty() {
            return (Text::atom("[]"), false);
        }
        let mut parts = vec![Part::Text(Text::atom("[")), Part::Break, Part::Indent];
        for (at, item) in items.iter().enumerate() {
            if at != 0 {
                push_comma(&mut parts);
            }
            parts.push(Part::Text(self.value(item)));
        }
        parts.extend([Part::Outdent, Part::Break, Part::Text(Text::atom("]"))]);
        (Text::combo(parts), true)
    }

    fn object(&self, entries: &[(String, LogValue)]) -> (Text, bool) {
        if entries.is_empty() {
            return (Text::atom("{}"), false);
        }
        let mut parts = vec![
            Part::Text(Text::atom("{")),
            Part::Space,
            Part::Break,
            Part::Indent,
        ];
        for (at, (key, value)) in entries.iter().enumerate() {
            if at != 0 {
                push_comma(&mut parts);
            }
            parts.extend([
                Part::Break,
                Part::Text(Text::atom(render_key(key))),
                Part::Space,
            ]);
            let (text, indented) = self.value_with_kind(value);
            if indented {
                parts.extend([Part::NoBreak, Part::Text(text)]);
            } else {
                // A simple value that does not fit after its key goes on the
                // next line, indented from the key.
                parts.extend([Part::Indent, Part::Text(text), Part::Outdent]);
            }
        }
        parts.extend([
            Part::Outdent,
            Part::Break,
            Part::Space,
            Part::Text(Text::atom("}")),
        ]);
        (Text::combo(parts), true)
    }

    fn sexp(&self, functor: &Functor, args: &[LogValue]) -> (Text, bool) {
        let name = match functor {
            Functor::Class(name) | Functor::Function(name) => name,
            Functor::Name(name) => {
                if let Some(text) = self.special(name, args) {
                    return text;
                }
                name
            }
        };
        self.call(&format!("@{name}"), args, Some(Style::Sexp))
    }

    /// The special renderings of plain-named sexps (`undefined`, `...`,
    /// `12n`, `Symbol('x')`, `function f {...}`), or `None` for the rest.
    fn special(&self, name: &str, args: &[LogValue]) -> Option<(Text, bool)> {
        let text_arg = |at: usize| match args.get(at) {
            Some(LogValue::String(s)) => Some(s.clone()),
            Some(LogValue::Number(n)) => Some(format_number(*n)),
            _ => None,
        };
        let text = match name {
            "BigInt" => {
                let digits = text_arg(0).unwrap_or_default();
                self.styled(format!("{digits}n"), Style::Number)
            }
            "Undefined" => self.styled("undefined".into(), Style::Undefined),
            "Elided" => self.styled("...".into(), Style::Elided),
            "Class" | "Function" => {
                let (label, style) = if name == "Class" {
                    ("class", Style::Class)
                } else {
                    ("function", Style::Function)
                };
                let full = match text_arg(0).filter(|n| !n.is_empty()) {
                    Some(n) => format!("{label} {n}"),
                    None => label.to_owned(),
                };
                let head = self.styled(full, style);
                let body = self.styled("{...}".into(), Style::Elided);
                Text::Atom {
                    len: head.len() + 1 + body.len(),
                    value: format!("{} {}", head.flat(), body.flat()),
                }
            }
            "Symbol" => {
                let interned = matches!(args.get(1), Some(LogValue::Bool(true)));
                let func = if interned { "Symbol.for" } else { "Symbol" };
                let sym_args: Vec<LogValue> = match args.first() {
                    None | Some(LogValue::Null) => Vec::new(),
                    Some(desc) => vec![desc.clone()],
                };
                return Some(self.call(func, &sym_args, None));
            }
            _ => return None,
        };
        Some((text, false))
    }

    /// A call-like form, `name(arg, arg)`, with the name and parentheses in
    /// `style`.
    fn call(&self, name: &str, args: &[LogValue], style: Option<Style>) -> (Text, bool) {
        let clad = |text: String| match style {
            Some(style) => self.styled(text, style),
            None => Text::atom(text),
        };
        if args.is_empty() {
            return (clad(format!("{name}()")), false);
        }
        let mut parts = vec![Part::Text(clad(format!("{name}("))), Part::Indent];
        for (at, arg) in args.iter().enumerate() {
            if at != 0 {
                parts.push(Part::Space);
            }
            parts.push(Part::Text(self.value(arg)));
            parts.push(Part::NoBreak);
            let last = at + 1 == args.len();
            parts.push(Part::Text(if last {
                clad(")".into())
            } else {
                Text::atom(",")
            }));
        }
        (Text::combo(parts), true)
    }
}

/// Separator between aggregate elements: `,` kept on the element's line,
/// then a space that may become a line break.
fn push_comma(parts: &mut Vec<Part>) {
    parts.extend([Part::NoBreak, Part::Text(Text::atom(",")), Part::Space]);
}

/// The `when` of an event line: `:SS.ffff`, seconds of the minute with four
/// truncated fraction digits.
fn seconds_of_minute(when: Moment) -> String {
    let at_sec = when.at_sec();
    let sec = (at_sec % 60.0).trunc();
    // Taken from the scaled time, not from the fraction of a second, which
    // would lose a digit to float error (as the reference notes).
    let frac = (at_sec * 10_000.0 % 10_000.0).floor();
    format!(":{:0>2}.{:0>4}", format_number(sec), format_number(frac))
}

//! Wrappable text: a tree of atoms and layout markers that renders either on
//! one line or wrapped to a width with indentation (Lactoserv `@this/texty`:
//! `BaseText`, `StringText`, `StyledText`, `ComboText`; spec LOG-20/LOG-21).
//!
//! The human log format builds one such tree per event; the tree decides
//! where lines break, so the formatter only has to say where breaking is
//! wanted (`Break`), allowed (after any part) or forbidden (`NoBreak`).

/// Spaces per indentation level.
const INDENT_WIDTH: usize = 2;

/// One piece of a [`Text::Combo`].
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// Text to render.
    Text(Text),
    /// A space, dropped when the next text starts a new line.
    Space,
    /// In multi-line mode, the next text goes on a new line.
    Break,
    /// The next text must stay on the current line.
    NoBreak,
    /// Lines started from here on are indented one more level.
    Indent,
    /// Lines started from here on are indented one level less.
    Outdent,
}

/// A renderable piece of text.
#[derive(Debug, Clone)]
pub(crate) enum Text {
    /// Unbreakable text; `len` is its visible length (escapes excluded).
    Atom { value: String, len: usize },
    /// A sequence of parts; `len` is the visible length of its one-line form.
    Combo { parts: Vec<Part>, len: usize },
}

/// Where and how a piece of text is rendered.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// May the text start on a new line?
    allow_break: bool,
    /// The column the text starts at, or `None` at the start of a line.
    at: Option<usize>,
    /// Indentation level of new lines.
    level: usize,
    /// Maximum line width.
    max: usize,
}

/// The length of `text` as JavaScript counts it (UTF-16 units), which is
/// what the reference wraps by.
pub(crate) fn js_length(text: &str) -> usize {
    text.encode_utf16().count()
}

impl Text {
    /// Plain, unstyled text.
    pub(crate) fn atom(value: impl Into<String>) -> Self {
        let value = value.into();
        let len = js_length(&value);
        Self::Atom { value, len }
    }

    /// A composite of `parts`.
    pub(crate) fn combo(parts: Vec<Part>) -> Self {
        let len = parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.len(),
                Part::Space => 1,
                _ => 0,
            })
            .sum();
        Self::Combo { parts, len }
    }

    /// Visible length of the one-line form.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Atom { len, .. } | Self::Combo { len, .. } => *len,
        }
    }

    /// Appends the one-line form to `out`.
    pub(crate) fn write_flat(&self, out: &mut String) {
        match self {
            Self::Atom { value, .. } => out.push_str(value),
            Self::Combo { parts, .. } => {
                for part in parts {
                    match part {
                        Part::Text(text) => text.write_flat(out),
                        Part::Space => out.push(' '),
                        _ => {}
                    }
                }
            }
        }
    }

    /// The one-line form.
    pub(crate) fn flat(&self) -> String {
        let mut out = String::new();
        self.write_flat(&mut out);
        out
    }

    /// Renders at the start of an unindented line, wrapping to `max_width`
    /// columns where possible (`None`: never wrap).
    pub(crate) fn render(&self, max_width: Option<usize>) -> String {
        let layout = Layout {
            allow_break: true,
            at: None,
            level: 0,
            max: max_width.unwrap_or(usize::MAX),
        };
        self.render_at(layout).1
    }

    /// Renders per LOG-21, returning the end column and the text.
    fn render_at(&self, layout: Layout) -> (Option<usize>, String) {
        let len = self.len();
        if let Some(at) = layout.at {
            // Fits on the rest of the current line.
            if at.saturating_add(len) <= layout.max {
                return (Some(at + len), self.flat());
            }
        }
        let indent = layout.level * INDENT_WIDTH;
        if layout.allow_break && indent.saturating_add(len) <= layout.max {
            // Fits on a line of its own.
            return (Some(indent + len), self.on_new_line(layout));
        }
        match self {
            Self::Atom { .. } => {
                if let (Some(at), false) = (layout.at, layout.allow_break) {
                    (Some(at + len), self.flat())
                } else {
                    (Some(indent + len), self.on_new_line(layout))
                }
            }
            Self::Combo { parts, .. } => render_parts(parts, layout),
        }
    }

    /// The one-line form at the start of a line (a new one unless already
    /// at the start of one), indented.
    fn on_new_line(&self, layout: Layout) -> String {
        let mut out = String::new();
        if layout.at.is_some() {
            out.push('\n');
        }
        out.push_str(&" ".repeat(layout.level * INDENT_WIDTH));
        self.write_flat(&mut out);
        out
    }
}

/// The multi-line rendering of a combo's parts (LOG-21 step 3).
fn render_parts(parts: &[Part], mut layout: Layout) -> (Option<usize>, String) {
    let mut out = String::new();
    let mut pending_space = false;
    if layout.allow_break && layout.at.is_some() {
        // Act as if the line were full, so the first part starts a new one.
        layout.at = Some(layout.max);
    }
    for part in parts {
        let text = match part {
            Part::Break => {
                if layout.at.is_some() {
                    layout.at = Some(layout.max);
                    layout.allow_break = true;
                }
                continue;
            }
            Part::Indent => {
                layout.level += 1;
                continue;
            }
            Part::Outdent => {
                layout.level = layout.level.saturating_sub(1);
                continue;
            }
            Part::NoBreak => {
                layout.allow_break = false;
                continue;
            }
            Part::Space => {
                pending_space = true;
                continue;
            }
            Part::Text(text) => text,
        };
        // A space is never written at the start of a line. (The reference
        // drops the following text there too, but never gets into that
        // position; dropping only the space is the evident intent.)
        let space = pending_space && layout.at.is_some();
        let start = if space {
            layout.at.map(|at| at.saturating_add(1))
        } else {
            layout.at
        };
        let (end, rendered) = text.render_at(Layout {
            at: start,
            ..layout
        });
        if space && !rendered.starts_with('\n') {
            out.push(' ');
        }
        out.push_str(&rendered);
        layout.allow_break = true;
        layout.at = end;
        pending_space = false;
    }
    (layout.at, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(at: Option<usize>, level: usize, max: usize) -> Layout {
        Layout {
            allow_break: true,
            at,
            level,
            max,
        }
    }

    #[test]
    fn atom_fitting_on_the_current_line_stays_there() {
        let got = Text::atom("yeppers!").render_at(layout(Some(30), 2, 50));
        assert_eq!(got, (Some(38), "yeppers!".to_owned()));
    }

    #[test]
    fn atom_too_long_for_the_current_line_moves_to_an_indented_new_one() {
        let got = Text::atom("another line please!").render_at(layout(Some(40), 4, 50));
        assert_eq!(got, (Some(28), "\n        another line please!".to_owned()));
    }

    #[test]
    fn atom_too_wide_for_any_line_still_starts_a_new_one() {
        let got = Text::atom("too wide today. so very wide!!").render_at(layout(Some(10), 1, 20));
        assert_eq!(
            got,
            (Some(32), "\n  too wide today. so very wide!!".to_owned())
        );
    }

    #[test]
    fn atom_where_breaking_is_forbidden_overflows_inline() {
        let mut no_break = layout(Some(100), 5, 120);
        no_break.allow_break = false;
        let got = Text::atom("florp fleep flop plop pleep gleep glorp.").render_at(no_break);
        assert_eq!(got.0, Some(140));
        assert!(!got.1.starts_with('\n'));
    }

    #[test]
    fn combo_one_line_form_counts_spaces_and_ignores_other_markers() {
        let text = Text::combo(vec![
            Part::Text(Text::atom("a")),
            Part::Indent,
            Part::Space,
            Part::Break,
            Part::Text(Text::atom("bc")),
            Part::NoBreak,
            Part::Outdent,
        ]);
        assert_eq!(text.len(), 4);
        assert_eq!(text.flat(), "a bc");
        assert_eq!(text.render(None), "a bc");
    }

    #[test]
    fn combo_breaks_drop_the_space_before_a_new_line() {
        let text = Text::combo(vec![
            Part::Text(Text::atom("{")),
            Part::Space,
            Part::Break,
            Part::Indent,
            Part::Text(Text::atom("abc: 1")),
            Part::Outdent,
            Part::Break,
            Part::Space,
            Part::Text(Text::atom("}")),
        ]);
        assert_eq!(text.render(Some(8)), "{\n  abc: 1\n}");
    }
}

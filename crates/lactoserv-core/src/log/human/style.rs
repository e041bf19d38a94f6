//! ANSI styling of the `humanStyled` log format, with the escape sequences
//! the reference's `chalk` (forced to 256+ colours) writes (Lactoserv
//! `HumanVisitor` and `LogTag` style constants; spec LOG-22).

/// A style of one element of a human-format line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// The `:SS.ffff` and separator timestamps: bold blue.
    When,
    /// Main tag: dim.
    TagMain,
    /// First context: bold dim.
    TagContext1,
    /// Second context: bold, colour 54.
    TagContext2,
    /// Third context: colour 54.
    TagContext3,
    /// Fourth context: blue.
    TagContext4,
    /// Event type and its parentheses: bold.
    Payload,
    /// Sexp name and parentheses: colour 130, bold.
    Sexp,
    /// Strings: green.
    String,
    /// Numbers: yellow.
    Number,
    /// `null`: colour 240, bold.
    Null,
    /// `undefined`: colour 240, bold.
    Undefined,
    /// `...`: dim.
    Elided,
    /// `#0 = ` and `#0`: magenta, bold.
    DefRef,
    /// `function f`: blue, bold.
    Function,
    /// `class C`: blue, bold.
    Class,
}

impl Style {
    /// The style of tag part `at` (0 = main tag); none past the fourth
    /// context.
    pub(crate) fn for_tag_part(at: usize) -> Option<Self> {
        [
            Self::TagMain,
            Self::TagContext1,
            Self::TagContext2,
            Self::TagContext3,
            Self::TagContext4,
        ]
        .get(at)
        .copied()
    }

    /// Opening and closing escapes; chained styles open in order and close
    /// in reverse, as chalk does.
    fn codes(self) -> (&'static str, &'static str) {
        match self {
            Self::When => ("\x1b[1m\x1b[34m", "\x1b[39m\x1b[22m"),
            Self::TagMain | Self::Elided => ("\x1b[2m", "\x1b[22m"),
            Self::TagContext1 => ("\x1b[1m\x1b[2m", "\x1b[22m\x1b[22m"),
            Self::TagContext2 => ("\x1b[1m\x1b[38;5;54m", "\x1b[39m\x1b[22m"),
            Self::TagContext3 => ("\x1b[38;5;54m", "\x1b[39m"),
            Self::TagContext4 => ("\x1b[34m", "\x1b[39m"),
            Self::Payload => ("\x1b[1m", "\x1b[22m"),
            Self::Sexp => ("\x1b[38;5;130m\x1b[1m", "\x1b[22m\x1b[39m"),
            Self::String => ("\x1b[32m", "\x1b[39m"),
            Self::Number => ("\x1b[33m", "\x1b[39m"),
            Self::Null | Self::Undefined => ("\x1b[38;5;240m\x1b[1m", "\x1b[22m\x1b[39m"),
            Self::DefRef => ("\x1b[35m\x1b[1m", "\x1b[22m\x1b[39m"),
            Self::Function | Self::Class => ("\x1b[34m\x1b[1m", "\x1b[22m\x1b[39m"),
        }
    }

    /// `text` in this style. Line breaks inside are closed before and
    /// reopened after, so a style never bleeds into indentation.
    pub(crate) fn apply(self, text: &str) -> String {
        let (open, close) = self.codes();
        let inner = text.replace('\n', &format!("{close}\n{open}"));
        format!("{open}{inner}{close}")
    }
}

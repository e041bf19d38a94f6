//! Load errors, and how they are shown to the person who wrote the config:
//! the error line, then where it happened with the source line and a caret,
//! then the config-file frames of the stack (the sandbox's own are hidden).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Why a configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// `--config`/`--config-url` does not name a loadable file.
    #[error("Cannot load configuration from {location}: {reason}")]
    BadLocation {
        /// The location as given.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The config file itself could not be read.
    #[error("{code}: {description}, open '{}'", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Node-style error code (`ENOENT`).
        code: String,
        /// What the code means.
        description: String,
    },
    /// The module failed to parse, or threw while evaluating.
    #[error("{0}")]
    Script(Box<ScriptError>),
    /// The default export holds something that is not configuration data.
    #[error("{0}")]
    Conversion(String),
    /// Evaluation ran past the deadline.
    #[error("configuration evaluation timed out after {} s (infinite loop?)", .0.as_secs_f64())]
    TimedOut(Duration),
    /// Top-level `await` on a promise that never settles.
    #[error(
        "configuration never finished evaluating (top-level await on a promise that never settles)"
    )]
    NeverSettled,
    /// A `.json` config is not valid JSON.
    #[error("{location}\nSyntaxError: {message}")]
    Json {
        /// Where the JSON broke.
        location: SourceLocation,
        /// What the parser said.
        message: String,
    },
    /// The engine itself failed (out of memory, and the like).
    #[error("configuration engine failure: {0}")]
    Engine(String),
}

/// An error thrown by (or while parsing) a config module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The error's class name (`SyntaxError`, `TypeError`, `Error`).
    pub name: String,
    /// Its message.
    pub message: String,
    /// Node-style `code` property, if the error has one (`ENOENT`).
    pub code: Option<String>,
    /// The innermost position in a config file, if the engine told it.
    pub location: Option<SourceLocation>,
    /// Stack frames inside config files, innermost first.
    pub frames: Vec<String>,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)?;
        if let Some(location) = &self.location {
            write!(f, "\n{location}")?;
        }
        if self.frames.len() > 1 || (self.frames.len() == 1 && self.location.is_none()) {
            f.write_str("\n  stack:")?;
            for frame in &self.frames {
                write!(f, "\n    at {frame}")?;
            }
        }
        Ok(())
    }
}

/// A position in a config file, with the text of its line when readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The text of that line.
    pub source_line: Option<String>,
}

impl SourceLocation {
    /// A location in `file`, reading the source line from disk.
    pub fn read(file: PathBuf, line: u32, column: u32) -> Self {
        let source_line = std::fs::read_to_string(&file).ok().and_then(|text| {
            let index = usize::try_from(line).ok()?.checked_sub(1)?;
            text.lines().nth(index).map(str::to_owned)
        });
        Self {
            file,
            line,
            column,
            source_line,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  --> {}:{}:{}",
            self.file.display(),
            self.line,
            self.column
        )?;
        if let Some(text) = &self.source_line {
            // The caret sits under the column; tabs before it are kept so it
            // lines up however the terminal renders them.
            let pad: String = text
                .chars()
                .take(self.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n   | {text}\n   | {pad}^")?;
        }
        Ok(())
    }
}

/// The Node-style code, errno and description of an I/O error, so a config's
/// `readFile` failure reads as it would under Node.
pub(crate) fn io_error_parts(err: &std::io::Error) -> (&'static str, i32, String) {
    let (code, description) = match err.raw_os_error() {
        Some(1) => ("EPERM", "operation not permitted"),
        Some(2) => ("ENOENT", "no such file or directory"),
        Some(13) => ("EACCES", "permission denied"),
        Some(20) => ("ENOTDIR", "not a directory"),
        Some(21) => ("EISDIR", "illegal operation on a directory"),
        Some(24) => ("EMFILE", "too many open files"),
        Some(36) => ("ENAMETOOLONG", "name too long"),
        Some(40) => ("ELOOP", "too many symbolic links encountered"),
        _ => return ("EIO", -5, err.to_string()),
    };
    let errno = -err.raw_os_error().unwrap_or(5);
    (code, errno, description.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_error_shows_location_source_and_caret() {
        let err = ScriptError {
            name: "SyntaxError".into(),
            message: "Unexpected token '{'".into(),
            code: None,
            location: Some(SourceLocation {
                file: "/cfg/x.mjs".into(),
                line: 6,
                column: 5,
                source_line: Some("    { name: 'y' }".into()),
            }),
            frames: vec!["file:///cfg/x.mjs:6:5".into()],
        };
        assert_eq!(
            err.to_string(),
            "SyntaxError: Unexpected token '{'\n  --> /cfg/x.mjs:6:5\n   |     { name: 'y' }\n   |     ^"
        );
    }

    #[test]
    fn io_errors_read_like_node() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_error_parts(&err).0, "ENOENT");
        let load = LoadError::Read {
            path: "/nonexistent.mjs".into(),
            code: "ENOENT".into(),
            description: "no such file or directory".into(),
        };
        assert_eq!(
            load.to_string(),
            "ENOENT: no such file or directory, open '/nonexistent.mjs'"
        );
    }
}

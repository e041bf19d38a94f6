//! Turning what a config threw into a [`LoadError`]: the error's name and
//! message, its innermost position in a config file with that source line,
//! and the config-file frames of its stack. Frames of the sandbox itself
//! (`lactoserv:` scripts and synthetic modules) are left out: they say
//! nothing to the config's author.

use std::time::Instant;

use rquickjs::CaughtError;
use url::Url;

use crate::LoadOptions;
use crate::error::{LoadError, ScriptError, SourceLocation};

/// Describes a caught failure; `deadline` tells an interrupt from a throw.
pub(super) fn describe(
    caught: CaughtError<'_>,
    deadline: Instant,
    options: &LoadOptions,
) -> LoadError {
    if Instant::now() >= deadline {
        return LoadError::TimedOut(options.deadline);
    }
    let (name, message, stack, code) = match &caught {
        CaughtError::Exception(exception) => (
            exception
                .get::<_, Option<String>>("name")
                .ok()
                .flatten()
                .unwrap_or_else(|| "Error".into()),
            exception.message().unwrap_or_default(),
            exception.stack().unwrap_or_default(),
            exception.get::<_, Option<String>>("code").ok().flatten(),
        ),
        CaughtError::Value(value) => (
            "Uncaught".to_owned(),
            format!("{} thrown", describe_value(value)),
            String::new(),
            None,
        ),
        CaughtError::Error(err) => return LoadError::Engine(err.to_string()),
    };
    if name == "ConfigConversionError" {
        return LoadError::Conversion(message);
    }
    let frames: Vec<String> = stack.lines().filter_map(config_frame).collect();
    let location = frames.first().and_then(|frame| frame_location(frame));
    LoadError::Script(Box::new(ScriptError {
        name,
        message,
        code,
        location,
        frames,
    }))
}

fn describe_value(value: &rquickjs::Value<'_>) -> String {
    if let Some(text) = value.as_string().and_then(|s| s.to_string().ok()) {
        format!("{text:?}")
    } else if let Some(number) = value.as_number() {
        number.to_string()
    } else {
        format!("a {}", value.type_name())
    }
}

/// The text of a stack line (`    at f (file:///x.mjs:5:29)`) if the frame
/// is in a config file.
fn config_frame(line: &str) -> Option<String> {
    let frame = line.trim().strip_prefix("at ")?;
    frame.contains("file://").then(|| frame.to_owned())
}

/// The file, line and column a frame names.
fn frame_location(frame: &str) -> Option<SourceLocation> {
    let start = frame.find("file://")?;
    let place = frame[start..].trim_end_matches(')');
    let (rest, column) = place.rsplit_once(':')?;
    let (url, line) = rest.rsplit_once(':')?;
    let path = Url::parse(url).ok()?.to_file_path().ok()?;
    Some(SourceLocation::read(
        path,
        line.parse().ok()?,
        column.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_config_file_frames() {
        assert_eq!(
            config_frame("    at checkPort (file:///cfg/x.mjs:5:29)").as_deref(),
            Some("checkPort (file:///cfg/x.mjs:5:29)")
        );
        assert_eq!(
            config_frame("    at readFileSync (lactoserv:fs.js:40:9)"),
            None
        );
    }

    #[test]
    fn reads_the_location_of_a_frame() {
        let location = frame_location("checkPort (file:///no/such/x.mjs:5:29)").unwrap();
        assert_eq!(location.file, std::path::Path::new("/no/such/x.mjs"));
        assert_eq!((location.line, location.column), (5, 29));
        assert_eq!(location.source_line, None);
    }
}

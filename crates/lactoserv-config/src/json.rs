//! `.json` configs: the same value tree as a JS config, written as JSON, with
//! components naming their class as a string (`"class": "StaticFiles"`).

use crate::error::{LoadError, SourceLocation, io_error_parts};
use crate::location::ConfigLocation;

/// Reads and parses a JSON config.
pub(crate) fn load(location: &ConfigLocation) -> Result<serde_json::Value, LoadError> {
    let path = location.path();
    let text = std::fs::read_to_string(path).map_err(|err| {
        let (code, _, description) = io_error_parts(&err);
        LoadError::Read {
            path: path.to_owned(),
            code: code.to_owned(),
            description,
        }
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
        let line = u32::try_from(err.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(err.column()).unwrap_or(u32::MAX);
        let message = err.to_string();
        // serde_json appends " at line L column C"; the location shows it.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_owned();
        LoadError::Json {
            location: SourceLocation::read(path.to_owned(), line, column),
            message,
        }
    })?;
    if !value.is_object() {
        return Err(LoadError::Conversion(
            "config: the top level of a JSON config must be an object".into(),
        ));
    }
    Ok(value)
}

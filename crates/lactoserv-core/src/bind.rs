//! Binding one component's configuration object to its typed config struct
//! (Lactoserv `structy/export/BaseStruct.js`).
//!
//! Each component type declares a `#[derive(Deserialize)]` struct with
//! `rename_all = "camelCase"` and `deny_unknown_fields`; this module runs the
//! deserialization and keeps the path of the binding that failed, so that an
//! error reads `rotate.atSize: …` rather than a bare serde message.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The bindings of one component: its configuration object.
pub type Bindings = Map<String, Value>;

/// A binding that failed to validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field_prefix(.field))]
pub struct BindError {
    /// Path of the failing binding inside the component (`rotate.atSize`,
    /// `indexFile[1]`); empty when the problem is with the object as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("`{field}`: ")
    }
}

impl BindError {
    /// An error about the binding at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// This error, as seen from the object that holds the failing one under
    /// `outer` (so `atSize` inside `rotate` becomes `rotate.atSize`).
    pub fn within(mut self, outer: &str) -> Self {
        self.field = if self.field.is_empty() {
            outer.to_owned()
        } else if self.field.starts_with('[') {
            format!("{outer}{}", self.field)
        } else {
            format!("{outer}.{}", self.field)
        };
        self
    }
}

/// Deserializes `T` from a component's bindings, naming the failing binding.
pub fn from_bindings<T: DeserializeOwned>(bindings: &Bindings) -> Result<T, BindError> {
    from_value(&Value::Object(bindings.clone()))
}

/// Deserializes `T` from any configuration value, naming the failing path.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, BindError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let mut field = if path == "." { String::new() } else { path };
        if message.starts_with("unknown field ") {
            // The path ends with the unknown key itself, which the message
            // names; the error belongs to the object holding it.
            field.truncate(field.rfind('.').unwrap_or(0));
        }
        BindError::new(field, reword(&message))
    })
}

/// Rewords serde's generic messages in the terms a config author uses.
fn reword(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        // "unknown field `zork`, expected one of `a`, `b`"
        let rest = rest.trim_end_matches(", there are no fields");
        let (field, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
        return format!("Extra property: {field} (known:{expected})")
            .replace(" (known:)", "")
            .replace("(known: one of ", "(known: ");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("Missing required property: {rest}");
    }
    message
        .replace("invalid type: ", "Invalid type: ")
        .replace(", expected", "; expected")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Inner {
        at_size: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Outer {
        path: String,
        #[serde(default)]
        rotate: Option<Inner>,
    }

    fn bind(json: &str) -> Result<Outer, BindError> {
        from_value(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn binds_nested_values() {
        let outer = bind(r#"{"path": "x", "rotate": {"atSize": 10}}"#).unwrap();
        assert_eq!(outer.path, "x");
        assert_eq!(outer.rotate.map(|inner| inner.at_size), Some(10));
    }

    #[test]
    fn names_the_nested_binding_that_failed() {
        let err = bind(r#"{"path": "x", "rotate": {"atSize": "big"}}"#).unwrap_err();
        assert_eq!(err.field, "rotate.atSize");
        assert!(
            err.message.starts_with("Invalid type: string \"big\""),
            "{err}"
        );
    }

    #[test]
    fn reports_extra_and_missing_properties_in_config_terms() {
        let err = bind(r#"{"path": "x", "zork": 1}"#).unwrap_err();
        assert_eq!(
            err.message,
            "Extra property: `zork` (known: `path` or `rotate`)"
        );
        assert_eq!(err.field, "");
        let err = bind(r#"{"path": "x", "rotate": {"atSize": 1, "zap": 2}}"#).unwrap_err();
        assert_eq!(err.field, "rotate");
        assert!(err.message.starts_with("Extra property: `zap`"), "{err}");
        let err = bind(r#"{}"#).unwrap_err();
        assert_eq!(err.message, "Missing required property: `path`");
        assert_eq!(err.to_string(), "Missing required property: `path`");
    }

    #[test]
    fn within_prefixes_the_outer_binding() {
        let err = BindError::new("atSize", "bad").within("rotate");
        assert_eq!(err.to_string(), "`rotate.atSize`: bad");
        let err = BindError::new("[2]", "bad").within("indexFile");
        assert_eq!(err.field, "indexFile[2]");
    }
}

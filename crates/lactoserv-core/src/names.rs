//! Component-name syntax (Lactoserv `compy/export/Names.js`).
//!
//! A name is non-empty, uses only ASCII letters, digits, `_`, `.`, `+` and
//! `-`, and neither starts nor ends with `-` or `.`. The reference's docs say
//! `+` may not start or end a name, but its code allows it, and existing
//! configs may rely on the code.

/// Whether `name` is a valid component name.
pub fn is_valid_name(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    // Non-empty, so `last` exists.
    let last = name.chars().next_back().unwrap_or(first);
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-');
    name.chars().all(allowed) && !matches!(first, '-' | '.') && !matches!(last, '-' | '.')
}

/// Checks `name`, giving the reference's message when it is invalid.
pub fn check_name(name: &str) -> Result<(), String> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(format!("Invalid component name: {name}"))
    }
}

/// A syntactically valid component name, as a config binding.
///
/// Deserializes from a string and rejects anything outside the grammar with
/// the reference's message, so a bad `name` or reference fails at binding
/// time with its field named.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Name {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        check_name(&value)?;
        Ok(Self(value))
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::try_from(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_of_the_reference_grammar() {
        for name in ["a", "A1", "1", "_a_", "a.b", "a-b", "a+b", "+a+"] {
            assert!(is_valid_name(name), "{name}");
        }
    }

    #[test]
    fn rejects_names_outside_the_grammar() {
        for name in [
            "", "-a", "a-", ".a", "a.", "a b", "a/b", "a*", "ü", " this ",
        ] {
            assert!(!is_valid_name(name), "{name:?}");
        }
        assert_eq!(
            check_name("a b").unwrap_err(),
            "Invalid component name: a b"
        );
    }

    #[test]
    fn name_binding_rejects_bad_syntax_with_the_reference_message() {
        let err = serde_json::from_str::<Name>("\"-abc\"").unwrap_err();
        assert!(
            err.to_string().contains("Invalid component name: -abc"),
            "{err}"
        );
        let ok: Name = serde_json::from_str("\"mySite\"").unwrap();
        assert_eq!(ok.as_str(), "mySite");
    }
}

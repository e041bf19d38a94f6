//! The `logging` section: which components' system-log output is on
//! (Lactoserv `WebappRoot`'s `logging` map and `compy`'s name paths).
//!
//! Keys are absolute component paths (`/application/mySite`), optionally
//! ending in `/*` for "this component and everything below it"; values are
//! booleans. The most specific matching key wins; no match means on. The
//! plural section names the reference's own guide uses (`/endpoints/*`) are
//! accepted as aliases of the singular ones, which the reference matches.

use serde_json::Value;

use crate::names::is_valid_name;

/// One parsed `logging` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingRule {
    /// Path elements, section name first (`["application", "mySite"]`).
    pub path: Vec<String>,
    /// Whether the key ended in `/*` (covers everything below too).
    pub subtree: bool,
    /// On or off.
    pub enabled: bool,
}

/// The parsed `logging` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoggingConfig {
    rules: Vec<LoggingRule>,
}

impl LoggingConfig {
    /// Parses the `logging` value (`null` means "log everything").
    pub fn from_value(value: &Value) -> Result<Self, String> {
        let map = match value {
            Value::Null => return Ok(Self::default()),
            Value::Object(map) => map,
            _ => return Err("Must be of type plain `object`.".into()),
        };
        let mut rules: Vec<LoggingRule> = Vec::with_capacity(map.len());
        for (key, value) in map {
            let Value::Bool(enabled) = value else {
                return Err(format!("`{key}`: Must be of type `boolean`."));
            };
            let (path, subtree) = parse_key(key)?;
            if let Some(same) = rules
                .iter()
                .find(|rule| rule.path == path && rule.subtree == subtree)
            {
                // Only possible through the singular/plural aliases.
                return Err(format!(
                    "`{key}`: the same path as `/{}{}` is given twice",
                    same.path.join("/"),
                    if subtree { "/*" } else { "" }
                ));
            }
            rules.push(LoggingRule {
                path,
                subtree,
                enabled: *enabled,
            });
        }
        Ok(Self { rules })
    }

    /// The parsed rules, in config order.
    pub fn rules(&self) -> &[LoggingRule] {
        &self.rules
    }

    /// Whether the component at `path` (`["application", "mySite"]`) logs.
    pub fn is_enabled(&self, path: &[&str]) -> bool {
        let mut best: Option<(usize, bool, bool)> = None;
        for rule in &self.rules {
            let len = rule.path.len();
            let matches = if rule.subtree {
                len <= path.len() && rule.path.iter().zip(path).all(|(a, b)| a == b)
            } else {
                len == path.len() && rule.path.iter().zip(path).all(|(a, b)| a == b)
            };
            // Longer paths are more specific; at equal length an exact key
            // beats a `/*` key.
            let rank = (len, !rule.subtree);
            if matches && best.is_none_or(|(l, exact, _)| rank > (l, exact)) {
                best = Some((len, !rule.subtree, rule.enabled));
            }
        }
        best.is_none_or(|(_, _, enabled)| enabled)
    }
}

fn parse_key(key: &str) -> Result<(Vec<String>, bool), String> {
    let Some(rest) = key.strip_prefix('/') else {
        return Err(format!("Not an absolute component path: {key}"));
    };
    let (rest, subtree) = match rest.strip_suffix("/*") {
        Some(rest) => (rest, true),
        None if rest == "*" => ("", true),
        None => (rest, false),
    };
    let mut path = Vec::new();
    if !rest.is_empty() {
        for element in rest.split('/') {
            if !is_valid_name(element) {
                return Err(format!("Invalid component path: {key}"));
            }
            path.push(element.to_owned());
        }
    }
    if let Some(first) = path.first_mut() {
        if let Some(singular) = singular_section(first) {
            *first = singular.to_owned();
        }
    }
    Ok((path, subtree))
}

fn singular_section(name: &str) -> Option<&'static str> {
    match name {
        "applications" => Some("application"),
        "services" => Some("service"),
        "endpoints" => Some("endpoint"),
        "hosts" => Some("host"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<LoggingConfig, String> {
        LoggingConfig::from_value(&value)
    }

    #[test]
    fn most_specific_key_wins() {
        let config = parse(json!({
            "/application/*": false,
            "/application/mySeries/*": true,
            "/application/mySite": true,
        }))
        .unwrap();
        assert!(!config.is_enabled(&["application", "other"]));
        assert!(config.is_enabled(&["application", "mySeries"]));
        assert!(config.is_enabled(&["application", "mySeries", "child"]));
        assert!(config.is_enabled(&["application", "mySite"]));
        assert!(!config.is_enabled(&["application", "mySite", "child"]));
        assert!(config.is_enabled(&["service", "memory"]));
    }

    #[test]
    fn plural_section_names_are_aliases() {
        let config = parse(json!({ "/endpoints/*": false })).unwrap();
        assert!(!config.is_enabled(&["endpoint", "insecure"]));
        let err = parse(json!({ "/endpoint/x": true, "/endpoints/x": false })).unwrap_err();
        assert!(err.contains("given twice"), "{err}");
    }

    #[test]
    fn rejects_relative_keys_and_non_booleans() {
        assert_eq!(
            parse(json!({ "service/x": false })).unwrap_err(),
            "Not an absolute component path: service/x"
        );
        assert_eq!(
            parse(json!({ "/service/x": "no" })).unwrap_err(),
            "`/service/x`: Must be of type `boolean`."
        );
        assert!(parse(json!({ "/service/bad name": true })).is_err());
        assert!(parse(json!(null)).unwrap().rules().is_empty());
    }
}

//! SuffixRouter: routes on the suffix of the last name in the path, to the
//! application of the longest matching suffix, with no fallback (Lactoserv
//! `webapp-builtins/export/SuffixRouter.js`; spec 03 §4.4).
//!
//! Unlike the reference, which crashes on a bad suffix spec and checks
//! target names only at start-up, both are checked here with clear messages
//! (spec 00-index decision "SuffixRouter invalid spec"); the set of accepted
//! specs is the reference's.

mod running;

use lactoserv_core::bind::BindError;

use lactoserv_core::app::{AppRef, Routing};
use lactoserv_core::component::{ApplicationConfig, Applications, Kind, Reference};

use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use running::SuffixRouter;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{check_entries, default_true, keyed_field, null_as_default, null_as_true, target_name};

/// One entry of the `suffixes` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SuffixRoute {
    /// The spec as written in the config (`*.txt`).
    pub(crate) spec: String,
    /// The suffix text (`.txt`; empty for `*`).
    pub(crate) suffix: String,
    /// The application to dispatch to.
    pub(crate) target: Name,
}

/// The checked configuration of a SuffixRouter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SuffixRouterConfig {
    /// Suffix spec → application name, as written; parsed into `routes` by
    /// `validate`.
    suffixes: Map<String, Value>,
    /// Whether file-form paths (no trailing `/`) are routed.
    #[serde(default = "default_true", deserialize_with = "null_as_true")]
    pub(crate) handle_files: bool,
    /// Whether directory-form paths (trailing `/`) are routed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) handle_directories: bool,
    /// The parsed `suffixes`, in config order.
    #[serde(skip)]
    pub(crate) routes: Vec<SuffixRoute>,
}

impl ApplicationConfig for SuffixRouterConfig {
    fn init_events(&self) -> Vec<(&'static str, Vec<LogValue>)> {
        super::routes_event(
            self.routes
                .iter()
                .map(|route| (format!("*{}", route.suffix), route.target.as_str().into())),
        )
    }

    fn validate(&mut self) -> Result<(), BindError> {
        if !(self.handle_files || self.handle_directories) {
            return Err(BindError::new(
                "",
                "Must configure at least one of `handleDirectories` or `handleFiles` as true.",
            ));
        }
        self.routes = check_entries("suffixes", &self.suffixes, |spec, target| {
            Ok(SuffixRoute {
                spec: spec.to_owned(),
                suffix: parse_suffix_spec(spec)?,
                target: target_name(target)?,
            })
        })?;
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        self.routes
            .iter()
            .map(|route| {
                let field = keyed_field("suffixes", &route.spec);
                Reference::new(field, Kind::Application, route.target.as_str())
            })
            .collect()
    }

    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        let router = SuffixRouter::new(
            &self.routes,
            self.handle_files,
            self.handle_directories,
            applications,
        )?;
        Ok(Routing::app(router))
    }
}

/// Parses a suffix spec (spec 03 SUF-1) into its suffix text: `*` alone
/// (the empty suffix, matching any name), or `*` then one of `-._+` then
/// one or more of `-._+`, ASCII letters and digits.
pub(crate) fn parse_suffix_spec(spec: &str) -> Result<String, String> {
    if spec == "*" {
        return Ok(String::new());
    }
    if spec.is_empty() {
        return Err("Suffix match specs cannot be empty; maybe you mean `*`?".to_owned());
    }
    let Some(suffix) = spec.strip_prefix('*') else {
        return Err(format!(
            "Not a valid suffix match spec (must start with `*`): {spec}"
        ));
    };
    let is_punct = |b: u8| b"-._+".contains(&b);
    let mut bytes = suffix.bytes();
    let valid = bytes.next().is_some_and(is_punct)
        && suffix.len() >= 2
        && bytes.all(|b| is_punct(b) || b.is_ascii_alphanumeric());
    if valid {
        Ok(suffix.to_owned())
    } else {
        Err(format!("Not a valid suffix match spec: {spec}"))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::json;

    use super::*;
    use crate::apps::testing::{Apps, route, router};

    fn build(config: Value) -> Result<SuffixRouterConfig, BindError> {
        let mut config: SuffixRouterConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_the_reference_specs() {
        let cases = [
            ("*", ""),
            ("*.w", ".w"),
            ("*-x", "-x"),
            ("*_y", "_y"),
            ("*+z", "+z"),
            ("*.x.y", ".x.y"),
            ("*.foo-bar", ".foo-bar"),
            ("*._bonk", "._bonk"),
            ("*..", ".."),
            ("*.-", ".-"),
            ("*.A", ".A"),
        ];
        for (spec, suffix) in cases {
            assert_eq!(parse_suffix_spec(spec).as_deref(), Ok(suffix), "{spec}");
        }
    }

    #[test]
    fn rejects_invalid_specs_with_the_intended_messages() {
        for spec in [
            ".xyz",
            "x.*",
            "y.*.z",
            "*X",
            "*x",
            "*0",
            "*.x.*.y",
            "*-a$b",
            "*.a:b",
            "*.a@b",
            "*.a%12b",
            "*.a\u{1234}b",
            "*.",
            "*-",
            "*+",
            "**",
        ] {
            let err = build(json!({ "suffixes": { spec: "app" } })).unwrap_err();
            assert_eq!(err.field, keyed_field("suffixes", spec), "{spec}");
            assert!(
                err.message.starts_with("Not a valid suffix match spec"),
                "{spec}: {err}"
            );
        }
        let err = build(json!({ "suffixes": { "": "app" } })).unwrap_err();
        assert_eq!(
            err.message,
            "Suffix match specs cannot be empty; maybe you mean `*`?"
        );
        let err = parse_suffix_spec("x.*").unwrap_err();
        assert_eq!(
            err,
            "Not a valid suffix match spec (must start with `*`): x.*"
        );
    }

    #[test]
    fn checks_target_names_at_construction() {
        for name in [
            json!(null),
            json!(123),
            json!(""),
            json!("-zonk"),
            json!(["x"]),
        ] {
            let err = build(json!({ "suffixes": { "*.x": name.clone() } })).unwrap_err();
            assert_eq!(err.field, "suffixes['*.x']", "{name}");
        }
    }

    #[test]
    fn defaults_to_files_only() {
        let config = build(json!({ "suffixes": {} })).unwrap();
        assert!(config.handle_files);
        assert!(!config.handle_directories);
        let config =
            build(json!({ "suffixes": {}, "handleFiles": null, "handleDirectories": null }))
                .unwrap();
        assert!(config.handle_files && !config.handle_directories);
    }

    #[test]
    fn requires_at_least_one_handle_flag() {
        for (files, dirs) in [(false, true), (true, false), (true, true)] {
            let config = json!({ "suffixes": {}, "handleFiles": files, "handleDirectories": dirs });
            assert!(build(config).is_ok(), "{files} {dirs}");
        }
        let err =
            build(json!({ "suffixes": {}, "handleFiles": false, "handleDirectories": false }))
                .unwrap_err();
        assert!(
            err.message.starts_with("Must configure at least one of"),
            "{err}"
        );
    }

    #[test]
    fn references_each_target_by_its_spec() {
        let config = build(json!({ "suffixes": { "*.bonk": "slowPoke", "*": "other" } })).unwrap();
        assert_eq!(
            config.references(),
            [
                Reference::new("suffixes['*.bonk']", Kind::Application, "slowPoke"),
                Reference::new("suffixes['*']", Kind::Application, "other"),
            ]
        );
        assert_eq!(config.routes[0].suffix, ".bonk");
    }

    #[tokio::test]
    async fn suffix_router_follows_the_spec_vectors() {
        let apps = Apps::new(&["1", "2", "3", "5"]);
        let files = router::<SuffixRouterConfig>(json!({ "suffixes": { "*.beep": "a1" } }), &apps);
        assert_eq!(
            route(&files, "/zonk/florp.beep").await.as_deref(),
            Some("1")
        );
        assert_eq!(route(&files, "/boop.beep/").await, None);
        let dirs = router::<SuffixRouterConfig>(
            json!({ "suffixes": { "*.beep": "a1" }, "handleFiles": false, "handleDirectories": true }),
            &apps,
        );
        assert_eq!(route(&dirs, "/boop.beep/").await.as_deref(), Some("1"));
        assert_eq!(route(&dirs, "/boop.beep").await, None);
        let star = router::<SuffixRouterConfig>(
            json!({ "suffixes": { "*": "a1", "*.x": "a2", "*.blorp": "a2" } }),
            &apps,
        );
        for path in ["/boop.bop", "/zonk", "/a/b/c/zonk", "/.bleep", "/bleepy"] {
            assert_eq!(route(&star, path).await.as_deref(), Some("1"), "{path}");
        }
        let longest = router::<SuffixRouterConfig>(
            json!({ "suffixes": { "*": "a2", "*.beep": "a2", "*.beep-bop": "a3", "*-bop": "a2", "*.bop": "a2" } }),
            &apps,
        );
        assert_eq!(
            route(&longest, "/zippity.beep-bop").await.as_deref(),
            Some("3")
        );
        let zorch = router::<SuffixRouterConfig>(json!({ "suffixes": { "*.zorch": "a1" } }), &apps);
        assert_eq!(route(&zorch, "/x/.zorch").await, None);
        assert_eq!(route(&zorch, "/").await, None);
        let no_fallback = router::<SuffixRouterConfig>(
            json!({ "suffixes": { "*": "a1", "*.z": "a2", "*.y.z": "a3", "*.x.y.z": "a4" } }),
            &apps,
        );
        apps.taken();
        assert_eq!(route(&no_fallback, "/a/b/c/dee.x.y.z").await, None);
        assert_eq!(apps.taken().len(), 1);
    }
}

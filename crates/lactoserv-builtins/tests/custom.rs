//! A framework user's own application type, registered from Rust and named
//! by a config as a string.

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{ApplicationConfig, Kind, Reference};
use lactoserv_core::webapp::{ConfigError, WebappConfig};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GreeterConfig {
    #[serde(default = "default_greeting")]
    greeting: String,
    #[serde(default)]
    fallback: Option<String>,
}

fn default_greeting() -> String {
    "hi".into()
}

impl ApplicationConfig for GreeterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        if self.greeting.is_empty() {
            return Err(BindError::new("greeting", "must not be empty"));
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        self.fallback
            .iter()
            .map(|name| Reference::new("fallback", Kind::Application, name))
            .collect()
    }
}

fn catalog() -> lactoserv_core::catalog::Catalog {
    let mut catalog = lactoserv_builtins::catalog();
    catalog.add_application::<GreeterConfig>("Greeter");
    catalog
}

fn greeting(config: &WebappConfig, name: &str) -> String {
    let app = config.application(name).unwrap();
    // The framework keeps the user's config behind its trait; its Debug
    // form shows what was bound.
    format!("{:?}", app.config)
}

#[test]
fn a_registered_application_type_is_named_by_string() {
    let value = json!({
        "applications": [
            { "name": "loud", "class": "Greeter", "greeting": "yo" },
            { "class": "Greeter" }
        ]
    });
    let config = WebappConfig::from_value(&value, &catalog()).unwrap();
    assert_eq!(config.applications[0].class, "Greeter");
    assert!(greeting(&config, "loud").contains("greeting: \"yo\""));
    assert_eq!(config.applications[1].name, "greeter1");
    assert!(greeting(&config, "greeter1").contains("greeting: \"hi\""));
}

#[test]
fn a_registered_type_gets_the_same_checks_as_builtins() {
    let value = json!({
        "applications": [
            { "name": "a", "class": "Greeter", "greting": "typo" },
            { "name": "b", "class": "Greeter", "greeting": "" },
            { "name": "c", "class": "Greeter", "fallback": "nobody" }
        ]
    });
    let errors = WebappConfig::from_value(&value, &catalog()).unwrap_err();
    let texts: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].starts_with("applications[0] (Greeter `a`): Extra property: `greting`"),
        "{}",
        texts[0]
    );
    assert_eq!(
        texts[1],
        "applications[1] (Greeter `b`): `greeting`: must not be empty"
    );

    let value = json!({
        "applications": [{ "name": "c", "class": "Greeter", "fallback": "nobody" }]
    });
    let errors = WebappConfig::from_value(&value, &catalog()).unwrap_err();
    assert!(
        matches!(&errors.errors()[0], ConfigError::NoSuchComponent { field, .. } if field == "fallback")
    );
}

#[test]
fn an_unregistered_class_name_is_refused_with_the_known_ones() {
    let value = json!({ "applications": [{ "name": "a", "class": "Greeter" }] });
    let errors = WebappConfig::from_value(&value, &lactoserv_builtins::catalog()).unwrap_err();
    let text = errors.to_string();
    assert!(text.starts_with("applications[0] (Greeter `a`): `class`: Unknown application class `Greeter`; known: Health, HostRouter, Metrics, PathRouter"), "{text}");
}

#[test]
fn the_example_config_names_the_custom_type_from_javascript() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lactoserv/examples/greeter-config.mjs");
    let location =
        lactoserv_config::ConfigLocation::from_path(&path, std::path::Path::new("/")).unwrap();
    let value =
        lactoserv_config::load(&location, &lactoserv_config::LoadOptions::default()).unwrap();
    let config = WebappConfig::from_value(&value, &catalog()).unwrap();
    assert!(greeting(&config, "greeter").contains("\"yo\""));
    assert!(greeting(&config, "quiet").contains("\"hi\""));
}

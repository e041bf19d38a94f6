//! SerialRouter: tries a list of applications in order, returning the first
//! response (Lactoserv `webapp-builtins/export/SerialRouter.js`; spec 03
//! §4.3).

mod running;

use lactoserv_core::app::{AppRef, Routing};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::{ApplicationConfig, Applications, Kind, Reference};

use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use running::SerialRouter;
use serde::Deserialize;

use crate::support::bindings::OneOrMany;

/// The checked configuration of a SerialRouter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SerialRouterConfig {
    /// The applications to try, in order (a lone name is a list of one; an
    /// empty list is allowed, and then the router always declines).
    pub(crate) applications: OneOrMany<Name>,
}

impl ApplicationConfig for SerialRouterConfig {
    fn references(&self) -> Vec<Reference> {
        self.applications
            .0
            .iter()
            .enumerate()
            .map(|(at, name)| {
                Reference::new(
                    format!("applications[{at}]"),
                    Kind::Application,
                    name.as_str(),
                )
            })
            .collect()
    }

    fn build_with(&self, applications: &dyn Applications) -> Result<AppRef, BindError> {
        Ok(Routing::app(SerialRouter::new(
            &self.applications.0,
            applications,
        )?))
    }

    fn init_events(&self) -> Vec<(&'static str, Vec<LogValue>)> {
        let names = self.applications.0.iter().map(|name| name.as_str().into());
        vec![("routes", vec![LogValue::Array(names.collect())])]
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::{BindError, from_value};
    use serde_json::{Value, json};

    use super::*;
    use crate::apps::testing::{Apps, route, router};

    fn build(config: Value) -> Result<SerialRouterConfig, BindError> {
        let mut config: SerialRouterConfig = from_value(&config)?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn accepts_an_empty_list() {
        assert!(
            build(json!({ "applications": [] }))
                .unwrap()
                .references()
                .is_empty()
        );
    }

    #[test]
    fn references_each_application_by_index() {
        let config = build(json!({ "applications": ["foo", "bar", "baz"] })).unwrap();
        let refs = config.references();
        assert_eq!(refs.len(), 3);
        assert_eq!(
            refs[1],
            Reference::new("applications[1]", Kind::Application, "bar")
        );
    }

    #[test]
    fn accepts_a_lone_name() {
        let config = build(json!({ "applications": "foo" })).unwrap();
        assert_eq!(
            config.references(),
            [Reference::new("applications[0]", Kind::Application, "foo")]
        );
    }

    #[test]
    fn rejects_bad_names_naming_their_index() {
        for name in [
            json!(null),
            json!(false),
            json!(true),
            json!(123),
            json!(["x"]),
            json!({ "a": "x" }),
            json!(""),
            json!("-zonk"),
            json!("zonk-"),
            json!("ab$cd"),
            json!(" this "),
        ] {
            let err = build(json!({ "applications": ["ok", name.clone()] })).unwrap_err();
            assert_eq!(err.field, "applications[1]", "{name}");
        }
    }

    #[test]
    fn requires_applications() {
        let err = build(json!({})).unwrap_err();
        assert_eq!(err.message, "Missing required property: `applications`");
        assert!(build(json!({ "applications": 1 })).is_err());
    }

    #[tokio::test]
    async fn serial_router_tries_in_order() {
        let apps = Apps::new(&["2"]);
        let app =
            router::<SerialRouterConfig>(json!({ "applications": ["a1", "a2", "a3"] }), &apps);
        assert_eq!(route(&app, "/q").await.as_deref(), Some("2"));
        let called: Vec<String> = apps.taken().into_iter().map(|c| c.0).collect();
        assert_eq!(called, ["1", "2"]);
        let empty = router::<SerialRouterConfig>(json!({ "applications": [] }), &apps);
        assert_eq!(route(&empty, "/q").await, None);
    }
}

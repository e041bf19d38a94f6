//! EventFan: passes every event it receives on to several other services,
//! so that, say, one endpoint's access log goes both to a file and to the
//! system log (Lactoserv `webapp-builtins/export/EventFan.js`).
//!
//! A fan fills whatever event roles its targets fill. It forwards events
//! only, not calls, so only the event role (the access log) can usefully be
//! filled through it; deciding which forwarded roles count is the linker's
//! job, which sees the targets' roles.

mod running;

use std::sync::{Arc, OnceLock};

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Kind, Reference, ServiceConfig};
use lactoserv_core::log::LogValue;
use lactoserv_core::names::Name;
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

use running::{EventFan, Fan};
use serde::de::Deserializer;

use crate::support::bindings;

/// The bindings of an EventFan service.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct EventFanConfig {
    /// The services to forward to: one name or a list (maybe empty).
    #[serde(deserialize_with = "one_or_many")]
    services: Vec<Name>,
}

impl ServiceConfig for EventFanConfig {
    fn references(&self) -> Vec<Reference> {
        self.services
            .iter()
            .enumerate()
            .map(|(i, name)| Reference::new(format!("services[{i}]"), Kind::Service, name.as_str()))
            .collect()
    }

    fn forwards_roles(&self) -> bool {
        true
    }

    fn build(&self, context: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        let names: Vec<String> = self
            .services
            .iter()
            .map(|n| n.as_str().to_owned())
            .collect();
        context
            .logger
            .event_with("targets", || vec![LogValue::from(serde_json::json!(names))]);
        Ok(Some(Arc::new(EventFan {
            fan: Arc::new(Fan {
                names,
                registry: context.services.clone(),
                targets: OnceLock::new(),
            }),
        })))
    }
}

/// Reads a name or a list of names; a bad name's error keeps its index.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Name>, D::Error> {
    bindings::one_or_many(deserializer, "a service name or a list of service names")
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::{BindError, from_value};
    use serde_json::{Value, json};

    use super::*;

    fn bind(bindings: &Value) -> Result<EventFanConfig, BindError> {
        let mut config: EventFanConfig = from_value(bindings)?;
        config.validate()?;
        Ok(config)
    }

    fn targets(config: &EventFanConfig) -> Vec<(String, String)> {
        let refs = config.references();
        assert!(refs.iter().all(|r| r.kind == Kind::Service));
        refs.into_iter().map(|r| (r.field, r.name)).collect()
    }

    #[test]
    fn accepts_an_empty_list() {
        let config = bind(&json!({"services": []})).unwrap();
        assert!(config.references().is_empty());
        assert!(config.forwards_roles());
    }

    #[test]
    fn refers_to_each_listed_service() {
        let config = bind(&json!({"services": ["accessFile", "accessSyslog"]})).unwrap();
        let expected = [
            ("services[0]", "accessFile"),
            ("services[1]", "accessSyslog"),
        ];
        let expected: Vec<_> = expected.map(|(f, n)| (f.to_owned(), n.to_owned())).into();
        assert_eq!(targets(&config), expected);
    }

    #[test]
    fn accepts_a_single_name() {
        let config = bind(&json!({"services": "accessFile"})).unwrap();
        assert_eq!(
            targets(&config),
            [("services[0]".to_owned(), "accessFile".to_owned())]
        );
    }

    #[test]
    fn rejects_invalid_names_with_their_position() {
        let err = bind(&json!({"services": ["ok", "a b"]})).unwrap_err();
        assert_eq!(err.field, "services[1]");
        assert_eq!(err.message, "Invalid component name: a b");
        let err = bind(&json!({"services": "a b"})).unwrap_err();
        assert_eq!(err.field, "services");
        assert!(bind(&json!({"services": [1]})).is_err());
        let err = bind(&json!({"services": 1})).unwrap_err();
        assert!(
            err.message
                .contains("a service name or a list of service names"),
            "{err}"
        );
        assert!(bind(&json!({"services": null})).is_err());
    }

    #[test]
    fn requires_services() {
        let err = bind(&json!({})).unwrap_err();
        assert_eq!(err.message, "Missing required property: `services`");
    }
}

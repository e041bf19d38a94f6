//! AccessLogToSyslog: reports each request and its response as events in
//! the system log (Lactoserv `webapp-builtins/export/AccessLogToSyslog.js`).
//!
//! It has no settings of its own, only the ones every service has.

mod running;

use std::sync::Arc;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Role, Roles, ServiceConfig};
use lactoserv_core::service::{ServiceContext, ServiceRef};
use serde::Deserialize;

use running::{AccessLogToSyslog, Events};

/// The bindings of an AccessLogToSyslog service: none beyond the common
/// ones, so any other binding is an error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AccessLogToSyslogConfig {}

impl ServiceConfig for AccessLogToSyslogConfig {
    fn roles(&self) -> Roles {
        Roles::of(Role::AccessLog)
    }

    fn build(&self, _: &ServiceContext) -> Result<Option<ServiceRef>, BindError> {
        Ok(Some(Arc::new(AccessLogToSyslog(Arc::new(Events)))))
    }
}

#[cfg(test)]
mod tests {
    use lactoserv_core::bind::from_value;
    use serde_json::json;

    use super::*;

    #[test]
    fn accepts_no_bindings() {
        let config: AccessLogToSyslogConfig = from_value(&json!({})).unwrap();
        assert!(config.roles().contains(Role::AccessLog));
    }

    #[test]
    fn rejects_any_binding() {
        let err = from_value::<AccessLogToSyslogConfig>(&json!({"path": "/x"})).unwrap_err();
        assert!(err.message.starts_with("Extra property: `path`"), "{err}");
    }
}

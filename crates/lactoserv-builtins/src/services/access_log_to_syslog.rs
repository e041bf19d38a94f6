//! AccessLogToSyslog: reports each request and its response as events in
//! the system log (Lactoserv `webapp-builtins/export/AccessLogToSyslog.js`).
//!
//! It has no settings of its own, only the ones every service has.

use std::sync::Arc;

use async_trait::async_trait;
use http::{HeaderMap, Version};
use lactoserv_core::bind::BindError;
use lactoserv_core::component::{Role, Roles, ServiceConfig};
use lactoserv_core::log::LogValue;
use lactoserv_core::server::Fate;
use lactoserv_core::service::{
    AccessEntry, AccessLog, RequestStart, Service, ServiceContext, ServiceError, ServiceRef,
};
use serde::Deserialize;

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

/// Logs each request and its response on the request's own logger (spec
/// 04 §A.5): `request(…)` as it starts, `response(…)` when it is done.
#[derive(Debug)]
struct AccessLogToSyslog(Arc<Events>);

#[derive(Debug)]
struct Events;

/// Headers as a log object, names to values (values that are not text
/// shown as such).
fn headers(map: &HeaderMap) -> LogValue {
    LogValue::object(map.iter().map(|(name, value)| {
        let text = value
            .to_str()
            .map_or_else(|_| "<not text>".to_owned(), str::to_owned);
        (name.as_str().to_owned(), LogValue::from(text))
    }))
}

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "http-1.0",
        Version::HTTP_2 => "http-2.0",
        _ => "http-1.1",
    }
}

impl AccessLog for Events {
    fn wants_headers(&self) -> bool {
        true
    }

    fn start(&self, request: &RequestStart<'_>) {
        request.logger.event_with("request", || {
            let origin = request.remote.map_or_else(LogValue::undefined, |addr| {
                LogValue::endpoint_address(addr.ip(), addr.port())
            });
            vec![LogValue::object([
                ("origin".to_owned(), origin),
                (
                    "protocol".to_owned(),
                    LogValue::from(protocol(request.version)),
                ),
                (
                    "method".to_owned(),
                    LogValue::from(request.method.as_str().to_ascii_lowercase()),
                ),
                ("url".to_owned(), LogValue::from(request.url)),
                ("headers".to_owned(), headers(request.headers)),
            ])]
        });
    }

    fn record(&self, entry: AccessEntry) {
        let Some(logger) = &entry.logger else {
            return;
        };
        logger.event_with("response", || {
            let codes: Vec<LogValue> = if entry.ok {
                Vec::new()
            } else {
                vec![LogValue::from("err-stream-premature-close")]
            };
            let length = entry
                .body_size
                .map_or_else(|| LogValue::from(serde_json::Value::Null), LogValue::from);
            let response_headers = entry.response_headers.as_ref().map_or_else(
                || LogValue::object(Vec::<(String, LogValue)>::new()),
                headers,
            );
            vec![LogValue::object([
                ("ok".to_owned(), LogValue::from(entry.ok)),
                ("errorCodes".to_owned(), LogValue::Array(codes)),
                (
                    "errors".to_owned(),
                    LogValue::object(Vec::<(String, LogValue)>::new()),
                ),
                (
                    "statusCode".to_owned(),
                    LogValue::from(u64::from(entry.status)),
                ),
                ("contentLength".to_owned(), length),
                ("headers".to_owned(), response_headers),
            ])]
        });
    }
}

#[async_trait]
impl Service for AccessLogToSyslog {
    async fn start(&self) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {}

    fn access_log(&self) -> Option<Arc<dyn AccessLog>> {
        Some(self.0.clone())
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

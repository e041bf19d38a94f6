//! The running AccessLogToSyslog: each request and its response as events
//! on the request's own logger.

use std::sync::Arc;

use async_trait::async_trait;
use http::header::{COOKIE, HOST, SET_COOKIE};
use http::{HeaderMap, Version};
use lactoserv_core::log::LogValue;
use lactoserv_core::service::{AccessEntry, AccessLog, Fate, RequestStart, Service, ServiceError};

/// Logs each request and its response on the request's own logger (spec
/// 04 §A.5): `request(…)` as it starts, `response(…)` when it is done.
#[derive(Debug)]
pub(crate) struct AccessLogToSyslog(pub(crate) Arc<Events>);

/// The access log itself.
#[derive(Debug)]
pub(crate) struct Events;

/// Headers as a log object, names to values (values that are not text
/// shown as such), in the order received.
fn headers(map: &HeaderMap) -> LogValue {
    LogValue::object(
        map.iter()
            .map(|(name, value)| (name.as_str().to_owned(), LogValue::from(text(value)))),
    )
}

fn text(value: &http::HeaderValue) -> String {
    value
        .to_str()
        .map_or_else(|_| "<not text>".to_owned(), str::to_owned)
}

/// A request's headers as the reference logs them (spec 02 LOGF-5): by
/// name in alphabetical order, repeated ones joined with `, ` (`cookie`
/// with `; `), `set-cookie` as a list, `host` left out (the URL has it);
/// and its cookies, which replace the `cookie` header when there are any.
fn request_headers(map: &HeaderMap) -> (LogValue, Option<LogValue>) {
    let mut names: Vec<&http::HeaderName> = map.keys().collect();
    names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    let joined = |name: &http::HeaderName, with: &str| {
        map.get_all(name)
            .iter()
            .map(text)
            .collect::<Vec<_>>()
            .join(with)
    };
    let cookies = map
        .contains_key(COOKIE)
        .then(|| crate::support::cookies::parse(&joined(&COOKIE, "; ")))
        .filter(|cookies| !cookies.is_empty());
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        let value = if *name == HOST || (*name == COOKIE && cookies.is_some()) {
            continue;
        } else if *name == SET_COOKIE {
            LogValue::Array(map.get_all(name).iter().map(|v| text(v).into()).collect())
        } else if *name == COOKIE {
            joined(name, "; ").into()
        } else {
            joined(name, ", ").into()
        };
        entries.push((name.as_str().to_owned(), value));
    }
    let cookies = cookies.map(|cookies| {
        LogValue::object(
            cookies
                .into_iter()
                .map(|(name, value)| (name, LogValue::from(value))),
        )
    });
    (LogValue::Object(entries), cookies)
}

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "http-1.0",
        Version::HTTP_2 => "http-2.0",
        Version::HTTP_3 => "http-3.0",
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
            let mut fields = vec![
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
            ];
            let (headers, cookies) = request_headers(request.headers);
            fields.push(("headers".to_owned(), headers));
            if let Some(cookies) = cookies {
                fields.push(("cookies".to_owned(), cookies));
            }
            vec![LogValue::Object(fields)]
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
    use super::*;

    #[test]
    fn request_headers_are_sorted_joined_and_cookies_split_out() {
        let mut map = HeaderMap::new();
        for (name, value) in [
            ("host", "example.com"),
            ("user-agent", "test"),
            ("x-multi", "one"),
            ("cookie", "a=1"),
            ("accept", "*/*"),
            ("x-multi", "two"),
            ("cookie", "b=%41"),
            ("set-cookie", "c=3"),
        ] {
            map.append(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_static(value),
            );
        }
        let (headers, cookies) = request_headers(&map);
        let text = |v: &str| LogValue::from(v);
        assert_eq!(
            headers,
            LogValue::object([
                ("accept", text("*/*")),
                ("set-cookie", LogValue::Array(vec![text("c=3")])),
                ("user-agent", text("test")),
                ("x-multi", text("one, two")),
            ])
        );
        assert_eq!(
            cookies,
            Some(LogValue::object([("a", text("1")), ("b", text("A"))]))
        );
    }

    #[test]
    fn a_cookie_header_without_cookies_is_logged_as_a_header() {
        let mut map = HeaderMap::new();
        map.insert(COOKIE, http::HeaderValue::from_static("not a cookie"));
        let (headers, cookies) = request_headers(&map);
        assert_eq!(
            headers,
            LogValue::object([("cookie", LogValue::from("not a cookie"))])
        );
        assert_eq!(cookies, None);
    }
}

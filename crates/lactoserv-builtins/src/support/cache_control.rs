//! The `cacheControl` binding of Redirector, SimpleResponse and StaticFiles:
//! the `Cache-Control` value a responder adds to cacheable responses
//! (Lactoserv `HttpUtil.cacheControlHeader()` and the `_config_cacheControl`
//! methods; spec 03 FW-80, 02 CC-1…CC-5).
//!
//! The binding is a header string used verbatim, or an object of directive
//! options turned into one here, at configuration time, so that a bad
//! duration is a config error rather than a surprise on the first request.
//!
//! Where this differs from the reference (each a decision in spec
//! `00-index.md`): `sMaxAge` is written `s-maxage` (the reference writes
//! `s-max-age`); a `false` entry is left out (the reference crashes); bad
//! durations get a message naming the option. Beyond those: a whole
//! `cacheControl: false` means "no header", as the reference's docs say (its
//! code rejects it), and so does an object whose entries are all `false`.

use std::fmt;

use lactoserv_core::quant::Duration;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// A `Cache-Control` header value, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheControl(String);

impl CacheControl {
    /// The header value.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional `cacheControl` binding as the value a response carries
/// (`Response::cache_control`).
pub(crate) fn header_value(
    value: Option<&CacheControl>,
) -> Result<Option<http::HeaderValue>, lactoserv_core::bind::BindError> {
    value
        .map(|value| http::HeaderValue::from_str(value.as_str()))
        .transpose()
        .map_err(|err| lactoserv_core::bind::BindError::new("cacheControl", err.to_string()))
}

/// Deserializes an optional `cacheControl` binding; `None` means no header.
///
/// For use with `#[serde(default, deserialize_with = "…")]`.
pub(crate) fn deserialize<'de, D>(deserializer: D) -> Result<Option<CacheControl>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(BindingVisitor)
}

/// What one option of the object form turns into.
#[derive(Debug, Clone, Copy)]
enum Directive {
    /// Emitted bare when `true`.
    Flag(&'static str),
    /// Emitted as `name=<whole seconds>`.
    Seconds(&'static str),
}

/// Option name → directive, in the reference's table order.
const DIRECTIVES: [(&str, Directive); 13] = [
    ("immutable", Directive::Flag("immutable")),
    ("maxAge", Directive::Seconds("max-age")),
    ("mustRevalidate", Directive::Flag("must-revalidate")),
    ("mustUnderstand", Directive::Flag("must-understand")),
    ("noCache", Directive::Flag("no-cache")),
    ("noStore", Directive::Flag("no-store")),
    ("noTransform", Directive::Flag("no-transform")),
    ("public", Directive::Flag("public")),
    ("private", Directive::Flag("private")),
    ("proxyRevalidate", Directive::Flag("proxy-revalidate")),
    // RFC 9111 §5.2.2.10 spells it `s-maxage` (00-index decision).
    ("sMaxAge", Directive::Seconds("s-maxage")),
    ("staleIfError", Directive::Seconds("stale-if-error")),
    (
        "staleWhileRevalidate",
        Directive::Seconds("stale-while-revalidate"),
    ),
];

const INVALID: &str = "Invalid `cacheControl` option.";

struct BindingVisitor;

impl<'de> Visitor<'de> for BindingVisitor {
    type Value = Option<CacheControl>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a header string or an object of cache-control options")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        // Verbatim, even when empty, as in the reference.
        Ok(Some(CacheControl(value.to_owned())))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        if value {
            Err(E::custom(INVALID))
        } else {
            Ok(None)
        }
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(E::custom(INVALID))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(E::custom(INVALID))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(INVALID))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(INVALID))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = Vec::new();
        let mut any_option = false;
        while let Some(key) = map.next_key::<String>()? {
            let directive = DIRECTIVES
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, directive)| *directive)
                .ok_or_else(|| de::Error::custom(format!("Unknown cache control option: {key}")))?;
            any_option = true;
            // Checked inside the value, so that the error's path names the
            // option (`cacheControl.maxAge`).
            if let Some(part) = map.next_value_seed(DirectiveSeed {
                key: &key,
                directive,
            })? {
                parts.push(part);
            }
        }
        if !any_option {
            return Err(de::Error::custom("Must specify at least one option."));
        }
        Ok((!parts.is_empty()).then(|| CacheControl(parts.join(", "))))
    }
}

/// Reads the value of one option and formats its directive (`None` for a
/// `false` flag).
struct DirectiveSeed<'a> {
    key: &'a str,
    directive: Directive,
}

impl<'de> DeserializeSeed<'de> for DirectiveSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
        let problem = match (self.directive, &value) {
            (Directive::Flag(name), serde_json::Value::Bool(on)) => {
                return Ok(on.then(|| name.to_owned()));
            }
            (Directive::Flag(_), _) => "Expected type `boolean`.".to_owned(),
            (Directive::Seconds(name), serde_json::Value::String(text)) => {
                match text.parse::<Duration>() {
                    Ok(duration) if duration.value() >= 0.0 => {
                        return Ok(Some(format!("{name}={}", whole_seconds(duration))));
                    }
                    Ok(_) => format!("Expected non-negative duration; got: {text}"),
                    Err(err) => err.to_string(),
                }
            }
            (Directive::Seconds(_), _) => format!("Expected a duration string; got: {value}"),
        };
        Err(de::Error::custom(format!(
            "Invalid value for cache control option `{}`: {problem}",
            self.key
        )))
    }
}

/// Whole seconds, rounded down as the reference does (`1.9 sec` → `1`).
fn whole_seconds(duration: Duration) -> u64 {
    // A float-to-int `as` saturates, which is the sensible reading of an
    // absurdly long duration; the value is known to be non-negative.
    duration.value().floor() as u64
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bind(value: serde_json::Value) -> Result<Option<String>, String> {
        #[derive(Debug, serde::Deserialize)]
        struct Holder {
            #[serde(default, rename = "cacheControl", deserialize_with = "deserialize")]
            cache_control: Option<CacheControl>,
        }
        let holder: Holder = lactoserv_core::bind::from_value(&json!({ "cacheControl": value }))
            .map_err(|err| err.to_string())?;
        Ok(holder.cache_control.map(|cc| cc.as_str().to_owned()))
    }

    fn header(value: serde_json::Value) -> String {
        bind(value.clone())
            .unwrap_or_else(|err| panic!("{value}: {err}"))
            .unwrap_or_else(|| panic!("{value}: no header"))
    }

    #[test]
    fn uses_strings_verbatim() {
        assert_eq!(header(json!("public, max-age=10")), "public, max-age=10");
        assert_eq!(header(json!("florp=123")), "florp=123");
        assert_eq!(header(json!("")), "");
    }

    #[test]
    fn converts_objects_in_key_order() {
        let cases = [
            (json!({ "noCache": true }), "no-cache"),
            (json!({ "noStore": true }), "no-store"),
            (
                json!({ "noCache": true, "noStore": true }),
                "no-cache, no-store",
            ),
            (json!({ "public": true }), "public"),
            (json!({ "maxAge": "123 sec" }), "max-age=123"),
            (
                json!({ "public": true, "maxAge": "123 sec" }),
                "public, max-age=123",
            ),
            (json!({ "maxAge": "123.789 sec" }), "max-age=123"),
            (
                json!({ "public": true, "maxAge": "123_min" }),
                "public, max-age=7380",
            ),
            (
                json!({ "public": true, "maxAge": "5 min" }),
                "public, max-age=300",
            ),
            (json!({ "maxAge": "0 sec" }), "max-age=0"),
            (
                json!({ "noCache": true, "maxAge": "1 hour", "sMaxAge": "90 sec",
                        "staleWhileRevalidate": "1.9 sec", "mustRevalidate": true }),
                "no-cache, max-age=3600, s-maxage=90, stale-while-revalidate=1, must-revalidate",
            ),
            (
                json!({ "sMaxAge": "2 min", "staleIfError": "1 day" }),
                "s-maxage=120, stale-if-error=86400",
            ),
            (
                json!({ "immutable": true, "mustUnderstand": true, "noTransform": true,
                        "private": true, "proxyRevalidate": true }),
                "immutable, must-understand, no-transform, private, proxy-revalidate",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(header(value), expected);
        }
    }

    #[test]
    fn omits_false_entries() {
        assert_eq!(
            header(json!({ "public": false, "noCache": true })),
            "no-cache"
        );
        assert_eq!(bind(json!({ "public": false, "noStore": false })), Ok(None));
    }

    #[test]
    fn null_and_false_mean_no_header() {
        assert_eq!(bind(json!(null)), Ok(None));
        assert_eq!(bind(json!(false)), Ok(None));
    }

    #[test]
    fn rejects_other_types() {
        for value in [json!(["ummm"]), json!(true), json!(123)] {
            let err = bind(value.clone()).unwrap_err();
            assert!(
                err.ends_with("Invalid `cacheControl` option."),
                "{value}: {err}"
            );
        }
    }

    #[test]
    fn rejects_unknown_options_and_empty_objects() {
        let err = bind(json!({ "florp": true })).unwrap_err();
        assert!(
            err.ends_with("Unknown cache control option: florp"),
            "{err}"
        );
        let err = bind(json!({})).unwrap_err();
        assert!(err.ends_with("Must specify at least one option."), "{err}");
    }

    #[test]
    fn rejects_bad_values_naming_the_option() {
        let err = bind(json!({ "public": "yes" })).unwrap_err();
        assert_eq!(
            err,
            "`cacheControl.public`: Invalid value for cache control option `public`: \
             Expected type `boolean`."
        );
        for value in ["-1 sec", "florp", "5 bytes"] {
            let err = bind(json!({ "maxAge": value })).unwrap_err();
            assert!(err.starts_with("`cacheControl.maxAge`: "), "{value}: {err}");
            assert!(err.contains(value), "{value}: {err}");
        }
        // A bare number carries no unit.
        let err = bind(json!({ "maxAge": 12 })).unwrap_err();
        assert!(err.contains("option `maxAge`"), "{err}");
    }
}

//! The `compress` binding: `true` for the defaults, or an object with
//! any of `encodings` (the codings offered, in the server's order of
//! preference), `minSize` (a byte count: smaller bodies go as they are)
//! and `types` (the media types compressed: `type/subtype`, `type/*` or
//! `type/*+suffix`). `false` and `null` turn it off, as does leaving it
//! out. Unlike the reference's own bindings, unknown keys are errors:
//! this one is new, so nothing written for the reference can hold them.

use lactoserv_core::quant::ByteCount;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::Coding;

/// Bodies smaller than this go as they are, by default: their codings
/// save less than the headers that announce them cost.
const DEFAULT_MIN_SIZE: u64 = 512;

/// The media types compressed by default: text, and the structured and
/// font formats that are text-like; never images, audio, video, archives
/// or `woff2` fonts, which are compressed already.
const DEFAULT_TYPES: &[&str] = &[
    "text/*",
    "application/javascript",
    "application/json",
    "application/*+json",
    "application/xml",
    "application/*+xml",
    "application/wasm",
    "application/x-javascript",
    "application/vnd.ms-fontobject",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "image/bmp",
    "font/ttf",
    "font/otf",
];

/// Expanded `compress` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Compress {
    /// The codings offered, most preferred first.
    pub(crate) codings: Vec<Coding>,
    /// The smallest body compressed.
    pub(crate) min_size: u64,
    /// The media types compressed.
    types: Vec<TypePattern>,
}

impl Default for Compress {
    fn default() -> Self {
        Self {
            codings: Coding::ALL.to_vec(),
            min_size: DEFAULT_MIN_SIZE,
            types: DEFAULT_TYPES
                .iter()
                .map(|text| TypePattern::parse(text).expect("valid defaults"))
                .collect(),
        }
    }
}

impl Compress {
    /// Whether a body of `content_type` (a `Content-Type` value) and
    /// `len` bytes is compressed.
    pub(crate) fn applies(&self, content_type: &str, len: u64) -> bool {
        len >= self.min_size
            && self
                .types
                .iter()
                .any(|pattern| pattern.matches(content_type))
    }
}

/// A media type pattern of `types`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TypePattern {
    /// `type/subtype`.
    Exact(String),
    /// `type/*`.
    AnySubtype(String),
    /// `type/*+suffix`: the prefix up to the `/`, and `+suffix`.
    Suffix(String, String),
}

impl TypePattern {
    fn parse(text: &str) -> Result<Self, String> {
        let lower = text.trim().to_ascii_lowercase();
        let bad = || {
            format!(
                "Invalid `types` entry `{text}`: must be `type/subtype`, `type/*` or `type/*+suffix`."
            )
        };
        let (kind, subtype) = lower.split_once('/').ok_or_else(bad)?;
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        if !token(kind) {
            return Err(bad());
        }
        if subtype == "*" {
            return Ok(Self::AnySubtype(format!("{kind}/")));
        }
        if let Some(suffix) = subtype.strip_prefix("*+") {
            return if token(suffix) {
                Ok(Self::Suffix(format!("{kind}/"), format!("+{suffix}")))
            } else {
                Err(bad())
            };
        }
        if token(subtype) {
            Ok(Self::Exact(lower))
        } else {
            Err(bad())
        }
    }

    /// Whether `content_type` (parameters and case allowed) matches.
    fn matches(&self, content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        let starts = |prefix: &str| {
            essence.len() >= prefix.len() && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        match self {
            Self::Exact(whole) => essence.eq_ignore_ascii_case(whole),
            Self::AnySubtype(prefix) => starts(prefix) && essence.len() > prefix.len(),
            Self::Suffix(prefix, suffix) => {
                starts(prefix)
                    && essence.len() > prefix.len() + suffix.len()
                    && essence[essence.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            }
        }
    }
}

/// Deserializes an optional `compress` binding; `None`: off.
///
/// For use with `#[serde(default, deserialize_with = "…")]`.
pub(crate) fn deserialize<'de, D>(deserializer: D) -> Result<Option<Compress>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)) => Ok(None),
        Some(serde_json::Value::Bool(true)) => Ok(Some(Compress::default())),
        Some(object @ serde_json::Value::Object(_)) => RawOptions::deserialize(object)
            .map_err(|err| err.to_string())
            .and_then(RawOptions::expand)
            .map(Some)
            .map_err(de::Error::custom),
        Some(_) => Err(de::Error::custom(INVALID)),
    }
}

const INVALID: &str = "Invalid `compress` option: must be `true`, `false` or an object with `encodings`, `minSize` and/or `types`.";

/// The object form as written; `null` entries mean "default".
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    #[serde(default)]
    encodings: Option<Vec<String>>,
    /// Read as a byte count below, so that an error names it.
    #[serde(default)]
    min_size: Option<serde_json::Value>,
    #[serde(default)]
    types: Option<Vec<String>>,
}

impl RawOptions {
    fn expand(self) -> Result<Compress, String> {
        let mut options = Compress::default();
        if let Some(names) = self.encodings {
            let mut codings = Vec::with_capacity(names.len());
            for name in &names {
                let coding = Coding::from_token(name).ok_or_else(|| {
                    format!("Invalid `encodings` entry `{name}`: must be `br`, `zstd` or `gzip`.")
                })?;
                if codings.contains(&coding) {
                    return Err(format!("Invalid `encodings`: `{name}` is named twice."));
                }
                codings.push(coding);
            }
            if codings.is_empty() {
                return Err("Invalid `encodings`: must name at least one of `br`, `zstd` and `gzip` (or turn `compress` off).".into());
            }
            options.codings = codings;
        }
        if let Some(size) = self.min_size.filter(|size| !size.is_null()) {
            let size = ByteCount::deserialize(size).map_err(|err| {
                format!("Invalid `minSize`: {err} (a byte count, such as '1 KiB')")
            })?;
            let bytes = size.value();
            if !(bytes >= 0.0 && bytes.fract() == 0.0) {
                return Err(format!(
                    "Invalid `minSize`: must be a whole number of bytes, 0 or more; got {size}."
                ));
            }
            options.min_size = bytes as u64;
        }
        if let Some(types) = self.types {
            options.types = types
                .iter()
                .map(|text| TypePattern::parse(text))
                .collect::<Result<_, _>>()?;
        }
        Ok(options)
    }
}

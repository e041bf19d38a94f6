//! Text-or-bytes config values.
//!
//! A JavaScript config can hand a `Buffer` (from `readFile`) to any binding
//! that takes one in the reference: a host's `certificate` and `privateKey`,
//! SimpleResponse's `body`. The config value tree carries bytes as
//! `{"$bytes": "<base64>"}` so that binary data survives the trip; this type
//! accepts either form and remembers which one it was, because a string body
//! and a Buffer body are served differently.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The key marking encoded bytes in the config value tree.
pub const BYTES_KEY: &str = "$bytes";

/// A binding given either as a string or as bytes (a `Buffer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blob {
    /// Given as a string.
    Text(String),
    /// Given as a `Buffer`/`Uint8Array`.
    Bytes(Vec<u8>),
}

impl Blob {
    /// The raw bytes, whichever form was given.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Bytes(bytes) => bytes,
        }
    }

    /// The value as UTF-8 text, decoding bytes; `None` if they are not UTF-8.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
        }
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BlobVisitor)
    }
}

struct BlobVisitor;

impl<'de> Visitor<'de> for BlobVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string or a Buffer")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Blob, E> {
        Ok(Blob::Text(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Blob, E> {
        Ok(Blob::Text(value))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Blob, A::Error> {
        let mut encoded: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != BYTES_KEY || encoded.is_some() {
                return Err(de::Error::custom(
                    "Invalid type: object; expected a string or a Buffer",
                ));
            }
            encoded = Some(map.next_value()?);
        }
        let encoded = encoded.ok_or_else(|| {
            de::Error::custom("Invalid type: object; expected a string or a Buffer")
        })?;
        STANDARD
            .decode(encoded)
            .map(Blob::Bytes)
            .map_err(|err| de::Error::custom(format!("Invalid bytes value: {err}")))
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Self::Text(text) => serializer.serialize_str(text),
            Self::Bytes(bytes) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(BYTES_KEY, &STANDARD.encode(bytes))?;
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strings_and_encoded_bytes() {
        let text: Blob = serde_json::from_str(r#""hi\n""#).unwrap();
        assert_eq!(text, Blob::Text("hi\n".into()));
        let bytes: Blob = serde_json::from_str(r#"{"$bytes": "AP8="}"#).unwrap();
        assert_eq!(bytes, Blob::Bytes(vec![0, 255]));
        assert_eq!(bytes.as_text(), None);
        assert_eq!(
            serde_json::to_string(&bytes).unwrap(),
            r#"{"$bytes":"AP8="}"#
        );
    }

    #[test]
    fn rejects_other_objects_and_types() {
        assert!(serde_json::from_str::<Blob>(r#"{"x": 1}"#).is_err());
        assert!(serde_json::from_str::<Blob>("12").is_err());
    }
}

//! The `etag` binding of SimpleResponse and StaticFiles: how a responder
//! makes `ETag` values (Lactoserv `EtagGenerator.expandOptions()` and the
//! `_config_etag` methods; spec 03 FW-81, 02 ETAG-1…ETAG-7).
//!
//! The binding is `null` (no ETags), `true` (all defaults) or an object of
//! options. As in the reference, unknown keys inside the object are ignored.
//! The hashing itself happens when responses are built; this module holds
//! the expanded options and the rule that turns a hash into a tag.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};

/// The digest an ETag is cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum HashAlgorithm {
    /// SHA-1.
    Sha1,
    /// SHA-256, the default.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The base64 text (standard alphabet, no padding) of `data`'s digest.
    pub(crate) fn hash(self, data: &[u8]) -> String {
        self.hash_reader(data).expect("reading a slice cannot fail")
    }

    /// [`HashAlgorithm::hash`] of what `reader` gives, read a chunk at a
    /// time so that hashing a large file holds little of it in memory.
    pub(crate) fn hash_reader(self, reader: impl std::io::Read) -> std::io::Result<String> {
        match self {
            Self::Sha1 => digest::<sha1::Sha1>(reader),
            Self::Sha256 => digest::<sha2::Sha256>(reader),
            Self::Sha512 => digest::<sha2::Sha512>(reader),
        }
    }

    /// The length of the whole digest in unpadded base64.
    pub(crate) fn full_length(self) -> usize {
        match self {
            Self::Sha1 => 27,
            Self::Sha256 => 43,
            Self::Sha512 => 86,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }
}

/// The digest `D` of what `reader` gives, in unpadded base64.
fn digest<D: sha2::Digest>(mut reader: impl std::io::Read) -> std::io::Result<String> {
    use base64::Engine as _;
    let mut digest = D::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => digest.update(&chunk[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest.finalize()))
}

/// Whether tags are strong (`"…"`) or weak (`W/"…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TagForm {
    /// Always strong.
    Strong,
    /// Always weak.
    Weak,
    /// Strong for hashes of the whole data, weak for hashes of file
    /// metadata (the default).
    Vary,
}

/// Expanded ETag options: every default filled in, lengths checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EtagOptions {
    /// Hash file contents rather than file metadata.
    pub(crate) data_only: bool,
    /// The digest to use.
    pub(crate) hash_algorithm: HashAlgorithm,
    /// How many hash characters a strong tag keeps.
    pub(crate) strong_length: usize,
    /// How many hash characters a weak tag keeps.
    pub(crate) weak_length: usize,
    /// Which tag form to produce.
    pub(crate) tag_form: TagForm,
}

/// The weak-tag length when none is given.
const DEFAULT_WEAK_LENGTH: usize = 16;

/// The shortest hash prefix a tag may use.
const MIN_LENGTH: usize = 8;

impl Default for EtagOptions {
    fn default() -> Self {
        Self {
            data_only: false,
            hash_algorithm: HashAlgorithm::Sha256,
            strong_length: HashAlgorithm::Sha256.full_length(),
            weak_length: DEFAULT_WEAK_LENGTH,
            tag_form: TagForm::Vary,
        }
    }
}

impl EtagOptions {
    /// The tag of `data`, hashed whole (a strong tag unless the options
    /// ask for weak ones).
    pub(crate) fn tag_for_data(&self, data: &[u8]) -> String {
        self.tag_from_hash(&self.hash_algorithm.hash(data), true)
    }

    /// [`EtagOptions::tag_for_data`] of what `reader` gives (a file too
    /// large to hold whole).
    pub(crate) fn tag_for_reader(&self, reader: impl std::io::Read) -> std::io::Result<String> {
        Ok(self.tag_from_hash(&self.hash_algorithm.hash_reader(reader)?, true))
    }

    /// The tag of a file known by its metadata (a weak tag unless the
    /// options ask for strong ones): a hash of `<path>|<mtime ms in
    /// hex>|<size in hex>`.
    pub(crate) fn tag_for_stats(&self, path: &str, mtime_ms: u64, size: u64) -> String {
        let text = format!("{path}|{mtime_ms:x}|{size:x}");
        self.tag_from_hash(&self.hash_algorithm.hash(text.as_bytes()), false)
    }

    /// The tag for `hash` (base64, unpadded), which is a hash of the whole
    /// data when `is_full_hash`, else of file metadata.
    pub(crate) fn tag_from_hash(&self, hash: &str, is_full_hash: bool) -> String {
        let strong = match self.tag_form {
            TagForm::Strong => true,
            TagForm::Weak => false,
            TagForm::Vary => is_full_hash,
        };
        let prefix = |len: usize| hash.get(..len).unwrap_or(hash);
        if strong {
            format!("\"{}\"", prefix(self.strong_length))
        } else {
            format!("W/\"{}\"", prefix(self.weak_length))
        }
    }
}

/// Deserializes an optional `etag` binding; `None` means no ETags.
///
/// For use with `#[serde(default, deserialize_with = "…")]`.
pub(crate) fn deserialize<'de, D>(deserializer: D) -> Result<Option<EtagOptions>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(BindingVisitor)
}

const INVALID: &str = "Invalid `etag` option.";

struct BindingVisitor;

impl<'de> Visitor<'de> for BindingVisitor {
    type Value = Option<EtagOptions>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`true` or an object of etag options")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        if value {
            Ok(Some(EtagOptions::default()))
        } else {
            Err(E::custom(INVALID))
        }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(INVALID))
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

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let raw = RawOptions::deserialize(MapAccessDeserializer::new(map))?;
        raw.expand().map(Some).map_err(de::Error::custom)
    }
}

/// The object form as written; `null` entries mean "default".
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOptions {
    #[serde(default)]
    data_only: Option<bool>,
    #[serde(default)]
    hash_algorithm: Option<HashAlgorithm>,
    #[serde(default)]
    hash_length: Option<RawHashLength>,
    #[serde(default)]
    tag_form: Option<TagForm>,
}

/// `hashLength`: one length for both forms, or one per form.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "an integer or an object with `strong` and/or `weak`"
)]
enum RawHashLength {
    Both(u64),
    Each(RawEachLength),
}

#[derive(Deserialize)]
struct RawEachLength {
    /// Absent or `null`: the full hash.
    #[serde(default)]
    strong: Option<u64>,
    /// Absent: 16; `null`: the full hash (the reference's defaults apply only
    /// to an absent value, so the two differ).
    #[serde(default, deserialize_with = "present")]
    weak: Option<Option<u64>>,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(deserializer).map(Some)
}

impl RawOptions {
    fn expand(self) -> Result<EtagOptions, String> {
        let hash_algorithm = self.hash_algorithm.unwrap_or(HashAlgorithm::Sha256);
        let max = hash_algorithm.full_length();
        let check = |which: &str, len: u64| match usize::try_from(len) {
            Ok(len) if (MIN_LENGTH..=max).contains(&len) => Ok(len),
            _ => Err(format!(
                "`{which}` must be an integer from {MIN_LENGTH} to {max} (for {}); got: {len}",
                hash_algorithm.name()
            )),
        };
        let (strong_length, weak_length) = match self.hash_length {
            None => (max, DEFAULT_WEAK_LENGTH),
            Some(RawHashLength::Both(len)) => {
                let len = check("hashLength", len)?;
                (len, len)
            }
            Some(RawHashLength::Each(each)) => {
                let strong = match each.strong {
                    None => max,
                    Some(len) => check("hashLength.strong", len)?,
                };
                let weak = match each.weak {
                    None => DEFAULT_WEAK_LENGTH,
                    Some(None) => max,
                    Some(Some(len)) => check("hashLength.weak", len)?,
                };
                (strong, weak)
            }
        };
        Ok(EtagOptions {
            data_only: self.data_only.unwrap_or(false),
            hash_algorithm,
            strong_length,
            weak_length,
            tag_form: self.tag_form.unwrap_or(TagForm::Vary),
        })
    }
}

#[cfg(test)]
mod tests;

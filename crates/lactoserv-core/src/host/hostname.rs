//! Hostnames and hostname patterns: the names hosts and endpoints cover and
//! that TLS SNI and `Host` headers are matched against (Lactoserv
//! `net-util/export/HostUtil.js` and the `PathKey` form it parses names into).
//!
//! A hostname is an IP address (canonicalized, see [`super::ip`]) or a DNS
//! name (lower-cased). A *pattern* may also be a wildcard: `*` alone, or
//! `*.` followed by a name. A wildcard covers its base name at any depth:
//! `*.example.com` covers `example.com`, `a.example.com` and
//! `a.b.example.com` (unlike certificate wildcards, which cover one label).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::ip::{canonical_ip, parse_ip};

/// Longest DNS name, in characters.
const MAX_NAME_LEN: usize = 255;
/// Longest DNS label, in characters.
const MAX_LABEL_LEN: usize = 63;

/// A canonical hostname or hostname pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hostname {
    /// Canonical text: `*`, `*.example.com`, `example.com`, `::1`.
    text: String,
    /// The address, for an IP hostname.
    ip: Option<IpAddr>,
    /// Whether this is a wildcard pattern.
    wildcard: bool,
}

/// Text that is not a valid hostname (or pattern, where one was allowed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostnameError {
    /// Not a hostname at all.
    #[error("Not a valid hostname: {0}")]
    Invalid(String),
    /// A wildcard where only a concrete name may be given.
    #[error("Must not have a wildcard: {0}")]
    Wildcard(String),
}

impl Hostname {
    /// The full wildcard `*`, which covers every name and address.
    pub fn any() -> Self {
        Self {
            text: "*".to_owned(),
            ip: None,
            wildcard: true,
        }
    }

    /// Parses a hostname pattern: a hostname, `*`, or `*.<name>`.
    pub fn parse_pattern(text: &str) -> Result<Self, HostnameError> {
        Self::parse_with(text, true)
    }

    /// Parses a concrete hostname (no wildcard), as a TLS client or a
    /// request names a host.
    pub fn parse_name(text: &str) -> Result<Self, HostnameError> {
        Self::parse_with(text, false)
    }

    fn parse_with(text: &str, allow_wildcard: bool) -> Result<Self, HostnameError> {
        if let Some(ip) = parse_ip(text) {
            return Ok(Self {
                text: canonical_ip(ip),
                ip: Some(ip),
                wildcard: false,
            });
        }
        let (wildcard, name) = match text {
            "*" => (true, None),
            _ => match text.strip_prefix("*.") {
                Some(rest) => (true, Some(rest)),
                None => (false, Some(text)),
            },
        };
        // The reference's length limit cannot see past a leading `*` (its
        // look-ahead only counts name characters), so a wildcard pattern's
        // base name may be of any length; kept for parity.
        let valid = |name: &str| {
            if wildcard {
                is_unbounded_dns_name(name)
            } else {
                is_dns_name(name)
            }
        };
        if name.is_some_and(|name| !valid(name)) {
            return Err(HostnameError::Invalid(text.to_owned()));
        }
        if wildcard && !allow_wildcard {
            return Err(HostnameError::Wildcard(text.to_owned()));
        }
        Ok(Self {
            text: text.to_ascii_lowercase(),
            ip: None,
            wildcard,
        })
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a wildcard pattern (`*` or `*.<name>`).
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The address, if this is an IP hostname.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The lookup path: DNS labels from the top-level domain down, without
    /// the wildcard (`*.example.com` → `com`, `example`); an IP address is a
    /// single opaque label; `*` has no labels.
    pub fn path(&self) -> Vec<&str> {
        if self.ip.is_some() {
            return vec![&self.text];
        }
        let name = if self.wildcard {
            match self.text.strip_prefix("*.") {
                Some(rest) => rest,
                None => return Vec::new(),
            }
        } else {
            &self.text
        };
        name.rsplit('.').collect()
    }

    /// How specifically this pattern covers the concrete `name`, or `None`
    /// if it does not cover it. An exact binding beats any wildcard, and a
    /// longer wildcard beats a shorter one (HOST-20).
    pub fn specificity(&self, name: &Hostname) -> Option<Specificity> {
        if !self.wildcard {
            return (!name.wildcard && self.text == name.text).then_some(Specificity::Exact);
        }
        let pattern = self.path();
        name.path()
            .starts_with(&pattern)
            .then_some(Specificity::Wildcard(pattern.len()))
    }

    /// Whether this pattern covers the concrete `name`.
    pub fn matches(&self, name: &Hostname) -> bool {
        self.specificity(name).is_some()
    }

    /// Whether `other` (a pattern or a name) lies at or under this pattern in
    /// the name tree: for a wildcard, any binding whose path starts with this
    /// one's; otherwise only the same hostname.
    pub fn contains(&self, other: &Hostname) -> bool {
        if self.wildcard {
            other.path().starts_with(&self.path())
        } else {
            self == other
        }
    }
}

/// How well a pattern matched a name; greater is more specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Specificity {
    /// A wildcard matched; the number is the length of its path.
    Wildcard(usize),
    /// The pattern is the name itself.
    Exact,
}

/// Whether `name` is a dotted DNS name of the reference's syntax: labels of
/// 1–63 characters from `[A-Za-z0-9-]`, not starting or ending with `-`,
/// at most 255 characters in all, with at least one letter somewhere (so it
/// cannot be mistaken for a numeric address).
pub(crate) fn is_dns_name(name: &str) -> bool {
    name.len() <= MAX_NAME_LEN && is_unbounded_dns_name(name)
}

/// [`is_dns_name`] without the overall length limit.
fn is_unbounded_dns_name(name: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=MAX_LABEL_LEN).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    name.bytes().any(|b| b.is_ascii_alphabetic()) && name.split('.').all(label_ok)
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Hostname {
    type Err = HostnameError;

    /// Parses a pattern (wildcards allowed), as config bindings take them.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse_pattern(text)
    }
}

impl Serialize for Hostname {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Hostname {
    /// Deserializes a pattern (wildcards allowed) from a string.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_pattern(&text).map_err(de::Error::custom)
    }
}

/// Deserializes a `hostnames` binding: one pattern, or a list of them.
pub(crate) fn deserialize_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Hostname>, D::Error> {
    deserializer.deserialize_any(ListVisitor)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<Hostname>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a hostname or a list of hostnames")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Hostname::parse_pattern(text)
            .map(|hostname| vec![hostname])
            .map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut result = Vec::new();
        while let Some(hostname) = seq.next_element()? {
            result.push(hostname);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests;

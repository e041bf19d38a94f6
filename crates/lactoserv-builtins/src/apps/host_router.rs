//! HostRouter: routes on the request's host name to the application bound to
//! the most specific matching host pattern, with no fallback (Lactoserv
//! `webapp-builtins/export/HostRouter.js`; spec 03 §4.1).
//!
//! Also home of the host-pattern syntax ([`parse_host_pattern`], Lactoserv
//! `HostUtil.parseHostname` with wildcards allowed; spec 02 HOST-10…HOST-13)
//! and of IP address canonicalization ([`canonical_ip`], Lactoserv
//! `EndpointAddress.canonicalizeAddressElseNull`), which request-time host
//! matching needs too.

use std::collections::HashMap;

use lactoserv_core::bind::BindError;
use lactoserv_core::component::{ApplicationConfig, Kind, Reference};
use lactoserv_core::names::Name;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::path_router::PathKey;
use super::{keyed_field, target_name};

/// One entry of the `hosts` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostRoute {
    /// The pattern as written in the config.
    pub(crate) pattern: String,
    /// The parsed pattern: labels in reverse order (an IP address is one
    /// label), wildcard for `*.` patterns.
    pub(crate) key: PathKey,
    /// The application to dispatch to.
    pub(crate) target: Name,
}

/// The checked configuration of a HostRouter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HostRouterConfig {
    /// Host pattern → application name, as written; parsed into `routes` by
    /// `validate`.
    hosts: Map<String, Value>,
    /// Accepted (boolean or `null`) and ignored: the reference declared it
    /// removed in v0.9.1 but still accepts it, and existing configs may
    /// carry it (spec 03 HR-9). Host matching is always case-insensitive.
    #[serde(default, rename = "ignoreCase")]
    _ignore_case: Option<bool>,
    /// The parsed `hosts`, in config order.
    #[serde(skip)]
    pub(crate) routes: Vec<HostRoute>,
}

impl ApplicationConfig for HostRouterConfig {
    fn validate(&mut self) -> Result<(), BindError> {
        // Parsed here rather than while deserializing so that each error
        // names its entry (`hosts['foo.*']`).
        let mut seen: HashMap<PathKey, &str> = HashMap::new();
        let mut routes = Vec::with_capacity(self.hosts.len());
        for (pattern, target) in &self.hosts {
            let field = || keyed_field("hosts", pattern);
            let target = target_name(target).map_err(|msg| BindError::new(field(), msg))?;
            let key = parse_host_pattern(pattern).map_err(|msg| BindError::new(field(), msg))?;
            if let Some(earlier) = seen.insert(key.clone(), pattern) {
                return Err(BindError::new(
                    field(),
                    format!(
                        "Key already bound: {} (`{earlier}` and `{pattern}` are the same host)",
                        key.bracketed()
                    ),
                ));
            }
            routes.push(HostRoute {
                pattern: pattern.clone(),
                key,
                target,
            });
        }
        self.routes = routes;
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        self.routes
            .iter()
            .map(|route| {
                let field = keyed_field("hosts", &route.pattern);
                Reference::new(field, Kind::Application, route.target.as_str())
            })
            .collect()
    }
}

/// Parses a host pattern (spec 03 HR-2): `*`, `*.<dns-name>`, `<dns-name>`,
/// or an IP address (IPv6 with or without brackets). DNS names are
/// lower-cased and IP addresses canonicalized, so that equal hosts give
/// equal keys.
pub(crate) fn parse_host_pattern(pattern: &str) -> Result<PathKey, String> {
    if let Some(ip) = canonical_ip(pattern) {
        return Ok(PathKey {
            components: vec![ip],
            wildcard: false,
        });
    }
    if !is_dns_pattern(pattern) {
        return Err(format!("Invalid hostname (wildcards allowed): {pattern}"));
    }
    let mut components: Vec<String> = pattern
        .to_ascii_lowercase()
        .split('.')
        .rev()
        .map(str::to_owned)
        .collect();
    let wildcard = components.last().is_some_and(|label| label == "*");
    if wildcard {
        components.pop();
    }
    Ok(PathKey {
        components,
        wildcard,
    })
}

/// The pattern text of a host key, in normal label order: `*.example.com`,
/// `*`, `::1`. This is how the reference logs routing tables.
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "logged by the router at init (a later issue)")
)]
pub(crate) fn host_pattern_string(key: &PathKey) -> String {
    let mut labels: Vec<&str> = key.components.iter().rev().map(String::as_str).collect();
    if key.wildcard {
        labels.insert(0, "*");
    }
    labels.join(".")
}

/// Whether `name` is a DNS name, possibly with `*` as its whole first label:
/// labels of 1–63 letters, digits and `-` (not at either end), at least one
/// letter somewhere (else it would have to be an IP address), and no more
/// than 255 characters.
fn is_dns_pattern(name: &str) -> bool {
    if name == "*" {
        return true;
    }
    // The reference's length check cannot see past a leading `*`, so a
    // wildcard pattern has no length limit there; kept for parity.
    if !name.starts_with('*') && name.len() > 255 {
        return false;
    }
    let is_label = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let mut labels = name.split('.');
    let first_ok = labels
        .next()
        .is_some_and(|first| first == "*" || is_label(first));
    first_ok && labels.all(is_label) && name.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The canonical form of an IP address, or `None` if `value` is not one.
///
/// IPv4: four decimal parts of 1–3 digits, each at most 255, leading zeros
/// dropped. IPv6 (optionally in brackets): lower case, leading zeros
/// dropped, the longest run of zero groups (the first on ties, even a single
/// group) written `::`, and `0:0:0:0:0:ffff` addresses written with a
/// dotted IPv4 tail, which is the only prefix a dotted tail may have. The
/// "any" addresses `0.0.0.0` and `::` are not accepted.
pub(crate) fn canonical_ip(value: &str) -> Option<String> {
    canonical_ipv4(value).or_else(|| canonical_ipv6(value))
}

fn canonical_ipv4(value: &str) -> Option<String> {
    parse_ipv4(value).and_then(|bytes| {
        (bytes != [0; 4]).then(|| format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]))
    })
}

fn parse_ipv4(value: &str) -> Option<[u8; 4]> {
    if !(7..=15).contains(&value.len()) || !value.bytes().all(|b| b == b'.' || b.is_ascii_digit()) {
        return None;
    }
    let mut bytes = [0u8; 4];
    let mut parts = value.split('.');
    for byte in &mut bytes {
        let part = parts.next()?;
        if !(1..=3).contains(&part.len()) {
            return None;
        }
        *byte = part.parse().ok()?;
    }
    parts.next().is_none().then_some(bytes)
}

fn canonical_ipv6(value: &str) -> Option<String> {
    let inner = match (value.strip_prefix('['), value.strip_suffix(']')) {
        (Some(_), Some(_)) => &value[1..value.len() - 1],
        (None, None) => value,
        // Mismatched brackets.
        _ => return None,
    };
    let sniff = |b: u8| b == b':' || b == b'.' || b.is_ascii_hexdigit();
    if !(2..=50).contains(&inner.len()) || !inner.bytes().all(sniff) {
        return None;
    }
    let lower = inner.to_ascii_lowercase();
    // Groups before and after the `::`, if there is one; a second `::` or a
    // stray `:` shows up as an empty group, which is invalid.
    let (head, tail, compressed) = match lower.find("::") {
        Some(at) => (&lower[..at], &lower[at + 2..], true),
        None => (lower.as_str(), "", false),
    };
    let split = |s: &'_ str| -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(':').map(str::to_owned).collect()
        }
    };
    let (mut head, mut tail) = (split(head), split(tail));
    // A dotted IPv4 tail, only possible as the last group written, stands
    // for the last two groups.
    let last_written = if compressed { &mut tail } else { &mut head };
    let dotted = match last_written.last() {
        Some(group) if group.contains('.') => last_written.pop(),
        _ => None,
    };
    let parse_group = |group: &String| -> Option<u16> {
        if (1..=4).contains(&group.len()) {
            u16::from_str_radix(group, 16).ok()
        } else {
            None
        }
    };
    let head: Vec<u16> = head.iter().map(parse_group).collect::<Option<_>>()?;
    let mut tail: Vec<u16> = tail.iter().map(parse_group).collect::<Option<_>>()?;
    if let Some(dotted) = &dotted {
        let [a, b, c, d] = parse_ipv4(dotted).filter(|bytes| *bytes != [0; 4])?;
        // Without `::` the tail list is empty, so this is the end either way.
        tail.push(u16::from_be_bytes([a, b]));
        tail.push(u16::from_be_bytes([c, d]));
    }
    let explicit = head.len() + tail.len();
    // `::` must stand for at least one group.
    if (compressed && explicit > 7) || (!compressed && explicit != 8) {
        return None;
    }
    let mut groups = head;
    groups.resize(8 - tail.len(), 0);
    groups.extend(tail);
    format_ipv6(&groups, dotted.is_some())
}

/// Writes eight groups in canonical form; `None` for `::` itself, or for a
/// dotted tail given without the `::ffff` prefix.
fn format_ipv6(groups: &[u16], had_dotted_tail: bool) -> Option<String> {
    if groups.iter().all(|&g| g == 0) {
        return None;
    }
    let v4_mapped = groups[..5].iter().all(|&g| g == 0) && groups[5] == 0xffff;
    if had_dotted_tail && !v4_mapped {
        return None;
    }
    let mut parts: Vec<String> = groups.iter().map(|g| format!("{g:x}")).collect();
    if v4_mapped {
        let [a, b] = groups[6].to_be_bytes();
        let [c, d] = groups[7].to_be_bytes();
        parts.truncate(6);
        parts.push(format!("{a}.{b}.{c}.{d}"));
    }
    // The longest run of zero groups (the first on ties) becomes `::`.
    let (mut best_at, mut best_len, mut at) = (0, 0, 0);
    while at < parts.len() {
        let run = parts[at..].iter().take_while(|p| *p == "0").count();
        if run > best_len {
            (best_at, best_len) = (at, run);
        }
        at += run.max(1);
    }
    if best_len == 0 {
        return Some(parts.join(":"));
    }
    let left = parts[..best_at].join(":");
    let right = parts[best_at + best_len..].join(":");
    Some(format!("{left}::{right}"))
}

#[cfg(test)]
mod tests;

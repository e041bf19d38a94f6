//! Hostname → host lookup, as TLS certificate selection needs it (Lactoserv
//! `webapp-core/export/HostManager.js`, `HostMap`, over
//! `collections/private/TreeMapNode.js`).
//!
//! A map binds hostname patterns to values (a host, or its index). A lookup
//! returns the most specific binding: the exact name, else the wildcard with
//! the longest path that covers it, else `*`. An endpoint presents only the
//! *subset* of bindings its own `hostnames` select. Host lists are short, so
//! the map is a plain list scanned in full.

use crate::bind::BindError;

use super::hostname::{Hostname, Specificity};

/// Hostname patterns bound to values of type `T`.
#[derive(Debug, Clone)]
pub struct HostMap<T> {
    bindings: Vec<(Hostname, T)>,
}

impl<T> Default for HostMap<T> {
    fn default() -> Self {
        Self {
            bindings: Vec::new(),
        }
    }
}

impl<T: Clone> HostMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `hostname` to `value`, unless it is bound already (then the
    /// map is unchanged and `false` comes back).
    pub fn insert(&mut self, hostname: Hostname, value: T) -> bool {
        if self.get(&hostname).is_some() {
            return false;
        }
        self.bindings.push((hostname, value));
        true
    }

    /// The value bound to exactly `hostname`.
    pub fn get(&self, hostname: &Hostname) -> Option<&T> {
        self.bindings
            .iter()
            .find(|(bound, _)| bound == hostname)
            .map(|(_, value)| value)
    }

    /// The bindings, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Hostname, &T)> {
        self.bindings
            .iter()
            .map(|(hostname, value)| (hostname, value))
    }

    /// Whether nothing is bound.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// The value for a name a client sent (TLS SNI): the most specific
    /// binding covering it. A name that is not a valid concrete hostname
    /// (`bad_name`, `*.a.com`) finds nothing.
    pub fn find(&self, name: &str) -> Option<&T> {
        Hostname::parse_name(name)
            .ok()
            .and_then(|name| self.find_hostname(&name))
    }

    /// The most specific binding covering `name`. For a wildcard `name`,
    /// only wildcard bindings on its path count (so `*` finds just a `*`
    /// binding).
    pub fn find_hostname(&self, name: &Hostname) -> Option<&T> {
        let path = name.path();
        let mut best: Option<(Specificity, &T)> = None;
        for (bound, value) in &self.bindings {
            let specificity = if bound.is_wildcard() {
                let bound_path = bound.path();
                path.starts_with(&bound_path)
                    .then_some(Specificity::Wildcard(bound_path.len()))
            } else {
                bound.specificity(name)
            };
            let Some(found) = specificity else {
                continue;
            };
            // Strictly greater: of two equal keys, the first bound wins.
            if best.is_none_or(|(so_far, _)| found > so_far) {
                best = Some((found, value));
            }
        }
        best.map(|(_, value)| value)
    }

    /// The value presented to clients that send no SNI: the one bound to
    /// exactly `*` (TLS-3).
    pub fn default_value(&self) -> Option<&T> {
        self.get(&Hostname::any())
    }

    /// The bindings an endpoint with `hostnames` presents (HOST-30): for a
    /// wildcard, every binding at or under it; for a name, that name bound
    /// to whatever a lookup of it finds here. A hostname that selects
    /// nothing is an error naming its place in `hostnames`.
    pub fn subset(&self, hostnames: &[Hostname]) -> Result<HostMap<T>, BindError> {
        let mut result = HostMap::new();
        for (index, hostname) in hostnames.iter().enumerate() {
            let found: Vec<(Hostname, T)> = if hostname.is_wildcard() {
                self.bindings
                    .iter()
                    .filter(|(bound, _)| hostname.contains(bound))
                    .cloned()
                    .collect()
            } else {
                self.find_hostname(hostname)
                    .map(|value| (hostname.clone(), value.clone()))
                    .into_iter()
                    .collect()
            };
            if found.is_empty() {
                return Err(BindError::new(
                    format!("hostnames[{index}]"),
                    format!("No bindings found for hostname: {hostname}"),
                ));
            }
            for (bound, value) in found {
                result.insert(bound, value);
            }
        }
        Ok(result)
    }
}

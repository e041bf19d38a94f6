//! Hosts: the hostnames a server answers TLS handshakes for, each with the
//! certificate and key it presents (Lactoserv
//! `webapp-core/export/NetworkHost.js` and `HostManager.js`).
//!
//! A `hosts` entry binds one or more hostname patterns to either a
//! certificate chain and private key (PEM text, or a `Buffer` holding it), a
//! certificate generated at start (`selfSigned: true`), or, beyond
//! Lactoserv, certificates from an ACME authority (`acme`). Its bindings are
//! `hostnames`, `certificate`, `privateKey`, `selfSigned` and `acme`; hosts take no
//! `dispatchLogging`, and the reference names a host after its hostnames, so
//! a `name` binding is ignored by the framework.
//!
//! Layout:
//! - [`ip`]: IP address literals and their canonical text.
//! - [`hostname`]: hostname and pattern syntax, wildcard coverage.
//! - `pem`: the PEM shape checks done at configuration time.
//! - [`map`]: hostname → host lookup (SNI) and endpoint subsets.
//! - [`acme`]: certificates from an ACME authority.

pub mod acme;
pub mod hostname;
pub mod ip;
pub mod map;
pub(crate) mod pem;
pub mod tls;

#[cfg(test)]
mod tests;

use serde::Deserialize;

use crate::bind::BindError;
use crate::blob::Blob;

pub use hostname::{Hostname, HostnameError, Specificity};
pub use map::HostMap;

/// The checked configuration of one host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostConfig {
    /// The names covered, canonicalized; a single string in the config is a
    /// one-element list. Never empty once validated.
    #[serde(deserialize_with = "hostname::deserialize_list")]
    pub hostnames: Vec<Hostname>,
    /// The certificate chain, PEM; text once validated.
    #[serde(default)]
    pub certificate: Option<Blob>,
    /// The private key, PEM; text once validated.
    #[serde(default)]
    pub private_key: Option<Blob>,
    /// Whether to generate a self-signed certificate at start instead.
    #[serde(default)]
    pub self_signed: bool,
    /// Or to get certificates from an ACME authority.
    #[serde(default)]
    pub acme: Option<acme::AcmeConfig>,
}

impl HostConfig {
    /// Checks what bindings alone cannot: at least one hostname; PEM-shaped
    /// `certificate` and `privateKey` (a `Buffer` must hold UTF-8 text, and
    /// becomes that text); and exactly one of the two certificate sources.
    pub fn validate(&mut self) -> Result<(), BindError> {
        if self.hostnames.is_empty() {
            return Err(BindError::new(
                "hostnames",
                "Must have at least one hostname.",
            ));
        }
        check_pem(
            &mut self.certificate,
            "certificate",
            pem::is_certificate_chain,
            "a PEM certificate chain (`-----BEGIN CERTIFICATE-----` blocks)",
        )?;
        check_pem(
            &mut self.private_key,
            "privateKey",
            pem::is_private_key,
            "a PEM private key (one `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY` block)",
        )?;

        if let Some(acme) = &mut self.acme {
            for (given, field) in [
                (self.certificate.is_some(), "certificate"),
                (self.private_key.is_some(), "privateKey"),
                (self.self_signed, "selfSigned"),
            ] {
                if given {
                    return Err(BindError::new(
                        field,
                        format!("Cannot use `{field}` with `acme`."),
                    ));
                }
            }
            return acme.validate(&self.hostnames);
        }
        const EITHER: &str =
            "Need either `certificate` and `privateKey`, `selfSigned: true`, or `acme`.";
        match (&self.certificate, &self.private_key, self.self_signed) {
            (Some(_), _, true) => Err(BindError::new(
                "certificate",
                "Cannot use `certificate` with `selfSigned: true`.",
            )),
            (None, Some(_), true) => Err(BindError::new(
                "privateKey",
                "Cannot use `privateKey` with `selfSigned: true`.",
            )),
            (None, _, false) => Err(BindError::new("certificate", EITHER)),
            (Some(_), None, false) => Err(BindError::new("privateKey", EITHER)),
            (None, None, true) | (Some(_), Some(_), false) => Ok(()),
        }
    }

    /// The certificate chain as PEM text (after [`Self::validate`]).
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate.as_ref().and_then(Blob::as_text)
    }

    /// The private key as PEM text (after [`Self::validate`]).
    pub fn private_key_pem(&self) -> Option<&str> {
        self.private_key.as_ref().and_then(Blob::as_text)
    }

    /// The host's component name, as the reference derives it (HOST-4): the
    /// first hostname with `*` spelled `_star_`, plus `+<n>` for n more.
    pub fn display_name(&self) -> String {
        let first = self
            .hostnames
            .first()
            .map_or(String::new(), |name| name.as_str().replace('*', "_star_"));
        match self.hostnames.len() {
            0 | 1 => first,
            count => format!("{first}+{}", count - 1),
        }
    }
}

/// Checks one PEM binding, turning bytes into the text they hold.
fn check_pem(
    value: &mut Option<Blob>,
    field: &str,
    is_valid: fn(&str) -> bool,
    expected: &str,
) -> Result<(), BindError> {
    let Some(blob) = value else {
        return Ok(());
    };
    let Some(text) = blob.as_text() else {
        return Err(BindError::new(field, "Must be UTF-8 text (PEM)."));
    };
    if !is_valid(text) {
        return Err(BindError::new(field, format!("Must be {expected}.")));
    }
    if let Blob::Bytes(_) = blob {
        *blob = Blob::Text(text.to_owned());
    }
    Ok(())
}

/// Two bindings of the same hostname (HOST-3): within one host or across
/// hosts, after canonicalization.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Duplicate hostname: {hostname}")]
pub struct DuplicateHostname {
    /// The hostname bound twice.
    pub hostname: Hostname,
    /// Index (in `hosts`) of the host that bound it first.
    pub first: usize,
    /// Index of the host binding it again.
    pub host: usize,
    /// The binding of that host holding it again (`hostnames[2]`).
    pub field: String,
}

impl DuplicateHostname {
    /// The error as a binding error of host [`Self::host`].
    pub fn to_bind_error(&self) -> BindError {
        BindError::new(self.field.clone(), self.to_string())
    }
}

/// Every hostname of `hosts` bound to the index of its host, checking that
/// no hostname is bound twice.
pub fn host_map<'a>(
    hosts: impl IntoIterator<Item = &'a HostConfig>,
) -> Result<HostMap<usize>, DuplicateHostname> {
    let mut map = HostMap::new();
    for (index, host) in hosts.into_iter().enumerate() {
        for (position, hostname) in host.hostnames.iter().enumerate() {
            if let Some(&first) = map.get(hostname) {
                return Err(DuplicateHostname {
                    hostname: hostname.clone(),
                    first,
                    host: index,
                    field: format!("hostnames[{position}]"),
                });
            }
            map.insert(hostname.clone(), index);
        }
    }
    Ok(map)
}

/// The host whose certificate a TLS client asking for `hostname` (SNI) gets:
/// an exact binding, else the covering wildcard with the longest suffix,
/// else `*`. An invalid name finds nothing. Where two hosts bind the same
/// hostname (a config error, see [`host_map`]), the first wins.
pub fn find_host<'a>(hosts: &'a [HostConfig], hostname: &str) -> Option<&'a HostConfig> {
    let mut map = HostMap::new();
    for host in hosts {
        for pattern in &host.hostnames {
            map.insert(pattern.clone(), host);
        }
    }
    map.find(hostname).copied()
}

//! Certificates from an ACME authority (RFC 8555; an addition to
//! Lactoserv, `docs/acme.md`): a host that says `acme: { … }` instead of
//! `certificate`/`privateKey`/`selfSigned` gets its certificate from the
//! authority and keeps it renewed.
//!
//! Here: the host's `acme` bindings and their checks. `keeper`: the task
//! that keeps a host's certificate; `order`: one certificate order;
//! `client`: the HTTPS it goes through; `renewal`: the authority's renewal
//! information; `challenges`: the challenge answers; `store`, `stored`:
//! the files kept.

pub mod challenges;
pub mod client;
pub mod keeper;
pub mod order;
pub mod renewal;
pub mod store;
pub mod stored;

#[cfg(test)]
mod tests;

use serde::Deserialize;

use super::Hostname;
use super::pem;
use crate::bind::BindError;
use crate::blob::Blob;

/// Let's Encrypt's production directory, the default.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// Let's Encrypt's staging directory, named `letsencrypt-staging`.
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

/// How the authority is shown that the server answers for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Challenge {
    /// A token served over plain HTTP at
    /// `/.well-known/acme-challenge/<token>`, on the host's `http`
    /// endpoints (port 80 for a public authority).
    #[serde(rename = "http-01")]
    Http01,
    /// A certificate presented by the TLS acceptor to a handshake that
    /// asks for ALPN `acme-tls/1` (RFC 8737), on the host's `https` and
    /// `http2` endpoints (port 443 for a public authority).
    #[serde(rename = "tls-alpn-01")]
    TlsAlpn01,
}

impl Challenge {
    /// The challenge's name, as the configuration gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Http01 => "http-01",
            Self::TlsAlpn01 => "tls-alpn-01",
        }
    }
}

/// The checked `acme` bindings of a host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcmeConfig {
    /// The authority's directory URL, `letsencrypt-staging`, or none for
    /// Let's Encrypt; the URL itself once validated.
    #[serde(default)]
    pub directory_url: Option<String>,
    /// An address the authority may write to about the account.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The authority's terms of service are agreed to; must be `true`.
    #[serde(default)]
    pub accept_terms: bool,
    /// How names are shown to be the server's.
    pub challenge: Challenge,
    /// Where the account key and the certificates are kept (absolute).
    pub store_directory: String,
    /// The PEM certificate of a root the directory's own HTTPS
    /// certificate chains to, for authorities that public roots do not
    /// cover (a private authority, Pebble); text once validated.
    #[serde(default)]
    pub directory_certificate: Option<Blob>,
}

impl AcmeConfig {
    /// Checks what the bindings alone cannot, for a host with
    /// `hostnames`; fields are named as `acme.<binding>`.
    pub fn validate(&mut self, hostnames: &[Hostname]) -> Result<(), BindError> {
        for name in hostnames {
            if name.is_wildcard() {
                return Err(BindError::new(
                    "hostnames",
                    format!(
                        "`{}`: a wildcard name needs a DNS-01 challenge, which `acme` does not offer; \
                         name each host, or give a certificate.",
                        name.as_str()
                    ),
                ));
            }
            if name.ip().is_some() {
                return Err(BindError::new(
                    "hostnames",
                    format!(
                        "`{}`: `acme` certifies DNS names, not IP addresses.",
                        name.as_str()
                    ),
                ));
            }
        }
        if !self.accept_terms {
            return Err(BindError::new(
                "acme.acceptTerms",
                "Must be `true`: the authority's terms of service must be agreed to.",
            ));
        }
        let url = match self.directory_url.as_deref() {
            None => LETS_ENCRYPT.to_owned(),
            Some("letsencrypt-staging") => LETS_ENCRYPT_STAGING.to_owned(),
            Some(text) => {
                let parsed = url::Url::parse(text).map_err(|err| {
                    BindError::new("acme.directoryUrl", format!("Not a URL ({err}): {text}"))
                })?;
                if parsed.scheme() != "https" || parsed.host_str().is_none() {
                    return Err(BindError::new(
                        "acme.directoryUrl",
                        format!("Must be an `https:` URL or `letsencrypt-staging`: {text}"),
                    ));
                }
                text.to_owned()
            }
        };
        self.directory_url = Some(url);
        if let Some(email) = &self.contact_email
            && !is_email(email)
        {
            return Err(BindError::new(
                "acme.contactEmail",
                format!("Must be an email address: {email}"),
            ));
        }
        if !self.store_directory.starts_with('/') {
            return Err(BindError::new(
                "acme.storeDirectory",
                format!("Must be an absolute path: {}", self.store_directory),
            ));
        }
        if let Some(blob) = &mut self.directory_certificate {
            let Some(text) = blob.as_text() else {
                return Err(BindError::new(
                    "acme.directoryCertificate",
                    "Must be UTF-8 text (PEM).",
                ));
            };
            if !pem::is_certificate_chain(text) {
                return Err(BindError::new(
                    "acme.directoryCertificate",
                    "Must be a PEM certificate (`-----BEGIN CERTIFICATE-----`).",
                ));
            }
            *blob = Blob::Text(text.to_owned());
        }
        Ok(())
    }

    /// The directory URL (after [`AcmeConfig::validate`]).
    pub fn directory(&self) -> &str {
        self.directory_url.as_deref().unwrap_or(LETS_ENCRYPT)
    }

    /// The PEM root the directory's HTTPS is to chain to, if one is given.
    pub fn directory_root(&self) -> Option<&str> {
        self.directory_certificate.as_ref().and_then(Blob::as_text)
    }
}

/// Whether `text` looks like an email address: one `@`, something on
/// each side, no spaces or angle brackets (the authority checks the
/// rest).
fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !text.contains(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == ':')
}

//! The answers the server gives while an order waits for the authority
//! to look: for http-01, a token's key authorization, served at
//! `/.well-known/acme-challenge/<token>` on `http` endpoints before any
//! routing; for tls-alpn-01 (RFC 8737), a certificate made for the
//! challenge, presented to a handshake that asks for `acme-tls/1` alone.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use rustls::sign::CertifiedKey;

/// The path prefix the authority asks under.
pub const PREFIX: &str = "/.well-known/acme-challenge/";

/// Tokens and the key authorizations to answer them with.
#[derive(Debug, Default)]
pub struct Http01Tokens(RwLock<HashMap<String, String>>);

impl Http01Tokens {
    /// Answers `token` with `key_authorization` from now on.
    pub fn publish(&self, token: &str, key_authorization: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.to_owned(), key_authorization.to_owned());
    }

    /// Stops answering `token`.
    pub fn withdraw(&self, token: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token);
    }

    /// The answer to a request for `path`, if it asks for a published
    /// token.
    pub fn answer(&self, path: &str) -> Option<String> {
        let token = path.strip_prefix(PREFIX)?;
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(token)
            .cloned()
    }
}

/// The ALPN protocol of tls-alpn-01 handshakes.
pub const ACME_TLS: &[u8] = b"acme-tls/1";

/// Challenge certificates, by the name they prove.
#[derive(Debug, Default)]
pub struct AlpnCertificates(RwLock<HashMap<String, Arc<CertifiedKey>>>);

impl AlpnCertificates {
    /// Presents `key` to tls-alpn-01 handshakes for `name` from now on.
    pub fn publish(&self, name: &str, key: Arc<CertifiedKey>) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_ascii_lowercase(), key);
    }

    /// Stops presenting a challenge certificate for `name`.
    pub fn withdraw(&self, name: &str) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&name.to_ascii_lowercase());
    }

    /// The challenge certificate for `name`, if one is published.
    pub fn get(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&name.to_ascii_lowercase())
            .cloned()
    }
}

/// The challenge certificates of the process, shared by every TLS
/// endpoint.
pub fn alpn_certificates() -> &'static AlpnCertificates {
    static CERTIFICATES: std::sync::LazyLock<AlpnCertificates> =
        std::sync::LazyLock::new(AlpnCertificates::default);
    &CERTIFICATES
}

/// The certificate a tls-alpn-01 handshake for `name` is to see: self
/// signed, for `name` alone, with the critical acmeIdentifier extension
/// holding `digest` (SHA-256 of the key authorization).
pub fn alpn_certificate(
    name: &str,
    digest: &[u8],
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, String> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|err| err.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(vec![name.to_owned()]).map_err(|err| err.to_string())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    let certificate = params.self_signed(&key).map_err(|err| err.to_string())?;
    let der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let signing = provider
        .key_provider
        .load_private_key(der)
        .map_err(|err| err.to_string())?;
    Ok(CertifiedKey::new(vec![certificate.der().clone()], signing))
}

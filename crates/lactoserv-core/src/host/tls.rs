//! TLS for endpoints: every host's certificate and key, loaded once at
//! start, and the per-endpoint server configuration that picks one of them
//! by SNI (Lactoserv `webapp-core/export/HostManager.js`,
//! `getSecureServerOptions` and its SNI callback, over the certificates
//! `NetworkHost.js` holds).
//!
//! A host either gives a PEM certificate chain and private key, which are
//! decoded and checked against each other here (the configuration stage only
//! checks the PEM armour, 02 HOST-2), or asks for a self-signed certificate,
//! generated here (see `self_signed`). An endpoint presents only the subset
//! of hosts its `hostnames` select (02 HOST-30); within it, a client's SNI
//! picks the most specific binding, and a client without SNI (or with one
//! nothing matches) gets the `*` binding if there is one, else the handshake
//! fails (02 TLS-1..3).

mod self_signed;
mod slot;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::log::{LogValue, Logger};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ParsedCertificate, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::acme::challenges::{ACME_TLS, alpn_certificates};
use super::{DuplicateHostname, HostConfig, HostMap, Hostname, host_map};
use crate::bind::BindError;

pub use slot::KeySlot;

/// What can go wrong setting up TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A host's certificate or key cannot be used, or its self-signed
    /// certificate cannot be made.
    #[error("hosts[{index}] (NetworkHost `{host}`): `{field}`: {message}")]
    Host {
        /// Index of the host in `hosts`.
        index: usize,
        /// The host's display name (02 HOST-4).
        host: String,
        /// The binding at fault: `certificate`, `privateKey` or `selfSigned`.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Two hosts bind the same hostname (02 HOST-3).
    #[error("hosts[{}]: `{}`: {}", .0.host, .0.field, .0)]
    DuplicateHostname(DuplicateHostname),
    /// An endpoint hostname selects no host binding (02 EP-20); the field is
    /// the endpoint's `hostnames[i]`.
    #[error("{0}")]
    EndpointHostname(BindError),
    /// rustls refused the configuration.
    #[error("Cannot configure TLS: {0}")]
    Config(rustls::Error),
}

/// Every configured host's certificate, bound to the host's hostnames, ready
/// to make endpoint TLS configurations from.
#[derive(Debug, Clone)]
pub struct TlsHosts {
    /// The crypto provider keys were loaded with, reused for every endpoint.
    provider: Arc<CryptoProvider>,
    /// Every hostname of every host, bound to that host's certificate.
    keys: HostMap<Arc<KeySlot>>,
    /// Each host's hostnames, by hostname, for the `found` log event.
    hostnames: HostMap<Arc<[String]>>,
    /// The host manager's logger (`webapp.host`).
    logger: Logger,
    /// The hosts whose certificates come from an ACME authority: each
    /// one's index, slot, and when its certificate is next due (now for
    /// the temporary one it starts with when none is stored).
    acme: Vec<AcmeHost>,
    /// Whether some host gets its certificates with tls-alpn-01.
    answers_tls_alpn_01: bool,
}

impl TlsHosts {
    /// Loads (or, for `selfSigned` hosts, generates) every host's
    /// certificate. The hosts should have passed [`HostConfig::validate`].
    pub fn new<'a>(hosts: impl IntoIterator<Item = &'a HostConfig>) -> Result<Self, TlsError> {
        let hosts: Vec<&HostConfig> = hosts.into_iter().collect();
        let indices = host_map(hosts.iter().copied()).map_err(TlsError::DuplicateHostname)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut acme = Vec::new();
        let certified = hosts
            .iter()
            .enumerate()
            .map(|(index, host)| {
                // An ACME host serves its stored certificate at once if it
                // has a usable one, and a temporary one of its own making
                // until the authority's comes otherwise.
                let stored = host.acme.as_ref().and_then(|config| {
                    let store = std::path::Path::new(&config.store_directory);
                    super::acme::stored::load(store, &host.hostnames, &provider)
                });
                let stored_is_none = stored.is_none();
                let (key, due) = match stored {
                    Some(stored) => (stored.key.clone(), stored.renew_at()),
                    None => {
                        let key = certified_key(host, &provider).map_err(|(field, message)| {
                            TlsError::Host {
                                index,
                                host: host.display_name(),
                                field,
                                message,
                            }
                        })?;
                        (key, std::time::SystemTime::now())
                    }
                };
                let slot = Arc::new(KeySlot::new(Arc::new(key)));
                if host.acme.is_some() {
                    acme.push(AcmeHost {
                        index,
                        slot: slot.clone(),
                        due,
                        temporary: stored_is_none,
                    });
                }
                Ok(slot)
            })
            .collect::<Result<Vec<_>, TlsError>>()?;
        let names: Vec<Arc<[String]>> = hosts
            .iter()
            .map(|host| {
                host.hostnames
                    .iter()
                    .map(|h| h.as_str().to_owned())
                    .collect()
            })
            .collect();
        let mut keys = HostMap::new();
        let mut hostnames = HostMap::new();
        for (hostname, &index) in indices.iter() {
            // `host_map` only hands out indices of `hosts`.
            if let (Some(key), Some(names)) = (certified.get(index), names.get(index)) {
                keys.insert(hostname.clone(), Arc::clone(key));
                hostnames.insert(hostname.clone(), Arc::clone(names));
            }
        }
        Ok(Self {
            provider,
            keys,
            hostnames,
            logger: Logger::disabled(),
            acme,
            answers_tls_alpn_01: hosts.iter().any(|host| {
                host.acme
                    .as_ref()
                    .is_some_and(|acme| acme.challenge == super::acme::Challenge::TlsAlpn01)
            }),
        })
    }

    /// Logs each SNI lookup on `logger` (`found(<name>, [<hostnames>])` or
    /// `notFound(<name>)`), as the reference's host manager does.
    pub fn with_logger(mut self, logger: Logger) -> Self {
        self.logger = logger;
        self
    }

    /// The TLS configuration of an endpoint with `endpoint_hostnames`,
    /// offering the application protocols `alpn` (most preferred first;
    /// `http/1.1` for `https`, `h2` then `http/1.1` for `http2`). Fails if a
    /// hostname selects no host (02 EP-20).
    pub fn server_config(
        &self,
        endpoint_hostnames: &[Hostname],
        alpn: &[&[u8]],
    ) -> Result<Arc<ServerConfig>, TlsError> {
        let keys = self
            .keys
            .subset(endpoint_hostnames)
            .map_err(TlsError::EndpointHostname)?;
        let mut config = ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SniResolver {
                keys,
                hostnames: self.hostnames.clone(),
                logger: self.logger.clone(),
            }));
        config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
        // Offered last, so that no ordinary client is given it; a
        // handshake that asks for it alone gets a challenge certificate
        // (`SniResolver`) and nothing else.
        if self.answers_tls_alpn_01 {
            config.alpn_protocols.push(ACME_TLS.to_vec());
        }
        Ok(Arc::new(config))
    }

    /// Has the certificates of the ACME hosts among `hosts` (those this
    /// was made from) kept, each host logging on its logger in
    /// `loggers`: see `acme::keeper`. Needs the runtime.
    pub fn keep_acme_certificates(&self, hosts: &[&HostConfig], loggers: &[Logger]) {
        for acme in &self.acme {
            let (Some(host), Some(logger)) = (hosts.get(acme.index), loggers.get(acme.index))
            else {
                continue;
            };
            let Some(config) = &host.acme else {
                continue;
            };
            let logger = logger.child("acme");
            if acme.temporary {
                logger.event("servingTemporary", Vec::new());
            } else {
                logger.event("servingStored", Vec::new());
            }
            super::acme::keeper::keep(
                config,
                &host.hostnames,
                &acme.slot,
                (!acme.temporary).then_some(acme.due),
                &self.provider,
                &logger,
            );
        }
    }

    /// Whether some host among `hosts` that an endpoint with
    /// `endpoint_hostnames` serves gets its certificates with http-01
    /// challenges, so that the endpoint is to answer them.
    pub fn answers_http_01(hosts: &[&HostConfig], endpoint_hostnames: &[Hostname]) -> bool {
        hosts.iter().any(|host| {
            host.acme
                .as_ref()
                .is_some_and(|acme| acme.challenge == super::acme::Challenge::Http01)
                && host.hostnames.iter().any(|name| {
                    endpoint_hostnames
                        .iter()
                        .any(|pattern| pattern.matches(name))
                })
        })
    }

    /// The slot of the certificate bound to exactly `hostname`, which an
    /// ACME host's certificates are put in as they come.
    pub fn slot(&self, hostname: &Hostname) -> Option<&Arc<KeySlot>> {
        self.keys.get(hostname)
    }

    /// The certificate bound to exactly `hostname`.
    #[cfg(test)]
    fn key_for(&self, hostname: &str) -> Option<Arc<CertifiedKey>> {
        self.slot(&Hostname::parse_pattern(hostname).ok()?)
            .map(|slot| slot.get())
    }
}

/// A host whose certificates come from an ACME authority, as staged.
#[derive(Debug, Clone)]
struct AcmeHost {
    /// Its index among the hosts.
    index: usize,
    /// Where its certificate is.
    slot: Arc<KeySlot>,
    /// When its certificate is next due (now for a temporary one).
    due: std::time::SystemTime,
    /// Whether it starts with a temporary certificate (none was stored).
    temporary: bool,
}

/// Picks an endpoint's certificate from the client's SNI.
#[derive(Debug)]
struct SniResolver {
    /// The endpoint's subset of the host bindings.
    keys: HostMap<Arc<KeySlot>>,
    /// Every host's hostnames, for the log.
    hostnames: HostMap<Arc<[String]>>,
    logger: Logger,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        // rustls reports no name for a missing SNI and also for one that is
        // an IP address or not a DNS name; all of those, and a name nothing
        // covers, get the default (TLS-2, TLS-3).
        let name = client_hello.server_name();
        let found = name.and_then(|name| self.keys.find(name));
        if let Some(name) = name {
            self.log_lookup(name, found.is_some());
        }
        // A tls-alpn-01 validation asks for `acme-tls/1` alone (RFC 8737);
        // no other client does.
        if let Some(mut offered) = client_hello.alpn()
            && offered.next() == Some(ACME_TLS)
            && offered.next().is_none()
        {
            return name.and_then(|name| alpn_certificates().get(name));
        }
        found
            .or_else(|| self.keys.default_value())
            .map(|slot| slot.get())
    }
}

impl SniResolver {
    fn log_lookup(&self, name: &str, found: bool) {
        if !self.logger.is_enabled() {
            return;
        }
        match self.hostnames.find(name).filter(|_| found) {
            Some(names) => self.logger.event(
                "found",
                vec![
                    name.into(),
                    LogValue::Array(names.iter().map(|n| n.as_str().into()).collect()),
                ],
            ),
            None => self.logger.event("notFound", vec![name.into()]),
        }
    }
}

/// The failing binding of a host and what is wrong with it.
type HostFailure = (&'static str, String);

/// The certificate `host` presents, checked to be usable.
fn certified_key(
    host: &HostConfig,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, HostFailure> {
    // An ACME host starts with a certificate of its own making, until
    // the authority's comes (`acme`).
    let (chain, key) = if host.self_signed || host.acme.is_some() {
        let random = provider.secure_random;
        let generated = self_signed::generate(&host.hostnames, random)
            .map_err(|message| ("selfSigned", message))?;
        (vec![generated.certificate], generated.private_key)
    } else {
        let chain = parse_chain(host.certificate_pem())?;
        let key = parse_key(host.private_key_pem())?;
        (chain, key)
    };
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|err| ("privateKey", format!("Unusable private key: {err}")))?;
    let certified = CertifiedKey::new(chain, signing_key);
    // Equivalent to `CertifiedKey::from_der`, done in steps so that each
    // failure names the binding at fault.
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
            Ok(certified)
        }
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => Err((
            "privateKey",
            "Does not match the certificate (the first certificate of the chain must be the \
             key's)."
                .to_owned(),
        )),
        Err(err) => Err(("certificate", format!("Unusable certificate: {err}"))),
    }
}

/// Decodes a PEM certificate chain, checking that each certificate parses.
fn parse_chain(pem: Option<&str>) -> Result<Vec<CertificateDer<'static>>, HostFailure> {
    let pem = pem.ok_or(("certificate", "Must be given, as PEM text.".to_owned()))?;
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| ("certificate", format!("Cannot decode PEM: {err}")))?;
    if chain.is_empty() {
        return Err(("certificate", "Holds no certificate.".to_owned()));
    }
    for (position, certificate) in chain.iter().enumerate() {
        if let Err(err) = ParsedCertificate::try_from(certificate) {
            return Err((
                "certificate",
                format!(
                    "Certificate {} of the chain is unusable: {err}",
                    position + 1
                ),
            ));
        }
    }
    Ok(chain)
}

/// Decodes a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
fn parse_key(pem: Option<&str>) -> Result<PrivateKeyDer<'static>, HostFailure> {
    let pem = pem.ok_or(("privateKey", "Must be given, as PEM text.".to_owned()))?;
    PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|err| ("privateKey", format!("Cannot decode PEM: {err}")))
}

//! A host's certificate as kept in its store (`certificates/<first
//! hostname>/certificate.pem` and `key.pem`), and what is read from it to
//! decide whether it serves and when it is renewed.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

use super::order::Issued;
use super::store::write_private;
use crate::host::Hostname;

/// A certificate and key, ready to serve, with its validity.
#[derive(Debug)]
pub struct Stored {
    /// The certificate chain and its key.
    pub key: CertifiedKey,
    /// The start of the certificate's validity.
    pub not_before: SystemTime,
    /// Its end.
    pub not_after: SystemTime,
}

impl Stored {
    /// When it is to be renewed: two thirds of the way through its
    /// validity, as Let's Encrypt advises.
    pub fn renew_at(&self) -> SystemTime {
        let lifetime = self
            .not_after
            .duration_since(self.not_before)
            .unwrap_or(Duration::ZERO);
        self.not_before + lifetime * 2 / 3
    }
}

/// The folder of the certificate for `names` in `store`.
fn folder(store: &Path, names: &[Hostname]) -> PathBuf {
    let first = names.first().map_or("host", Hostname::as_str);
    store.join("certificates").join(first)
}

/// The stored certificate for `names`, if there is one that covers every
/// name and has not expired.
pub fn load(store: &Path, names: &[Hostname], provider: &CryptoProvider) -> Option<Stored> {
    let folder = folder(store, names);
    let chain = std::fs::read_to_string(folder.join("certificate.pem")).ok()?;
    let key = std::fs::read_to_string(folder.join("key.pem")).ok()?;
    let stored = read(&chain, &key, provider).ok()?;
    let covers = covered_names(&stored.key.cert[0]).is_some_and(|covered| {
        names.iter().all(|name| {
            covered
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name.as_str()))
        })
    });
    (covers && stored.not_after > SystemTime::now()).then_some(stored)
}

/// Keeps `issued` for `names` in `store`, both files mode 0600.
pub fn save(store: &Path, names: &[Hostname], issued: &Issued) -> std::io::Result<()> {
    let folder = folder(store, names);
    std::fs::create_dir_all(&folder)?;
    write_private(&folder.join("key.pem"), issued.key_pem.as_bytes())?;
    write_private(&folder.join("certificate.pem"), issued.chain_pem.as_bytes())
}

/// A chain and key, both PEM, made ready to serve and read for their
/// validity.
pub fn read(chain_pem: &str, key_pem: &str, provider: &CryptoProvider) -> Result<Stored, String> {
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("cannot decode the certificate chain: {err}"))?;
    let first = chain.first().ok_or("the chain holds no certificate")?;
    let (_, parsed) = X509Certificate::from_der(first)
        .map_err(|err| format!("cannot read the certificate: {err}"))?;
    let validity = parsed.validity();
    let time = |at: x509_parser::time::ASN1Time| {
        let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    };
    let (not_before, not_after) = (time(validity.not_before), time(validity.not_after));
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|err| format!("cannot decode the key: {err}"))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|err| format!("unusable key: {err}"))?;
    let key = CertifiedKey::new(chain, signing);
    key.keys_match()
        .map_err(|err| format!("the key is not the certificate's: {err}"))?;
    Ok(Stored {
        key,
        not_before,
        not_after,
    })
}

/// The DNS names a certificate's subject alternative names give.
fn covered_names(certificate: &CertificateDer<'_>) -> Option<Vec<String>> {
    let (_, parsed) = X509Certificate::from_der(certificate).ok()?;
    let mut names = Vec::new();
    for extension in parsed.extensions() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension.parsed_extension() {
            for name in &san.general_names {
                if let GeneralName::DNSName(dns) = name {
                    names.push((*dns).to_owned());
                }
            }
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A certificate for `names` valid from `days_ago` days ago for
    /// `days` days, and its key, as an authority would issue.
    fn issued(names: &[&str], days_ago: u64, days: u64) -> Issued {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let start = SystemTime::now() - Duration::from_secs(days_ago * 86_400);
        params.not_before = start.into();
        params.not_after = (start + Duration::from_secs(days * 86_400)).into();
        let cert = params.self_signed(&key).unwrap();
        Issued {
            chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    fn names(names: &[&str]) -> Vec<Hostname> {
        names
            .iter()
            .map(|n| Hostname::parse_name(n).unwrap())
            .collect()
    }

    fn provider() -> CryptoProvider {
        rustls::crypto::ring::default_provider()
    }

    #[test]
    fn a_saved_certificate_loads_back_private_and_renews_at_two_thirds() {
        let store = tempfile::tempdir().unwrap();
        let hosts = names(&["example.com", "www.example.com"]);
        save(
            store.path(),
            &hosts,
            &issued(&["example.com", "www.example.com"], 10, 90),
        )
        .unwrap();
        let stored = load(store.path(), &hosts, &provider()).expect("usable");
        let lifetime = stored.not_after.duration_since(stored.not_before).unwrap();
        assert_eq!(lifetime, Duration::from_secs(90 * 86_400));
        assert_eq!(
            stored.renew_at(),
            stored.not_before + Duration::from_secs(60 * 86_400)
        );
        let folder = store.path().join("certificates/example.com");
        for file in ["certificate.pem", "key.pem"] {
            let mode = std::fs::metadata(folder.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    #[test]
    fn an_expired_or_narrower_certificate_is_not_used() {
        let store = tempfile::tempdir().unwrap();
        let hosts = names(&["example.com"]);
        save(store.path(), &hosts, &issued(&["example.com"], 100, 90)).unwrap();
        assert!(load(store.path(), &hosts, &provider()).is_none(), "expired");
        let wider = names(&["example.com", "api.example.com"]);
        save(store.path(), &wider, &issued(&["example.com"], 1, 90)).unwrap();
        assert!(
            load(store.path(), &wider, &provider()).is_none(),
            "a name uncovered"
        );
        assert!(load(tempfile::tempdir().unwrap().path(), &hosts, &provider()).is_none());
    }
}

//! Self-signed certificates for hosts with `selfSigned: true` (Lactoserv
//! `net-util/export/CertUtil.js`, `makeSelfSignedPair`).
//!
//! The reference makes an RSA 2048 key; ours is ECDSA P-256, because ring
//! cannot generate RSA keys (00-index decision). The reference's SAN names
//! only the first hostname; ours lists every hostname of the host, in
//! configuration order (02 CERT-2, "Ours"). Everything else follows CERT-1:
//! subject and issuer `CN=<first hostname>`, a random positive 9-byte
//! serial, valid from now for 365 days, `CA:FALSE`, extended key usages
//! `serverAuth` and `clientAuth`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, SystemTime};

use rcgen::string::Ia5String;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType, SerialNumber,
};
use rustls::crypto::SecureRandom;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::host::Hostname;

/// How long a generated certificate is valid (CERT-1: 365 days, which is
/// what the reference's library really does).
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Length of the random serial number, in bytes (CERT-1).
const SERIAL_LEN: usize = 9;

/// The name used where a host has no hostname to give (only possible for a
/// host that was never validated).
const FALLBACK_NAME: &str = "localhost";

/// A freshly generated certificate and the PKCS#8 key it certifies.
pub(crate) struct SelfSigned {
    /// The certificate, DER.
    pub(crate) certificate: CertificateDer<'static>,
    /// Its private key.
    pub(crate) private_key: PrivateKeyDer<'static>,
}

/// Generates a self-signed certificate covering `hostnames`, drawing the
/// serial number from `random`.
pub(crate) fn generate(
    hostnames: &[Hostname],
    random: &dyn SecureRandom,
) -> Result<SelfSigned, String> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .map_err(|err| format!("Cannot generate a key pair: {err}"))?;

    let mut params = CertificateParams::default();
    let common_name = hostnames.first().map_or(FALLBACK_NAME, Hostname::as_str);
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, common_name);
    params.distinguished_name = subject;
    params.subject_alt_names = subject_alt_names(hostnames)?;
    params.serial_number = Some(serial_number(random)?);
    let now = SystemTime::now();
    params.not_before = now.into();
    params.not_after = (now + VALIDITY).into();
    params.is_ca = IsCa::ExplicitNoCa;
    // The reference also asserts `keyEncipherment`, which RFC 5480 forbids
    // for an EC key; an ECDSA key only ever signs.
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];

    let certificate = params
        .self_signed(&key)
        .map_err(|err| format!("Cannot generate a certificate: {err}"))?;
    Ok(SelfSigned {
        certificate: certificate.der().clone(),
        private_key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    })
}

/// The SAN entries for `hostnames`: each IP address as an IP entry, each
/// name or wildcard (`*` included, as the reference writes it) as a DNS
/// entry, plus `127.0.0.1` when the first hostname is `localhost` (CERT-1).
fn subject_alt_names(hostnames: &[Hostname]) -> Result<Vec<SanType>, String> {
    let mut names = Vec::with_capacity(hostnames.len() + 1);
    for hostname in hostnames {
        names.push(match hostname.ip() {
            Some(ip) => SanType::IpAddress(ip),
            None => SanType::DnsName(dns_name(hostname.as_str())?),
        });
    }
    let loopback = SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let first_is_localhost = hostnames
        .first()
        .is_some_and(|name| name.as_str() == FALLBACK_NAME);
    if first_is_localhost && !names.contains(&loopback) {
        names.push(loopback);
    }
    if names.is_empty() {
        names.push(SanType::DnsName(dns_name(FALLBACK_NAME)?));
    }
    Ok(names)
}

/// A DNS SAN value. Hostnames are ASCII by construction, so this only fails
/// if that ever changes.
fn dns_name(name: &str) -> Result<Ia5String, String> {
    Ia5String::try_from(name).map_err(|err| format!("Cannot put `{name}` in a certificate: {err}"))
}

/// A random positive serial of exactly [`SERIAL_LEN`] bytes: the top bit is
/// cleared (DER integers are signed) and the first byte is never zero (which
/// would shorten the encoding).
fn serial_number(random: &dyn SecureRandom) -> Result<SerialNumber, String> {
    let mut bytes = [0_u8; SERIAL_LEN];
    random
        .fill(&mut bytes)
        .map_err(|_| "Cannot get random bytes for a serial number.".to_owned())?;
    bytes[0] = (bytes[0] & 0x7f).max(1);
    Ok(SerialNumber::from_slice(&bytes))
}

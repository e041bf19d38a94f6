//! Tests of TLS host loading and of certificate selection, through real
//! handshakes over in-memory streams.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::Duration;

use lactoserv_test_util::tls::AnyCertificate;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore};
use serde_json::{Value, json};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::*;
use crate::bind::from_value;

const H1: &[u8] = b"http/1.1";
const H2: &[u8] = b"h2";

fn host(value: Value) -> HostConfig {
    let mut config: HostConfig = from_value(&value).unwrap();
    config.validate().unwrap();
    config
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../etc/example-setup/config")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The example setup's file-based host: `localhost` and `*.localhost`.
fn localhost_host() -> HostConfig {
    host(json!({
        "hostnames": ["localhost", "*.localhost"],
        "certificate": fixture("localhost-cert.pem"),
        "privateKey": fixture("localhost-key.pem"),
    }))
}

fn self_signed(hostnames: &[&str]) -> HostConfig {
    host(json!({ "hostnames": hostnames, "selfSigned": true }))
}

fn patterns(texts: &[&str]) -> Vec<Hostname> {
    texts
        .iter()
        .map(|t| Hostname::parse_pattern(t).unwrap())
        .collect()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What a client saw of a completed handshake.
#[derive(Debug)]
struct Outcome {
    certificate: CertificateDer<'static>,
    alpn: Option<Vec<u8>>,
}

/// Runs a handshake against `server`; `sni: None` connects by IP address,
/// which sends no SNI.
async fn handshake(
    server: &Arc<ServerConfig>,
    sni: Option<&str>,
    alpn: &[&[u8]],
) -> Result<Outcome, String> {
    let provider = provider();
    let mut client = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate::new(provider)))
        .with_no_client_auth();
    client.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let server_name = match sni {
        Some(name) => ServerName::try_from(name.to_owned()).unwrap(),
        None => ServerName::IpAddress(Ipv4Addr::LOCALHOST.into()),
    };
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let accept = TlsAcceptor::from(Arc::clone(server)).accept(server_io);
    let connect = TlsConnector::from(Arc::new(client)).connect(server_name, client_io);
    let (_, connected) = tokio::join!(accept, connect);
    let stream = connected.map_err(|err| err.to_string())?;
    let connection = stream.get_ref().1;
    Ok(Outcome {
        certificate: connection.peer_certificates().unwrap()[0].clone(),
        alpn: connection.alpn_protocol().map(<[u8]>::to_vec),
    })
}

/// The certificate `config` presents to a client sending `sni`.
async fn presented(
    config: &Arc<ServerConfig>,
    sni: Option<&str>,
) -> Result<CertificateDer<'static>, String> {
    Ok(handshake(config, sni, &[H1]).await?.certificate)
}

/// The observed reference setup (TLS-4): a file host and a self-signed `*`.
fn example_hosts() -> TlsHosts {
    TlsHosts::new(&[localhost_host(), self_signed(&["*", "127.0.0.1", "::1"])]).unwrap()
}

fn certificate_of(hosts: &TlsHosts, hostname: &str) -> CertificateDer<'static> {
    hosts.key_for(hostname).unwrap().cert[0].clone()
}

#[tokio::test]
async fn sni_picks_the_exact_or_wildcard_binding() {
    let hosts = example_hosts();
    let file_cert =
        CertificateDer::from_pem_slice(fixture("localhost-cert.pem").as_bytes()).unwrap();
    let config = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    for sni in ["localhost", "LOCALHOST", "foo.localhost", "a.b.localhost"] {
        assert_eq!(
            presented(&config, Some(sni)).await,
            Ok(file_cert.clone()),
            "{sni}"
        );
    }
}

#[tokio::test]
async fn unmatched_invalid_or_missing_sni_gets_the_star_binding() {
    let hosts = example_hosts();
    let star = certificate_of(&hosts, "*");
    assert_ne!(star, certificate_of(&hosts, "localhost"));
    let config = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    for sni in [Some("example.org"), Some("bad_name"), None] {
        assert_eq!(presented(&config, sni).await, Ok(star.clone()), "{sni:?}");
    }
}

#[tokio::test]
async fn handshake_fails_when_nothing_matches_and_there_is_no_star() {
    // The reference's TLS-5 setup: no `*` binding.
    let hosts = TlsHosts::new(&[
        self_signed(&["10.0.0.1", "Example.COM"]),
        self_signed(&["*.example.com"]),
    ])
    .unwrap();
    let config = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    let first = certificate_of(&hosts, "example.com");
    let second = certificate_of(&hosts, "*.example.com");
    assert_eq!(presented(&config, Some("EXAMPLE.com")).await, Ok(first));
    assert_eq!(
        presented(&config, Some("www.example.com")).await,
        Ok(second)
    );
    assert!(presented(&config, None).await.is_err());
    assert!(presented(&config, Some("example.org")).await.is_err());
}

#[tokio::test]
async fn endpoint_presents_only_its_subset() {
    let hosts = example_hosts();
    let config = hosts
        .server_config(&patterns(&["localhost"]), &[H1])
        .unwrap();
    assert!(presented(&config, Some("localhost")).await.is_ok());
    // Covered by `*.localhost` globally, but not selected by the endpoint
    // (HOST-31); nor is `*`, so nothing is presented at all.
    assert!(presented(&config, Some("foo.localhost")).await.is_err());
    assert!(presented(&config, None).await.is_err());
}

#[test]
fn endpoint_hostname_without_a_binding_is_an_error() {
    let hosts = TlsHosts::new(&[localhost_host()]).unwrap();
    let err = hosts
        .server_config(&patterns(&["localhost", "example.com"]), &[H1])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`hostnames[1]`: No bindings found for hostname: example.com"
    );
    // An endpoint's default `*` needs a binding under it too (EP-20).
    assert!(hosts.server_config(&patterns(&["*"]), &[H1]).is_ok());
    assert!(
        TlsHosts::new(std::iter::empty())
            .unwrap()
            .server_config(&patterns(&["*"]), &[H1])
            .is_err()
    );
}

#[tokio::test]
async fn alpn_prefers_h2_and_falls_back_to_http1() {
    let hosts = example_hosts();
    let http2 = hosts.server_config(&patterns(&["*"]), &[H2, H1]).unwrap();
    let https = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    let alpn = async |config: &Arc<ServerConfig>, offered: &[&[u8]]| {
        handshake(config, Some("localhost"), offered)
            .await
            .unwrap()
            .alpn
    };
    assert_eq!(alpn(&http2, &[H2, H1]).await.as_deref(), Some(H2));
    assert_eq!(alpn(&http2, &[H1, H2]).await.as_deref(), Some(H2));
    assert_eq!(alpn(&http2, &[H1]).await.as_deref(), Some(H1));
    assert_eq!(alpn(&http2, &[]).await, None);
    assert_eq!(alpn(&https, &[H2, H1]).await.as_deref(), Some(H1));
    // Only unknown protocols: no_application_protocol (EP-12).
    let err = handshake(&http2, Some("localhost"), &[b"http/1.0"])
        .await
        .unwrap_err();
    assert!(err.contains("NoApplicationProtocol"), "{err}");
}

fn name_verifier(root: &CertificateDer<'static>) -> Arc<WebPkiServerVerifier> {
    let mut roots = RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .unwrap()
}

fn verify_at(
    certificate: &CertificateDer<'static>,
    name: &str,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    let name = ServerName::try_from(name.to_owned()).unwrap();
    name_verifier(certificate)
        .verify_server_cert(certificate, &[], &name, &[], now)
        .map(|_| ())
}

fn verify(certificate: &CertificateDer<'static>, name: &str) -> Result<(), rustls::Error> {
    verify_at(certificate, name, UnixTime::now())
}

/// Whether `der` holds a SAN `dNSName` entry of exactly `name`.
fn has_dns_entry(der: &[u8], name: &str) -> bool {
    let mut entry = vec![0x82, u8::try_from(name.len()).unwrap()];
    entry.extend_from_slice(name.as_bytes());
    der.windows(entry.len()).any(|window| window == entry)
}

#[tokio::test]
async fn self_signed_certificate_covers_every_hostname() {
    let names = ["*", "example.com", "*.example.org", "10.0.0.1", "::1"];
    let hosts = TlsHosts::new(&[self_signed(&names)]).unwrap();
    let config = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    let certificate = presented(&config, Some("example.com")).await.unwrap();
    assert_eq!(certificate, certificate_of(&hosts, "*"));
    // A certificate wildcard covers one label, so `*.example.org` is
    // checked with a name under it.
    for name in ["example.com", "a.example.org", "10.0.0.1", "::1"] {
        assert_eq!(verify(&certificate, name), Ok(()), "{name}");
    }
    for name in ["other.net", "example.org", "127.0.0.1"] {
        assert!(verify(&certificate, name).is_err(), "{name}");
    }
    // `*` matches nothing for a verifier, but is listed as the reference does.
    assert!(has_dns_entry(&certificate, "*"));
    assert!(!has_dns_entry(&certificate, "other.net"));
}

#[test]
fn self_signed_localhost_also_covers_the_loopback_address() {
    let hosts = TlsHosts::new(&[self_signed(&["localhost", "*.localhost"])]).unwrap();
    let certificate = certificate_of(&hosts, "localhost");
    for name in ["localhost", "127.0.0.1"] {
        assert_eq!(verify(&certificate, name), Ok(()), "{name}");
    }
    // webpki refuses a wildcard over a single label, so check the entry.
    assert!(has_dns_entry(&certificate, "*.localhost"));
}

#[test]
fn self_signed_certificate_is_ecdsa_and_valid_for_a_year() {
    let hosts = TlsHosts::new(&[self_signed(&["example.com"])]).unwrap();
    let key = hosts.key_for("example.com").unwrap();
    assert_eq!(key.key.algorithm(), rustls::SignatureAlgorithm::ECDSA);
    let certificate = &key.cert[0];
    let day = 24 * 60 * 60;
    let at = |days_from_now: u64| {
        let now = UnixTime::now().as_secs();
        UnixTime::since_unix_epoch(Duration::from_secs(now + days_from_now * day))
    };
    assert_eq!(verify_at(certificate, "example.com", at(364)), Ok(()));
    assert!(verify_at(certificate, "example.com", at(366)).is_err());
    let other = TlsHosts::new(&[self_signed(&["example.com"])]).unwrap();
    assert_ne!(&other.key_for("example.com").unwrap().cert[0], certificate);
}

fn load_error(config: HostConfig) -> (String, &'static str, String) {
    match TlsHosts::new(&[self_signed(&["*"]), config]).unwrap_err() {
        TlsError::Host {
            index,
            host,
            field,
            message,
        } => {
            assert_eq!(index, 1);
            (host, field, message)
        }
        other => panic!("unexpected error: {other}"),
    }
}

#[test]
fn mismatched_key_and_certificate_is_an_error() {
    let other_key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let config = host(json!({
        "hostnames": ["localhost", "*.localhost"],
        "certificate": fixture("localhost-cert.pem"),
        "privateKey": other_key,
    }));
    let (host, field, message) = load_error(config.clone());
    assert_eq!((host.as_str(), field), ("localhost+1", "privateKey"));
    assert!(
        message.starts_with("Does not match the certificate"),
        "{message}"
    );
    let text = TlsHosts::new(&[config]).unwrap_err().to_string();
    assert!(
        text.starts_with("hosts[0] (NetworkHost `localhost+1`): `privateKey`: Does not match"),
        "{text}"
    );
}

#[test]
fn undecodable_certificate_or_key_is_an_error_naming_the_field() {
    // PEM-shaped, so configuration accepted them (HOST-2).
    const JUNK: &str = "ABCDEFG+/abcdefg12345678";
    let junk = |label: &str| format!("-----BEGIN {label}-----\n{JUNK}\n-----END {label}-----\n");
    let with = |certificate: String, key: String| {
        host(json!({ "hostnames": "a.com", "certificate": certificate, "privateKey": key }))
    };
    let cert = fixture("localhost-cert.pem");
    let key = fixture("localhost-key.pem");

    let (_, field, message) = load_error(with(junk("CERTIFICATE"), key.clone()));
    assert_eq!(field, "certificate");
    assert!(
        message.starts_with("Certificate 1 of the chain is unusable"),
        "{message}"
    );
    let (_, field, _) = load_error(with(format!("{cert}{}", junk("CERTIFICATE")), key));
    assert_eq!(field, "certificate");
    let (host, field, _) = load_error(with(cert, junk("PRIVATE KEY")));
    assert_eq!((host.as_str(), field), ("a.com", "privateKey"));
}

#[test]
fn duplicate_hostnames_are_an_error() {
    let err = TlsHosts::new(&[localhost_host(), self_signed(&["*", "LocalHost"])]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "hosts[1]: `hostnames[1]`: Duplicate hostname: localhost"
    );
}

#[tokio::test]
async fn a_replaced_certificate_is_presented_to_the_handshakes_after_it() {
    let hosts = TlsHosts::new(&[self_signed(&["example.com"])]).unwrap();
    let config = hosts.server_config(&patterns(&["*"]), &[H1]).unwrap();
    let before = presented(&config, Some("example.com")).await.unwrap();
    // Another certificate for the same names, as a renewal brings.
    let next = TlsHosts::new(&[self_signed(&["example.com"])]).unwrap();
    let name = Hostname::parse_pattern("example.com").unwrap();
    let slot = hosts.slot(&name).unwrap();
    slot.replace(next.slot(&name).unwrap().get());
    let after = presented(&config, Some("example.com")).await.unwrap();
    assert_ne!(after, before);
    assert_eq!(after, next.key_for("example.com").unwrap().cert[0]);
}

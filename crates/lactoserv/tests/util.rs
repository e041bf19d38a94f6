//! Helpers for running the binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The binary under test.
pub(crate) fn lactoserv() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lactoserv"));
    command
        .env_remove("LACTOSERV_PORT_BASE")
        .env_remove("LACTOSERV_VAR_DIR");
    command
}

/// The repository's example setup.
pub(crate) fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../etc/example-setup/config/config.mjs")
}

/// A folder holding one config file; the folder lives as long as this.
pub(crate) struct ConfigDir {
    _dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

/// Writes `source` as `name` in a fresh folder.
pub(crate) fn config_file(name: &str, source: &str) -> ConfigDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, source).unwrap();
    ConfigDir { _dir: dir, path }
}

/// Runs `--dry-run` on a config written from `source`; gives the exit
/// status and stdout.
pub(crate) fn dry_run(source: &str) -> (i32, String) {
    let config = config_file("config.mjs", source);
    let output = lactoserv()
        .arg(format!("--config={}", config.path.display()))
        .arg("--dry-run")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// An HTTP client for the servers under test: rustls with the `ring`
/// provider, accepting the tests' self-signed certificates.
pub(crate) fn client() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .tls_info(true)
}

/// The entries of human-format log output, one string each: long entries
/// continue on indented lines, which are joined back on.
pub(crate) fn log_entries(output: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in output.lines() {
        match (line.strip_prefix("  "), entries.last_mut()) {
            (Some(rest), Some(last)) => {
                last.push(' ');
                last.push_str(rest);
            }
            _ => entries.push(line.to_owned()),
        }
    }
    entries
}

/// Writes at `path` a config answering `body` (plain text) over `protocol`
/// (`https` or `http2`) on loopback `port`, with a self-signed certificate
/// for `localhost`.
pub(crate) fn write_tls_config(path: &Path, protocol: &str, port: u16, body: &str) {
    std::fs::write(
        path,
        format!(
            "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['localhost'], selfSigned: true }}],
  applications: [{{ name: 'answer', class: SimpleResponse, contentType: 'text/plain', body: '{body}' }}],
  endpoints: [{{ name: 'tls', protocol: '{protocol}', interface: '127.0.0.1:{port}', application: 'answer' }}]
}};
"
        ),
    )
    .unwrap();
}

/// Accepts the server's self-signed certificate: these tests are about
/// what follows the handshake.
#[derive(Debug)]
pub(crate) struct AnyCertificate(std::sync::Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A TLS client configuration that accepts any certificate and offers
/// `alpn`.
pub(crate) fn any_certificate_config(alpn: &[u8]) -> rustls::ClientConfig {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    config
}

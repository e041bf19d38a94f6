//! Certificates from an ACME authority through the real binary (`docs/acme.md`):
//! a real Pebble validates the server's http-01 answers, and a client
//! that trusts only Pebble's root reaches the host over HTTPS and
//! HTTP/2; a restart serves the stored certificate at once, with Pebble
//! gone. Renewals are in `renewal`.

mod renewal;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use lactoserv_test_util::acme_front::{AcmeFront, Offers};
use lactoserv_test_util::pebble::Pebble;
use reqwest::Version;

use crate::server::{LACTOSERV, ServerProcess, free_port};
use crate::util::{ConfigDir, config_file, peer_certificate};

/// A config with host `example.test` getting its certificate from
/// `pebble` into `store` with `challenge`, answering `hello` on an `http`
/// endpoint where Pebble looks for http-01 answers and on an `http2`
/// endpoint at `secure` (for tls-alpn-01, where Pebble makes its
/// handshakes).
fn source(pebble: &Pebble, directory: &str, challenge: &str, store: &Path, secure: u16) -> String {
    format!(
        "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [
    {{ hostnames: ['example.test'],
       acme: {{ directoryUrl: '{directory}', directoryCertificate: `{root}`, acceptTerms: true,
                challenge: '{challenge}', storeDirectory: '{store}' }} }}
  ],
  applications: [
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{http}', application: 'hello' }},
    {{ name: 'secure', protocol: 'http2', interface: '127.0.0.1:{secure}', application: 'hello' }}
  ]
}};
",
        root = pebble.directory_certificate(),
        store = store.display(),
        http = pebble.http_port,
    )
}

/// A Pebble, and a config (see [`source`]) in a folder of its own with
/// the store beside it, its `http2` endpoint at `secure`.
struct Setup {
    pebble: Pebble,
    config: ConfigDir,
    secure: u16,
}

/// Pebble issuing certificates valid for `validity`, and a config getting
/// one with `challenge` (tls-alpn-01 on Pebble's `tlsPort`, where it makes
/// its handshakes).
fn setup(validity: Option<Duration>, challenge: &str) -> Setup {
    setup_with(Pebble::start(validity), None, challenge).0
}

/// [`setup`] with `pebble`, behind a front offering `offers` if given.
fn setup_with(
    pebble: Pebble,
    offers: Option<Offers>,
    challenge: &str,
) -> (Setup, Option<AcmeFront>) {
    let front = offers.map(|offers| AcmeFront::start(&pebble, offers));
    let directory = front
        .as_ref()
        .map_or_else(|| pebble.directory(), AcmeFront::directory);
    let secure = if challenge == "tls-alpn-01" {
        pebble.tls_port
    } else {
        free_port()
    };
    let config = config_file("config.mjs", "");
    let store = config.path.parent().unwrap().join("acme");
    let source = source(&pebble, &directory, challenge, &store, secure);
    std::fs::write(&config.path, source).unwrap();
    let setup = Setup {
        pebble,
        config,
        secure,
    };
    (setup, front)
}

/// A client builder that trusts `root` alone and finds `example.test` at
/// `secure` on loopback.
fn trusting(root: &str, secure: u16) -> reqwest::ClientBuilder {
    let _ = lactoserv_test_util::tls::client();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(root.as_bytes()).unwrap()])
        .resolve("example.test", SocketAddr::from(([127, 0, 0, 1], secure)))
        .tls_info(true)
}

/// [`trusting`], built.
fn client(root: &str, secure: u16) -> reqwest::Client {
    trusting(root, secure).build().unwrap()
}

/// The certificate `client` is shown for `https://example.test`.
async fn shown(client: &reqwest::Client, secure: u16) -> Vec<u8> {
    let response = client
        .get(format!("https://example.test:{secure}/"))
        .send()
        .await
        .unwrap();
    peer_certificate(&response)
}

/// What `client` gets from `https://example.test`, once the server presents
/// a certificate it trusts (within `limit`).
async fn fetch_trusted(
    client: &reqwest::Client,
    secure: u16,
    limit: Duration,
) -> (Version, String) {
    let deadline = Instant::now() + limit;
    loop {
        match client
            .get(format!("https://example.test:{secure}/"))
            .send()
            .await
        {
            Ok(response) => return (response.version(), response.text().await.unwrap()),
            Err(err) => assert!(Instant::now() < deadline, "never trusted: {err:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_certificate_from_pebble_is_served_then_reused_after_a_restart() {
    let Setup {
        pebble,
        config,
        secure,
    } = setup(None, "http-01");
    let root = pebble.issuing_root();
    let client = client(&root, secure);

    let server = ServerProcess::start(LACTOSERV, &config.path, secure);
    let (version, body) = fetch_trusted(&client, secure, Duration::from_secs(30)).await;
    assert_eq!((version, body.as_str()), (Version::HTTP_2, "hello\n"));
    drop(server);

    // Pebble is gone: the stored certificate is served from the start.
    drop(pebble);
    let _server = ServerProcess::start(LACTOSERV, &config.path, secure);
    // A new client: the old one's connection went with the old server.
    let client = self::client(&root, secure);
    let (_, body) = fetch_trusted(&client, secure, Duration::from_millis(1)).await;
    assert_eq!(body, "hello\n");
}

#[tokio::test]
async fn a_certificate_proved_with_tls_alpn_01_is_served_over_https_and_http2() {
    let Setup {
        pebble,
        config,
        secure,
    } = setup(None, "tls-alpn-01");
    let root = pebble.issuing_root();
    let client = client(&root, secure);
    let _server = ServerProcess::start(LACTOSERV, &config.path, secure);
    let (version, body) = fetch_trusted(&client, secure, Duration::from_secs(30)).await;
    assert_eq!((version, body.as_str()), (Version::HTTP_2, "hello\n"));
    let http1 = trusting(&root, secure).http1_only().build().unwrap();
    let response = http1
        .get(format!("https://example.test:{secure}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
}

#[tokio::test]
async fn an_authority_down_at_start_leaves_the_other_hosts_served_and_is_tried_again() {
    let Setup {
        mut pebble,
        config,
        secure,
    } = setup(None, "http-01");
    pebble.pause();
    // Another host, with a certificate of its own.
    let source = std::fs::read_to_string(&config.path).unwrap().replace(
        "  hosts: [",
        "  hosts: [\n    { hostnames: ['localhost'], selfSigned: true },",
    );
    std::fs::write(&config.path, source).unwrap();
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    let other = lactoserv_test_util::tls::client().build().unwrap();
    let response = other
        .get(format!("https://localhost:{secure}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "hello\n");
    // The authority comes back: the next try (after about 10 s) gets the
    // certificate.
    pebble.resume();
    let client = client(&pebble.issuing_root(), secure);
    let (_, body) = fetch_trusted(&client, secure, Duration::from_secs(30)).await;
    assert_eq!(body, "hello\n");
    let (_, log) = server.stop_and_read("TERM");
    // Every step is a system-log event.
    for step in [
        "servingTemporary(",
        "ordering(",
        "orderFailed(",
        "challengeReady('example.test', 'http-01')",
        "validated(",
        "issued(",
        "renewalScheduled(",
    ] {
        assert!(log.contains(step), "{step}\n{log}");
    }
}

//! Certificates from an ACME authority through the real binary (`docs/acme.md`):
//! a real Pebble validates the server's http-01 answers, and a client
//! that trusts only Pebble's root reaches the host over HTTPS and
//! HTTP/2; a restart serves the stored certificate at once, with Pebble
//! gone.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use lactoserv_test_util::pebble::Pebble;
use reqwest::Version;

use crate::server::{LACTOSERV, ServerProcess, free_port};
use crate::util::config_file;

/// A config with host `example.test` getting its certificate from
/// `pebble` into `store`, answering `hello` on an `http` endpoint where
/// Pebble looks for challenge answers and on an `http2` endpoint at
/// `secure`.
fn config(pebble: &Pebble, store: &Path, secure: u16) -> String {
    format!(
        "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [
    {{ hostnames: ['example.test'],
       acme: {{ directoryUrl: '{directory}', directoryCertificate: `{root}`, acceptTerms: true,
                challenge: 'http-01', storeDirectory: '{store}' }} }}
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
        directory = pebble.directory(),
        root = pebble.directory_certificate(),
        store = store.display(),
        http = pebble.http_port,
    )
}

/// A client that trusts `root` alone and finds `example.test` at
/// `secure` on loopback.
fn client(root: &str, secure: u16) -> reqwest::Client {
    let _ = lactoserv_test_util::tls::client();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(root.as_bytes()).unwrap()])
        .resolve("example.test", SocketAddr::from(([127, 0, 0, 1], secure)))
        .build()
        .unwrap()
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
    let pebble = Pebble::start(None);
    let store = tempfile::tempdir().unwrap();
    let secure = free_port();
    let source = config(&pebble, &store.path().join("acme"), secure);
    let config = config_file("config.mjs", &source);
    let root = pebble.issuing_root();
    let client = client(&root, secure);

    let server = ServerProcess::start(LACTOSERV, &config.path, secure);
    let (version, body) = fetch_trusted(&client, secure, Duration::from_secs(30)).await;
    assert_eq!((version, body.as_str()), (Version::HTTP_2, "hello\n"));
    drop(server);

    // Pebble is gone: the stored certificate is served from the start.
    drop(pebble);
    let _server = ServerProcess::start(LACTOSERV, &config.path, secure);
    let (_, body) = fetch_trusted(&client, secure, Duration::from_millis(1)).await;
    assert_eq!(body, "hello\n");
}

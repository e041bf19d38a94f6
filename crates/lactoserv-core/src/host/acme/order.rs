//! One certificate order (RFC 8555 §7.4), through `instant-acme`: the
//! account is found (or made and kept in the store), the names are
//! proved with the host's challenge, and the certificate is fetched with
//! the key it certifies.

use std::path::Path;
use std::time::Duration;

use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};

use super::challenges::{Http01Tokens, alpn_certificate, alpn_certificates};
use super::{AcmeConfig, Challenge};
use crate::host::Hostname;

/// How long the authority is given to look at the challenges and issue.
const ORDER_TIMEOUT: Duration = Duration::from_secs(120);

/// A certificate chain and its key, both PEM.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The chain, the certificate for the names first.
    pub chain_pem: String,
    /// The PKCS#8 private key.
    pub key_pem: String,
}

/// Why an order failed.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// The authority refused, or could not be reached.
    #[error("{0}")]
    Acme(#[from] instant_acme::Error),
    /// The account could not be kept in, or read from, the store.
    #[error("account store: {0}")]
    Store(String),
    /// The authority offered no challenge of the host's type.
    #[error("the authority offers no {0} challenge for `{1}`")]
    NoChallenge(&'static str, String),
    /// The order ended other than ready.
    #[error("the order ended as {0:?}")]
    NotReady(OrderStatus),
}

/// A challenge answer put up for an order, taken down after it.
enum Published {
    /// An http-01 token.
    Token(String),
    /// A tls-alpn-01 certificate, for a name.
    Name(String),
}

/// The account of `config`'s directory, kept as `account.json` in
/// `store` (made there the first time).
pub async fn account(config: &AcmeConfig, store: &Path) -> Result<Account, OrderError> {
    let builder = || -> Result<_, OrderError> {
        match &config.directory_certificate {
            Some(_) => Account::builder_with_root(store.join("directory-root.pem"))
                .map_err(OrderError::Acme),
            None => Account::builder().map_err(OrderError::Acme),
        }
    };
    if let Some(root) = config
        .directory_certificate
        .as_ref()
        .and_then(|blob| blob.as_text())
    {
        super::store::write_private(&store.join("directory-root.pem"), root.as_bytes())
            .map_err(|err| OrderError::Store(err.to_string()))?;
    }
    let path = store.join("account.json");
    if let Ok(text) = std::fs::read(&path)
        && let Ok(credentials) = serde_json::from_slice::<AccountCredentials>(&text)
    {
        return Ok(builder()?.from_credentials(credentials).await?);
    }
    let contact = config
        .contact_email
        .as_ref()
        .map(|email| format!("mailto:{email}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder()?
        .create(
            &NewAccount {
                contact: &contacts,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            config.directory().to_owned(),
            None,
        )
        .await?;
    let text =
        serde_json::to_vec(&credentials).map_err(|err| OrderError::Store(err.to_string()))?;
    super::store::write_private(&path, &text).map_err(|err| OrderError::Store(err.to_string()))?;
    Ok(account)
}

/// Orders a certificate for `names` from `account`, answering http-01
/// challenges through `tokens`.
pub async fn order(
    account: &Account,
    config: &AcmeConfig,
    names: &[Hostname],
    tokens: &Http01Tokens,
) -> Result<Issued, OrderError> {
    let identifiers: Vec<Identifier> = names
        .iter()
        .map(|name| Identifier::Dns(name.as_str().to_owned()))
        .collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
    let mut published = Vec::new();
    let result = async {
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization?;
            if authorization.status == AuthorizationStatus::Valid {
                continue;
            }
            let name = authorization.identifier().to_string();
            let kind = match config.challenge {
                Challenge::Http01 => ChallengeType::Http01,
                Challenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
            };
            let mut challenge = authorization
                .challenge(kind)
                .ok_or_else(|| OrderError::NoChallenge(config.challenge.name(), name.clone()))?;
            let answer = challenge.key_authorization();
            match config.challenge {
                Challenge::Http01 => {
                    tokens.publish(&challenge.token, answer.as_str());
                    published.push(Published::Token(challenge.token.clone()));
                }
                Challenge::TlsAlpn01 => {
                    let provider = rustls::crypto::ring::default_provider();
                    let key = alpn_certificate(&name, answer.digest().as_ref(), &provider)
                        .map_err(OrderError::Store)?;
                    alpn_certificates().publish(&name, std::sync::Arc::new(key));
                    published.push(Published::Name(name.clone()));
                }
            }
            challenge.set_ready().await?;
        }
        let retries = RetryPolicy::new().timeout(ORDER_TIMEOUT);
        match order.poll_ready(&retries).await? {
            OrderStatus::Ready => {}
            status => return Err(OrderError::NotReady(status)),
        }
        let key_pem = order.finalize().await?;
        let chain_pem = order.poll_certificate(&retries).await?;
        Ok(Issued { chain_pem, key_pem })
    }
    .await;
    for answer in published {
        match answer {
            Published::Token(token) => tokens.withdraw(&token),
            Published::Name(name) => alpn_certificates().withdraw(&name),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::process::{Child, Command};
    use std::sync::Arc;

    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper_util::rt::TokioIo;
    use serde_json::json;

    use super::*;
    use crate::bind::from_value;

    /// A child process killed when dropped.
    struct Running(Child);

    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// A file in `dir` for a child's output (kept out of the test's).
    fn log(dir: &tempfile::TempDir, name: &str) -> std::fs::File {
        std::fs::File::create(dir.path().join(name)).unwrap()
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// Answers http-01 challenges from `tokens` on `port`, as an `http`
    /// endpoint does.
    async fn serve_tokens(port: u16, tokens: Arc<Http01Tokens>) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let tokens = tokens.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
                        let answer = tokens.answer(request.uri().path());
                        async move {
                            let mut response = hyper::Response::new(Full::new(Bytes::from(
                                answer.clone().unwrap_or_default(),
                            )));
                            if answer.is_none() {
                                *response.status_mut() = hyper::StatusCode::NOT_FOUND;
                            }
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    }

    #[tokio::test]
    async fn pebble_issues_a_certificate_for_names_proved_with_http_01() {
        let dir = tempfile::tempdir().unwrap();
        // Pebble's own HTTPS certificate, which the client is told to trust.
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(dir.path().join("cert.pem"), cert.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
        let [acme, management, http, tls, dns] = std::array::from_fn(|_| free_port());
        let config = json!({ "pebble": {
            "listenAddress": format!("127.0.0.1:{acme}"),
            "managementListenAddress": format!("127.0.0.1:{management}"),
            "certificate": dir.path().join("cert.pem"),
            "privateKey": dir.path().join("key.pem"),
            "httpPort": http,
            "tlsPort": tls,
        }});
        std::fs::write(dir.path().join("pebble.json"), config.to_string()).unwrap();
        let _dns = Running(
            Command::new("pebble-challtestsrv")
                .args(["-dns01", &format!("127.0.0.1:{dns}")])
                .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
                .args(["-management", &format!("127.0.0.1:{}", free_port())])
                .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
                .stdout(log(&dir, "dns.log"))
                .stderr(log(&dir, "dns.err"))
                .spawn()
                .expect("pebble-challtestsrv runs"),
        );
        let _pebble = Running(
            Command::new("pebble")
                .arg("-config")
                .arg(dir.path().join("pebble.json"))
                .args(["-dnsserver", &format!("127.0.0.1:{dns}")])
                .env("PEBBLE_VA_NOSLEEP", "1")
                .env("PEBBLE_WFE_NONCEREJECT", "0")
                .stdout(log(&dir, "pebble.log"))
                .stderr(log(&dir, "pebble.err"))
                .spawn()
                .expect("pebble runs"),
        );
        let tokens = Arc::new(Http01Tokens::default());
        serve_tokens(http, tokens.clone()).await;
        let store = dir.path().join("store");
        std::fs::create_dir(&store).unwrap();
        let mut acme_config: AcmeConfig = from_value(&json!({
            "directoryUrl": format!("https://127.0.0.1:{acme}/dir"),
            "directoryCertificate": cert.pem(),
            "acceptTerms": true,
            "challenge": "http-01",
            "storeDirectory": store,
        }))
        .unwrap();
        let names = vec![Hostname::parse_name("example.test").unwrap()];
        acme_config.validate(&names).unwrap();
        // Pebble takes a moment to listen.
        let mut tries = 0;
        let account = loop {
            match account(&acme_config, &store).await {
                Ok(account) => break account,
                Err(err) if tries < 50 => {
                    tries += 1;
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("no account: {err}"),
            }
        };
        let issued = order(&account, &acme_config, &names, &tokens)
            .await
            .unwrap();
        // Pebble's chain and the key made for it, for the name asked.
        super::super::stored::save(&store, &names, &issued).unwrap();
        let provider = rustls::crypto::ring::default_provider();
        let stored = super::super::stored::load(&store, &names, &provider).expect("usable");
        assert!(stored.key.cert.len() >= 2, "the chain has the intermediate");
        assert!(stored.not_after > std::time::SystemTime::now());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.join("account.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

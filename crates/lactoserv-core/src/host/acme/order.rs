//! One certificate order (RFC 8555 §7.4), through `instant-acme`: the
//! account is found (or made and kept in the store), the names are
//! proved with the host's challenge, and the certificate is fetched with
//! the key it certifies.

use std::path::Path;
use std::time::Duration;

use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, HttpClient, Identifier,
    NewAccount, NewOrder, OrderStatus, RetryPolicy,
};

use super::challenges::{Http01Tokens, alpn_certificate, alpn_certificates};
use super::{AcmeConfig, Challenge};
use crate::host::Hostname;
use crate::log::{LogValue, Logger};

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
/// `store`, reached through `http`; made there the first time if `create`,
/// or else `None` when there is none.
pub async fn account(
    config: &AcmeConfig,
    store: &Path,
    http: Box<dyn HttpClient>,
    create: bool,
) -> Result<Option<Account>, OrderError> {
    let builder = Account::builder_with_http(http);
    let path = store.join("account.json");
    if let Ok(text) = std::fs::read(&path)
        && let Ok(credentials) = serde_json::from_slice::<AccountCredentials>(&text)
    {
        return Ok(Some(builder.from_credentials(credentials).await?));
    }
    if !create {
        return Ok(None);
    }
    let contact = config
        .contact_email
        .as_ref()
        .map(|email| format!("mailto:{email}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder
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
    Ok(Some(account))
}

/// Orders a certificate for `names` from `account`, answering http-01
/// challenges through `tokens`, logging each challenge put up
/// (`challengeReady(<name>, <type>)`) and the order validated
/// (`validated()`) on `logger`.
///
/// A renewal does not name the certificate it `replaces` (RFC 9773 §5,
/// a should): `instant-acme` then requires the authority to echo the
/// field, which Pebble, the authority the tests run against, does not.
pub async fn order(
    account: &Account,
    config: &AcmeConfig,
    names: &[Hostname],
    tokens: &Http01Tokens,
    logger: &Logger,
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
            logger.event(
                "challengeReady",
                vec![
                    LogValue::from(name.as_str()),
                    LogValue::from(config.challenge.name()),
                ],
            );
        }
        let retries = RetryPolicy::new().timeout(ORDER_TIMEOUT);
        match order.poll_ready(&retries).await? {
            OrderStatus::Ready => {}
            status => return Err(OrderError::NotReady(status)),
        }
        logger.event("validated", Vec::new());
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
    use std::sync::Arc;

    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper_util::rt::TokioIo;
    use lactoserv_test_util::pebble::Pebble;
    use serde_json::json;

    use super::*;
    use crate::bind::from_value;

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
                            let found = answer.is_some();
                            let mut response = hyper::Response::new(Full::new(Bytes::from(
                                answer.unwrap_or_default(),
                            )));
                            if !found {
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
        let pebble = Pebble::start(None);
        let tokens = Arc::new(Http01Tokens::default());
        serve_tokens(pebble.http_port, tokens.clone()).await;
        let store = tempfile::tempdir().unwrap();
        let store = store.path();
        let mut config: AcmeConfig = from_value(&json!({
            "directoryUrl": pebble.directory(),
            "directoryCertificate": pebble.directory_certificate(),
            "acceptTerms": true,
            "challenge": "http-01",
            "storeDirectory": store,
        }))
        .unwrap();
        let names = vec![Hostname::parse_name("example.test").unwrap()];
        config.validate(&names).unwrap();
        let http = || {
            super::super::client::client(Some(&pebble.directory_certificate()))
                .unwrap()
                .0
        };
        let first = account(&config, store, http(), true)
            .await
            .unwrap()
            .unwrap();
        let issued = order(&first, &config, &names, &tokens, &Logger::disabled())
            .await
            .unwrap();
        // Pebble's chain and the key made for it, for the name asked.
        super::super::stored::save(store, &names, &issued).unwrap();
        let provider = rustls::crypto::ring::default_provider();
        let stored = super::super::stored::load(store, &names, &provider).expect("usable");
        assert!(stored.key.cert.len() >= 2, "the chain has the intermediate");
        assert!(stored.not_after > std::time::SystemTime::now());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.join("account.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // The account is kept: a second order uses it.
        let again = account(&config, store, http(), false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id(), first.id());
    }
}

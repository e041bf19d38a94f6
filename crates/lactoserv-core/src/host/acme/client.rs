//! The HTTPS client orders go through. It is `instant-acme`'s own client,
//! built here rather than by the crate so that a refusal's `Retry-After`
//! is seen: the crate reads that header only while polling an order, and
//! drops the headers of the problem documents it turns into errors, yet
//! an authority's rate limit (RFC 8555 §6.6) is told in just that header.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use hyper::body::Bytes;
use hyper_rustls::HttpsConnectorBuilder;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use instant_acme::{BodyWrapper, BytesResponse, HttpClient};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The longest an authority's `Retry-After` is heeded for: a value beyond
/// it is taken as a mistake rather than as a week without renewals.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// When the authority last asked, on a refusal, not to be asked again
/// before; shared by a client and whoever reads why its order failed.
#[derive(Debug, Clone, Default)]
pub struct RetryAfter(Arc<Mutex<Option<SystemTime>>>);

impl RetryAfter {
    /// The latest moment asked for, if any refusal asked for one.
    pub fn latest(&self) -> Option<SystemTime> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn note(&self, at: SystemTime) {
        let mut latest = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *latest = Some(latest.map_or(at, |before| before.max(at)));
    }
}

/// An HTTPS client for the authority that notes every refusal's
/// `Retry-After` in a [`RetryAfter`].
struct Watching {
    inner: Client<hyper_rustls::HttpsConnector<HttpConnector>, BodyWrapper<Bytes>>,
    refused: RetryAfter,
}

impl HttpClient for Watching {
    fn request(
        &self,
        request: http::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let sent = HttpClient::request(&self.inner, request);
        let refused = self.refused.clone();
        Box::pin(async move {
            let response = sent.await?;
            let parts = &response.parts;
            if (parts.status.is_client_error() || parts.status.is_server_error())
                && let Some(at) = parts
                    .headers
                    .get(http::header::RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| retry_after(value, SystemTime::now()))
            {
                refused.note(at);
            }
            Ok(response)
        })
    }
}

/// A client trusting `root` (PEM) alone when given, or the system's
/// roots, and the refusals it will note.
pub fn client(root: Option<&str>) -> Result<(Box<dyn HttpClient>, RetryAfter), String> {
    let builder = match root {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let certificate =
                    certificate.map_err(|err| format!("directoryCertificate: {err}"))?;
                roots
                    .add(certificate)
                    .map_err(|err| format!("directoryCertificate: {err}"))?;
            }
            HttpsConnectorBuilder::new().with_tls_config(
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        }
        None => HttpsConnectorBuilder::new()
            .try_with_platform_verifier()
            .map_err(|err| format!("the system's roots: {err}"))?,
    };
    let connector = builder.https_only().enable_http1().enable_http2().build();
    let refused = RetryAfter::default();
    let watching = Watching {
        inner: Client::builder(TokioExecutor::new()).build(connector),
        refused: refused.clone(),
    };
    Ok((Box::new(watching), refused))
}

/// The moment a `Retry-After` value (seconds, or an HTTP date) names,
/// seen at `now`, no later than [`MAX_RETRY_AFTER`] from then.
fn retry_after(value: &str, now: SystemTime) -> Option<SystemTime> {
    let value = value.trim();
    let at = match value.parse::<u64>() {
        Ok(seconds) => now + Duration::from_secs(seconds.min(MAX_RETRY_AFTER.as_secs())),
        Err(_) => httpdate::parse_http_date(value).ok()?,
    };
    Some(at.min(now + MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_them_at_a_day() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let seconds = |s| Some(now + Duration::from_secs(s));
        assert_eq!(retry_after("120", now), seconds(120));
        assert_eq!(retry_after(" 7 ", now), seconds(7));
        assert_eq!(retry_after("99999999", now), seconds(86_400));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(3600));
        assert_eq!(retry_after(&date, now), seconds(3600));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
    }

    #[test]
    fn the_latest_refusal_is_kept() {
        let refused = RetryAfter::default();
        assert_eq!(refused.latest(), None);
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(50);
        refused.note(at);
        refused.note(SystemTime::UNIX_EPOCH + Duration::from_secs(10));
        assert_eq!(refused.latest(), Some(at));
    }
}

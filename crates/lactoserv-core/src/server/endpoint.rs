//! An endpoint at run time (Lactoserv `NetworkEndpoint` and its
//! `ProtocolWrangler`): its listening socket, its accept loop, and the
//! context every one of its connections and requests shares.
//!
//! Layout:
//! - `listen`: opening the socket an `interface` names; `inherited`:
//!   adopting one handed down as `/dev/fd/N`.
//! - `accept`: the accept loop, which hands each connection to
//!   [`conn::serve`](super::conn::serve).

pub(crate) mod accept;
mod inherited;
pub(crate) mod listen;

use std::sync::Arc;

use http::HeaderValue;
use tokio_rustls::TlsAcceptor;

use super::conn::stop::StopSignal;
use crate::app::AppRef;
use crate::bucket::TokenBucket;
use crate::endpoint::Protocol;
use crate::log::Logger;
use crate::service::{AccessLog, DataLimit};

/// Who serves an endpoint's HTTP1 requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Http1Engine {
    /// The server's own loop for plain fetches (bodiless `GET` and `HEAD`),
    /// hyper for the rest of a connection after anything else: the usual
    /// way, and the cheaper one.
    Own,
    /// hyper for every request: the same answers on the wire by another
    /// road, for ruling the server's own loop in or out when a fault is
    /// suspected in it.
    Hyper,
}

/// Who serves an `http2` endpoint's HTTP/2 sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Http2Engine {
    /// The server's own HTTP/2: the usual way, and the cheaper one.
    Own,
    /// hyper (and `h2`): the same answers by another road, for ruling the
    /// server's own HTTP/2 in or out when a fault is suspected in it.
    Hyper,
}

/// What every connection and request of one endpoint shares.
pub(crate) struct EndpointContext {
    /// The endpoint's name, for messages.
    pub(crate) name: String,
    /// The endpoint's logger (`webapp.endpoint.<name>`).
    pub(crate) logger: Logger,
    /// `http`, `https` or `http2`.
    pub(crate) protocol: Protocol,
    /// The TLS acceptor, for `https` and `http2`.
    pub(crate) tls: Option<TlsAcceptor>,
    /// Who serves HTTP1.
    pub(crate) http1: Http1Engine,
    /// Who serves HTTP/2.
    pub(crate) http2: Http2Engine,
    /// The application requests go to.
    pub(crate) application: AppRef,
    /// The name of `application`, for dispatch logging.
    pub(crate) application_name: String,
    /// The counts of `application`, when the endpoint keeps them (it runs
    /// bare in a configuration that counts; see `lifecycle::applications`).
    pub(crate) application_metrics: Option<Arc<crate::metrics::ApplicationMetrics>>,
    /// The `Server` header value.
    pub(crate) server_header: HeaderValue,
    /// `dispatchLogging`: requests' dispatch is logged from here down.
    pub(crate) dispatch_logging: bool,
    /// The `accessLog` service, if one runs.
    pub(crate) access_log: Option<Arc<dyn AccessLog>>,
    /// The `connectionRateLimiter` service's bucket, if one runs.
    pub(crate) connection_bucket: Option<Arc<TokenBucket>>,
    /// The `dataRateLimiter` service's bucket, if one runs.
    pub(crate) data_limit: Option<DataLimit>,
    /// The interface's port, for requests whose authority names none.
    pub(crate) port: u16,
    /// `maxRequestBodySize`, in bytes.
    pub(crate) max_body: Option<u64>,
    /// Winds the endpoint's accept loop and connections down.
    pub(crate) stop: StopSignal,
    /// One permit per connection served at once.
    pub(crate) slots: Arc<tokio::sync::Semaphore>,
    /// `maxConnections`: how many permits there are.
    pub(crate) max_connections: usize,
    /// The endpoint's counts, when a `Metrics` application asks for them.
    pub(crate) metrics: Option<Arc<crate::metrics::EndpointMetrics>>,
    /// The http-01 challenge answers, on an `http` endpoint of a
    /// configuration with a host that gets its certificates with them.
    pub(crate) acme_tokens: Option<Arc<crate::host::acme::challenges::Http01Tokens>>,
    /// `Alt-Svc`, for the answers of an endpoint that also serves HTTP/3.
    pub(crate) alt_svc: Option<HeaderValue>,
}

#[cfg(any(test, feature = "fuzzing"))]
impl EndpointContext {
    /// An endpoint for tests and fuzzing: `protocol`, serving
    /// `application`, with no TLS, services, counts or logging, one
    /// connection at a time, bodies up to 64 bytes.
    pub(crate) fn bare(protocol: Protocol, application: AppRef) -> Self {
        Self {
            name: "test".into(),
            logger: Logger::disabled(),
            protocol,
            tls: None,
            http1: Http1Engine::Own,
            http2: Http2Engine::Own,
            application,
            application_name: "app".into(),
            application_metrics: None,
            server_header: HeaderValue::from_static("lactoserv-test"),
            dispatch_logging: false,
            access_log: None,
            connection_bucket: None,
            data_limit: None,
            port: 443,
            max_body: Some(64),
            stop: StopSignal::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(1)),
            max_connections: 1,
            metrics: None,
            acme_tokens: None,
            alt_svc: None,
        }
    }
}

impl std::fmt::Debug for EndpointContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointContext")
            .field("name", &self.name)
            .field("stop", &self.stop)
            .finish_non_exhaustive()
    }
}

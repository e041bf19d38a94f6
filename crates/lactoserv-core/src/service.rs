//! Services at run time (Lactoserv `BaseService`): started before the
//! endpoints accept anything and stopped after they have finished, in
//! configuration order (stopped in reverse).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use http::{Method, Version};

use crate::bucket::TokenBucket;
use crate::log::{LogStream, LogValue, Logger};
use crate::quant::Moment;

message_error! {
    /// What went wrong starting a service: a message, and the error that
    /// caused it, if any, kept as the error's source so that reports show the
    /// whole chain.
    ServiceError
}

/// Why the webapp stops: the `<fate>` of its `stopping`/`stopped` events,
/// and what a service is told when it is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// The process is exiting.
    Shutdown,
    /// A new configuration takes over.
    WillReload,
}

impl Fate {
    /// The name the system log gives it (`shutdown`, `willReload`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shutdown => "shutdown",
            Self::WillReload => "willReload",
        }
    }
}

/// A running service.
#[async_trait]
pub trait Service: Send + Sync + std::fmt::Debug + 'static {
    /// Starts the service; an error stops the server's start.
    async fn start(&self) -> Result<(), ServiceError>;

    /// Stops the service: the process is exiting, or (`Fate::WillReload`)
    /// a new configuration's services take over.
    async fn stop(&self, fate: Fate);

    /// The service as an access log, if it is one (the `accessLog` role of
    /// endpoints).
    fn access_log(&self) -> Option<Arc<dyn AccessLog>> {
        None
    }

    /// The bucket each new connection takes a token from, if the service
    /// is a connection rate limiter (the `connectionRateLimiter` role).
    fn connection_bucket(&self) -> Option<Arc<TokenBucket>> {
        None
    }

    /// The bucket every byte written to a connection takes a token from, if
    /// the service is a data rate limiter (the `dataRateLimiter` role).
    fn data_limit(&self) -> Option<DataLimit> {
        None
    }
}

/// What a data rate limiter gives the connections it limits.
#[derive(Debug, Clone)]
pub struct DataLimit {
    /// The bucket of bytes, shared by every connection it limits.
    pub bucket: Arc<TokenBucket>,
    /// `verboseLogging`: log each write, wait and drain, not only denials.
    pub verbose: bool,
}

/// One finished request, as an access log records it (spec 04 ALF-3).
#[derive(Debug, Clone)]
pub struct AccessEntry {
    /// When the response was done with.
    pub ended: Moment,
    /// The client's address.
    pub remote: Option<SocketAddr>,
    /// The protocol version.
    pub version: Version,
    /// The method, in upper case as received.
    pub method: Method,
    /// `//<host>:<port><target>`.
    pub url: String,
    /// The status sent.
    pub status: u16,
    /// The response's length, or `None` when the status and method allow no
    /// body.
    pub body_size: Option<u64>,
    /// From the start of the request to the end of the response.
    pub duration: std::time::Duration,
    /// The response was handed over whole.
    pub ok: bool,
    /// The request's logger (`webapp.endpoint.<name>.req.<id>`), when the
    /// system log is on.
    pub logger: Option<Logger>,
    /// The response's headers, for logs that
    /// [want them](AccessLog::wants_headers).
    pub response_headers: Option<http::HeaderMap>,
}

/// A request as it starts, for logs that [want it](AccessLog::wants_headers).
#[derive(Debug)]
pub struct RequestStart<'a> {
    /// The client's address.
    pub remote: Option<SocketAddr>,
    /// The protocol version.
    pub version: Version,
    /// The method.
    pub method: &'a Method,
    /// `//<host>:<port><target>`.
    pub url: &'a str,
    /// The request headers.
    pub headers: &'a http::HeaderMap,
    /// The request's logger.
    pub logger: &'a Logger,
}

/// Something that records finished requests.
pub trait AccessLog: Send + Sync {
    /// Records `entry`; called as each response is done with, so it must
    /// only hand the entry off.
    fn record(&self, entry: AccessEntry);

    /// Whether this log also wants each request as it starts and the
    /// response headers (costly to gather, so only when asked).
    fn wants_headers(&self) -> bool {
        false
    }

    /// A request is starting (only called when
    /// [`wants_headers`](Self::wants_headers)).
    fn start(&self, request: &RequestStart<'_>) {
        let _ = request;
    }
}

/// A shared service.
pub type ServiceRef = Arc<dyn Service>;

/// The running services by name, filled in once they have all started:
/// what a service that refers to others (EventFan) looks them up in.
pub type ServiceRegistry = Arc<std::sync::OnceLock<Vec<(String, ServiceRef)>>>;

/// How many bytes the allocator has handed out, when the program can say.
pub type HeapProbe = Arc<dyn Fn() -> Option<u64> + Send + Sync>;

/// A way for a service to ask the program to shut down (cleanly, as for a
/// signal) with an exit status, and to learn why the program is exiting:
/// the status asked for and the fatal errors that caused it.
#[derive(Debug, Clone)]
pub struct Shutdown {
    status: tokio::sync::watch::Sender<Option<i32>>,
    /// `{ type, problem }` for each fatal error, in order.
    problems: Arc<Mutex<Vec<LogValue>>>,
}

impl Shutdown {
    /// A shutdown whose requests go to `status`.
    pub fn new(status: tokio::sync::watch::Sender<Option<i32>>) -> Self {
        Self {
            status,
            problems: Arc::default(),
        }
    }

    /// A shutdown nobody listens to (for tests and embedding).
    pub fn unheard() -> Self {
        Self::new(tokio::sync::watch::channel(None).0)
    }

    /// Asks for a clean shutdown ending with `status`.
    pub fn request(&self, status: i32) {
        self.status.send_replace(Some(status));
    }

    /// The status asked for, if a shutdown has been asked for.
    pub fn status(&self) -> Option<i32> {
        *self.status.borrow()
    }

    /// Follows the requests.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<Option<i32>> {
        self.status.subscribe()
    }

    /// Records a fatal error (`kind`: `uncaughtException` or
    /// `unhandledRejection`; `problem`: the error).
    pub fn add_problem(&self, kind: &str, problem: LogValue) {
        let entry = LogValue::object([("type", LogValue::from(kind)), ("problem", problem)]);
        self.problems
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(entry);
    }

    /// The fatal errors recorded, as `{ type, problem }` objects.
    pub fn problems(&self) -> Vec<LogValue> {
        self.problems
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// What a service is built with.
#[derive(Clone)]
pub struct ServiceContext {
    /// The allocator's count of bytes in use.
    pub heap: Option<HeapProbe>,
    /// Asks the program to shut down.
    pub shutdown: Shutdown,
    /// The running services, once all have started.
    pub services: ServiceRegistry,
    /// The service's logger (`webapp.service.<name>`).
    pub logger: Logger,
    /// The system log's event stream, for services that write it out; set
    /// when some service says it does
    /// ([`ServiceConfig::writes_system_log`](crate::component::ServiceConfig::writes_system_log)).
    pub log_stream: Option<Arc<LogStream>>,
    /// The service's name, for counts kept by name (`crate::metrics`).
    pub name: String,
}

//! The HTTP-ish request and response model the server and applications
//! share (Lactoserv `net-util`: `IncomingRequest`, `OutgoingResponse`,
//! `DispatchInfo`, `HostInfo`, `StatusResponse`).
//!
//! Layout:
//! - [`request`]: the request as applications see it (canonical path, host).
//! - [`dispatch`]: the part of its path an application is responsible for.
//! - [`response`]: what applications answer, and the server's own answers.
//! - [`body`]: response bodies, files read as they are sent.
//! - [`prepared`]: responses made once and sent many times.
//! - [`conditional`]: conditional and range requests (304, 412, 206, 416).
//! - [`status`]: reason phrases and which statuses may carry which bodies.

pub mod body;
pub mod conditional;
pub mod dispatch;
pub mod prepared;
pub mod request;
pub mod response;
pub mod status;

pub use body::{Body, Part};
pub use dispatch::Dispatch;
pub use prepared::Prepared;
pub use request::{HostInfo, Request};
pub use response::Response;

//! A server's life: staged, launched, retired, drained (Lactoserv
//! `WebappRoot`'s start and stop, and its component managers').
//!
//! Starting has two steps so that a reload can be atomic:
//! [`Server::stage`](super::Server::stage) (`stage`) does everything that
//! can fail without disturbing a running server: building the
//! applications (`applications`), loading certificates, binding new
//! sockets; [`Staged::launch`] (`launch`) starts the services and the
//! accept loops, taking over the listening sockets a predecessor
//! [stashed](Stash) (`stash`). Stopping has two steps for the same reason
//! (`retire`): [`Server::retire`](super::Server::retire) stops accepting at
//! once, starts winding the connections down and hands the listening
//! sockets over; [`Draining::finish`] lets the requests in flight finish
//! and stops what is left. Each step logs the reference's lifecycle
//! events (`events`).

mod applications;
pub(crate) mod events;
mod launch;
mod quic;
mod retire;
mod stage;
mod stash;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::endpoint::EndpointContext;
use crate::service::{Fate, ServiceRef};
use events::{EndpointInfo, Running, Tree};

pub use stage::Staged;
pub use stash::Stash;

/// An endpoint that is accepting connections.
#[derive(Debug)]
pub(crate) struct Listening {
    pub(crate) info: EndpointInfo,
    pub(crate) local: std::net::SocketAddr,
    /// The accept loop, which gives its socket back when it ends.
    pub(crate) task: JoinHandle<TcpListener>,
    /// The HTTP/3 accept loop, which gives its QUIC endpoint back.
    pub(crate) quic: Option<JoinHandle<quinn::Endpoint>>,
    /// What its connections share, among which the stop signal.
    pub(crate) context: Arc<EndpointContext>,
}

/// A server that no longer accepts connections, whose connections may
/// still be in progress.
#[derive(Debug)]
pub struct Draining {
    fate: Fate,
    endpoints: Vec<(EndpointInfo, Arc<EndpointContext>)>,
    /// At a stop, the QUIC endpoints, kept until their connections'
    /// `CONNECTION_CLOSE`s are out (at a reload they go to the successor).
    quic: Vec<quinn::Endpoint>,
    services: Vec<Running<ServiceRef>>,
    tree: Tree,
}

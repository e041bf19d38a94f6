//! The listening sockets a retired server hands to the one that replaces
//! it at a reload (spec 01 LIFE-18a), and its HTTP/3 endpoints' QUIC
//! endpoints.

use crate::endpoint::interface::Interface;
use crate::log::Logger;

/// Listening sockets a stopped server handed over, by interface, for the
/// server that replaces it. Whatever is not taken is closed when this is
/// dropped, with a `stashTimeout()` event from the endpoint that stashed
/// it. (The reference keeps such sockets for 5 s in case a later start
/// wants them; here the successor has started by the time the stash is
/// dropped, so nothing else could take them, and the port is freed at
/// once.)
#[derive(Debug, Default)]
pub struct Stash {
    pub(super) listeners: Vec<Stashed>,
    /// HTTP/3 endpoints' QUIC endpoints, with the connections they carry.
    pub(super) quic: Vec<(Interface, quinn::Endpoint)>,
}

#[derive(Debug)]
pub(super) struct Stashed {
    pub(super) interface: Interface,
    pub(super) listener: std::net::TcpListener,
    /// The stashing endpoint's logger.
    pub(super) logger: Logger,
}

impl Stash {
    /// Takes the socket listening on `interface`, if there is one.
    pub fn take(&mut self, interface: &Interface) -> Option<std::net::TcpListener> {
        let at = self
            .listeners
            .iter()
            .position(|stashed| stashed.interface == *interface)?;
        Some(self.listeners.swap_remove(at).listener)
    }

    /// Takes the QUIC endpoint receiving on `interface`, if there is one.
    pub(super) fn take_quic(&mut self, interface: &Interface) -> Option<quinn::Endpoint> {
        let at = self.quic.iter().position(|(at, _)| at == interface)?;
        Some(self.quic.swap_remove(at).1)
    }

    /// The interfaces of the sockets held.
    pub fn interfaces(&self) -> Vec<Interface> {
        self.listeners
            .iter()
            .map(|stashed| stashed.interface.clone())
            .collect()
    }
}

impl Drop for Stash {
    fn drop(&mut self) {
        for stashed in &self.listeners {
            stashed.logger.event("stashTimeout", Vec::new());
        }
    }
}

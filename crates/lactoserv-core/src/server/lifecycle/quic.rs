//! An HTTP/3 endpoint's QUIC side through the server's life. Staged: its
//! QUIC configuration made from its hosts' certificates, and its UDP
//! socket bound, unless a running predecessor holds the interface.
//! Launched: a QUIC endpoint made on the socket, or the predecessor's
//! taken from the stash and given the new configuration. Retired: for a
//! reload, the QUIC endpoint is handed over in the stash as it is, so
//! that the connections it still carries go on to their end beside the
//! successor's new ones (two sockets cannot share a UDP port's packets).

use std::io;
use std::sync::Arc;

use super::stash::Stash;
use crate::endpoint::EndpointConfig;
use crate::endpoint::interface::Interface;
use crate::host::tls::{TlsError, TlsHosts};
use crate::server::endpoint::listen;
use crate::server::http3::quic;

/// An HTTP/3 endpoint's QUIC side, staged.
pub(crate) struct PendingQuic {
    config: quinn::ServerConfig,
    /// Its own socket, or `None` to take over a predecessor's (or to bind
    /// at launch, if the predecessor served no HTTP/3 there).
    socket: Option<std::net::UdpSocket>,
    /// Whether a socket bound at launch is shared (`reusePort`).
    reuse_port: bool,
}

/// Why an HTTP/3 endpoint could not be staged.
pub(super) enum QuicError {
    /// Its certificates.
    Tls(TlsError),
    /// Its socket or its QUIC configuration.
    Io(io::Error),
}

/// Stages `endpoint`'s QUIC side if it serves HTTP/3; `held` says whether
/// a running predecessor holds its interface.
pub(super) fn stage(
    endpoint: &EndpointConfig,
    tls_hosts: &TlsHosts,
    held: bool,
) -> Result<Option<PendingQuic>, QuicError> {
    if !endpoint.http3 {
        return Ok(None);
    }
    let tls = tls_hosts
        .server_config(&endpoint.hostnames, &[quic::ALPN])
        .map_err(QuicError::Tls)?;
    let config = quic::server_config(tls).map_err(|err| QuicError::Io(io::Error::other(err)))?;
    let socket = if held {
        None
    } else {
        Some(listen::bind_udp(&endpoint.interface, endpoint.reuse_port).map_err(QuicError::Io)?)
    };
    Ok(Some(PendingQuic {
        config,
        socket,
        reuse_port: endpoint.reuse_port,
    }))
}

/// The QUIC endpoint of `pending`, on its own socket, or on the one the
/// predecessor at `interface` stashed (given the new configuration), or,
/// if it stashed none, on one bound now. Whether it was taken over.
pub(super) fn launch(
    pending: PendingQuic,
    interface: &Interface,
    stash: &mut Stash,
) -> io::Result<(quinn::Endpoint, bool)> {
    let PendingQuic {
        config,
        socket,
        reuse_port,
    } = pending;
    let socket = match socket {
        Some(socket) => socket,
        None => match stash.take_quic(interface) {
            Some(endpoint) => {
                endpoint.set_server_config(Some(config));
                return Ok((endpoint, true));
            }
            None => listen::bind_udp(interface, reuse_port)?,
        },
    };
    let endpoint = quinn::Endpoint::new(
        quinn::EndpointConfig::default(),
        Some(config),
        socket,
        Arc::new(quinn::TokioRuntime),
    )?;
    Ok((endpoint, false))
}

//! Opening an endpoint's listening socket from its `interface` (Lactoserv
//! `net-protocol/private/AsyncServerSocket.js`): an address and port, `*`
//! for every interface (IPv6 and IPv4 on one socket where the host has
//! IPv6), a name resolved when binding, or an inherited descriptor.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

use super::inherited;
use crate::endpoint::interface::{Interface, ListenAddress};

/// Connections waiting to be accepted before the kernel refuses more.
const BACKLOG: i32 = 1024;

/// Opens the listening socket `interface` names, shared with other
/// processes (`SO_REUSEPORT`) when `reuse_port`.
pub(crate) fn listen(interface: &Interface, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    let listener = match interface {
        Interface::Fd { fd, .. } => inherited::adopt_listener(i32::from(*fd))?,
        Interface::Address { address, port } => {
            let port = port.get();
            match address {
                ListenAddress::Any => bind_any(port, reuse_port)?,
                ListenAddress::Ip(ip) => bind(SocketAddr::new(*ip, port), reuse_port)?,
                ListenAddress::Name(name) => {
                    let addr =
                        (name.as_str(), port)
                            .to_socket_addrs()?
                            .next()
                            .ok_or_else(|| {
                                io::Error::new(
                                    io::ErrorKind::NotFound,
                                    format!("no address for {name}"),
                                )
                            })?;
                    bind(addr, reuse_port)?
                }
            }
        }
    };
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// `*:port`: one dual-stack IPv6 socket, or IPv4 only where the host has no
/// IPv6.
fn bind_any(port: u16, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
    match bind_with(v6, reuse_port, |socket| socket.set_only_v6(false)) {
        Ok(listener) => Ok(listener),
        Err(err) if is_no_ipv6(&err) => bind(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            reuse_port,
        ),
        Err(err) => Err(err),
    }
}

fn is_no_ipv6(err: &io::Error) -> bool {
    // EAFNOSUPPORT / EADDRNOTAVAIL: the kernel has IPv6 off.
    matches!(err.raw_os_error(), Some(97 | 99))
}

fn bind(addr: SocketAddr, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    bind_with(addr, reuse_port, |_| Ok(()))
}

fn bind_with(
    addr: SocketAddr,
    reuse_port: bool,
    prepare: impl FnOnce(&Socket) -> io::Result<()>,
) -> io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    prepare(&socket)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    // A restarted server must be able to bind while old connections linger
    // in TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// The port `interface` listens on: the one it names, or for an inherited
/// socket that names none, the one the socket is bound to.
pub(crate) fn port_of(interface: &Interface) -> Option<u16> {
    match interface {
        Interface::Fd { fd, port: None } => inherited::local_port(i32::from(*fd)),
        interface => interface.port().map(|port| port.get()),
    }
}

/// Opens the UDP socket an HTTP/3 endpoint receives on, at the address
/// and port `interface` names, shared with other processes when
/// `reuse_port`; where the TCP socket of `*` is dual-stack, so is this
/// one. For an inherited interface (`/dev/fd/N`), the UDP socket the
/// process inherited on the same address.
pub(crate) fn bind_udp(interface: &Interface, reuse_port: bool) -> io::Result<std::net::UdpSocket> {
    let (address, port) = match interface {
        Interface::Fd { fd, .. } => return inherited::adopt_datagram_twin(i32::from(*fd)),
        Interface::Address { address, port } => (address, port),
    };
    let port = port.get();
    let udp = |addr: SocketAddr, dual: bool| -> io::Result<std::net::UdpSocket> {
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        if dual {
            socket.set_only_v6(false)?;
        }
        if reuse_port {
            socket.set_reuse_port(true)?;
        }
        socket.bind(&addr.into())?;
        socket.set_nonblocking(true)?;
        Ok(socket.into())
    };
    match address {
        ListenAddress::Any => {
            match udp(
                SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
                true,
            ) {
                Err(err) if is_no_ipv6(&err) => udp(
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
                    false,
                ),
                other => other,
            }
        }
        ListenAddress::Ip(ip) => udp(SocketAddr::new(*ip, port), false),
        ListenAddress::Name(name) => {
            let addr = (name.as_str(), port)
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, format!("no address for {name}"))
                })?;
            udp(addr, false)
        }
    }
}

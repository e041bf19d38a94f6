//! Adopting a listening socket inherited from the process that started the
//! server (systemd socket activation, or a test harness), named in a config
//! as `/dev/fd/N`.
//!
//! `unsafe` is allowed here (the crate denies it elsewhere, see
//! `docs/conventions.md`): turning a descriptor number into an owned socket
//! cannot be done safely, because nothing can prove the number is ours to
//! own.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{BorrowedFd, FromRawFd, OwnedFd};

use socket2::{SockRef, Socket, Type};

/// Takes ownership of descriptor `fd`, which must be a listening TCP socket.
pub(crate) fn adopt_listener(fd: i32) -> io::Result<std::net::TcpListener> {
    // Check that the descriptor is open before claiming it: `fcntl` on a
    // closed one fails with EBADF, which we report instead of adopting a
    // number that may be reused.
    let path = format!("/proc/self/fd/{fd}");
    let target = std::fs::read_link(&path).map_err(|_| {
        io::Error::new(io::ErrorKind::NotFound, format!("/dev/fd/{fd} is not open"))
    })?;
    if !target.to_string_lossy().starts_with("socket:") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("/dev/fd/{fd} is not a socket ({})", target.display()),
        ));
    }
    // SAFETY: the descriptor is open (checked above) and is a socket; the
    // configuration hands it to this endpoint alone, and nothing else in
    // the process uses inherited descriptors, so taking ownership here is
    // sound.
    let socket = Socket::from(unsafe { OwnedFd::from_raw_fd(fd) });
    if !socket.is_listener()? {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("/dev/fd/{fd} is a socket but not a listening one"),
        ));
    }
    Ok(socket.into())
}

/// Takes ownership of the UDP socket the process inherited beside the
/// listening socket `fd`, bound to the same address and port (systemd:
/// `ListenDatagram=` beside `ListenStream=`), for HTTP/3 on that
/// interface. Only descriptors 3 and up that are sockets are looked at.
pub(crate) fn adopt_datagram_twin(fd: i32) -> io::Result<std::net::UdpSocket> {
    // SAFETY: only borrowed for the length of the call, to read its
    // address; `adopt_listener` checked the descriptor is an open socket.
    let local = SockRef::from(&unsafe { BorrowedFd::borrow_raw(fd) }).local_addr()?;
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let Some(n) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if n < 3 || n == fd {
            continue;
        }
        let is_socket = std::fs::read_link(format!("/proc/self/fd/{n}"))
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        // SAFETY: open (just listed) and a socket; borrowed only to look.
        let candidate = unsafe { BorrowedFd::borrow_raw(n) };
        let candidate = SockRef::from(&candidate);
        let twin = candidate.r#type().is_ok_and(|kind| kind == Type::DGRAM)
            && candidate.local_addr().is_ok_and(|addr| addr == local);
        if twin {
            // SAFETY: an inherited UDP socket on the endpoint's own address
            // and port can be meant for nothing but this endpoint, and
            // nothing else in the process uses inherited descriptors.
            let socket = Socket::from(unsafe { OwnedFd::from_raw_fd(n) });
            socket.set_nonblocking(true)?;
            return Ok(socket.into());
        }
    }
    let shown = local
        .as_socket()
        .map_or_else(|| "its address".to_owned(), |addr| addr.to_string());
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!(
            "no inherited UDP socket on {shown} beside /dev/fd/{fd} for HTTP/3 \
             (with systemd: `ListenDatagram=` beside `ListenStream=`)"
        ),
    ))
}

/// The port inherited socket `fd` is bound to, if it is an open socket.
pub(crate) fn local_port(fd: i32) -> Option<u16> {
    let is_socket = std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
    if !is_socket {
        return None;
    }
    // SAFETY: open and a socket (checked above); borrowed only to look.
    let socket = unsafe { BorrowedFd::borrow_raw(fd) };
    let local = SockRef::from(&socket).local_addr().ok()?;
    local.as_socket().map(|addr| addr.port())
}

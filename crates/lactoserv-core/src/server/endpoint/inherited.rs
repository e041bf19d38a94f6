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
use std::os::fd::{FromRawFd, OwnedFd};

use socket2::Socket;

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

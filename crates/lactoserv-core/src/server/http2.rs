//! The server's own HTTP/2 (RFC 9113).

pub(crate) mod hpack;

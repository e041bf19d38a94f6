//! HPACK (RFC 7541), HTTP/2's header compression: decoding requests'
//! header blocks (`decode.rs`, Huffman in `huffman.rs`), encoding
//! responses' (`encode.rs`).
//!
//! Written for the server rather than taken from a crate: `h2`'s is not
//! public, and the others either encode through the dynamic table (so
//! that a prepared response's block could not be kept) or copy every
//! name and value they decode.

mod decode;
pub(crate) mod encode;
mod huffman;
mod tables;

pub(crate) use decode::{DecodeError, Decoder};

#[cfg(test)]
mod tests;

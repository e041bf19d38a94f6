//! The server's own HTTP/2 against a real client (`h2`'s), over an
//! in-memory connection.

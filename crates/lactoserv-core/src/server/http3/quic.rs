//! The QUIC side of an HTTP/3 endpoint: the endpoint's own rustls
//! configuration (its hosts' certificates, chosen by SNI as for TCP)
//! offering ALPN `h3` alone, and the transport's limits, which bound what
//! one client can make the server hold (`docs/limits.md`).

use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::QuicServerConfig;
use quinn::{IdleTimeout, TransportConfig, VarInt};

/// The ALPN protocol of HTTP/3.
pub(crate) const ALPN: &[u8] = b"h3";

/// The most request streams a client may have open at once, as for
/// HTTP/2 (h2o's figure).
pub(crate) const STREAMS: u32 = 100;

/// The most unidirectional streams a client may have open: HTTP/3 needs
/// three (control and the two QPACK streams); the rest is headroom for the
/// stream types a client may send and the server ignores.
const UNI_STREAMS: u32 = 8;

/// A connection with nothing sent or received for this long is closed by
/// QUIC itself, as an idle HTTP/2 session is.
pub(crate) const IDLE: Duration = Duration::from_secs(60);

/// What a client may have in flight to the server on one stream, and on
/// the whole connection: request bodies wait in these buffers, so they
/// bound the memory a client can make a connection hold.
const STREAM_WINDOW: u32 = 256 * 1024;
const CONNECTION_WINDOW: u32 = 1024 * 1024;

/// What the server may have sent and not yet had acknowledged, per
/// connection.
const SEND_WINDOW: u64 = 2 * 1024 * 1024;

/// Handshakes waiting to be taken up, and the bytes their first packets
/// may hold, in all: beyond these, new clients are refused until the
/// queue drains.
const MAX_INCOMING: usize = 1024;
const INCOMING_BUFFER: u64 = 64 * 1024;
const INCOMING_BUFFER_TOTAL: u64 = 4 * 1024 * 1024;

/// The QUIC server configuration for `tls` (which offers ALPN `h3`
/// alone, and no early data: 0-RTT requests could be replayed).
pub(crate) fn server_config(tls: Arc<rustls::ServerConfig>) -> Result<quinn::ServerConfig, String> {
    let crypto = QuicServerConfig::try_from(tls).map_err(|err| err.to_string())?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let mut transport = TransportConfig::default();
    transport
        .max_concurrent_bidi_streams(VarInt::from_u32(STREAMS))
        .max_concurrent_uni_streams(VarInt::from_u32(UNI_STREAMS))
        .max_idle_timeout(Some(
            IdleTimeout::try_from(IDLE).map_err(|err| err.to_string())?,
        ))
        .stream_receive_window(VarInt::from_u32(STREAM_WINDOW))
        .receive_window(VarInt::from_u32(CONNECTION_WINDOW))
        .send_window(SEND_WINDOW);
    config
        .transport_config(Arc::new(transport))
        .max_incoming(MAX_INCOMING)
        .incoming_buffer_size(INCOMING_BUFFER)
        .incoming_buffer_size_total(INCOMING_BUFFER_TOTAL);
    Ok(config)
}

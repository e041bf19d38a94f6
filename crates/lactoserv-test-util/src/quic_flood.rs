//! A flood of QUIC handshakes that never finish, for testing what a
//! server does under one: each is begun from a UDP socket of its own with
//! a real client `Initial` (made by `quinn-proto`, without I/O), and never
//! answered again, so the server holds each until its handshake times
//! out.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tls::AnyCertificate;

/// Handshakes begun and left hanging; their sockets stay open (so that the
/// server's answers are not refused by the kernel) while this lives.
pub struct HalfOpen {
    sockets: Vec<UdpSocket>,
    /// The bytes the clients sent.
    pub sent: usize,
}

impl HalfOpen {
    /// The bytes the server sends the clients from now until `until`
    /// (its answers and their resending, never acknowledged).
    pub fn bytes_received(&self, until: Instant) -> usize {
        let mut received = 0;
        let mut buffer = vec![0; 65536];
        while Instant::now() < until {
            for socket in &self.sockets {
                // Each socket is waited on briefly in turn.
                socket
                    .set_read_timeout(Some(Duration::from_millis(10)))
                    .unwrap();
                if let Ok(length) = socket.recv(&mut buffer) {
                    received += length;
                }
            }
        }
        received
    }
}

/// Begins `count` QUIC handshakes with the server at loopback `port`,
/// asking for `server_name` and ALPN `h3`, each from its own socket.
pub fn half_open_handshakes(port: u16, server_name: &str, count: usize) -> HalfOpen {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate::new(provider)))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    let crypto = Arc::new(quinn_proto::crypto::rustls::QuicClientConfig::try_from(tls).unwrap());
    let config = Arc::new(quinn_proto::EndpointConfig::default());
    let mut endpoint = quinn_proto::Endpoint::new(config, None, false, None);
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let mut sockets = Vec::with_capacity(count);
    let mut sent = 0;
    for _ in 0..count {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = quinn_proto::ClientConfig::new(crypto.clone());
        let (_, mut connection) = endpoint
            .connect(Instant::now(), client, server, server_name)
            .unwrap();
        let mut packet = Vec::new();
        while let Some(transmit) = connection.poll_transmit(Instant::now(), 1, &mut packet) {
            socket.send_to(&packet[..transmit.size], server).unwrap();
            sent += transmit.size;
            packet.clear();
        }
        sockets.push(socket);
    }
    HalfOpen { sockets, sent }
}

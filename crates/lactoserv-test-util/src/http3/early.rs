//! Early data (0-RTT): whether a client returning with a session ticket
//! may send requests before its handshake is done.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::client::{Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;

/// What a client returning to a server found about early data (0-RTT).
#[derive(Debug, PartialEq, Eq)]
pub struct EarlyData {
    /// Session tickets the server gave on the first connection.
    pub tickets: usize,
    /// How many of them allow early data.
    pub tickets_allowing_early_data: usize,
    /// Whether the second connection could send requests before its
    /// handshake was done.
    pub sent_early: bool,
}

/// Connects to `port` on loopback as `server_name` with a client that
/// keeps session tickets and would use early data, waits (up to 5 s) for
/// a ticket, closes, and connects again with it, trying 0-RTT.
pub async fn try_early_data(port: u16, server_name: &str) -> Result<EarlyData, String> {
    let tickets = Arc::new(TicketCount::default());
    let mut tls = super::client_tls()?;
    tls.enable_early_data = true;
    tls.resumption = rustls::client::Resumption::store(tickets.clone());
    let quic =
        quinn::crypto::rustls::QuicClientConfig::try_from(tls).map_err(|err| err.to_string())?;
    let mut endpoint = quinn::Endpoint::client(SocketAddr::from(([127, 0, 0, 1], 0)))
        .map_err(|err| err.to_string())?;
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic)));
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let first = endpoint
        .connect(server, server_name)
        .map_err(|err| err.to_string())?
        .await
        .map_err(|err| err.to_string())?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tickets.count() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    first.close(0u32.into(), b"");
    let connecting = endpoint
        .connect(server, server_name)
        .map_err(|err| err.to_string())?;
    let sent_early = match connecting.into_0rtt() {
        Ok((second, _accepted)) => {
            second.close(0u32.into(), b"");
            true
        }
        Err(connecting) => {
            let second = connecting.await.map_err(|err| err.to_string())?;
            second.close(0u32.into(), b"");
            false
        }
    };
    Ok(EarlyData {
        tickets: tickets.count(),
        tickets_allowing_early_data: tickets.allowing_early_data(),
        sent_early,
    })
}

/// A client's session store that counts the TLS 1.3 tickets it is given.
#[derive(Debug)]
struct TicketCount {
    store: rustls::client::ClientSessionMemoryCache,
    tickets: AtomicUsize,
    allowing_early_data: AtomicUsize,
}

impl Default for TicketCount {
    fn default() -> Self {
        Self {
            store: rustls::client::ClientSessionMemoryCache::new(16),
            tickets: Default::default(),
            allowing_early_data: Default::default(),
        }
    }
}

impl TicketCount {
    fn count(&self) -> usize {
        self.tickets.load(Ordering::Relaxed)
    }

    fn allowing_early_data(&self) -> usize {
        self.allowing_early_data.load(Ordering::Relaxed)
    }
}

impl rustls::client::ClientSessionStore for TicketCount {
    fn set_kx_hint(&self, name: ServerName<'static>, group: rustls::NamedGroup) {
        self.store.set_kx_hint(name, group);
    }

    fn kx_hint(&self, name: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        self.store.kx_hint(name)
    }

    fn set_tls12_session(&self, name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.store.set_tls12_session(name, value);
    }

    fn tls12_session(&self, name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.store.tls12_session(name)
    }

    fn remove_tls12_session(&self, name: &ServerName<'static>) {
        self.store.remove_tls12_session(name);
    }

    fn insert_tls13_ticket(&self, name: ServerName<'static>, value: Tls13ClientSessionValue) {
        self.tickets.fetch_add(1, Ordering::Relaxed);
        if value.max_early_data_size() > 0 {
            self.allowing_early_data.fetch_add(1, Ordering::Relaxed);
        }
        self.store.insert_tls13_ticket(name, value);
    }

    fn take_tls13_ticket(&self, name: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.store.take_tls13_ticket(name)
    }
}

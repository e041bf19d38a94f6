//! An HTTP/3 client for servers under test: `h3` over `quinn`, with
//! rustls accepting the servers' test certificates (as [`crate::tls`]),
//! one QUIC connection for as many requests as a test makes on it; with
//! ways to misbehave (a head that never comes whole, an answer left
//! unread) and a probe of early data.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use h3::client::SendRequest;

use crate::tls::AnyCertificate;

mod early;

pub use early::{EarlyData, try_early_data};

/// One answer, whole.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: http::StatusCode,
    /// Its headers.
    pub headers: http::HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum Http3Error {
    /// It was never sent: the connection is going away (the server sent
    /// `GOAWAY`) or is gone. Safe to send again on a new connection.
    NotSent(String),
    /// The server refused it unprocessed: `H3_REQUEST_REJECTED` for a
    /// request past its `GOAWAY`, or the connection closed with no error
    /// (the server answers every request it took before closing so).
    /// Safe to send again.
    Rejected,
    /// Anything else: the request may have been lost.
    Failed(String),
}

impl Http3Error {
    /// Whether the request may be sent again on a new connection, having
    /// certainly not been processed.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::NotSent(_) | Self::Rejected)
    }
}

/// A request's error, once the request has been sent.
fn after_sending(err: h3::error::StreamError) -> Http3Error {
    match err {
        h3::error::StreamError::RemoteTerminate { code, .. }
            if code == h3::error::Code::H3_REQUEST_REJECTED =>
        {
            Http3Error::Rejected
        }
        err if err.is_h3_no_error() => Http3Error::Rejected,
        err => Http3Error::Failed(err.to_string()),
    }
}

/// A QUIC connection speaking HTTP/3 to one server.
pub struct Http3Client {
    /// Kept so that the connection lives as long as the client.
    _endpoint: quinn::Endpoint,
    connection: quinn::Connection,
    requests: SendRequest<h3_quinn::OpenStreams, Bytes>,
    authority: String,
}

impl Http3Client {
    /// Connects to `port` on loopback, asking for `server_name` (SNI, and
    /// the authority of requests).
    pub async fn connect(port: u16, server_name: &str) -> Result<Self, String> {
        Self::connect_with(port, server_name, None).await
    }

    /// As [`Http3Client::connect`], sending a `PING` every `keep_alive` if
    /// given (as browsers do while they hold a stream open), so that the
    /// connection never goes idle.
    pub async fn connect_with(
        port: u16,
        server_name: &str,
        keep_alive: Option<std::time::Duration>,
    ) -> Result<Self, String> {
        let quic = quinn::crypto::rustls::QuicClientConfig::try_from(client_tls()?)
            .map_err(|err| err.to_string())?;
        let mut endpoint = quinn::Endpoint::client(SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(|err| err.to_string())?;
        let mut config = quinn::ClientConfig::new(Arc::new(quic));
        // Longer than any server's idle limit under test, so that the
        // server's is the one that holds.
        let mut transport = quinn::TransportConfig::default();
        transport.max_idle_timeout(Some(
            quinn::IdleTimeout::try_from(std::time::Duration::from_secs(120))
                .map_err(|err| err.to_string())?,
        ));
        transport.keep_alive_interval(keep_alive);
        config.transport_config(Arc::new(transport));
        endpoint.set_default_client_config(config);
        let server = SocketAddr::from(([127, 0, 0, 1], port));
        let connection = endpoint
            .connect(server, server_name)
            .map_err(|err| err.to_string())?
            .await
            .map_err(|err| err.to_string())?;
        let (mut driver, requests) = h3::client::new(h3_quinn::Connection::new(connection.clone()))
            .await
            .map_err(|err| err.to_string())?;
        tokio::spawn(async move { std::future::poll_fn(|cx| driver.poll_close(cx)).await });
        Ok(Self {
            _endpoint: endpoint,
            connection,
            requests,
            authority: format!("{server_name}:{port}"),
        })
    }

    /// `GET path` with `headers`.
    pub async fn get(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Answer, Http3Error> {
        self.request("GET", path, headers, None).await
    }

    /// A request with `method`, `path`, `headers` and, if given, `body`.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<Answer, Http3Error> {
        let (response, mut stream) = self.send(method, path, headers, body).await?;
        let mut body = Vec::new();
        while let Some(mut chunk) = stream.recv_data().await.map_err(after_sending)? {
            let bytes = chunk.copy_to_bytes(chunk.remaining());
            body.extend_from_slice(&bytes);
        }
        Ok(Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body,
        })
    }

    /// Sends a request (see [`Http3Client::request`]) and reads its
    /// answer's head: the head, and the stream its body comes on.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<(http::Response<()>, AnswerStream), Http3Error> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("https://{}{path}", self.authority));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(())
            .map_err(|err| Http3Error::NotSent(err.to_string()))?;
        let mut stream = self
            .requests
            .send_request(request)
            .await
            .map_err(|err| Http3Error::NotSent(err.to_string()))?;
        if let Some(body) = body {
            stream.send_data(body).await.map_err(after_sending)?;
        }
        stream.finish().await.map_err(after_sending)?;
        let response = stream.recv_response().await.map_err(after_sending)?;
        Ok((response, stream))
    }

    /// `GET path`, its answer's head read and its body left unread: the
    /// stream stays open, the server held by flow control.
    pub async fn get_unread(&mut self, path: &str) -> Result<Unread, Http3Error> {
        let (response, stream) = self.send("GET", path, &[], None).await?;
        Ok(Unread {
            status: response.status(),
            stream,
        })
    }

    /// A request stream opened with one byte of a head that never comes
    /// whole.
    pub async fn open_silent_stream(&self) -> Result<SilentStream, String> {
        let (mut send, recv) = self
            .connection
            .open_bi()
            .await
            .map_err(|err| err.to_string())?;
        // A `HEADERS` frame's type, and nothing after it.
        send.write_all(&[0x01])
            .await
            .map_err(|err| err.to_string())?;
        Ok(SilentStream { _send: send, recv })
    }

    /// The certificate the server presented.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        let identity = self.connection.peer_identity()?;
        let chain = identity
            .downcast::<Vec<rustls::pki_types::CertificateDer<'static>>>()
            .ok()?;
        chain.first().map(|certificate| certificate.to_vec())
    }

    /// Once the connection has ended: the code of the server's
    /// `CONNECTION_CLOSE` (an HTTP/3 one), or what else ended it.
    pub async fn closed_by_server(&self) -> Result<u64, String> {
        match self.connection.closed().await {
            quinn::ConnectionError::ApplicationClosed(close) => Ok(close.error_code.into_inner()),
            other => Err(other.to_string()),
        }
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.connection.close(0u32.into(), b"");
    }
}

/// An answer whose body is not read yet.
pub struct Unread {
    /// Its status.
    pub status: http::StatusCode,
    stream: AnswerStream,
}

/// A request's stream, from the client's side.
type AnswerStream = h3::client::RequestStream<h3_quinn::BidiStream<Bytes>, Bytes>;

/// The client's TLS: TLS 1.3, ALPN `h3`, any certificate accepted.
fn client_tls() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|err| err.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate::new(provider)))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    Ok(tls)
}

impl Unread {
    /// Reads the rest of the body: its length, or why it was cut short.
    pub async fn read_rest(mut self) -> Result<usize, Http3Error> {
        let mut length = 0;
        while let Some(chunk) = self.stream.recv_data().await.map_err(after_sending)? {
            length += chunk.remaining();
        }
        Ok(length)
    }
}

/// A request stream whose head never comes whole (see
/// [`Http3Client::open_silent_stream`]).
pub struct SilentStream {
    /// Kept open: dropping it would finish the stream.
    _send: quinn::SendStream,
    recv: quinn::RecvStream,
}

impl SilentStream {
    /// Waits for the server to end the stream, by finishing or resetting
    /// its side: how it ended.
    pub async fn ended(&mut self) -> Result<usize, String> {
        self.recv
            .read_to_end(64 * 1024)
            .await
            .map(|read| read.len())
            .map_err(|err| err.to_string())
    }
}

//! `quic-floor`: what QUIC alone costs a server per request, with no
//! HTTP/3 on top, for `bench/quic-floor`. The server takes each stream a
//! client opens, reads what the client sends on it to its end, and
//! answers with a fixed body as long as the HTTP/3 answer of the 1 KiB
//! file (its `HEADERS` and `DATA` frames); the load is `h3load`'s, the
//! same bytes each way on raw streams. Both run on quinn with the
//! transport limits `lactoserv` sets (`server/http3/quic.rs`), on
//! jemalloc as `lactoserv` does, so the server's CPU per request is the
//! floor under any HTTP/3 server built on quinn.
//!
//! Usage:
//!   quic-floor serve        prints the UDP port, serves until stdin
//!                           closes, then prints `served N`, `cpu-ticks N`
//!                           (from its first connection on) and
//!                           `peak-rss-kib N`
//!   quic-floor load [-c N] [-m N] -D SECONDS PORT
//!                           prints `done N` and `req/s N`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use quinn::{TransportConfig, VarInt};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A request as long as `h3load`'s `GET` of `/1k.txt` in its `HEADERS`
/// frame.
const REQUEST: &[u8] = b"GET https://127.0.0.1:443/1k.txt, in about forty";

/// The answer's length: the 1 KiB file's `DATA` frame and a `HEADERS`
/// frame of its status, type, length, date, validators and ranges.
const ANSWER_LEN: usize = 1024 + 3 + 120;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let outcome = match args.first().map(String::as_str) {
        Some("serve") => runtime.block_on(serve()),
        Some("load") => match parse_load(&args[1..]) {
            Ok(load_options) => runtime.block_on(load(load_options)),
            Err(err) => Err(err),
        },
        _ => Err("usage: quic-floor serve | quic-floor load [-c N] [-m N] -D SECONDS PORT".into()),
    };
    if let Err(err) = outcome {
        eprintln!("quic-floor: {err}");
        std::process::exit(2);
    }
}

/// The server: one task per connection, its streams answered within it
/// (as `lactoserv` runs an HTTP/3 connection's requests).
async fn serve() -> Result<(), String> {
    let endpoint = quinn::Endpoint::server(server_config()?, "127.0.0.1:0".parse().unwrap())
        .map_err(|err| err.to_string())?;
    println!(
        "{}",
        endpoint.local_addr().map_err(|err| err.to_string())?.port()
    );
    let answer = Bytes::from(vec![b'x'; ANSWER_LEN]);
    let served = Arc::new(AtomicU64::new(0));
    let mut first_ticks = None;
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let _ = std::io::stdin().read_line(&mut String::new());
    });
    tokio::pin!(stdin_closed);
    loop {
        tokio::select! {
            incoming = endpoint.accept() => {
                let Some(incoming) = incoming else { break };
                first_ticks.get_or_insert_with(cpu_ticks);
                tokio::spawn(connection(incoming, answer.clone(), served.clone()));
            }
            _ = &mut stdin_closed => break,
        }
    }
    let ticks = cpu_ticks().saturating_sub(first_ticks.unwrap_or_default());
    println!("served {}", served.load(Ordering::Relaxed));
    println!("cpu-ticks {ticks}");
    println!("peak-rss-kib {}", peak_rss_kib());
    Ok(())
}

/// One connection's streams, each read to its end and answered.
async fn connection(incoming: quinn::Incoming, answer: Bytes, served: Arc<AtomicU64>) {
    let Ok(quic) = incoming.await else { return };
    let mut streams = FuturesUnordered::new();
    loop {
        tokio::select! {
            accepted = quic.accept_bi() => {
                let Ok((mut send, mut recv)) = accepted else { break };
                let (answer, served) = (answer.clone(), served.clone());
                streams.push(async move {
                    if recv.read_to_end(16 * 1024).await.is_ok()
                        && send.write_chunk(answer).await.is_ok()
                        && send.finish().is_ok()
                    {
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            Some(()) = streams.next(), if !streams.is_empty() => {}
        }
    }
}

/// A self-signed certificate, ALPN `h3`, and `lactoserv`'s transport
/// limits.
fn server_config() -> Result<quinn::ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .map_err(|err| err.to_string())?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|err| err.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|err| err.to_string())?;
    tls.alpn_protocols = vec![b"h3".to_vec()];
    let crypto =
        quinn::crypto::rustls::QuicServerConfig::try_from(tls).map_err(|err| err.to_string())?;
    let mut transport = TransportConfig::default();
    transport
        .max_concurrent_bidi_streams(VarInt::from_u32(100))
        .max_concurrent_uni_streams(VarInt::from_u32(8))
        .stream_receive_window(VarInt::from_u32(256 * 1024))
        .receive_window(VarInt::from_u32(1024 * 1024))
        .send_window(2 * 1024 * 1024);
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(Arc::new(transport));
    Ok(config)
}

/// What the load is told to do.
struct LoadOptions {
    connections: usize,
    streams: usize,
    duration: Duration,
    port: u16,
}

fn parse_load(args: &[String]) -> Result<LoadOptions, String> {
    let mut options = LoadOptions {
        connections: 1,
        streams: 1,
        duration: Duration::ZERO,
        port: 0,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .and_then(|value| value.parse::<u64>().ok())
                .filter(|value| *value > 0)
                .ok_or(format!("{name} needs a positive number"))
        };
        match arg.as_str() {
            "-c" => options.connections = value("-c")? as usize,
            "-m" => options.streams = value("-m")? as usize,
            "-D" => options.duration = Duration::from_secs(value("-D")?),
            _ => options.port = arg.parse().map_err(|_| format!("not a port: {arg}"))?,
        }
    }
    if options.port == 0 || options.duration.is_zero() {
        return Err("give -D and the port".into());
    }
    Ok(options)
}

/// `-c` connections with `-m` streams in flight on each, each stream a
/// request sent whole and its answer read to its end.
async fn load(options: LoadOptions) -> Result<(), String> {
    let server = ([127, 0, 0, 1], options.port).into();
    let endpoint = h3load::client_endpoint(server)?;
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + options.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..options.connections {
        let connecting = endpoint
            .connect(server, "localhost")
            .map_err(|err| err.to_string())?;
        let (done, streams) = (done.clone(), options.streams);
        tasks.spawn(async move {
            let Ok(quic) = connecting.await else { return };
            let mut workers = tokio::task::JoinSet::new();
            for _ in 0..streams {
                let (quic, done) = (quic.clone(), done.clone());
                workers.spawn(async move {
                    while Instant::now() < deadline {
                        let Ok((mut send, mut recv)) = quic.open_bi().await else {
                            return;
                        };
                        if send.write_all(REQUEST).await.is_err()
                            || send.finish().is_err()
                            || recv.read_to_end(64 * 1024).await.is_err()
                        {
                            return;
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            while workers.join_next().await.is_some() {}
        });
    }
    while tasks.join_next().await.is_some() {}
    let took = started.elapsed().as_secs_f64();
    endpoint.close(0u32.into(), b"");
    let done = done.load(Ordering::Relaxed);
    println!("done {done}");
    println!("req/s {:.0}", done as f64 / took);
    Ok(())
}

/// The process's user and system CPU time so far, in clock ticks.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may hold spaces: fields are counted after its `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest)
        .unwrap_or_default()
        .split(' ')
        .collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or_default()
    };
    field(11) + field(12)
}

/// The process's peak resident set, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_default()
}

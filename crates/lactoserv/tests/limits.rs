//! Traffic shaping and hostile clients through the real binary: the data
//! rate limiter, request-size limits, slow and flooding clients.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::server::{ServerProcess, free_ports};
use crate::util::log_entries;

/// A config serving `size` KiB of `x` at `/`, over `http` on `port`, its
/// writes limited by a DataRateLimiter with `limiter`'s bindings.
fn limited_config(dir: &Path, port: u16, size: usize, limiter: &str) -> PathBuf {
    let path = dir.join("config.mjs");
    std::fs::write(
        &path,
        format!(
            "import {{ DataRateLimiter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [{{ name: 'limit', class: DataRateLimiter, {limiter} }}],
  applications: [{{ name: 'big', class: SimpleResponse, contentType: 'text/plain',
    body: 'x'.repeat({size} * 1024) }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'big',
    services: {{ dataRateLimiter: 'limit' }} }}]
}};
"
        ),
    )
    .unwrap();
    path
}

/// Sends a GET for `/` that asks to close, and reads until the server
/// closes: the bytes, or what broke.
fn download(port: u16) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

/// The body of a whole answer; empty when even the head was cut off.
fn body_of(answer: &[u8]) -> &[u8] {
    answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(&[], |at| &answer[at + 4..])
}

#[test]
fn a_data_rate_limiter_paces_writes_and_still_closes_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = limited_config(
        dir.path(),
        port,
        100,
        "maxBurst: '10 KiB', flowRate: '100 KiB/sec', verboseLogging: true",
    );
    let server = ServerProcess::start_with_args(&config, port, &["--log-to-stdout"]);
    let started = Instant::now();
    // Reading to the end shows the server closed the connection after the
    // response it was asked to close after.
    let answer = download(port).expect("the download completes");
    let took = started.elapsed();
    assert_eq!(body_of(&answer), vec![b'x'; 100 * 1024]);
    // 10 KiB at once, the rest (and the head) at 100 KiB per second: it
    // cannot go faster.
    assert!(took >= Duration::from_millis(850), "{took:?}");
    let (_, log) = server.stop_and_read("TERM");
    let entries = log_entries(&log);
    for event in [
        ".dataRateLimiter started()",
        ".dataRateLimiter writing(",
        ".dataRateLimiter waited(",
    ] {
        assert!(
            entries.iter().any(|e| e.contains(event)),
            "no {event:?} in:\n{log}"
        );
    }
}

#[test]
fn writers_that_find_the_queue_full_lose_their_connection() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = limited_config(
        dir.path(),
        port,
        100,
        "maxBurst: '10 KiB', flowRate: '200 KiB/sec', maxQueueGrant: '4 KiB', maxQueue: '9 KiB'",
    );
    let server = ServerProcess::start_with_args(&config, port, &["--log-to-stdout"]);
    let downloads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || download(port)))
        .collect();
    let outcomes: Vec<bool> = downloads
        .into_iter()
        .map(|d| match d.join().unwrap() {
            Ok(answer) => body_of(&answer).len() == 100 * 1024,
            Err(_) => false,
        })
        .collect();
    assert!(outcomes.contains(&true), "{outcomes:?}");
    assert!(outcomes.contains(&false), "{outcomes:?}");
    let (_, log) = server.stop_and_read("TERM");
    assert!(
        log.contains(".dataRateLimiter\n  denied({ length: ")
            || log.contains(".dataRateLimiter denied({ length: "),
        "{log}"
    );
    assert!(log.contains("reason: 'full' })"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_rate_limiter_works_under_tls_and_http2() {
    let dir = tempfile::tempdir().unwrap();
    let [tls, h2] = free_ports::<2>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ DataRateLimiter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['localhost'], selfSigned: true }}],
  services: [{{ name: 'limit', class: DataRateLimiter, maxBurst: '16 KiB', flowRate: '400 KiB/sec' }}],
  applications: [{{ name: 'big', class: SimpleResponse, contentType: 'text/plain',
    body: 'x'.repeat(100 * 1024) }}],
  endpoints: [
    {{ name: 'tls', protocol: 'https', interface: '127.0.0.1:{tls}', application: 'big',
      services: {{ dataRateLimiter: 'limit' }} }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{h2}', application: 'big',
      services: {{ dataRateLimiter: 'limit' }} }}
  ]
}};
"
        ),
    )
    .unwrap();
    let server = ServerProcess::start(&config, tls);
    server.wait_until_listening(h2);
    let client = crate::util::client().build().unwrap();
    for (port, version) in [
        (tls, reqwest::Version::HTTP_11),
        (h2, reqwest::Version::HTTP_2),
    ] {
        // Two on one connection (kept alive, or one HTTP/2 session), then
        // three at once.
        let url = format!("https://localhost:{port}/");
        for _ in 0..2 {
            let response = client.get(&url).send().await.unwrap();
            assert_eq!(response.version(), version);
            assert_eq!(response.bytes().await.unwrap().len(), 100 * 1024);
        }
        let together: Vec<_> = (0..3)
            .map(|_| {
                let (client, url) = (client.clone(), url.clone());
                tokio::spawn(async move { client.get(&url).send().await?.bytes().await })
            })
            .collect();
        for download in together {
            assert_eq!(download.await.unwrap().unwrap().len(), 100 * 1024);
        }
    }
}

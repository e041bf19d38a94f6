//! Traffic shaping and hostile clients through the real binary: the data
//! rate limiter, request-size limits, slow and flooding clients.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::log_entries;

/// A server (started with `args`) serving `size` KiB of `x` at `/` over
/// `http`, its writes limited by a DataRateLimiter with `limiter`'s
/// bindings: its folder, the server, and its port.
fn start_limited(
    size: usize,
    limiter: &str,
    args: &[&str],
) -> (tempfile::TempDir, ServerProcess, u16) {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let path = dir.path().join("config.mjs");
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
    let server = ServerProcess::start_with_args(LACTOSERV, &path, port, args);
    (dir, server, port)
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
    let (_dir, server, port) = start_limited(
        100,
        "maxBurst: '10 KiB', flowRate: '100 KiB/sec', verboseLogging: true",
        &["--log-to-stdout"],
    );
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
    let (_dir, server, port) = start_limited(
        100,
        "maxBurst: '10 KiB', flowRate: '200 KiB/sec', maxQueueGrant: '4 KiB', maxQueue: '9 KiB'",
        &["--log-to-stdout"],
    );
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
    let server = ServerProcess::start(LACTOSERV, &config, tls);
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

/// A config answering `hi` at `/` over `http` on `port`, with `extra`
/// endpoint bindings.
fn plain_config(dir: &Path, port: u16, extra: &str) -> PathBuf {
    let path = dir.join("config.mjs");
    std::fs::write(
        &path,
        format!(
            "import {{ SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'hi', class: SimpleResponse, contentType: 'text/plain', body: 'hi' }},
    {{ name: 'files', class: StaticFiles, siteDirectory: new URL('site', import.meta.url).pathname }}
  ],
  endpoints: [
    {{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi'{extra} }},
    {{ name: 'files', protocol: 'http', interface: '127.0.0.1:{files}', application: 'files' }}
  ]
}};
",
            files = port + 1,
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("site")).unwrap();
    path
}

/// Two consecutive free ports.
fn port_pair() -> u16 {
    free_ports::<2>()[0]
}

/// Sends `request` on a new connection and reads what comes back until the
/// server closes or goes quiet for `wait`.
fn exchange(port: u16, request: &[u8], wait: Duration) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0_u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    answer
}

#[test]
fn request_heads_over_the_limits_get_431_and_a_log_event() {
    let dir = tempfile::tempdir().unwrap();
    let port = port_pair();
    let config = plain_config(dir.path(), port, "");
    let server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    let long = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n");
    for request in [long, many] {
        let answer = exchange(port, request.as_bytes(), Duration::from_secs(5));
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{answer}"
        );
    }
    // A head just under the limit is served.
    let fits = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(15_000)
    );
    let answer = exchange(port, fits.as_bytes(), Duration::from_millis(500));
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let (_, log) = server.stop_and_read("TERM");
    assert_eq!(log.matches(" headersTooLarge()").count(), 2, "{log}");
}

#[test]
fn connections_past_max_connections_wait_until_one_ends() {
    let dir = tempfile::tempdir().unwrap();
    let port = port_pair();
    let config = plain_config(dir.path(), port, ", maxConnections: 2");
    let server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    // (Waiting until the server listened took a connection: let it go.)
    std::thread::sleep(Duration::from_millis(200));
    let first = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _second = TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(("127.0.0.1", port)).unwrap();
    third
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0_u8; 1024];
    assert!(
        third.read(&mut buf).is_err(),
        "not served while two are open"
    );
    drop(first);
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    third.read_to_end(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let (_, log) = server.stop_and_read("TERM");
    assert!(
        log.contains(" webapp.endpoint.ep atConnectionLimit(2)"),
        "{log}"
    );
}

#[test]
fn a_thousand_idle_connections_do_not_keep_a_client_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let port = port_pair();
    let config = plain_config(dir.path(), port, "");
    let _server = ServerProcess::start(LACTOSERV, &config, port);
    let mut idle = Vec::with_capacity(1000);
    for i in 0..1000 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        // Half of them start a request and stop.
        if i % 2 == 0 {
            stream.write_all(b"GET / HTTP/1.1\r\nHost:").unwrap();
        }
        idle.push(stream);
    }
    let started = Instant::now();
    let answer = exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    );
    let took = started.elapsed();
    assert!(answer.ends_with(b"\r\n\r\nhi"), "{answer:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn a_huge_upload_over_the_body_limit_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let port = port_pair();
    let config = plain_config(dir.path(), port, ", maxRequestBodySize: '32 byte'");
    let _server = ServerProcess::start(LACTOSERV, &config, port);
    for framing in ["Content-Length: 1073741824", "Transfer-Encoding: chunked"] {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = format!("POST / HTTP/1.1\r\nHost: a\r\n{framing}\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        let chunked = framing.starts_with("Transfer");
        let mut sent = 0_usize;
        while sent < 1 << 30 {
            let result = if chunked {
                stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| stream.write_all(&chunk))
                    .and_then(|()| stream.write_all(b"\r\n"))
            } else {
                stream.write_all(&chunk)
            };
            if result.is_err() {
                break;
            }
            sent += chunk.len();
        }
        // Refused after a few socket buffers' worth, not a gigabyte.
        assert!(sent < 64 << 20, "{framing}: {sent} bytes went in");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{framing}: {answer}"
        );
        assert!(answer.contains("connection: close\r\n"), "{answer}");
        assert!(
            answer.ends_with("Request body is larger than allowed maximum of 32 bytes.\n"),
            "{answer}"
        );
    }
}

#[test]
fn clients_that_stop_reading_do_not_grow_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let port = port_pair();
    let config = plain_config(dir.path(), port, "");
    std::fs::write(dir.path().join("site/big.bin"), vec![7_u8; 64 << 20]).unwrap();
    let server = ServerProcess::start(LACTOSERV, &config, port);
    server.wait_until_listening(port + 1);
    // Warm up: one whole download.
    let warm = exchange(
        port + 1,
        b"GET /big.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    assert!(warm.len() > 64 << 20);
    let before = server.rss_kib();
    let mut stalled = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", port + 1)).unwrap();
        stream
            .write_all(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        stalled.push(stream);
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = server.rss_kib();
    // Twenty 64 MiB files asked for and not read: the server holds no more
    // than socket buffers and a read-ahead for each.
    assert!(after < before + 32 * 1024, "{before} KiB, then {after} KiB");
}

#[test]
fn a_stop_lets_a_throttled_download_finish() {
    let (_dir, mut server, port) =
        start_limited(150, "maxBurst: '10 KiB', flowRate: '100 KiB/sec'", &[]);
    let download = std::thread::spawn(move || download(port));
    std::thread::sleep(Duration::from_millis(300));
    // The download is queued in the limiter when the stop begins; it is a
    // request in progress, so it goes on to the end.
    assert_eq!(server.stop_with("TERM").code(), Some(0));
    let answer = download.join().unwrap().expect("the download completes");
    assert_eq!(body_of(&answer).len(), 150 * 1024);
}

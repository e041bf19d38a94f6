//! Clients that try to make the server hold more than it should, through
//! the real binary: each attack, with the bound the server keeps to (see
//! `docs/limits.md`).

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::server::{LACTOSERV, ServerProcess, free_ports, read_some};
use crate::util::ConfigDir;

/// The size of the site's large file: several times what is read whole.
const BIG: usize = 4 * 1024 * 1024;

/// A site of a small file and a large one (`big.bin`), with a not-found
/// page, served over plain HTTP (`ports[0]`) and HTTP/2 (`ports[1]`).
fn static_site() -> (ConfigDir, ServerProcess, [u16; 2]) {
    let ports = free_ports::<2>();
    let [http, h2] = ports;
    let config = crate::util::config_file(
        "config.mjs",
        &format!(
            "import {{ StaticFiles }} from '@lactoserv/webapp-builtins';
const here = (path) => new URL(path, import.meta.url).pathname;
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'site', class: StaticFiles, siteDirectory: here('site'), notFoundPath: here('missing.html') }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{http}', application: 'site' }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{h2}', application: 'site' }}
  ]
}};
"
        ),
    );
    let dir = config.path.parent().unwrap();
    std::fs::create_dir_all(dir.join("site")).unwrap();
    std::fs::write(dir.join("site/index.html"), "<p>home</p>\n").unwrap();
    std::fs::write(dir.join("site/big.bin"), vec![b'x'; BIG]).unwrap();
    std::fs::write(dir.join("missing.html"), "<p>no such page</p>\n").unwrap();
    let server = ServerProcess::start(LACTOSERV, &config.path, http);
    server.wait_until_listening(h2);
    (config, server, ports)
}

/// How many descriptors process `pid` has open.
fn descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// A normal client's fetch of the home page, over HTTP/1.1 on `port`:
/// answered, and how long it took.
fn fetch_home(port: u16) -> Duration {
    let started = std::time::Instant::now();
    let home = pipelined(
        port,
        std::iter::once(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec()),
        1,
    );
    assert_eq!(home, ["HTTP/1.1 200 OK"]);
    started.elapsed()
}

/// Sends `requests` on one connection, `batch` at a time, and reads every
/// answer; the status line of each.
fn pipelined(port: u16, requests: impl Iterator<Item = Vec<u8>>, batch: usize) -> Vec<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut statuses = Vec::new();
    let mut pending = Vec::new();
    let mut requests = requests.peekable();
    let mut buf = vec![0_u8; 256 * 1024];
    while requests.peek().is_some() {
        let mut sent = 0;
        let mut out = Vec::new();
        for request in requests.by_ref().take(batch) {
            out.extend_from_slice(&request);
            sent += 1;
        }
        stream.write_all(&out).unwrap();
        let mut answered = 0;
        while answered < sent {
            if let Some((status, length)) = next_answer(&pending) {
                statuses.push(status);
                pending.drain(..length);
                answered += 1;
                continue;
            }
            let n = read_some(&mut stream, &mut buf).unwrap();
            assert!(n > 0, "closed after {} answers", statuses.len());
            pending.extend_from_slice(&buf[..n]);
        }
    }
    statuses
}

/// The status line and the whole length of the first answer in `bytes`,
/// if all of it is there.
fn next_answer(bytes: &[u8]) -> Option<(String, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..end]).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    (bytes.len() >= end + length).then(|| (head.lines().next().unwrap().to_owned(), end + length))
}

#[test]
fn a_flood_of_distinct_missing_paths_leaves_memory_within_the_cache_bound() {
    let (_config, server, [port, _]) = static_site();
    let before = server.rss_kib();
    // 100,000 paths nobody asked for before, each a kilobyte long: without
    // a bound, the server would keep over 100 MiB of them.
    let padding = "x".repeat(1000);
    let requests = (0..100_000)
        .map(|n| format!("GET /{n}-{padding} HTTP/1.1\r\nHost: a\r\n\r\n").into_bytes());
    let statuses = pipelined(port, requests, 500);
    assert_eq!(statuses.len(), 100_000);
    assert!(
        statuses
            .iter()
            .all(|status| status == "HTTP/1.1 404 Not Found")
    );
    let after = server.rss_kib();
    // The findings are counted to 64 MiB (keys included); beyond that, the
    // allocator's and the table's own overhead.
    assert!(
        after < before + (64 + 24) * 1024,
        "{before} KiB before, {after} KiB after"
    );
    fetch_home(port);
}

/// An HTTP/2 session to `port` whose streams' flow-control windows start
/// (and stay) closed: the server may send headers, never data.
async fn zero_window_session(port: u16) -> h2::client::SendRequest<bytes::Bytes> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        crate::util::any_certificate_config(b"h2"),
    ))
    .connect("localhost".try_into().unwrap(), tcp)
    .await
    .unwrap();
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(0)
        .handshake(tls)
        .await
        .unwrap();
    tokio::spawn(connection);
    send
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_streams_that_never_open_their_window_hold_bounded_resources() {
    let (_config, server, [http, h2]) = static_site();
    fetch_home(http);
    let (before_rss, before_fds) = (server.rss_kib(), descriptors(server.pid()));
    // A hundred sessions, each with the hundred streams it may have open,
    // each asking for the large file and never letting a byte of it come.
    let mut sessions = Vec::new();
    let mut bodies = Vec::new();
    for _ in 0..100 {
        let mut send = zero_window_session(h2).await;
        let mut heads = Vec::new();
        for _ in 0..100 {
            send = send.ready().await.unwrap();
            let request = http::Request::get("https://localhost/big.bin")
                .body(())
                .unwrap();
            let (response, _) = send.send_request(request, true).unwrap();
            heads.push(response);
        }
        // Every stream is answered (headers take no window), its body
        // stuck.
        for head in heads {
            let response = head.await.unwrap();
            assert_eq!(response.status(), 200);
            bodies.push(response.into_body());
        }
        sessions.push(send);
    }
    let (rss, fds) = (server.rss_kib(), descriptors(server.pid()));
    // The large file is open once for all 10,000 streams; each session
    // holds at most four chunks of it (docs/limits.md).
    assert!(
        fds < before_fds + 150,
        "{before_fds} descriptors, then {fds}"
    );
    assert!(
        rss < before_rss + 150 * 1024,
        "{before_rss} KiB, then {rss} KiB"
    );
    // And the server still answers everyone else at once.
    let took = tokio::task::spawn_blocking(move || fetch_home(http))
        .await
        .unwrap();
    assert!(took < Duration::from_secs(1), "{took:?}");
    drop((bodies, sessions));
}

/// Opens `count` connections to `port` that each ask for the large file
/// and never read; gives them once the server has taken them all in
/// (`fds`: the descriptors it had before).
fn never_reading(port: u16, count: usize, server: &ServerProcess, fds: usize) -> Vec<TcpStream> {
    let streams: Vec<TcpStream> = (0..count)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream
                .write_all(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
                .unwrap();
            stream
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while descriptors(server.pid()) < fds + count && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    streams
}

#[test]
fn http1_clients_that_never_read_hold_bounded_resources() {
    let (_config, server, [http, _]) = static_site();
    fetch_home(http);
    let (first_rss, first_fds) = (server.rss_kib(), descriptors(server.pid()));
    // A first hundred also sets up what serving them takes once (the
    // blocking threads that read files, at most 32).
    let mut stalled = never_reading(http, 100, &server, first_fds);
    let (before_rss, before_fds) = (server.rss_kib(), descriptors(server.pid()));
    stalled.extend(never_reading(http, 100, &server, before_fds));
    let (rss, fds) = (server.rss_kib(), descriptors(server.pid()));
    // A socket each, and the large file open once for all of them.
    assert!(
        fds < first_fds + 200 + 20,
        "{first_fds} descriptors, then {fds}"
    );
    // Each holds a chunk of the file (64 KiB) and its own small state, not
    // the file.
    assert!(
        rss < before_rss + 100 * 100 + 8 * 1024,
        "{before_rss} KiB, then {rss} KiB"
    );
    assert!(
        rss < first_rss + 96 * 1024,
        "{first_rss} KiB, then {rss} KiB"
    );
    let took = fetch_home(http);
    assert!(took < Duration::from_secs(1), "{took:?}");
    drop(stalled);
}

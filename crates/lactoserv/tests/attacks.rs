//! Clients that try to make the server hold more than it should, through
//! the real binary: each attack, with the bound the server keeps to (see
//! `docs/limits.md`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::server::{LACTOSERV, ServerProcess, free_port};
use crate::util::ConfigDir;

/// A site of one file, with a not-found page, served over plain HTTP.
fn static_site() -> (ConfigDir, ServerProcess, u16) {
    let port = free_port();
    let config = crate::util::config_file(
        "config.mjs",
        &format!(
            "import {{ StaticFiles }} from '@lactoserv/webapp-builtins';
const here = (path) => new URL(path, import.meta.url).pathname;
export default {{
  applications: [
    {{ name: 'site', class: StaticFiles, siteDirectory: here('site'), notFoundPath: here('missing.html') }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{port}', application: 'site' }}
  ]
}};
"
        ),
    );
    let dir = config.path.parent().unwrap();
    std::fs::create_dir_all(dir.join("site")).unwrap();
    std::fs::write(dir.join("site/index.html"), "<p>home</p>\n").unwrap();
    std::fs::write(dir.join("missing.html"), "<p>no such page</p>\n").unwrap();
    let server = ServerProcess::start(LACTOSERV, &config.path, port);
    (config, server, port)
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
            let n = stream.read(&mut buf).unwrap();
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
    let (_config, server, port) = static_site();
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
    // A file asked for all along is still served.
    let home = pipelined(
        port,
        std::iter::once(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec()),
        1,
    );
    assert_eq!(home, ["HTTP/1.1 200 OK"]);
}

//! HTTP/3 through reloads and stops: reloads under HTTP/3 load fail no
//! request; a stop sends `GOAWAY`, then closes idle connections at once
//! (the client receives the `CONNECTION_CLOSE`), and the system log names
//! the protocol.

use std::time::Duration;

use lactoserv_test_util::http3::Http3Client;

use super::serve_with;
use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::config_file;

/// Sends `GET /slow` on `port` over HTTP/3 until `until`, reconnecting
/// when the server goes away, each request sent again if it was refused
/// unprocessed. How many were answered, how many times it connected, and
/// the requests that failed otherwise.
async fn keep_asking(port: u16, until: std::time::Instant) -> (usize, usize, Vec<String>) {
    let (mut answered, mut connections, mut failed) = (0, 0, Vec::new());
    let mut client: Option<Http3Client> = None;
    while std::time::Instant::now() < until {
        let h3 = match &mut client {
            Some(h3) => h3,
            None => {
                connections += 1;
                client.insert(Http3Client::connect(port, "localhost").await.unwrap())
            }
        };
        match h3.get("/slow", &[]).await {
            Ok(answer) if answer.status == 200 && answer.body == b"hello\n" => answered += 1,
            Ok(answer) => failed.push(format!("{answer:?}")),
            Err(err) if err.retryable() => client = None,
            Err(err) => {
                failed.push(format!("{err:?}"));
                client = None;
            }
        }
    }
    (answered, connections, failed)
}

// Two workers: the clients keep going while the test signals the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_http3_load_fail_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ RequestDelay, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'slow', class: SerialRouter, applications: ['wait', 'hello'] }},
    {{ name: 'wait', class: RequestDelay, delay: '50 msec' }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'h3', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}', application: 'slow' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, port, &["--log-to-stdout"]);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(4);
    let askers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(keep_asking(port, until)))
        .collect();
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        server.signal("HUP");
    }
    let (mut answered, mut connections) = (0, 0);
    for asker in askers {
        let (ok, connected, failed) = asker.await.unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        answered += ok;
        connections += connected;
    }
    let (_, log) = server.stop_and_read("TERM");
    assert_eq!(log.matches(" reloaded()").count(), 3, "{log}");
    // Each reload sent the clients away to connect again.
    assert!(connections >= 4 + 4, "{connections} connections");
    assert!(answered > 100, "{answered} answered");
    drop(dir);
}

#[tokio::test]
async fn a_stop_closes_idle_http3_connections_without_waiting_for_the_grace_period() {
    let (_dir, _config, server, port) = serve_with(&["--log-to-stdout"]);
    // A client that stays connected, idle, and never closes.
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    assert_eq!(h3.get("/hello", &[]).await.unwrap().status, 200);
    let (status, log) = server.stop_and_read("TERM");
    assert!(status.success(), "{log}");
    // The system log names the protocol of the connection.
    assert!(log.contains("protocol: 'quic'"), "{log}");
    assert!(log.contains("url: '//localhost:"), "{log}");
    // Sent `GOAWAY` and closed, rather than dropped when time ran out.
    assert!(!log.contains("shuttingDown('destroy'"), "{log}");
    // The server's `CONNECTION_CLOSE` (`H3_NO_ERROR`) reached the client
    // before the process ended: it does not wait for its idle timeout.
    let ended = tokio::time::timeout(Duration::from_secs(10), h3.closed_by_server()).await;
    assert_eq!(ended, Ok(Ok(0x100)), "not closed by the server");
    let closed = h3.get("/hello", &[]).await.unwrap_err();
    assert!(closed.retryable(), "{closed:?}");
}

//! HTTP/3 connections under the endpoint's bounds and hosts: QUIC
//! connections count against `maxConnections` with the TCP ones, and one
//! past the limit is refused while the others are still answered; under a
//! flood of handshakes that never finish, a client must prove its address
//! first, and is answered; the certificate is picked by SNI as over TCP;
//! a returning client resumes its session but may not send early data;
//! an address not yet proven gets at most three times what came from it.

use lactoserv_test_util::http3::{Http3Client, try_early_data};
use lactoserv_test_util::ports::free_port;
use lactoserv_test_util::process::Collected;
use lactoserv_test_util::quic_flood::half_open_handshakes;

use crate::server::{LACTOSERV, ServerProcess};
use crate::util::{client, config_file, peer_certificate};

/// A config with hosts `a.test` and `b.test`, answering over HTTP/2 and
/// HTTP/3 on `port`, at most `max` connections at once.
fn config(port: u16, max: u32) -> String {
    format!(
        "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['a.test'], selfSigned: true }}, {{ hostnames: ['b.test'], selfSigned: true }}],
  applications: [{{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}],
  endpoints: [{{ name: 'web', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}',
    application: 'hello', maxConnections: {max} }}]
}};
"
    )
}

/// A connection to `a.test` on `port`, once the server takes one (within
/// 10 s).
async fn connect_within(port: u16, log: &Collected) -> Http3Client {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Http3Client::connect(port, "a.test").await {
            Ok(client) => return client,
            Err(err) => assert!(
                std::time::Instant::now() < deadline,
                "{err}\n{}",
                log.lock().unwrap()
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What the `Metrics` application on loopback `port` shows.
async fn exposition(port: u16) -> String {
    client()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn quic_connections_past_max_connections_are_refused_and_the_others_answered() {
    let port = free_port();
    let config = config_file("config.mjs", &config(port, 2));
    let mut server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, port, &["--log-to-stdout"]);
    // The log is read as it comes, so that the server never waits on it.
    let (log, _) = server.collect_output();
    // (The start-up check's own TCP connection may hold a slot a moment.)
    let mut first = connect_within(port, &log).await;
    let mut second = connect_within(port, &log).await;
    let refused = Http3Client::connect(port, "a.test").await.err().unwrap();
    assert!(refused.contains("refused"), "{refused}");
    // Those being served go on.
    assert_eq!(first.get("/", &[]).await.unwrap().body, b"hello\n");
    assert_eq!(second.get("/", &[]).await.unwrap().body, b"hello\n");
    // One goes, and its slot is taken by the next.
    first.close();
    let mut third = connect_within(port, &log).await;
    assert_eq!(third.get("/", &[]).await.unwrap().body, b"hello\n");
    // The log reaches its pipe in batches: all of it once the server stops.
    assert!(server.stop_with("TERM").success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !log.lock().unwrap().contains("atConnectionLimit(2)") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            log.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_certificate_is_chosen_by_sni_over_http3_as_over_tcp() {
    let port = free_port();
    let config = config_file("config.mjs", &config(port, 100));
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    let mut shown = Vec::new();
    for name in ["a.test", "b.test"] {
        let h3 = Http3Client::connect(port, name).await.unwrap();
        let over_h3 = h3.peer_certificate().unwrap();
        let tcp = client()
            .resolve(name, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            .build()
            .unwrap();
        let response = tcp
            .get(format!("https://{name}:{port}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(over_h3, peer_certificate(&response), "{name}");
        shown.push(over_h3);
    }
    assert_ne!(shown[0], shown[1]);
}

#[tokio::test]
async fn under_a_handshake_flood_clients_prove_their_address_and_are_answered() {
    let port = free_port();
    let metrics_port = free_port();
    let source = config(port, 1000)
        .replace(
            "import { SimpleResponse }",
            "import { Metrics, SimpleResponse }",
        )
        .replace(
            "applications: [",
            "applications: [{ name: 'metrics', class: Metrics }, ",
        )
        .replace(
            "endpoints: [",
            &format!(
                "endpoints: [{{ name: 'admin', protocol: 'http', interface: '127.0.0.1:{metrics_port}', application: 'metrics' }}, "
            ),
        );
    let config = config_file("config.mjs", &source);
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    // More handshakes hanging than the server lets be before asking for
    // proof of address (64).
    let _flood = half_open_handshakes(port, "a.test", 80);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut h3 = Http3Client::connect(port, "a.test").await.unwrap();
    assert_eq!(h3.get("/", &[]).await.unwrap().body, b"hello\n");
    let exposition = exposition(metrics_port).await;
    let retries = exposition
        .lines()
        .find(|line| line.starts_with("lactoserv_quic_retries_total{endpoint=\"web\"}"))
        .unwrap_or_else(|| panic!("{exposition}"));
    assert!(!retries.ends_with(" 0"), "{retries}");
    assert!(
        exposition.contains("lactoserv_http3_sessions_total{endpoint=\"web\"} 1"),
        "{exposition}"
    );
}

#[tokio::test]
async fn http3_requests_are_counted_and_timed_like_the_others() {
    let port = free_port();
    let metrics_port = free_port();
    let source = format!(
        "import {{ Metrics, RequestDelay, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'metrics', class: Metrics }},
    {{ name: 'slow', class: SerialRouter, applications: ['wait', 'hello'] }},
    {{ name: 'wait', class: RequestDelay, delay: '200 msec' }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }}
  ],
  endpoints: [
    {{ name: 'admin', protocol: 'http', interface: '127.0.0.1:{metrics_port}', application: 'metrics' }},
    {{ name: 'web', protocol: 'http2', http3: true, interface: '127.0.0.1:{port}', application: 'slow' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
    assert_eq!(h3.get("/", &[]).await.unwrap().body, b"hello\n");
    let text = exposition(metrics_port).await;
    let sample = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|value| value.parse::<f64>().ok())
    };
    let requests = "lactoserv_http_requests_total{endpoint=\"web\",protocol=\"HTTP/3\",method=\"GET\",code=\"2xx\"}";
    assert_eq!(sample(requests), Some(1.0), "{text}");
    // The 200 ms the request waited, on the clock the connection reads.
    let sum = sample("lactoserv_http_request_duration_seconds_sum{endpoint=\"web\"}").unwrap();
    assert!((0.2..2.0).contains(&sum), "{text}");
}

#[tokio::test]
async fn a_returning_http3_client_resumes_but_may_not_send_early_data() {
    let port = free_port();
    let config = config_file("config.mjs", &config(port, 100));
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    let early = try_early_data(port, "a.test").await.unwrap();
    // Tickets are given (a returning client skips the certificate), but
    // none allows 0-RTT: early requests could be replayed.
    assert!(early.tickets > 0, "{early:?}");
    assert_eq!(early.tickets_allowing_early_data, 0, "{early:?}");
    assert!(!early.sent_early, "{early:?}");
}

#[tokio::test]
async fn an_unproven_client_address_gets_at_most_three_times_what_it_sent() {
    let port = free_port();
    let config = config_file("config.mjs", &config(port, 100));
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    // One handshake begun and never acknowledged: the server answers and
    // sends again on its probe timeouts (after about 1 and 3 s), but
    // never more than three times what came from the address, which it
    // has not seen receive anything (quinn lets the datagram that crosses
    // that line go whole: at most one more of at most 1,200 bytes).
    let hanging = half_open_handshakes(port, "a.test", 1);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let (received, sent) =
        tokio::task::spawn_blocking(move || (hanging.bytes_received(until), hanging.sent))
            .await
            .unwrap();
    // It sent again, and stopped at the limit: without it, its first
    // flight and those at about 1 and 3 s would be some 6 KB.
    assert!(received > sent, "{received} bytes for {sent}");
    assert!(received < 3 * sent + 1200, "{received} bytes for {sent}");
}

//! Renewals through the real binary: short-lived certificates renewed
//! without dropping a connection and across reloads, the authority's
//! renewal windows (ARI) and rate limits, and a keeper stopping when its
//! host goes.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use lactoserv_test_util::acme_front::Offers;
use lactoserv_test_util::pebble::Pebble;

use super::{Setup, client, fetch_trusted, setup, setup_with, shown};
use crate::server::{LACTOSERV, ServerProcess};

#[tokio::test]
async fn a_short_lived_certificate_is_renewed_without_dropping_a_connection() {
    // Certificates of 6 s: renewed at 4 s.
    let Setup {
        pebble,
        config,
        secure,
    } = setup(Some(Duration::from_secs(6)), "http-01");
    let root = pebble.issuing_root();
    let _server = ServerProcess::start(LACTOSERV, &config.path, secure);
    let kept = client(&root, secure);
    fetch_trusted(&kept, secure, Duration::from_secs(30)).await;
    let first = shown(&kept, secure).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // A new connection, with a new handshake.
        let fresh = shown(&client(&root, secure), secure).await;
        if fresh != first {
            break;
        }
        assert!(Instant::now() < deadline, "never renewed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The connection made before goes on, with the certificate it had.
    assert_eq!(shown(&kept, secure).await, first);
}

#[tokio::test]
async fn after_a_reload_the_hosts_keeper_renews_for_the_new_configuration() {
    // Certificates of 6 s: renewed every 4 s or so.
    let Setup {
        pebble,
        config,
        secure,
    } = setup(Some(Duration::from_secs(6)), "http-01");
    let root = pebble.issuing_root();
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    fetch_trusted(&client(&root, secure), secure, Duration::from_secs(30)).await;
    server.signal("HUP");
    // The reloaded configuration serves the stored certificate, then the
    // renewals the one keeper makes.
    let after_reload = shown(&client(&root, secure), secure).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut renewals = 0;
    let mut last = after_reload;
    while renewals < 2 {
        assert!(Instant::now() < deadline, "renewed {renewals} times");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = shown(&client(&root, secure), secure).await;
        if now != last {
            renewals += 1;
            last = now;
        }
    }
    let (_, log) = server.stop_and_read("TERM");
    // The reloaded configuration started with the stored certificate.
    assert!(log.contains("servingStored("), "{log}");
    // Orders never overlap: each ends before the next begins.
    let steps: Vec<&str> = log
        .lines()
        .filter_map(|line| {
            ["ordering(", "issued("]
                .into_iter()
                .find(|step| line.contains(step))
        })
        .collect();
    assert!(steps.len() >= 6, "{log}");
    for pair in steps.chunks(2) {
        assert_eq!(pair[0], "ordering(", "{steps:?}");
        if let Some(second) = pair.get(1) {
            assert_eq!(*second, "issued(", "{steps:?}");
        }
    }
}

#[tokio::test]
async fn the_authoritys_renewal_window_says_when_to_renew() {
    // Certificates of five years, but the authority asks for the first to
    // be renewed within 2 to 3 seconds, and the next in a month.
    let day = Duration::from_secs(86_400);
    let offers = Offers {
        windows: vec![
            (Duration::from_secs(2), Duration::from_secs(3)),
            (30 * day, 31 * day),
        ],
        refuse_orders: None,
    };
    let (
        Setup {
            pebble,
            config,
            secure,
        },
        front,
    ) = setup_with(Pebble::start(None), Some(offers), "http-01");
    let root = pebble.issuing_root();
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    fetch_trusted(&client(&root, secure), secure, Duration::from_secs(30)).await;
    let first = shown(&client(&root, secure), secure).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while shown(&client(&root, secure), secure).await == first {
        if Instant::now() > deadline {
            let (_, log) = server.stop_and_read("TERM");
            panic!("never renewed\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (_, log) = server.stop_and_read("TERM");
    assert_eq!(log.matches("issued(").count(), 2, "{log}");
    assert_eq!(log.matches("'renewalInfo'").count(), 2, "{log}");
    let front = front.unwrap();
    let asked_about = || {
        let asked = front.asked();
        asked
            .iter()
            .filter(|p| p.starts_with("/renewal-info/"))
            .count()
    };
    assert_eq!(asked_about(), 2, "{:?}", front.asked());

    // After a restart, the stored certificate's window is asked for at
    // once, and followed.
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while asked_about() < 3 {
        assert!(Instant::now() < deadline, "not asked at start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, log) = server.stop_and_read("TERM");
    assert!(log.contains("servingStored("), "{log}");
    assert!(log.contains("'renewalInfo'"), "{log}");
    assert!(!log.contains("ordering("), "{log}");
}

#[tokio::test]
async fn a_rate_limited_order_waits_for_the_authoritys_retry_after() {
    let offers = Offers {
        windows: Vec::new(),
        refuse_orders: Some(3600),
    };
    let (
        Setup {
            pebble: _pebble,
            config,
            secure,
        },
        front,
    ) = setup_with(Pebble::start(None), Some(offers), "http-01");
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    let front = front.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !front.asked().iter().any(|path| path == "/new-order") {
        if Instant::now() > deadline {
            let (_, log) = server.stop_and_read("TERM");
            panic!("never ordered {:?}\n{log}", front.asked());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, log) = server.stop_and_read("TERM");

    // The human log: `orderFailed('<why>', @Moment(<seconds>, '<date>'))`.
    let failed = &log[log.find("orderFailed(").unwrap_or_else(|| panic!("{log}"))..];
    assert!(failed.contains("rateLimited"), "{failed}");
    let retry: f64 = failed
        .split_once("@Moment(")
        .and_then(|(_, rest)| rest.split_once(','))
        .and_then(|(seconds, _)| seconds.parse().ok())
        .unwrap_or_else(|| panic!("{failed}"));
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    // Not the first backoff of 10 s: the hour the authority asked for.
    let wait = retry - now.as_secs_f64();
    assert!((3590.0..=3600.0).contains(&wait), "{wait} s: {failed}");
    // Nothing else was asked of the authority meanwhile.
    let orders = front
        .asked()
        .iter()
        .filter(|path| *path == "/new-order")
        .count();
    assert_eq!(orders, 1);
}

#[tokio::test]
async fn a_reload_that_drops_the_host_stops_its_keeper_at_once() {
    let Setup {
        pebble,
        config,
        secure,
    } = setup(None, "http-01");
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, secure, &["--log-to-stdout"]);
    let issued = client(&pebble.issuing_root(), secure);
    fetch_trusted(&issued, secure, Duration::from_secs(30)).await;
    let first = shown(&issued, secure).await;
    // The host now has a certificate of its own making.
    let source = std::fs::read_to_string(&config.path).unwrap();
    let start = source.find("    { hostnames: ['example.test'],").unwrap();
    let end = start + source[start..].find("} }").unwrap() + 3;
    let host = "    { hostnames: ['example.test'], selfSigned: true }";
    let source = format!("{}{host}{}", &source[..start], &source[end..]);
    std::fs::write(&config.path, source).unwrap();
    server.signal("HUP");
    let any = lactoserv_test_util::tls::client()
        .resolve("example.test", SocketAddr::from(([127, 0, 0, 1], secure)))
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while shown(&any, secure).await == first {
        assert!(Instant::now() < deadline, "never reloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The keeper's renewal is years away: it stops now, not at its next
    // wake.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, log) = server.stop_and_read("TERM");
    let stopped = log.find("acme stopped(").unwrap_or_else(|| panic!("{log}"));
    let terminated = log.find("SIGTERM").unwrap();
    assert!(stopped < terminated, "{log}");
}

//! The `Health` application through the real binary: ready while the
//! process serves, draining from the moment a stop or a reload begins
//! (for `stopDelay` before the listeners close), ready again after a
//! reload.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, client, config_file};

/// A server with `Health` at `/health` (with `stop_delay`) and a page at
/// `/`, and its config.
fn start(stop_delay: &str) -> (ServerProcess, ConfigDir, String) {
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ Health, PathRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'router', class: PathRouter, paths: {{ '/health': 'health', '/*': 'page' }} }},
    {{ name: 'health', class: Health, stopDelay: '{stop_delay}' }},
    {{ name: 'page', class: SimpleResponse, contentType: 'text/plain', body: 'page\\n' }}
  ],
  endpoints: [
    {{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{port}', application: 'router' }}
  ]
}};
"
    );
    let config = config_file("config.mjs", &source);
    let server =
        ServerProcess::start_with_args(LACTOSERV, &config.path, port, &["--log-to-stdout"]);
    (server, config, format!("http://127.0.0.1:{port}"))
}

/// The status and body of `GET url`, on a new connection each time (a
/// kept one would be closed by the stop or the reload it watches).
async fn probe(url: &str) -> Option<(StatusCode, String)> {
    let client: Client = client().pool_max_idle_per_host(0).build().unwrap();
    let response = client.get(url).send().await.ok()?;
    let status = response.status();
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(cache, "no-store");
    Some((status, response.text().await.ok()?))
}

/// Probes `url` until it answers `status`; panics after 20 s.
async fn until_status(url: &str, status: StatusCode) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some((now, text)) = probe(url).await
            && now == status
        {
            return text;
        }
        assert!(Instant::now() < deadline, "never answered {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_stop_says_draining_for_the_pause_then_closes() {
    let (mut server, _config, base) = start("3 sec");
    let health = format!("{base}/health");
    assert_eq!(
        probe(&health).await,
        Some((StatusCode::OK, "ready\n".into()))
    );
    server.signal("TERM");
    let text = until_status(&health, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(text, "draining\n");
    // Still serving the rest meanwhile.
    let page = client().build().unwrap().get(&base).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let status = server.wait_for_exit(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_reload_says_draining_then_ready_again() {
    let (server, _config, base) = start("2 sec");
    let health = format!("{base}/health");
    until_status(&health, StatusCode::OK).await;
    server.signal("HUP");
    until_status(&health, StatusCode::SERVICE_UNAVAILABLE).await;
    let text = until_status(&health, StatusCode::OK).await;
    assert_eq!(text, "ready\n");
    let (status, log) = server.stop_and_read("TERM");
    assert!(status.success(), "{log}");
    assert!(log.contains(" main.system reloaded()"), "{log}");
}

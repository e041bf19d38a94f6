//! The server's own HTTP/2 against hyper's, through the real binary: the
//! same answers either way (`LACTOSERV_HTTP2=hyper` picks hyper's), and
//! an unknown choice refused at start; many streamed files on one session.

use reqwest::{Method, Version};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{client, config_file};

/// A config serving files, a fixed answer and redirects over HTTP/2 on
/// `port`, from `dir`.
fn config(dir: &std::path::Path, port: u16) -> String {
    format!(
        "import {{ PathRouter, Redirector, SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'router', class: PathRouter, paths: {{
       '/files/*': 'files', '/hello': 'hello', '/away/*': 'away' }} }},
    {{ name: 'files', class: StaticFiles, siteDirectory: '{site}', etag: true,
       notFoundPath: '{page}', cacheControl: {{ maxAge: '1 min' }} }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }},
    {{ name: 'away', class: Redirector, statusCode: 308, target: 'https://example.com/x/' }}
  ],
  endpoints: [
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{port}', application: 'router' }}
  ]
}};
",
        site = dir.join("site").display(),
        page = dir.join("missing.html").display(),
    )
}

/// What `port` answers to each request: headers sorted, `date` left out,
/// the port in bodies made `PORT`.
async fn answers(port: u16) -> Vec<(u16, Vec<String>, Vec<u8>)> {
    let client = client()
        .http2_prior_knowledge()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut out = Vec::new();
    for (method, path) in [
        (Method::GET, "/hello"),
        (Method::HEAD, "/hello"),
        (Method::GET, "/files/a.txt"),
        (Method::GET, "/files/"),
        (Method::GET, "/files/sub"),
        (Method::GET, "/files/none"),
        (Method::HEAD, "/files/none"),
        (Method::GET, "/away/y?z"),
        (Method::GET, "/nothing"),
        (Method::POST, "/hello"),
    ] {
        let response = client
            .request(method, format!("https://127.0.0.1:{port}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
        let status = response.status().as_u16();
        let mut headers: Vec<String> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != "date")
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
            .collect();
        headers.sort();
        // The not-found message names the port.
        let body = response.bytes().await.unwrap();
        let body = String::from_utf8_lossy(&body).replace(&format!(":{port}"), ":PORT");
        out.push((status, headers, body.into_bytes()));
    }
    out
}

// Two workers: the clients' connections keep answering (hyper's GOAWAY
// waits for a PING's answer) while the test waits for the stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_can_serve_http2_with_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site/sub")).unwrap();
    std::fs::write(dir.path().join("site/a.txt"), "a file\n").unwrap();
    std::fs::write(dir.path().join("site/index.html"), "<p>index</p>\n").unwrap();
    std::fs::write(dir.path().join("missing.html"), "<p>missing</p>\n").unwrap();
    let [own_port, hyper_port] = free_ports::<2>();
    let own_config = config_file("config.mjs", &config(dir.path(), own_port));
    let hyper_config = config_file("config.mjs", &config(dir.path(), hyper_port));
    let own = ServerProcess::start(LACTOSERV, &own_config.path, own_port);
    let mut command = std::process::Command::new(LACTOSERV);
    command
        .env("LACTOSERV_HTTP2", "hyper")
        .arg(format!("--config={}", hyper_config.path.display()))
        .arg("--log-to-stdout");
    let hyper = ServerProcess::spawn(command);
    hyper.wait_until_listening(hyper_port);
    let by_own = answers(own_port).await;
    let by_hyper = answers(hyper_port).await;
    assert_eq!(by_own.len(), 10);
    for (own, hyper) in by_own.iter().zip(&by_hyper) {
        assert_eq!(own, hyper);
    }
    drop(own);
    let (status, log) = hyper.stop_and_read("TERM");
    assert!(status.success(), "{log}");
    assert!(log.contains(" main.system http2Engine('hyper')"), "{log}");
}

#[test]
fn an_unknown_http2_engine_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = config_file("config.mjs", &config(dir.path(), port));
    let output = std::process::Command::new(LACTOSERV)
        .env("LACTOSERV_HTTP2", "h2")
        .arg(format!("--config={}", config.path.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("LACTOSERV_HTTP2: must be `own` or `hyper`, not `h2`"),
        "{stderr}"
    );
}

// Two workers, as above: the client reads while the test waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_large_files_at_once_on_one_session_all_arrive_whole() {
    // Files too large to keep in memory are streamed a chunk at a time,
    // with a few chunk permits per connection: more streams than permits.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(dir.path().join("site/big.bin"), &big).unwrap();
    std::fs::write(dir.path().join("missing.html"), "<p>missing</p>\n").unwrap();
    let [port] = free_ports::<1>();
    let config = config_file("config.mjs", &config(dir.path(), port));
    let _server = ServerProcess::start(LACTOSERV, &config.path, port);
    // Wide windows, as h2load's: the server writes as fast as it can.
    let client = client()
        .http2_prior_knowledge()
        .http2_initial_stream_window_size(1 << 30)
        .http2_initial_connection_window_size(1 << 30)
        .build()
        .unwrap();
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let client = client.clone();
        asks.spawn(async move {
            let response = client
                .get(format!("https://127.0.0.1:{port}/files/big.bin"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.version(), Version::HTTP_2);
            response.bytes().await.unwrap()
        });
    }
    let all = async {
        while let Some(body) = asks.join_next().await {
            assert!(body.unwrap() == big, "a body differs");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), all)
        .await
        .expect("the session stalled");
}

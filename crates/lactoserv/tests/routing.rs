//! A configuration shaped like Lactoserv's example setup, through the real
//! binary: a redirecting HTTP endpoint, an HTTP/2 endpoint routing by host
//! then path to static files and fixed responses, and an HTTPS endpoint
//! with a serial chain of suffix router, delay, filter, files and a 404
//! responder, with a request rate limiter in front.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::client;

struct Setup {
    _dir: tempfile::TempDir,
    _server: ServerProcess,
    ports: [u16; 3],
}

fn start() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (name, contents) in [
        ("site/index.html", "<p>home</p>\n"),
        ("site/a.bonk", "bonk\n"),
        ("site/sub/x.txt", "x\n"),
        ("not-found.html", "<p>Not found</p>\n"),
    ] {
        std::fs::create_dir_all(root.join(name).parent().unwrap()).unwrap();
        std::fs::write(root.join(name), contents).unwrap();
    }
    let [insecure, secure, also] = free_ports::<3>();
    let source = format!(
        "import {{ HostRouter, PathRouter, Redirector, RequestDelay, RequestFilter, RequestRateLimiter,
  SerialRouter, SimpleResponse, StaticFiles, SuffixRouter }} from '@lactoserv/webapp-builtins';
const here = (p) => new URL(p, import.meta.url).pathname;
export default {{
  hosts: [{{ hostnames: ['*', 'localhost'], selfSigned: true }}],
  applications: [
    {{ name: 'myRedirector', class: SerialRouter, applications: ['requestRate', 'actuallyRedirect'] }},
    {{ name: 'actuallyRedirect', class: Redirector, target: 'https://localhost:{secure}/resp/',
       cacheControl: {{ public: true, maxAge: '5 min' }} }},
    {{ name: 'requestRate', class: RequestRateLimiter, maxBurst: '1000 req', flowRate: '1000 req/sec',
       maxQueue: '100 req' }},
    {{ name: 'mySite', class: SerialRouter, applications: ['requestRate', 'myHosts'] }},
    {{ name: 'myHosts', class: HostRouter, hosts: {{ '*': 'myPaths', '127.0.0.1': 'mySeries' }} }},
    {{ name: 'myPaths', class: PathRouter, paths: {{
         '/*': 'myStaticFun', '/florp/*': 'myStaticFunNo404',
         '/resp/one': 'responseOne', '/resp/*': null }} }},
    {{ name: 'mySeries', class: SerialRouter,
       applications: ['bonkers', 'myFilter', 'myStaticFunNo404', 'responseNotFound'] }},
    {{ name: 'bonkers', class: SuffixRouter, suffixes: {{ '*.bonk': 'slowPoke' }} }},
    {{ name: 'slowPoke', class: RequestDelay, minDelay: '500 msec', maxDelay: '600 msec' }},
    {{ name: 'myFilter', class: RequestFilter, maxQueryLength: 0 }},
    {{ name: 'myStaticFun', class: StaticFiles, siteDirectory: here('site'),
       notFoundPath: here('not-found.html') }},
    {{ name: 'myStaticFunNo404', class: StaticFiles, siteDirectory: here('site') }},
    {{ name: 'responseOne', class: SimpleResponse, contentType: 'text/plain', body: 'one\\n' }},
    {{ name: 'responseNotFound', class: SimpleResponse, contentType: 'text/plain',
       body: 'Sorry! Not found!\\n', statusCode: 404 }}
  ],
  endpoints: [
    {{ name: 'insecure', protocol: 'http', interface: '127.0.0.1:{insecure}', application: 'myRedirector' }},
    {{ name: 'secure', protocol: 'http2', interface: '127.0.0.1:{secure}', application: 'mySite' }},
    {{ name: 'alsoSecure', protocol: 'https', interface: '127.0.0.1:{also}', application: 'mySeries' }}
  ]
}};
"
    );
    std::fs::write(root.join("config.mjs"), source).unwrap();
    let server = ServerProcess::start(LACTOSERV, &root.join("config.mjs"), insecure);
    server.wait_until_listening(secure);
    server.wait_until_listening(also);
    Setup {
        _dir: dir,
        _server: server,
        ports: [insecure, secure, also],
    }
}

fn localhost(port: u16) -> Client {
    client()
        .redirect(Policy::none())
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap()
}

async fn get(client: &Client, url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn the_insecure_endpoint_redirects_to_the_secure_one() {
    let setup = start();
    let [insecure, secure, _] = setup.ports;
    let (status, headers, body) = get(
        &localhost(insecure),
        &format!("http://localhost:{insecure}/a/b?q=1"),
    )
    .await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    let location = format!("https://localhost:{secure}/resp/a/b");
    assert_eq!(headers["location"], location.as_str());
    assert_eq!(headers["cache-control"], "public, max-age=300");
    assert_eq!(body, format!("308 Permanent Redirect:\n\n{location}\n"));
}

#[tokio::test]
async fn the_secure_endpoint_routes_by_host_then_path() {
    let setup = start();
    let [_, secure, _] = setup.ports;
    let client = localhost(secure);
    let base = format!("https://localhost:{secure}");
    let (status, _, body) = get(&client, &format!("{base}/")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "<p>home</p>\n"));
    let (status, _, body) = get(&client, &format!("{base}/resp/one")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "one\n"));
    // A null route: no fallback to `/*` and its not-found page.
    let (status, _, body) = get(&client, &format!("{base}/resp/three")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        format!("404 Not Found:\n\n//localhost:{secure}/resp/three\n")
    );
    let (status, _, body) = get(&client, &format!("{base}/nope")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "<p>Not found</p>\n")
    );
    let (status, _, body) = get(&client, &format!("{base}/florp/sub/x.txt")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "x\n"));

    // By IP address: the serial chain.
    let by_ip = crate::util::client()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let (status, _, body) = get(&by_ip, &format!("https://127.0.0.1:{secure}/nope")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "Sorry! Not found!\n")
    );
}

#[tokio::test]
async fn the_serial_chain_delays_filters_and_falls_through() {
    let setup = start();
    let [_, _, also] = setup.ports;
    let client = localhost(also);
    let base = format!("https://localhost:{also}");
    let (status, _, body) = get(&client, &format!("{base}/sub/x.txt")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "x\n"));
    // A bare `?` passes the filter; any query does not.
    let (status, _, _) = get(&client, &format!("{base}/sub/x.txt?")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = get(&client, &format!("{base}/sub/x.txt?a=1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.starts_with("404 Not Found:"), "{body}");
    let (status, _, body) = get(&client, &format!("{base}/missing")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "Sorry! Not found!\n")
    );
    // `*.bonk` waits, then goes on down the chain.
    let started = Instant::now();
    let (status, _, body) = get(&client, &format!("{base}/a.bonk")).await;
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "bonk\n"));
}

#[test]
fn dispatch_logging_follows_the_request_down_the_routers() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ PathRouter, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'top', class: SerialRouter, applications: ['paths'] }},
    {{ name: 'paths', class: PathRouter, paths: {{ '/x/*': 'hello', '/x/n/*': null }} }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hi\\n' }}
  ],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'top',
                 dispatchLogging: true }}]
}};
"
    );
    std::fs::write(dir.path().join("config.mjs"), source).unwrap();
    let server = ServerProcess::start_with_args(
        LACTOSERV,
        &dir.path().join("config.mjs"),
        port,
        &["--log-to-stdout"],
    );
    for path in ["/x/y", "/x/n/z"] {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(
            &mut stream,
            format!("GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    }
    let (_, output) = server.stop_and_read("TERM");
    let entries = crate::util::log_entries(&output);
    let lines: Vec<&String> = entries
        .iter()
        .filter(|l| l.contains(".dispatch."))
        .collect();
    let has = |tag: &str, event: &str| {
        lines
            .iter()
            .any(|line| line.contains(tag) && line.contains(event))
    };
    assert!(
        has("webapp.endpoint.ep.dispatch.", " dispatching("),
        "{output}"
    );
    assert!(has(".top ", " handling("), "{output}");
    assert!(has(".top ", " dispatching("), "{output}");
    assert!(has(".top.paths ", " dispatchingPath("), "{output}");
    assert!(has(".top.paths.hello ", " handled("), "{output}");
    assert!(has(".top.paths ", " explicitNull("), "{output}");
    assert!(has(".top ", " notHandled("), "{output}");
}

#[tokio::test]
async fn a_request_rate_limiter_answers_429_when_its_queue_is_full() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let source = format!(
        "import {{ RequestRateLimiter, SerialRouter, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'top', class: SerialRouter, applications: ['limit', 'hi'] }},
    {{ name: 'limit', class: RequestRateLimiter, maxBurst: '1 req', flowRate: '1 req/sec',
       maxQueue: '1 req', initialBurst: '1 req' }},
    {{ name: 'hi', class: SimpleResponse, contentType: 'text/plain', body: 'hi\\n' }}
  ],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'top' }}]
}};
"
    );
    std::fs::write(dir.path().join("config.mjs"), source).unwrap();
    let _server = ServerProcess::start(LACTOSERV, &dir.path().join("config.mjs"), port);
    // The start-up probe made no request: the bucket is full (one token).
    let client = crate::util::client().build().unwrap();
    let requests: Vec<_> = (0..3)
        .map(|_| {
            let (client, url) = (client.clone(), format!("http://127.0.0.1:{port}/"));
            tokio::spawn(async move {
                let response = client.get(url).send().await.unwrap();
                let close = response
                    .headers()
                    .get("connection")
                    .map(|v| v.to_str().unwrap().to_owned());
                (response.status(), close, response.text().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    let ok = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    let limited: Vec<_> = answers
        .iter()
        .filter(|a| a.0 == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((ok, limited.len()), (2, 1), "{answers:?}");
    assert_eq!(limited[0].1.as_deref(), Some("close"));
    assert_eq!(limited[0].2, "429 Too Many Requests\n");
}

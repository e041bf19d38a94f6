//! Answers whose body is there but empty, and answers with no body at all,
//! through the real binary over HTTP/1.1 and HTTP/2: as in Lactoserv, an
//! empty body always says `content-length: 0` (`GET` and `HEAD`, either
//! protocol), while no body says nothing but on an HTTP/1.1 `GET` whose
//! status allows a body.

use reqwest::{Method, StatusCode, Version};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::services::ask;
use crate::util::client;

/// A server with an empty file, an empty `body`, a fixed 404 without a
/// body and a 204, behind one router; its plain and `http2` ports.
fn start() -> (tempfile::TempDir, ServerProcess, u16, u16) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/empty.txt"), b"").unwrap();
    let [h1, h2] = free_ports::<2>();
    let source = format!(
        "import {{ PathRouter, SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'router', class: PathRouter, paths: {{
       '/files/*': 'files', '/empty': 'empty', '/missing': 'missing', '/none': 'none' }} }},
    {{ name: 'files', class: StaticFiles, siteDirectory: new URL('site', import.meta.url).pathname }},
    {{ name: 'empty', class: SimpleResponse, body: '', contentType: 'text/plain' }},
    {{ name: 'missing', class: SimpleResponse, statusCode: 404 }},
    {{ name: 'none', class: SimpleResponse }}
  ],
  endpoints: [
    {{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{h1}', application: 'router' }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{h2}', application: 'router' }}
  ]
}};
"
    );
    let config = dir.path().join("config.mjs");
    std::fs::write(&config, source).unwrap();
    let server = ServerProcess::start(LACTOSERV, &config, h1);
    server.wait_until_listening(h2);
    (dir, server, h1, h2)
}

/// Each path, its status, and whether its body is there (empty).
const ANSWERS: [(&str, StatusCode, bool); 4] = [
    ("/files/empty.txt", StatusCode::OK, true),
    ("/empty", StatusCode::OK, true),
    ("/missing", StatusCode::NOT_FOUND, false),
    ("/none", StatusCode::NO_CONTENT, false),
];

#[tokio::test]
async fn over_http2_an_empty_body_says_its_length_and_no_body_says_nothing() {
    let (_dir, _server, _, h2) = start();
    let client = client().http2_prior_knowledge().build().unwrap();
    for (path, status, has_body) in ANSWERS {
        for method in [Method::GET, Method::HEAD] {
            let url = format!("https://127.0.0.1:{h2}{path}");
            let response = client.request(method.clone(), url).send().await.unwrap();
            assert_eq!(response.version(), Version::HTTP_2);
            assert_eq!(response.status(), status, "{method} {path}");
            let length = response.headers().get("content-length");
            let expected = has_body.then_some("0");
            assert_eq!(
                length.map(|value| value.to_str().unwrap()),
                expected,
                "{method} {path}"
            );
        }
    }
}

#[test]
fn over_http1_an_empty_body_says_its_length_and_no_body_only_for_get() {
    let (_dir, _server, h1, _) = start();
    for (path, status, has_body) in ANSWERS {
        for method in ["GET", "HEAD"] {
            let answer = ask(h1, method, path, "").to_ascii_lowercase();
            assert!(
                answer.starts_with(&format!("http/1.1 {}", status.as_u16())),
                "{answer}"
            );
            let says_length = answer.contains("\r\ncontent-length: 0\r\n");
            // No body: a `GET` answer whose status allows one says 0.
            let expected = has_body || (method == "GET" && status != StatusCode::NO_CONTENT);
            assert_eq!(says_length, expected, "{method} {path}: {answer}");
        }
    }
}

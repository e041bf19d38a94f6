//! Static files and HTTP caching through the real binary, over HTTP/1.1
//! and HTTP/2: index files, redirects, the not-found page, conditional
//! requests, ranges (single and multipart), large files streamed, and the
//! same judging for SimpleResponse.

use std::path::Path;

use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Version};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{client, get};

mod changes;
mod symlinks;

/// The size of the large file: more than is read whole.
const BIG: usize = 1024 * 1024 + 17;

struct Site {
    _dir: tempfile::TempDir,
    /// A directory outside the site, which `link-out.txt` leads to.
    outside: std::path::PathBuf,
    _outside: tempfile::TempDir,
    root: std::path::PathBuf,
    _server: ServerProcess,
    /// Base URLs: plain HTTP/1.1 and HTTP/2 over TLS.
    urls: [String; 2],
    /// The StaticFiles with `dataOnly` tags, over HTTP/1.1.
    data_url: String,
    /// The SimpleResponse, over HTTP/1.1.
    simple_url: String,
}

fn big_file() -> Vec<u8> {
    (0..BIG).map(|i| (i % 253) as u8).collect()
}

fn write_site(root: &Path, outside: &Path) {
    let files: [(&str, &[u8]); 8] = [
        ("site/kept.txt", b"first\n"),
        ("site/index.html", b"<p>home</p>\n"),
        ("site/digits.txt", b"0123456789abcdefghij\n"),
        ("site/.hidden", b"dotfile\n"),
        ("site/subdir/one.txt", b"one\n"),
        ("site/sans-index/x.txt", b"x\n"),
        ("site/sp ace.txt", b"space\n"),
        ("not-found.html", b"<p>Not found</p>\n"),
    ];
    for (name, contents) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    std::fs::write(root.join("site/big.bin"), big_file()).unwrap();
    std::fs::write(outside.join("secret.txt"), b"outside\n").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("site/link-out.txt")).unwrap();
    // A second name for the file, outside the watched site: writing
    // through it changes the file without a word to the watch.
    std::fs::hard_link(root.join("site/kept.txt"), outside.join("kept.txt")).unwrap();
}

fn start() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    write_site(&root, outside.path());
    let [h1, h2, data, simple] = free_ports::<4>();
    let source = format!(
        "import {{ SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
const site = new URL('site', import.meta.url).pathname;
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'files', class: StaticFiles, siteDirectory: site,
       notFoundPath: new URL('not-found.html', import.meta.url).pathname,
       etag: true, cacheControl: {{ public: true, maxAge: '5 min' }} }},
    {{ name: 'hashed', class: StaticFiles, siteDirectory: site, etag: {{ dataOnly: true, hashLength: 20 }} }},
    {{ name: 'simple', class: SimpleResponse, contentType: 'text/plain', body: 'Hello body!\\n', etag: true }}
  ],
  endpoints: [
    {{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{h1}', application: 'files' }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{h2}', application: 'files' }},
    {{ name: 'data', protocol: 'http', interface: '127.0.0.1:{data}', application: 'hashed' }},
    {{ name: 'simple', protocol: 'http', interface: '127.0.0.1:{simple}', application: 'simple' }}
  ]
}};
"
    );
    let config = root.join("config.mjs");
    std::fs::write(&config, source).unwrap();
    let server = ServerProcess::start(LACTOSERV, &config, h1);
    for port in [h2, data, simple] {
        server.wait_until_listening(port);
    }
    Site {
        _dir: dir,
        outside: outside.path().to_owned(),
        _outside: outside,
        root,
        _server: server,
        urls: [
            format!("http://127.0.0.1:{h1}"),
            format!("https://127.0.0.1:{h2}"),
        ],
        data_url: format!("http://127.0.0.1:{data}"),
        simple_url: format!("http://127.0.0.1:{simple}/"),
    }
}

fn clients() -> [(Client, Version); 2] {
    [
        (
            client()
                .http1_only()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            Version::HTTP_11,
        ),
        (
            client()
                .http2_prior_knowledge()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            Version::HTTP_2,
        ),
    ]
}

#[tokio::test]
async fn files_index_files_and_redirects() {
    let site = start();
    for ((client, version), base) in clients().iter().zip(&site.urls) {
        let (status, headers, body) = get(client, &format!("{base}/"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{version:?}");
        assert_eq!(body, b"<p>home</p>\n");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["accept-ranges"], "bytes");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["content-length"], "12");
        assert!(headers["etag"].to_str().unwrap().starts_with("W/\""));
        assert!(headers.contains_key("last-modified"));

        let (status, headers, body) = get(client, &format!("{base}/subdir"), &[]).await;
        assert_eq!(
            status,
            StatusCode::PERMANENT_REDIRECT,
            "{version:?} {body:?}"
        );
        assert_eq!(headers["location"], "subdir/");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(body, b"308 Permanent Redirect:\n\nsubdir/\n");

        for (path, contents) in [
            ("/subdir/one.txt", &b"one\n"[..]),
            ("/.hidden", b"dotfile\n"),
            ("/link-out.txt", b"outside\n"),
            ("/sp%20ace.txt", b"space\n"),
            ("/sub%64ir/one.txt", b"one\n"),
        ] {
            let (status, _, body) = get(client, &format!("{base}{path}"), &[]).await;
            assert_eq!(
                (status, body.as_slice()),
                (StatusCode::OK, contents),
                "{path}"
            );
        }
        for path in [
            "/nope",
            "/sans-index/",
            "//index.html",
            "/subdir/one.txt/",
            "/%2Fetc",
            "/%xy",
            "/..%2Fsecret.txt",
        ] {
            let (status, headers, body) = get(client, &format!("{base}{path}"), &[]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(body, b"<p>Not found</p>\n", "{path}");
            assert_eq!(headers["content-type"], "text/html; charset=utf-8");
            assert_eq!(headers["cache-control"], "public, max-age=300");
            assert!(!headers.contains_key("etag"));
        }
        let response = client
            .post(format!("{base}/index.html"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.text().await.unwrap(), "403 Forbidden\n");
    }
}

#[tokio::test]
async fn conditional_requests_and_ranges() {
    let site = start();
    for ((client, version), base) in clients().iter().zip(&site.urls) {
        let url = format!("{base}/digits.txt");
        let (_, headers, _) = get(client, &url, &[]).await;
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let modified = headers["last-modified"].to_str().unwrap().to_owned();

        for condition in [
            ("if-none-match", etag.as_str()),
            ("if-modified-since", &modified),
        ] {
            let (status, headers, body) = get(client, &url, &[condition]).await;
            assert_eq!(
                status,
                StatusCode::NOT_MODIFIED,
                "{version:?} {condition:?}"
            );
            assert!(body.is_empty());
            assert_eq!(headers["etag"], etag.as_str());
            assert_eq!(headers["accept-ranges"], "bytes");
            assert!(!headers.contains_key("last-modified"));
            assert!(!headers.contains_key("content-type"));
        }
        let (status, _, _) = get(client, &url, &[("if-match", "\"nope\"")]).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED);

        let (status, headers, body) = get(client, &url, &[("range", "bytes=2-5")]).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(headers["content-range"], "bytes 2-5/21");
        assert_eq!(body, b"2345");

        let (status, headers, body) = get(client, &url, &[("range", "bytes=100-200")]).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(headers["content-range"], "bytes */21");
        assert_eq!(body, b"416 Range Not Satisfiable\n");

        let (status, headers, body) = get(client, &url, &[("range", "bytes=0-0,5-9")]).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        let content_type = headers["content-type"].to_str().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/byteranges; boundary=")
            .unwrap();
        let expected = format!(
            "\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-0/21\r\n\r\n0\
             \r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 5-9/21\r\n\r\n56789\
             \r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }
}

#[tokio::test]
async fn large_files_are_streamed_whole_and_in_ranges() {
    let site = start();
    let data = big_file();
    for ((client, version), base) in clients().iter().zip(&site.urls) {
        let url = format!("{base}/big.bin");
        let (status, headers, body) = get(client, &url, &[]).await;
        assert_eq!(status, StatusCode::OK, "{version:?}");
        assert_eq!(headers["content-type"], "application/octet-stream");
        assert_eq!(headers["content-length"], BIG.to_string());
        assert!(body == data, "the whole file over {version:?}");

        let (status, headers, body) = get(client, &url, &[("range", "bytes=300000-700000")]).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            headers["content-range"],
            format!("bytes 300000-700000/{BIG}")
        );
        assert!(body == data[300_000..=700_000]);

        let response = client.head(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-length"], BIG.to_string());
        assert!(response.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn data_tags_and_a_changed_not_found_page() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let site = start();
    let client = client().build().unwrap();
    let (_, headers, _) = get(&client, &format!("{}/big.bin", site.data_url), &[]).await;
    let hash =
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(big_file()));
    assert_eq!(headers["etag"], format!("\"{}\"", &hash[..20]));

    std::fs::write(site.root.join("not-found.html"), b"<p>Gone</p>\n").unwrap();
    let url = format!("{}/nope", site.urls[0]);
    until_answer(&client, &url, StatusCode::NOT_FOUND, b"<p>Gone</p>\n").await;
}

#[tokio::test]
async fn simple_responses_answer_conditionals_and_ranges() {
    let site = start();
    let client = client().build().unwrap();
    let url = &site.simple_url;
    let (status, headers, _) = get(&client, url, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["accept-ranges"], "bytes");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, headers, _) = get(&client, url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(headers.contains_key("last-modified"));
    let (status, headers, body) = get(&client, url, &[("range", "bytes=0-4")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers["content-range"], "bytes 0-4/12");
    assert_eq!(body, b"Hello");
}

#[tokio::test]
async fn index_file_lists_none_and_head_redirects() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (name, contents) in [
        ("site/avec-index-txt/index.txt", "text index\n"),
        ("site/subdir/index.html", "<p>sub</p>\n"),
    ] {
        std::fs::create_dir_all(root.join(name).parent().unwrap()).unwrap();
        std::fs::write(root.join(name), contents).unwrap();
    }
    let [listed, none] = free_ports::<2>();
    let source = format!(
        "import {{ StaticFiles }} from '@lactoserv/webapp-builtins';
const site = new URL('site', import.meta.url).pathname;
export default {{
  applications: [
    {{ name: 'listed', class: StaticFiles, siteDirectory: site, indexFile: ['index.html', 'index.txt'] }},
    {{ name: 'none', class: StaticFiles, siteDirectory: site, indexFile: null }}
  ],
  endpoints: [
    {{ name: 'listed', protocol: 'http', interface: '127.0.0.1:{listed}', application: 'listed' }},
    {{ name: 'none', protocol: 'http', interface: '127.0.0.1:{none}', application: 'none' }}
  ]
}};
"
    );
    std::fs::write(root.join("config.mjs"), source).unwrap();
    let server = ServerProcess::start(LACTOSERV, &root.join("config.mjs"), listed);
    server.wait_until_listening(none);
    let client = client().redirect(Policy::none()).build().unwrap();

    let (status, _, body) = get(
        &client,
        &format!("http://127.0.0.1:{listed}/avec-index-txt/"),
        &[],
    )
    .await;
    assert_eq!(
        (status, body.as_slice()),
        (StatusCode::OK, &b"text index\n"[..])
    );
    let (status, _, body) = get(&client, &format!("http://127.0.0.1:{listed}/subdir/"), &[]).await;
    assert_eq!(
        (status, body.as_slice()),
        (StatusCode::OK, &b"<p>sub</p>\n"[..])
    );

    let (status, headers, body) =
        get(&client, &format!("http://127.0.0.1:{none}/subdir/"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert!(
        String::from_utf8(body)
            .unwrap()
            .starts_with("404 Not Found:")
    );
    let head = client
        .head(format!("http://127.0.0.1:{none}/subdir"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(head.headers()["location"], "subdir/");
    assert!(!head.headers().contains_key("content-type"));
}

/// Asks for `url` until it answers `status` with `body`, for a few
/// seconds at most: a change is seen once the watch reports it, or (where
/// there is no watch) once what was found is a second old.
async fn until_answer(client: &Client, url: &str, status: StatusCode, body: &[u8]) -> HeaderMap {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (now_status, headers, now_body) = get(client, url, &[]).await;
        if now_status == status && now_body == body {
            return headers;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{url}: still {now_status} {:?}",
            String::from_utf8_lossy(&now_body)
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

//! Content codings through the real binary (`compress`, `precompressed`):
//! real decoders (reqwest's, curl's) get the exact files back; the
//! negotiation, `Vary`, per-coding ETags, conditional and range requests
//! on the coded body; what is never compressed; changes to a file.

use std::io::Write as _;
use std::path::Path;

use reqwest::{Client, StatusCode};

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::{ConfigDir, client, config_file, dry_run, get};

/// A page of HTML large enough to compress well.
fn page() -> Vec<u8> {
    let mut page = b"<!doctype html>\n<title>Compressed</title>\n".to_vec();
    for n in 0..400 {
        writeln!(
            page,
            "<p class=\"line\">Line {n} of a page served compressed.</p>"
        )
        .unwrap();
    }
    page
}

/// A server for a site in a new directory: `/files/*` StaticFiles with
/// `files_options`, `/hello` a SimpleResponse with `compress: true`.
struct Site {
    dir: tempfile::TempDir,
    base: String,
    /// The same over HTTP/2 (TLS, self-signed).
    secure: String,
    _server: ServerProcess,
    _config: ConfigDir,
}

fn start(files_options: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("page.html"), page()).unwrap();
    std::fs::write(site.join("small.txt"), b"too small to compress\n").unwrap();
    std::fs::write(site.join("image.png"), page()).unwrap();
    let [port, secure] = free_ports::<2>();
    let source = format!(
        "import {{ PathRouter, SimpleResponse, StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [
    {{ name: 'router', class: PathRouter, paths: {{ '/files/*': 'files', '/hello': 'hello' }} }},
    {{ name: 'files', class: StaticFiles, siteDirectory: '{site}', etag: true, {files_options} }},
    {{ name: 'hello', class: SimpleResponse, contentType: 'text/plain',
       body: '{hello}', etag: true, compress: true }}
  ],
  endpoints: [
    {{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{port}', application: 'router' }},
    {{ name: 'h2', protocol: 'http2', interface: '127.0.0.1:{secure}', application: 'router' }}
  ]
}};
",
        site = site.display(),
        hello = "hello, compressed ".repeat(60),
    );
    let config = config_file("config.mjs", &source);
    let server = ServerProcess::start(LACTOSERV, &config.path, port);
    Site {
        dir,
        base: format!("http://127.0.0.1:{port}"),
        secure: format!("https://127.0.0.1:{secure}"),
        _server: server,
        _config: config,
    }
}

/// A client that decodes nothing (and asks for no coding by itself).
fn raw() -> Client {
    client()
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .no_deflate()
        .build()
        .unwrap()
}

#[tokio::test]
async fn real_decoders_get_the_exact_file_back_in_every_coding() {
    let site = start("compress: true");
    let url = format!("{}/files/page.html", site.base);
    for coding in ["br", "zstd", "gzip"] {
        let (status, headers, coded) = get(&raw(), &url, &[("accept-encoding", coding)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-encoding"], coding);
        assert_eq!(headers["vary"], "accept-encoding");
        assert_eq!(headers["content-length"], coded.len().to_string());
        assert!(coded.len() < page().len() / 4, "{coding}: {}", coded.len());
        // reqwest, asking for this coding only, decodes it.
        let decoding = match coding {
            "br" => client().no_gzip().no_zstd(),
            "zstd" => client().no_gzip().no_brotli(),
            _ => client().no_brotli().no_zstd(),
        };
        let (_, _, body) = get(&decoding.build().unwrap(), &url, &[]).await;
        assert!(body == page(), "{coding}: decoded differs");
        // The same bytes over HTTP/2.
        let h2 = client()
            .http2_prior_knowledge()
            .no_gzip()
            .no_brotli()
            .no_zstd()
            .build()
            .unwrap();
        let secure = format!("{}/files/page.html", site.secure);
        let (_, headers, over_h2) = get(&h2, &secure, &[("accept-encoding", coding)]).await;
        assert_eq!(headers["content-encoding"], coding);
        assert!(over_h2 == coded, "{coding}: HTTP/2 sent other bytes");
    }
    // curl's decoders, when there is a curl.
    if let Ok(output) = std::process::Command::new("curl")
        .args(["-sS", "--compressed", "-o", "-", "-w", "", &url])
        .output()
    {
        assert!(output.status.success());
        assert!(
            output.stdout == page(),
            "curl --compressed: decoded differs"
        );
    }
}

#[tokio::test]
async fn negotiation_follows_the_weights_and_identity_answers_vary_too() {
    let site = start("compress: true");
    let url = format!("{}/files/page.html", site.base);
    let client = raw();
    for (accept, coding) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip, zstd", Some("zstd")),
        ("br;q=0.5, gzip", Some("gzip")),
        ("gzip;q=0.5, identity", None),
        ("*", Some("br")),
        ("*;q=0, identity", None),
        ("deflate", None),
    ] {
        let (_, headers, body) = get(&client, &url, &[("accept-encoding", accept)]).await;
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            coding,
            "{accept}"
        );
        assert_eq!(headers["vary"], "accept-encoding", "{accept}");
        if coding.is_none() {
            assert!(body == page(), "{accept}");
        }
    }
    let (_, headers, body) = get(&client, &url, &[]).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(headers["vary"], "accept-encoding");
    assert!(body == page());
}

#[tokio::test]
async fn etags_differ_per_coding_and_conditional_and_range_requests_use_the_one_sent() {
    let site = start("compress: true");
    let url = format!("{}/files/page.html", site.base);
    let client = raw();
    let (_, plain, _) = get(&client, &url, &[]).await;
    let (_, coded, br) = get(&client, &url, &[("accept-encoding", "br")]).await;
    let plain_tag = plain["etag"].to_str().unwrap();
    let br_tag = coded["etag"].to_str().unwrap();
    assert_ne!(plain_tag, br_tag);
    assert!(br_tag.ends_with("-br\""), "{br_tag}");

    let (status, headers, _) = get(
        &client,
        &url,
        &[("accept-encoding", "br"), ("if-none-match", br_tag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers["etag"], br_tag);
    assert_eq!(headers["vary"], "accept-encoding");
    // The plain tag does not match the coded body.
    let (status, _, _) = get(
        &client,
        &url,
        &[("accept-encoding", "br"), ("if-none-match", plain_tag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, headers, part) = get(
        &client,
        &url,
        &[("accept-encoding", "br"), ("range", "bytes=0-9")],
    )
    .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-range"], format!("bytes 0-9/{}", br.len()));
    assert_eq!(part, br[..10]);

    let response = client
        .head(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.headers()["content-length"], br.len().to_string());
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn compressed_images_small_bodies_and_no_transform_go_as_they_are() {
    let site = start("compress: true");
    let client = raw();
    for path in ["/files/image.png", "/files/small.txt"] {
        let url = format!("{}{path}", site.base);
        let (_, headers, _) = get(&client, &url, &[("accept-encoding", "br")]).await;
        assert!(headers.get("content-encoding").is_none(), "{path}");
        assert!(headers.get("vary").is_none(), "{path}");
    }
    let site = start("compress: true, cacheControl: 'public, no-transform'");
    let url = format!("{}/files/page.html", site.base);
    let (_, headers, _) = get(&client, &url, &[("accept-encoding", "br")]).await;
    assert!(headers.get("content-encoding").is_none());
}

#[tokio::test]
async fn without_compress_nothing_is_coded() {
    let site = start("precompressed: false");
    let url = format!("{}/files/page.html", site.base);
    let (_, headers, body) = get(&raw(), &url, &[("accept-encoding", "br, gzip")]).await;
    assert!(headers.get("content-encoding").is_none());
    assert!(headers.get("vary").is_none());
    assert!(body == page());
}

#[tokio::test]
async fn a_changed_file_is_compressed_anew() {
    let site = start("compress: true");
    let url = format!("{}/files/page.html", site.base);
    let decoding = client().build().unwrap();
    let (_, _, body) = get(&decoding, &url, &[]).await;
    assert!(body == page());
    let mut changed = page();
    changed.extend_from_slice(b"<p>Changed.</p>\n");
    std::fs::write(site.dir.path().join("site/page.html"), &changed).unwrap();
    for _ in 0..100 {
        let (_, headers, body) = get(&decoding, &url, &[]).await;
        if body == changed {
            assert!(headers.get("content-length").is_none() || body.len() == changed.len());
            return;
        }
        assert!(body == page(), "the old version or the new, nothing else");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the change was never served");
}

/// `data` gzipped, for a precompressed copy.
fn gzipped(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn precompressed_copies_are_served_as_they_are_unless_older() {
    let site = start("precompressed: true");
    let dir = site.dir.path().join("site");
    let copy = gzipped(&page());
    std::fs::write(dir.join("page.html.gz"), &copy).unwrap();
    let url = format!("{}/files/page.html", site.base);
    let client = raw();
    let mut served = None;
    for _ in 0..100 {
        let (_, headers, body) = get(&client, &url, &[("accept-encoding", "gzip, br")]).await;
        if headers.get("content-encoding").is_some() {
            served = Some((headers, body));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (headers, body) = served.expect("the copy was never served");
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["vary"], "accept-encoding");
    assert!(body == copy, "the copy's own bytes");
    assert!(headers["etag"].to_str().unwrap().ends_with("-gzip\""));
    // Not compressed here: a client without gzip gets the file.
    let (_, headers, body) = get(&client, &url, &[("accept-encoding", "br")]).await;
    assert!(headers.get("content-encoding").is_none());
    assert!(body == page());

    // A copy older than its file may be of an earlier version.
    std::fs::write(dir.join("small.txt.gz"), gzipped(b"old\n")).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(dir.join("small.txt.gz"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let small = format!("{}/files/small.txt", site.base);
    let (_, headers, body) = get(&client, &small, &[("accept-encoding", "gzip")]).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body, b"too small to compress\n");
}

#[tokio::test]
async fn a_simple_response_is_compressed_too() {
    let site = start("compress: true");
    let url = format!("{}/hello", site.base);
    let (_, headers, coded) = get(&raw(), &url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(headers["etag"].to_str().unwrap().ends_with("-gzip\""));
    let (_, _, body) = get(&client().build().unwrap(), &url, &[]).await;
    assert_eq!(body, "hello, compressed ".repeat(60).as_bytes());
    assert!(coded.len() < 100);
}

#[test]
fn bad_compress_bindings_are_named_by_dry_run() {
    let (code, out) = dry_run(&bad_config("compress: { encodings: ['deflate'] }"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("compress"), "{out}");
    assert!(out.contains("`deflate`"), "{out}");
    let (code, out) = dry_run(&bad_config("compress: { level: 3 }"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("level"), "{out}");
    let (code, out) = dry_run(&bad_config("precompressed: 'yes'"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("precompressed"), "{out}");
}

fn bad_config(option: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    format!(
        "export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [{{ name: 'files', class: 'StaticFiles', siteDirectory: '{}', {option} }}],
  endpoints: [{{ name: 'h1', protocol: 'http', interface: '127.0.0.1:1', application: 'files' }}]
}};
",
        dir.display()
    )
}

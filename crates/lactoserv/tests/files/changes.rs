//! Changes to a served site, through the real binary: what is found is
//! kept until the watch over the site reports a change, or for a second
//! where the watch cannot see (a symlink leading out); the not-found page
//! follows its file.

use reqwest::StatusCode;
use reqwest::redirect::Policy;

use super::{get, start, until_answer};
use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::client;

#[tokio::test]
async fn changes_to_the_site_are_served_as_they_happen() {
    let site = start();
    let client = client().redirect(Policy::none()).build().unwrap();
    let base = &site.urls[0];
    let url = format!("{base}/subdir/one.txt");
    let (_, first, body) = get(&client, &url, &[]).await;
    assert_eq!(body, b"one\n");
    let (status, _, _) = get(&client, &format!("{base}/new/two.txt"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    std::fs::write(site.root.join("site/subdir/one.txt"), b"changed\n").unwrap();
    let second = until_answer(&client, &url, StatusCode::OK, b"changed\n").await;
    assert_ne!(first["etag"], second["etag"]);
    std::fs::create_dir(site.root.join("site/new")).unwrap();
    std::fs::write(site.root.join("site/new/two.txt"), b"two\n").unwrap();
    until_answer(
        &client,
        &format!("{base}/new/two.txt"),
        StatusCode::OK,
        b"two\n",
    )
    .await;
    std::fs::remove_file(site.root.join("site/subdir/one.txt")).unwrap();
    until_answer(&client, &url, StatusCode::NOT_FOUND, b"<p>Not found</p>\n").await;
}

#[tokio::test]
async fn what_was_found_is_kept_until_the_site_changes() {
    let site = start();
    let client = client().build().unwrap();
    let url = format!("{}/kept.txt", site.urls[0]);
    let (_, _, body) = get(&client, &url, &[]).await;
    assert_eq!(body, b"first\n");

    std::fs::write(site.outside.join("kept.txt"), b"second\n").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (_, _, body) = get(&client, &url, &[]).await;
    assert_eq!(body, b"first\n", "answered from memory past a second");
    std::fs::write(site.root.join("site/elsewhere.txt"), b"touch\n").unwrap();
    until_answer(&client, &url, StatusCode::OK, b"second\n").await;
}

#[test]
fn a_not_found_page_that_disappears_is_still_served_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    let page = dir.path().join("missing.html");
    std::fs::write(&page, "<p>gone?</p>\n").unwrap();
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [{{ name: 'files', class: StaticFiles,
    siteDirectory: new URL('site', import.meta.url).pathname,
    notFoundPath: new URL('missing.html', import.meta.url).pathname }}],
  endpoints: [{{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{port}', application: 'files' }}]
}};
"
        ),
    )
    .unwrap();
    let server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    std::fs::remove_file(&page).unwrap();
    let answer = crate::services::ask(port, "GET", "/nothing-here", "");
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    assert!(answer.ends_with("<p>gone?</p>\n"), "{answer}");
    let (_, log) = server.stop_and_read("TERM");
    let event = format!(
        " webapp.application.files notFoundPathDisappeared('{}')",
        page.display()
    );
    assert!(log.contains(&event), "no {event:?} in:\n{log}");
}

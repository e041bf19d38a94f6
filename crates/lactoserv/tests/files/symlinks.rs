//! Symlinks in a served site, through the real binary: followed wherever
//! they lead (as Lactoserv does) unless `allowSymlinksOutside: false`, and
//! what they lead to outside the site looked at again within a second.

use reqwest::StatusCode;

use super::{get, start, until_answer};
use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::util::client;

#[tokio::test]
async fn a_file_reached_through_a_symlink_out_is_looked_at_again_within_a_second() {
    let site = start();
    let client = client().build().unwrap();
    let url = format!("{}/link-out.txt", site.urls[0]);
    let (_, _, body) = get(&client, &url, &[]).await;
    assert_eq!(body, b"outside\n");
    std::fs::write(site.outside.join("secret.txt"), b"moved on\n").unwrap();
    until_answer(&client, &url, StatusCode::OK, b"moved on\n").await;
}

#[tokio::test]
async fn symlinks_out_of_the_site_directory_can_be_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/inner")).unwrap();
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::fs::write(root.join("site/inner/here.txt"), b"here\n").unwrap();
    std::fs::write(root.join("outside/secret.txt"), b"secret\n").unwrap();
    std::os::unix::fs::symlink(
        root.join("site/inner/here.txt"),
        root.join("site/link-in.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root.join("outside/secret.txt"),
        root.join("site/link-out.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(root.join("outside"), root.join("site/dir-out")).unwrap();
    let [port] = free_ports::<1>();
    let config = root.join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ StaticFiles }} from '@lactoserv/webapp-builtins';
export default {{
  applications: [{{ name: 'files', class: StaticFiles,
    siteDirectory: new URL('site', import.meta.url).pathname, allowSymlinksOutside: false }}],
  endpoints: [{{ name: 'h1', protocol: 'http', interface: '127.0.0.1:{port}', application: 'files' }}]
}};
"
        ),
    )
    .unwrap();
    let _server = ServerProcess::start(LACTOSERV, &config, port);
    let client = client().build().unwrap();
    let status = |path: &'static str| {
        let client = client.clone();
        async move {
            client
                .get(format!("http://127.0.0.1:{port}{path}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status("/inner/here.txt").await, StatusCode::OK);
    assert_eq!(status("/link-in.txt").await, StatusCode::OK);
    assert_eq!(status("/link-out.txt").await, StatusCode::NOT_FOUND);
    assert_eq!(status("/dir-out/secret.txt").await, StatusCode::NOT_FOUND);
}

//! Helpers for running the binary; the fixtures every crate's tests share
//! come from `lactoserv-test-util`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
pub(crate) use lactoserv_test_util::config::{ConfigDir, config_file, write_tls_config};
pub(crate) use lactoserv_test_util::tls::{any_certificate_config, client};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};

/// The binary under test.
pub(crate) fn lactoserv() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lactoserv"));
    command
        .env_remove("LACTOSERV_PORT_BASE")
        .env_remove("LACTOSERV_VAR_DIR");
    command
}

/// The repository's example setup.
pub(crate) fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../etc/example-setup/config/config.mjs")
}

/// Runs `--dry-run` on a config written from `source`; gives the exit
/// status and stdout.
pub(crate) fn dry_run(source: &str) -> (i32, String) {
    let config = config_file("config.mjs", source);
    let output = lactoserv()
        .arg(format!("--config={}", config.path.display()))
        .arg("--dry-run")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// The entries of human-format log output, one string each: long entries
/// continue on indented lines, which are joined back on.
pub(crate) fn log_entries(output: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in output.lines() {
        match (line.strip_prefix("  "), entries.last_mut()) {
            (Some(rest), Some(last)) => {
                last.push(' ');
                last.push_str(rest);
            }
            _ => entries.push(line.to_owned()),
        }
    }
    entries
}

/// `GET url` with `headers` (name, value pairs): the status, the headers
/// and the whole body.
pub(crate) async fn get(
    client: &Client,
    url: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = client.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// The certificate the server presented for `response` (over TLS).
pub(crate) fn peer_certificate(response: &reqwest::Response) -> Vec<u8> {
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("a TLS response carries the server's certificate")
        .to_vec()
}

//! A program of a framework user's own, built on `lactoserv::run`: the
//! example `custom_app` registers an application type and serves it like
//! the `lactoserv` command serves the built-ins.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{ServerProcess, free_port};

/// The example's binary, which `cargo test` builds beside the server's.
fn custom_app() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_lactoserv"))
        .parent()
        .unwrap()
        .join("examples/custom_app");
    assert!(
        binary.exists(),
        "{} is missing: the examples are built by `cargo test` (not with `--test`)",
        binary.display()
    );
    binary
}

fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/greeter-config.mjs")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_program_with_its_own_application_type_serves_it() {
    let port = free_port();
    let mut command = Command::new(custom_app());
    command
        .env("PORT", port.to_string())
        .arg(format!("--config={}", example_config().display()));
    let server = ServerProcess::spawn(command);
    server.wait_until_listening(port);
    let client = reqwest::Client::new();
    for (path, greeting) in [("/yo", "yo\n"), ("/there", "hi\n"), ("/", "hi\n")] {
        let response = client
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["server"]
                .to_str()
                .unwrap()
                .split(' ')
                .next(),
            Some("lactoserv-0.9.4")
        );
        assert_eq!(response.text().await.unwrap(), greeting, "{path}");
    }
    let declined = client
        .post(format!("http://127.0.0.1:{port}/yo"))
        .send()
        .await
        .unwrap();
    assert_eq!(declined.status(), 404);
    let (status, _) = server.stop_and_read("TERM");
    assert!(status.success());
}

#[test]
fn the_program_checks_its_own_bindings_in_a_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        "export default { applications: [{ name: 'g', class: 'Greeter', greeting: ' ' }] };",
    )
    .unwrap();
    let output = Command::new(custom_app())
        .arg(format!("--config={}", config.display()))
        .arg("--dry-run")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("applications[0] (Greeter `g`): `greeting`: must say something"),
        "{stdout}"
    );
    let valid = Command::new(custom_app())
        .arg(format!("--config={}", example_config().display()))
        .arg("--dry-run")
        .output()
        .unwrap();
    assert!(valid.status.success());
    assert!(String::from_utf8_lossy(&valid.stdout).contains("greeter  Greeter"));
}

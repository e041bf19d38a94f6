//! A real browser over HTTP/3: headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) loads the example site from the example
//! setup, told to speak QUIC to it and to trust its certificate by the
//! hash of its public key; the access log shows what it used.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lactoserv_test_util::ports::free_ports;

use crate::server::{LACTOSERV, ServerProcess};
use crate::util::example_config;

/// The base64 SHA-256 of the public key of the PEM certificate at `path`,
/// as Chromium's `--ignore-certificate-errors-spki-list` takes it.
fn spki_hash(path: &Path) -> String {
    let script = format!(
        "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der \
         | openssl dgst -sha256 -binary | base64",
        path.display()
    );
    let output = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn chromium_loads_the_example_site_over_http3() {
    // The example's ports: the base, and the base + 363 and + 364.
    let base = free_ports::<365>()[0];
    let port = base + 363;
    let var = tempfile::tempdir().unwrap();
    let mut command = Command::new(LACTOSERV);
    command
        .env("LACTOSERV_PORT_BASE", base.to_string())
        .env("LACTOSERV_VAR_DIR", var.path())
        .arg(format!("--config={}", example_config().display()));
    let server = ServerProcess::spawn(command);
    server.wait_until_listening(port);

    let certificate = example_config().with_file_name("localhost-cert.pem");
    let profile = tempfile::tempdir().unwrap();
    let mut chromium = Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-quic",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--origin-to-force-quic-on=localhost:{port}"))
        // `localhost` may be tried at `::1` first, where the example's
        // `*` socket is not certain to be.
        .arg("--host-resolver-rules=MAP localhost 127.0.0.1")
        .arg(format!(
            "--ignore-certificate-errors-spki-list={}",
            spki_hash(&certificate)
        ))
        .arg("--dump-dom")
        .arg(format!("https://localhost:{port}/"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium runs (.ci/run installs it)");
    let deadline = Instant::now() + Duration::from_secs(60);
    while chromium.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = chromium.kill();
            panic!("chromium did not finish");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = chromium.wait_with_output().unwrap();
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.contains("<h1>It works.</h1>"),
        "{page}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The example's access log is written every half second.
    let log = var.path().join("log/access-log.txt");
    let line = format!("http-3.0 get //localhost:{port}/ 200");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(&line) {
            break;
        }
        assert!(Instant::now() < deadline, "no `{line}` in:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}

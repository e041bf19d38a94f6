//! Deployment through the real binary (spec 01 §2–3, the deployment
//! guide): the install tree and tarball `scripts/ubik` makes, started from
//! wherever it is unpacked; `run-under-systemd` under
//! `systemd-socket-activate` with named sockets; the server reading
//! systemd's sockets and notifying it by itself; several instances sharing
//! one port.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::server::{ServerProcess, free_port, free_ports};
use crate::services::ask;

/// Builds the install tree (or with `distro`, also the tarball) into
/// `out`, packaging the binary under test.
fn ubik(target: &str, out: &Path) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(repo.join("scripts/ubik"))
        .args(["dev", target])
        .arg(format!("--out={}", out.display()))
        .arg(format!("--binary={}", env!("CARGO_BIN_EXE_lactoserv")))
        .output()
        .expect("ubik runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out.join("lactoserv")
}

/// A config answering `body` on the endpoints named in `LACTOSERV_FDS`
/// (or on `127.0.0.1:<port>`), writing its PID to `pid` in `dir`.
fn write_config(dir: &Path, endpoints: &str, body: &str) -> PathBuf {
    let path = dir.join("config.mjs");
    std::fs::write(
        &path,
        format!(
            "import {{ ProcessIdFile, SimpleResponse }} from '@lactoserv/webapp-builtins';
const fds = process.env.LACTOSERV_FDS ? JSON.parse(process.env.LACTOSERV_FDS) : {{}};
export default {{
  services: [{{ name: 'pid', class: ProcessIdFile, path: '{pid}', multiprocess: true }}],
  applications: [{{ name: 'answer', class: SimpleResponse, contentType: 'text/plain', body: {body} }}],
  endpoints: [{endpoints}]
}};
",
            pid = dir.join("pid").display(),
        ),
    )
    .unwrap();
    path
}

fn pids(dir: &Path) -> Vec<u32> {
    std::fs::read_to_string(dir.join("pid"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect()
}

fn wait_for_pids(dir: &Path, count: usize) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pids = pids(dir);
        if pids.len() >= count {
            return pids;
        }
        assert!(
            Instant::now() < deadline,
            "no PID file in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn the_tarball_runs_after_being_unpacked_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    ubik("distro", &dir.path().join("out"));
    let tarball = dir.path().join("out/lactoserv-0.9.4.tgz");
    let head = std::fs::read(&tarball).unwrap();
    assert_eq!(&head[..2], &[0x1f, 0x8b], "gzip-compressed");
    let elsewhere = dir.path().join("elsewhere/deep");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&elsewhere)
        .status()
        .unwrap();
    assert!(status.success());
    let info = std::fs::read_to_string(elsewhere.join("product-info.json")).unwrap();
    assert!(
        info.starts_with(
            "{\n  \"name\": \"lactoserv\",\n  \"version\": \"0.9.4\",\n  \"commit\": \""
        ),
        "{info}"
    );
    for unit in ["lactoserv.service", "lactoserv-http.socket"] {
        assert!(elsewhere.join("systemd").join(unit).is_file(), "{unit}");
    }

    // Started through a symlink to `bin/run`, from another directory.
    let link = dir.path().join("run-link");
    std::os::unix::fs::symlink(elsewhere.join("bin/run"), &link).unwrap();
    let port = free_port();
    let config = write_config(
        dir.path(),
        &format!(
            "{{ name: 'web', protocol: 'http', interface: '127.0.0.1:{port}', application: 'answer' }}"
        ),
        "'unpacked'",
    );
    let mut command = Command::new(&link);
    command
        .current_dir("/")
        .arg(format!("--config={}", config.display()));
    let mut server = ServerProcess::spawn(command);
    server.wait_until_listening(port);
    let answer = ask(port, "GET", "/", "");
    assert!(answer.ends_with("\r\n\r\nunpacked"), "{answer}");
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

#[test]
fn run_under_systemd_passes_named_systemd_sockets_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let tree = ubik("build", &dir.path().join("out"));
    let [web, other] = free_ports::<2>();
    let config = write_config(
        dir.path(),
        "{ name: 'web', protocol: 'http', interface: fds.web, application: 'answer' },
   { name: 'other', protocol: 'http', interface: fds.other, application: 'answer' }",
        "process.env.LACTOSERV_SERVICE_NAME",
    );
    let mut command = Command::new("systemd-socket-activate");
    command
        .arg(format!("--listen=127.0.0.1:{web}"))
        .arg(format!("--listen=127.0.0.1:{other}"))
        .arg("--fdname=web:other")
        .arg(tree.join("bin/run-under-systemd"))
        .args(["--service-name=site", "start"])
        .arg(format!("--config={}", config.display()));
    let mut activator = ServerProcess::spawn(command);
    let (_stdout, stderr) = activator.collect_output();
    // The first connection starts the server, which then answers it.
    activator.wait_until_listening(web);
    let answer = ask(web, "GET", "/", "");
    assert!(answer.ends_with("\r\n\r\nsite"), "{answer}");
    let answer = ask(other, "GET", "/", "");
    assert!(answer.ends_with("\r\n\r\nsite"), "{answer}");
    let pid = wait_for_pids(dir.path(), 1)[0];
    kill(pid, "TERM");
    assert_eq!(
        activator.wait_for_exit(Duration::from_secs(15)).code(),
        Some(0)
    );
    let errors = stderr.lock().unwrap().clone();
    assert!(
        errors.contains(r#"Sockets from systemd: { "web": "/dev/fd/3", "other": "/dev/fd/4" }"#),
        "{errors}"
    );
    assert!(errors.contains("Running system via command:"), "{errors}");
}

#[test]
fn the_server_reads_systemd_sockets_and_notifies_systemd_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let web = free_port();
    let config = write_config(
        dir.path(),
        "{ name: 'web', protocol: 'http', interface: fds.web, application: 'answer' }",
        "'direct'",
    );
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut command = Command::new("systemd-socket-activate");
    command
        .arg(format!("--listen=127.0.0.1:{web}"))
        .arg("--fdname=web")
        .arg(format!("--setenv=NOTIFY_SOCKET={}", notify_path.display()))
        .arg(env!("CARGO_BIN_EXE_lactoserv"))
        .arg(format!("--config={}", config.display()));
    let mut activator = ServerProcess::spawn(command);
    activator.wait_until_listening(web);
    let answer = ask(web, "GET", "/", "");
    assert!(answer.ends_with("\r\n\r\ndirect"), "{answer}");
    let mut message = [0_u8; 512];
    let mut next = || {
        let n = notify.recv(&mut message).expect("a notification");
        String::from_utf8_lossy(&message[..n]).into_owned()
    };
    assert!(next().starts_with("READY=1\n"));
    let pid = wait_for_pids(dir.path(), 1)[0];
    kill(pid, "HUP");
    let reloading = next();
    assert!(reloading.starts_with("RELOADING=1\n"), "{reloading}");
    assert!(reloading.contains("MONOTONIC_USEC="), "{reloading}");
    assert!(next().starts_with("READY=1\n"));
    kill(pid, "TERM");
    assert!(next().starts_with("STOPPING=1\n"));
    assert_eq!(
        activator.wait_for_exit(Duration::from_secs(15)).code(),
        Some(0)
    );
}

#[test]
fn two_instances_share_a_port_with_reuse_port() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(
        dir.path(),
        &format!(
            "{{ name: 'web', protocol: 'http', interface: '127.0.0.1:{port}', application: 'answer', reusePort: true }}"
        ),
        "process.env.INSTANCE",
    );
    let start = |name: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lactoserv"));
        command
            .env("INSTANCE", name)
            .arg(format!("--config={}", config.display()));
        ServerProcess::spawn(command)
    };
    let mut first = start("first");
    first.wait_until_listening(port);
    let mut second = start("second");
    let pids = wait_for_pids(dir.path(), 2);
    assert_eq!(pids.len(), 2);
    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.len() < 2 {
        assert!(Instant::now() < deadline, "only {seen:?} answered");
        let answer = ask(port, "GET", "/", "");
        let body = answer
            .rsplit("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        seen.insert(body);
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["first".to_owned(), "second".to_owned()]
    );
    assert_eq!(first.stop_with("TERM").code(), Some(0));
    assert_eq!(second.stop_with("TERM").code(), Some(0));
}

#[test]
fn run_under_systemd_explains_its_usage_errors() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/bin/run-under-systemd");
    let cases: [(&[&str], &str); 5] = [
        (&[], "Missing command."),
        (&["--frob"], "Unknown option: --frob"),
        (
            &["run-foreground"],
            "Service arguments required when starting service.",
        ),
        (
            &["frob"],
            "Option --service-name required for command: frob",
        ),
        (
            &["--service-name=x", "stop", "now"],
            "Service arguments not allowed when manipulating a running service.",
        ),
    ];
    for (args, message) in cases {
        let output = Command::new(&script).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with(&format!(
                "{message}\nUsage:\n  run-under-systemd run-foreground"
            )),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn run_under_systemd_refuses_to_signal_a_service_that_is_not_running() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in for systemctl reporting a stopped service.
    let systemctl = dir.path().join("systemctl");
    std::fs::write(&systemctl, "#!/bin/sh\necho MainPID=0\n").unwrap();
    std::fs::set_permissions(
        &systemctl,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/bin/run-under-systemd");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    for command in ["reload", "stop"] {
        let output = Command::new(&script)
            .env("PATH", &path)
            .args(["--service-name=site", command])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr, "Service not running: site\n");
    }
}

#[test]
fn socket_names_are_escaped_and_empty_names_keep_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let tree = ubik("build", &dir.path().join("out"));
    // `exec` keeps the PID, which is what LISTEN_PID must name.
    let output = Command::new("bash")
        .arg("-c")
        .arg(r#"export LISTEN_PID=$$ LISTEN_FDS=3 LISTEN_FDNAMES='web::a"b'; exec "$0" --service-name=x start --version"#)
        .arg(tree.join("bin/run-under-systemd"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(r#"Sockets from systemd: { "web": "/dev/fd/3", "a\"b": "/dev/fd/5" }"#),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "lactoserv v0.9.4\n"
    );
}

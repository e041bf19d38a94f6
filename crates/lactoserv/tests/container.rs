//! The container image and the Kubernetes manifests (`dist/container/`,
//! `dist/kubernetes/`, the deployment guide): the image is built with
//! `dist/container/build` from the binary under test, its file system
//! exported and run with `chroot` as the image's user, with the
//! ConfigMap's configuration where the Deployment mounts it; its settings
//! must agree with the manifests. Containers cannot run where the tests
//! do, but podman builds and exports images (installed by `.ci/run`); the
//! test runs as root, as CI does, for `chroot`.

mod manifests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use manifests::{Manifests, STOP_GRACE_SECS, endpoints, stop_delay_secs};

use crate::server::{LACTOSERV, ServerProcess, free_port};
use crate::services::ask;

/// podman with its images, state and event log in a directory of the
/// test's own, so that nothing depends on (or is left on) the machine, and
/// with nothing the machine may lack: plain directories rather than
/// overlay mounts (`vfs`), no systemd (`cgroupfs`, events in a file), no
/// namespaces for the build (`chroot`).
struct Podman {
    env: Vec<(&'static str, PathBuf)>,
}

impl Podman {
    fn new(dir: &Path) -> Self {
        let root = dir.display();
        let storage = dir.join("storage.conf");
        let settings = format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{root}/root\"\nrunroot = \"{root}/run\"\n"
        );
        std::fs::write(&storage, settings).unwrap();
        let containers = dir.join("containers.conf");
        let settings = format!(
            "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n\
             events_logfile_path = \"{root}/events.log\"\ntmp_dir = \"{root}/tmp\"\n"
        );
        std::fs::write(&containers, settings).unwrap();
        Self {
            env: vec![
                ("CONTAINERS_STORAGE_CONF", storage),
                ("CONTAINERS_CONF", containers),
                ("BUILDAH_ISOLATION", PathBuf::from("chroot")),
            ],
        }
    }

    /// `program` with podman's settings in its environment.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// `podman <args>`; gives its output.
    fn podman(&self, args: &[&str]) -> String {
        succeeded(self.command("podman").args(args).output(), "podman")
    }

    /// Builds the image with `dist/container/build` from the binary under
    /// test; gives its name.
    fn build(&self) -> String {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/container/build");
        let output = self
            .command(script)
            .arg(format!("--binary={LACTOSERV}"))
            .output();
        let printed = succeeded(output, "dist/container/build");
        printed.lines().last().unwrap().to_owned()
    }

    /// The image's file system, unpacked into `root`.
    fn export(&self, image: &str, root: &Path) {
        let id = self.podman(&["create", image]);
        let tar = root.with_extension("tar");
        let tar_arg = format!("--output={}", tar.display());
        self.podman(&["export", &tar_arg, id.trim()]);
        self.podman(&["rm", id.trim()]);
        std::fs::create_dir(root).unwrap();
        let output = Command::new("tar")
            .arg("-xf")
            .arg(&tar)
            .arg("-C")
            .arg(root)
            .output();
        succeeded(output, "tar");
        std::fs::remove_file(tar).unwrap();
    }
}

/// The stdout of a command that must have succeeded.
fn succeeded(output: std::io::Result<Output>, what: &str) -> String {
    let output = output.unwrap_or_else(|error| panic!("{what} cannot run: {error}"));
    assert!(
        output.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What a container of the image is made of: the settings `podman image
/// inspect` gives, and the image's file system, exported and unpacked.
struct Image {
    /// `uid:gid`.
    user: String,
    uid: i64,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    env: Vec<(String, String)>,
    exposed: Vec<String>,
    root: PathBuf,
}

impl Image {
    fn new(podman: &Podman, name: &str, root: PathBuf) -> Self {
        let inspected = podman.podman(&["image", "inspect", name]);
        let inspected: serde_json::Value = serde_json::from_str(&inspected).unwrap();
        let config = &inspected[0]["Config"];
        let strings = |key: &str| -> Vec<String> {
            serde_json::from_value(config[key].clone()).unwrap_or_default()
        };
        let user = config["User"].as_str().unwrap_or_default().to_owned();
        // Numeric, or Kubernetes cannot check runAsNonRoot.
        let uid = user.split(':').next().unwrap().parse();
        let uid = uid.unwrap_or_else(|_| panic!("the image's user is {user:?}"));
        let exposed = config["ExposedPorts"].as_object();
        podman.export(name, &root);
        Self {
            user,
            uid,
            entrypoint: strings("Entrypoint"),
            cmd: strings("Cmd"),
            env: strings("Env")
                .iter()
                .filter_map(|pair| pair.split_once('='))
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            exposed: exposed
                .into_iter()
                .flat_map(|map| map.keys().cloned())
                .collect(),
            root,
        }
    }

    /// What a container of the image would run: `argv`, in the image's
    /// file system, as its user, with its environment only.
    fn command(&self, argv: &[String]) -> Command {
        let mut command = Command::new("chroot");
        command
            .arg(format!("--userspec={}", self.user))
            .arg(&self.root)
            .args(argv)
            .env_clear()
            .envs(self.env.iter().cloned());
        command
    }

    /// The path of `path` (absolute in the image) from outside.
    fn path(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }
}

/// `source` listening on loopback ports of its own instead of `*:<port>`;
/// gives it and the loopback port for each of its ports.
fn on_loopback(source: &str) -> (String, BTreeMap<u16, u16>) {
    let mut source = source.to_owned();
    let mut local = BTreeMap::new();
    for endpoint in endpoints(&source) {
        let port = free_port();
        let from = format!("'{}'", endpoint.interface);
        assert_eq!(source.matches(&from).count(), 1, "{from}");
        source = source.replace(&from, &format!("'127.0.0.1:{port}'"));
        local.insert(endpoint.port, port);
    }
    (source, local)
}

/// The status line and body of `GET path` on `port`.
fn get(port: u16, path: &str) -> (String, String) {
    let answer = ask(port, "GET", path, "");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn the_image_serves_the_kubernetes_config_as_its_non_root_user() {
    let manifests = Manifests::load();
    let dir = tempfile::tempdir().unwrap();
    let podman = Podman::new(dir.path());
    let name = podman.build();
    assert_eq!(name, manifests.image(), "the Deployment runs this image");
    let image = Image::new(&podman, &name, dir.path().join("rootfs"));

    assert_ne!(image.uid, 0, "the image runs as {:?}", image.user);
    let passwd = std::fs::read_to_string(image.path("/etc/passwd")).unwrap();
    assert!(passwd.contains(&format!(":x:{}:", image.uid)), "{passwd}");
    if let Some(uid) = manifests.pod()["securityContext"]["runAsUser"].as_i64() {
        assert_eq!(uid, image.uid);
    }
    for port in manifests.container_ports().values() {
        assert!(image.exposed.contains(&format!("{port}/tcp")), "{port}");
    }
    assert_eq!(image.cmd, manifests.args(), "the Deployment's, by default");
    // No shell in the image: the entrypoint is the executable itself.
    let server = std::fs::read(image.path(&image.entrypoint[0])).unwrap();
    assert_eq!(&server[..4], b"\x7fELF");

    // It runs with only what the image holds.
    let version = Command::new(LACTOSERV).arg("--version").output();
    let version = succeeded(version, "lactoserv --version");
    let in_image = image
        .command(&[image.entrypoint[0].clone(), "--version".into()])
        .output();
    assert_eq!(succeeded(in_image, "--version in the image"), version);

    // The ConfigMap's file, where the Deployment mounts it, read by the
    // server as the Deployment starts it.
    let argv = |more: &[&str]| -> Vec<String> {
        let mut argv = image.entrypoint.clone();
        argv.extend(manifests.args());
        argv.extend(more.iter().map(|arg| (*arg).to_owned()));
        argv
    };
    let (_, source) = manifests.config_source();
    let config_file = image.path(&manifests.mounted_config_path());
    std::fs::create_dir_all(config_file.parent().unwrap()).unwrap();
    std::fs::write(&config_file, &source).unwrap();
    let checked = image.command(&argv(&["--dry-run"])).output();
    let checked = succeeded(checked, "--dry-run in the image");
    assert!(
        checked.starts_with("Configuration file is valid."),
        "{checked}"
    );

    // Served for real, on loopback ports instead of the pod's.
    let (source, local) = on_loopback(&source);
    std::fs::write(&config_file, &source).unwrap();
    let mut server = ServerProcess::spawn(image.command(&argv(&[])));
    let (log, _) = server.collect_output();
    let (probe_path, probe_port) = manifests.readiness_probe();
    let probe_port = local[&probe_port];
    server.wait_for(probe_port);
    // The probe's endpoint may listen before the whole server has
    // started: polled, as the kubelet does, until it says ready.
    let ready = ("HTTP/1.1 200 OK".to_owned(), "ready\n".to_owned());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let answer = get(probe_port, &probe_path);
        if answer == ready {
            break;
        }
        assert_eq!(answer.1, "draining\n", "starting, the probe says not ready");
        assert!(std::time::Instant::now() < deadline, "never ready");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (scrape_port, scrape_path) = manifests.scrape_target();
    let (status, metrics) = get(local[&scrape_port], &scrape_path);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(metrics.contains("\nlactoserv_ready 1\n"), "{metrics}");

    // A stop: the probe says draining for stopDelay while the site is
    // still served, then the process is out within the pod's grace
    // period, with room left for the drain.
    let delay = stop_delay_secs(&source);
    let grace = manifests.grace_period_secs();
    let stopping = Instant::now();
    server.signal("TERM");
    let deadline = stopping + Duration::from_secs_f64(delay);
    while get(probe_port, &probe_path).0 != "HTTP/1.1 503 Service Unavailable" {
        assert!(Instant::now() < deadline, "never draining");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(get(probe_port, "/").0, "HTTP/1.1 200 OK");
    let status = server.wait_for_exit(Duration::from_secs_f64(grace));
    let stopped = stopping.elapsed().as_secs_f64();
    assert!(status.success(), "{status:?}\n{}", log.lock().unwrap());
    assert!(stopped >= delay, "stopped after {stopped} s");
    assert!(
        stopped + STOP_GRACE_SECS <= grace,
        "stopped after {stopped} s"
    );
}

//! Pebble, Let's Encrypt's ACME test server (Debian's `pebble`, which
//! `.ci/run` installs), started for one test on loopback ports with
//! `pebble-challtestsrv` as its DNS server, which points every name at
//! 127.0.0.1. Its validation is real: it fetches http-01 answers from
//! [`Pebble::http_port`] and makes tls-alpn-01 handshakes to
//! [`Pebble::tls_port`], where the server under test must listen.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::ports::free_ports;

/// A running Pebble, stopped when dropped.
pub struct Pebble {
    dir: tempfile::TempDir,
    children: Vec<Child>,
    acme_port: u16,
    management_port: u16,
    /// Where Pebble's validator fetches http-01 answers.
    pub http_port: u16,
    /// Where it makes tls-alpn-01 handshakes.
    pub tls_port: u16,
    /// Its DNS server's port and that server's management port.
    dns_ports: (u16, u16),
}

impl Pebble {
    /// Starts Pebble with certificates valid for `validity` (its default,
    /// five years, when `None`), and waits until it answers.
    pub fn start(validity: Option<Duration>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let [
            acme_port,
            management_port,
            http_port,
            tls_port,
            dns_port,
            dns_management,
        ] = free_ports::<6>();
        // Pebble's own HTTPS certificate (an end entity: the client is
        // told to trust it as it is).
        let key = rcgen::KeyPair::generate().unwrap();
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let certificate = rcgen::CertificateParams::new(names)
            .unwrap()
            .self_signed(&key)
            .unwrap();
        std::fs::write(dir.path().join("cert.pem"), certificate.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
        let mut settings = format!(
            r#"{{"pebble": {{"listenAddress": "127.0.0.1:{acme_port}",
  "managementListenAddress": "127.0.0.1:{management_port}",
  "certificate": "{cert}", "privateKey": "{key}",
  "httpPort": {http_port}, "tlsPort": {tls_port}"#,
            cert = dir.path().join("cert.pem").display(),
            key = dir.path().join("key.pem").display(),
        );
        if let Some(validity) = validity {
            settings.push_str(&format!(
                r#", "certificateValidityPeriod": {}"#,
                validity.as_secs()
            ));
        }
        settings.push_str("}}");
        std::fs::write(dir.path().join("pebble.json"), settings).unwrap();
        let mut pebble = Self {
            dir,
            children: Vec::new(),
            acme_port,
            management_port,
            http_port,
            tls_port,
            dns_ports: (dns_port, dns_management),
        };
        pebble.resume();
        pebble
    }

    /// Stops Pebble (an authority that is down).
    pub fn pause(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
    }

    /// Starts Pebble again, on the same ports, and waits until it answers
    /// (with a new issuing root: see [`Pebble::issuing_root`]).
    pub fn resume(&mut self) {
        let dir = self.dir.path();
        let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let (dns_port, dns_management) = self.dns_ports;
        let dns = Command::new("pebble-challtestsrv")
            .args(["-dns01", &format!("127.0.0.1:{dns_port}")])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-management", &format!("127.0.0.1:{dns_management}")])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(log("dns.log"))
            .stderr(log("dns.err"))
            .spawn()
            .expect("pebble-challtestsrv runs");
        let pebble = Command::new("pebble")
            .arg("-config")
            .arg(dir.join("pebble.json"))
            .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(log("pebble.log"))
            .stderr(log("pebble.err"))
            .spawn()
            .expect("pebble runs");
        self.children = vec![pebble, dns];
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.acme_port)).is_err() {
            assert!(Instant::now() < deadline, "Pebble did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The directory URL.
    pub fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.acme_port)
    }

    /// The PEM certificate of Pebble's own HTTPS (for `directoryCertificate`).
    pub fn directory_certificate(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("cert.pem")).unwrap()
    }

    /// The PEM root Pebble issues under (made anew at each start).
    pub fn issuing_root(&self) -> String {
        let url = format!("https://127.0.0.1:{}/roots/0", self.management_port);
        let output = Command::new("curl")
            .args(["-sf", "--cacert"])
            .arg(self.dir.path().join("cert.pem"))
            .arg(url)
            .output()
            .expect("curl runs");
        assert!(output.status.success(), "no root from Pebble");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Pebble's folder (its log is `pebble.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        self.pause();
    }
}

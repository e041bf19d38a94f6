//! HTTP/3's UDP sockets: inherited, as systemd hands them over with
//! `ListenStream=` and `ListenDatagram=` on one port (the endpoint names
//! its TCP socket, `/dev/fd/3`, and finds the UDP socket on the same
//! address among the descriptors it inherited, also across a reload; with
//! no such socket it refuses to start, saying what is missing); and shared
//! by two instances with `reusePort`.

use std::process::{Command, Stdio};

use lactoserv_test_util::http3::Http3Client;
use lactoserv_test_util::ports::free_port;

use crate::server::{LACTOSERV, ServerProcess};
use crate::util::{client, config_file};

/// The server started by a launcher that binds loopback `port` itself,
/// TCP as descriptor 3 and, if `udp`, UDP as descriptor 4, as systemd
/// does, with `--log-to-stdout`.
fn launch(config: &std::path::Path, port: u16, udp: bool) -> ServerProcess {
    let launcher = r#"
import os, socket, sys
port, udp = int(sys.argv[1]), sys.argv[2] == "udp"
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(('127.0.0.1', port))
tcp.listen(64)
os.dup2(tcp.fileno(), 3)
os.set_inheritable(3, True)
if udp:
    dgram = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dgram.bind(('127.0.0.1', port))
    os.dup2(dgram.fileno(), 4)
    os.set_inheritable(4, True)
os.execv(sys.argv[3], sys.argv[3:])
"#;
    let mut command = Command::new("python3");
    command
        .args([
            "-c",
            launcher,
            &port.to_string(),
            if udp { "udp" } else { "tcp" },
        ])
        .arg(LACTOSERV)
        .arg(format!("--config={}", config.display()))
        .arg("--log-to-stdout")
        .stdin(Stdio::null());
    ServerProcess::spawn(command)
}

const CONFIG: &str = "import { SimpleResponse } from '@lactoserv/webapp-builtins';
export default {
  hosts: [{ hostnames: ['*'], selfSigned: true }],
  applications: [{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }],
  endpoints: [{ name: 'web', protocol: 'http2', http3: true, interface: '/dev/fd/3', application: 'hello' }]
};
";

/// HTTP/3 answers `hello` on `port`, once the server is up.
async fn answers_over_http3(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Ok(mut h3) = Http3Client::connect(port, "localhost").await
            && let Ok(answer) = h3.get("/", &[]).await
        {
            assert_eq!(answer.body, b"hello\n");
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no HTTP/3 answer");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn http3_takes_the_inherited_udp_socket_beside_the_tcp_one() {
    let config = config_file("config.mjs", CONFIG);
    let port = free_port();
    let server = launch(&config.path, port, true);
    answers_over_http3(port).await;
    let h2 = client().http2_prior_knowledge().build().unwrap();
    let response = h2
        .get(format!("https://localhost:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["alt-svc"],
        format!("h3=\":{port}\"; ma=86400").as_str()
    );
    // A reload hands the QUIC endpoint, and its socket, on.
    server.signal("HUP");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    answers_over_http3(port).await;
    let (status, log) = server.stop_and_read("TERM");
    assert!(status.success(), "{log}");
    assert!(log.contains(" reloaded()"), "{log}");
}

#[test]
fn without_an_inherited_udp_socket_the_server_says_what_is_missing() {
    let config = config_file("config.mjs", CONFIG);
    let port = free_port();
    let mut server = launch(&config.path, port, false);
    let (stdout, stderr) = server.collect_output();
    let status = server.wait_for_exit(std::time::Duration::from_secs(20));
    assert!(!status.success());
    std::thread::sleep(std::time::Duration::from_millis(100));
    let log = format!("{}{}", stdout.lock().unwrap(), stderr.lock().unwrap());
    assert!(
        log.contains("no inherited UDP socket on 127.0.0.1:") && log.contains("ListenDatagram="),
        "{log}"
    );
}

#[tokio::test]
async fn two_instances_share_the_udp_port_with_reuse_port() {
    let port = free_port();
    let source = |name: &str| {
        format!(
            "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  hosts: [{{ hostnames: ['*'], selfSigned: true }}],
  applications: [{{ name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: '{name}' }}],
  endpoints: [{{ name: 'web', protocol: 'http2', http3: true, reusePort: true,
    interface: '127.0.0.1:{port}', application: 'hello' }}]
}};
"
        )
    };
    let first_config = config_file("config.mjs", &source("first"));
    let second_config = config_file("config.mjs", &source("second"));
    // Both fully up before any client comes: an instance joining the
    // port moves some clients' packets to itself (see docs/http3.md).
    let start = |config: &std::path::Path| {
        let mut server =
            ServerProcess::start_with_args(LACTOSERV, config, port, &["--log-to-stdout"]);
        let (log, _) = server.collect_output();
        (server, log)
    };
    let (_first, first_log) = start(&first_config.path);
    let (_second, second_log) = start(&second_config.path);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    for log in [first_log, second_log] {
        while !log.lock().unwrap().contains(" webapp started()") {
            assert!(
                std::time::Instant::now() < deadline,
                "{}",
                log.lock().unwrap()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // Each new client comes from a port of its own, which the kernel
    // hashes to one instance or the other.
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {seen:?} answered"
        );
        let mut h3 = Http3Client::connect(port, "localhost").await.unwrap();
        let answer = h3.get("/", &[]).await.unwrap();
        seen.insert(String::from_utf8(answer.body).unwrap());
        h3.close();
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["first", "second"]);
}

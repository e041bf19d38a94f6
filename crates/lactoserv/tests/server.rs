//! A running server, started from the real binary on a config file, for
//! tests that talk to it over real sockets.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port for a server to bind.
pub(crate) fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// Where test ports are taken from: below the range the kernel hands out
/// for `bind(0)` and for clients' source ports (32768 and up), so that no
/// port given to one test can be given to anything else between its check
/// and the server's bind.
const PORTS: std::ops::Range<u32> = 20_000..32_000;

/// `N` consecutive loopback ports, free when checked, never given to
/// another test of this process.
pub(crate) fn free_ports<const N: usize>() -> [u16; N] {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = PORTS.end - PORTS.start;
    // Another test process running at the same time starts elsewhere.
    let offset = std::process::id() % 60 * 200;
    loop {
        let taken = NEXT.fetch_add(N as u32, Ordering::Relaxed);
        let first = PORTS.start + (offset + taken) % (span - N as u32);
        let ports: [u16; N] = std::array::from_fn(|i| (first + i as u32) as u16);
        let free = ports
            .iter()
            .all(|&port| TcpListener::bind(("127.0.0.1", port)).is_ok());
        if free {
            return ports;
        }
    }
}

/// A `lactoserv` process, killed when dropped.
pub(crate) struct ServerProcess {
    child: Child,
}

impl ServerProcess {
    /// Starts `lactoserv --config=<config>` and waits until `port` accepts
    /// connections.
    pub(crate) fn start(config: &Path, port: u16) -> Self {
        Self::start_with_args(config, port, &[])
    }

    /// Like [`Self::start`], with more command-line arguments.
    pub(crate) fn start_with_args(config: &Path, port: u16, args: &[&str]) -> Self {
        Self::start_in(Path::new("."), config, port, args)
    }

    /// Like [`Self::start_with_args`], in working directory `dir`.
    pub(crate) fn start_in(dir: &Path, config: &Path, port: u16, args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lactoserv"));
        command
            .current_dir(dir)
            .arg(format!("--config={}", config.display()))
            .args(args);
        let mut server = Self::spawn(command);
        server.wait_for(port);
        server
    }

    /// Runs `command` (a server, or something that starts one), with
    /// stdout and stderr piped; waits for nothing.
    pub(crate) fn spawn(mut command: Command) -> Self {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        Self { child }
    }

    /// Starts the server through a small launcher that binds a loopback
    /// socket itself and hands it over as descriptor 3, the way systemd
    /// socket activation does; gives the server and the port.
    pub(crate) fn start_with_inherited_socket(config: &Path) -> (Self, u16) {
        let port = free_port();
        let launcher = r#"
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(64)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.execv(sys.argv[2], sys.argv[2:])
"#;
        let child = Command::new("python3")
            .args([
                "-c",
                launcher,
                &port.to_string(),
                env!("CARGO_BIN_EXE_lactoserv"),
            ])
            .arg(format!("--config={}", config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the launcher starts");
        let mut server = Self { child };
        server.wait_for_an_answer(port);
        (server, port)
    }

    /// Waits until the server answers an HTTP request on `port`: with an
    /// inherited socket, connections are taken (into the backlog) before
    /// the server has started, so being able to connect says nothing.
    fn wait_for_an_answer(&mut self, port: u16) {
        use std::io::{Read as _, Write as _};
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answered = TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                .and_then(|mut stream| {
                    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
                    stream.write_all(b"HEAD / HTTP/1.0\r\n\r\n")?;
                    let mut first = [0u8; 5];
                    stream.read_exact(&mut first)?;
                    Ok(&first == b"HTTP/")
                })
                .unwrap_or(false);
            if answered {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let output = self.child_output();
                panic!("the server exited early ({status}):\n{output}");
            }
            assert!(
                Instant::now() < deadline,
                "the server never answered on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (at most `limit`) for the server to exit by itself.
    pub(crate) fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process ID.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `port` accepts connections.
    pub(crate) fn wait_until_listening(&self, port: u16) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server never listened on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_for(&mut self, port: u16) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                let output = self.child_output();
                panic!("the server exited early ({status}):\n{output}");
            }
            assert!(
                Instant::now() < deadline,
                "the server never listened on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn child_output(&mut self) -> String {
        use std::io::Read as _;
        let mut text = String::new();
        if let Some(stdout) = self.child.stdout.as_mut() {
            let _ = stdout.read_to_string(&mut text);
        }
        if let Some(stderr) = self.child.stderr.as_mut() {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    }

    /// Stops the process with `signal` and gives its status and stdout
    /// (read while it stops, so that a long log cannot fill the pipe and
    /// hold the process up).
    pub(crate) fn stop_and_read(mut self, signal: &str) -> (ExitStatus, String) {
        use std::io::Read as _;
        let mut stdout = self.child.stdout.take().expect("stdout is piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let status = self.stop_with(signal);
        (status, reader.join().unwrap())
    }

    /// Sends `signal` (e.g. `HUP`) without waiting for anything.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Reads the process's stdout and stderr as they come, into the
    /// returned buffers (so a chatty log never fills the pipe).
    pub(crate) fn collect_output(&mut self) -> (Collected, Collected) {
        (
            collect(self.child.stdout.take().expect("stdout is piped")),
            collect(self.child.stderr.take().expect("stderr is piped")),
        )
    }

    /// Sends `signal` (e.g. `TERM`) and waits for the process to exit.
    pub(crate) fn stop_with(&mut self, signal: &str) -> ExitStatus {
        self.signal(signal);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Output read so far from one of a process's pipes.
pub(crate) type Collected = std::sync::Arc<std::sync::Mutex<String>>;

fn collect(mut pipe: impl std::io::Read + Send + 'static) -> Collected {
    let text = Collected::default();
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buffer = [0_u8; 8192];
        while let Ok(n @ 1..) = pipe.read(&mut buffer) {
            let chunk = String::from_utf8_lossy(&buffer[..n]).into_owned();
            sink.lock().unwrap().push_str(&chunk);
        }
    });
    text
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

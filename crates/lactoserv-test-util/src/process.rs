//! A server under test as a process of its own, started from its binary on
//! a config file, and talked to over real sockets.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::ports::free_port;

/// A server process, killed when dropped.
pub struct ServerProcess {
    child: Child,
}

impl ServerProcess {
    /// Starts `<binary> --config=<config>` and waits until `port` accepts
    /// connections.
    pub fn start(binary: impl AsRef<Path>, config: &Path, port: u16) -> Self {
        Self::start_with_args(binary, config, port, &[])
    }

    /// Like [`Self::start`], with more command-line arguments.
    pub fn start_with_args(
        binary: impl AsRef<Path>,
        config: &Path,
        port: u16,
        args: &[&str],
    ) -> Self {
        Self::start_in(binary, Path::new("."), config, port, args)
    }

    /// Like [`Self::start_with_args`], in working directory `dir`.
    pub fn start_in(
        binary: impl AsRef<Path>,
        dir: &Path,
        config: &Path,
        port: u16,
        args: &[&str],
    ) -> Self {
        let mut command = Command::new(binary.as_ref());
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
    pub fn spawn(mut command: Command) -> Self {
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
    pub fn start_with_inherited_socket(binary: impl AsRef<Path>, config: &Path) -> (Self, u16) {
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
            .args(["-c", launcher, &port.to_string()])
            .arg(binary.as_ref())
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
    pub fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's resident set size, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches(" kB").trim().parse().ok())
            .expect("the status has VmRSS")
    }

    /// The server's process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `port` accepts connections.
    pub fn wait_until_listening(&self, port: u16) {
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

    /// Waits until `port` accepts connections, failing at once with the
    /// server's output if it exits first.
    pub fn wait_for(&mut self, port: u16) {
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
    pub fn stop_and_read(mut self, signal: &str) -> (ExitStatus, String) {
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
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Reads the process's stdout and stderr as they come, into the
    /// returned buffers (so a chatty log never fills the pipe).
    pub fn collect_output(&mut self) -> (Collected, Collected) {
        (
            collect(self.child.stdout.take().expect("stdout is piped")),
            collect(self.child.stderr.take().expect("stderr is piped")),
        )
    }

    /// Sends `signal` (e.g. `TERM`) and waits for the process to exit.
    pub fn stop_with(&mut self, signal: &str) -> ExitStatus {
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
pub type Collected = std::sync::Arc<std::sync::Mutex<String>>;

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

/// `reader.read(buf)`, tried again when a signal interrupts it (the test
/// process gets signals as the servers it started exit).
pub fn read_some(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            read => return read,
        }
    }
}

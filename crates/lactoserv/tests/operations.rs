//! Operations through the real binary and real signals (spec 01 §4): clean
//! stops with requests in flight, the four-signal rule, the forced exit,
//! reloads that fail no request, heap dumps and the debug run-time limit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::server::{Collected, LACTOSERV, ServerProcess, free_port, read_some};
use crate::util::client;

/// A config whose `/` answers `body` and whose `/slow` waits `delay` first.
fn write_config(path: &Path, port: u16, body: &str, delay: &str) {
    std::fs::write(
        path,
        format!(
            "import {{ PathRouter, RequestDelay, SerialRouter, SimpleResponse }}
  from '@lactoserv/webapp-builtins';
export default {{
  applications: [
    {{ name: 'answer', class: SimpleResponse, contentType: 'text/plain', body: '{body}' }},
    {{ name: 'wait', class: RequestDelay, delay: '{delay}' }},
    {{ name: 'slow', class: SerialRouter, applications: ['wait', 'answer'] }},
    {{ name: 'paths', class: PathRouter, paths: {{ '/slow': 'slow', '/*': 'answer' }} }}
  ],
  endpoints: [
    {{ name: 'plain', protocol: 'http', interface: '127.0.0.1:{port}', application: 'paths' }}
  ]
}};
"
        ),
    )
    .unwrap();
}

fn start(delay: &str, args: &[&str]) -> (tempfile::TempDir, ServerProcess, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    write_config(&config, port, "one", delay);
    let server = ServerProcess::start_in(LACTOSERV, dir.path(), &config, port, args);
    (dir, server, port)
}

fn wait_for(output: &Collected, needle: &str, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let text = output.lock().unwrap().clone();
        if text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "no {needle:?} in:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_before_a_clean_stop() {
    let (_dir, mut server, port) = start("1 sec", &[]);
    let url = format!("http://127.0.0.1:{port}/slow");
    let request = tokio::spawn(async move { client().build().unwrap().get(&url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("TERM");
    let response = request.await.unwrap().expect("the request is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "one");
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fourth_termination_signal_exits_at_once() {
    let (_dir, mut server, port) = start("1 min", &["--log-to-stdout"]);
    let (stdout, stderr) = server.collect_output();
    let url = format!("http://127.0.0.1:{port}/slow");
    let _request = tokio::spawn(async move { client().build().unwrap().get(&url).send().await });
    wait_for(&stdout, "incomingRequest(", Duration::from_secs(5));
    let started = Instant::now();
    for _ in 0..4 {
        server.signal("INT");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = server.wait_for_exit(Duration::from_secs(5));
    assert_eq!(status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));
    wait_for(
        &stderr,
        "Not waiting for clean shutdown. Bye!",
        Duration::from_secs(1),
    );
    let log = stdout.lock().unwrap().clone();
    assert!(log.contains(" host.signal.SIGINT exiting(3)"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_gives_up_on_requests_that_outlast_the_grace_period() {
    let (_dir, mut server, port) = start("1 min", &[]);
    let (stdout, _stderr) = server.collect_output();
    let url = format!("http://127.0.0.1:{port}/slow");
    let request = tokio::spawn(async move { client().build().unwrap().get(&url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    server.signal("TERM");
    let status = server.wait_for_exit(Duration::from_secs(20));
    let took = started.elapsed();
    assert_eq!(status.code(), Some(1));
    assert!(took >= Duration::from_secs(9), "{took:?}");
    assert!(request.await.unwrap().is_err(), "the request was cut off");
    let out = wait_for(&stdout, "Exiting with code: 1", Duration::from_secs(1));
    assert!(
        out.contains(
            "Unexpected error in callback runner:\n Error: Timed out during callback handler!"
        ),
        "{out}"
    );
}

/// Requests `url` over and over (fresh and reused connections) until told
/// to stop; counts failures, and records the last body seen and the first
/// failure.
struct Load {
    stop: Arc<AtomicBool>,
    failures: Arc<AtomicUsize>,
    answers: Arc<AtomicUsize>,
    last: Arc<std::sync::Mutex<String>>,
    first_failure: Arc<std::sync::Mutex<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl Load {
    fn start(url: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let failures = Arc::new(AtomicUsize::new(0));
        let answers = Arc::new(AtomicUsize::new(0));
        let last = Arc::new(std::sync::Mutex::new(String::new()));
        let first_failure = Arc::new(std::sync::Mutex::new(String::new()));
        let task = tokio::spawn({
            let (stop, failures, answers, last, first_failure) = (
                stop.clone(),
                failures.clone(),
                answers.clone(),
                last.clone(),
                first_failure.clone(),
            );
            async move {
                let mut round = 0_usize;
                let mut client = client().build().unwrap();
                while !stop.load(Ordering::Relaxed) {
                    round += 1;
                    if round.is_multiple_of(5) {
                        client = client_fresh();
                    }
                    match client.get(&url).send().await {
                        Ok(response) if response.status() == 200 => {
                            *last.lock().unwrap() = response.text().await.unwrap_or_default();
                            answers.fetch_add(1, Ordering::Relaxed);
                        }
                        outcome => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            let mut first = first_failure.lock().unwrap();
                            if first.is_empty() {
                                *first = match outcome {
                                    Ok(response) => format!("status {}", response.status()),
                                    Err(err) => format!("{err:?}"),
                                };
                            }
                        }
                    }
                }
            }
        });
        Self {
            stop,
            failures,
            answers,
            last,
            first_failure,
            task,
        }
    }

    async fn wait_for_body(&self, body: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while *self.last.lock().unwrap() != body {
            assert!(Instant::now() < deadline, "never saw {body:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the load; gives the number of answers, of failures, and the
    /// first failure.
    async fn finish(self) -> (usize, usize, String) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap();
        let first = self.first_failure.lock().unwrap().clone();
        (
            self.answers.load(Ordering::Relaxed),
            self.failures.load(Ordering::Relaxed),
            first,
        )
    }
}

fn client_fresh() -> reqwest::Client {
    client().build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_without_failing_a_request_and_keeps_serving_after_a_broken_config() {
    let (dir, mut server, port) = start("1 sec", &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    let config = dir.path().join("config.mjs");
    let load = Load::start(format!("http://127.0.0.1:{port}/"));
    load.wait_for_body("one").await;

    // A slow request on the old configuration finishes on it.
    let slow_url = format!("http://127.0.0.1:{port}/slow");
    let slow = tokio::spawn(async move { client().build().unwrap().get(&slow_url).send().await });
    tokio::time::sleep(Duration::from_millis(200)).await;

    write_config(&config, port, "two", "1 sec");
    server.signal("HUP");
    load.wait_for_body("two").await;
    let slow = slow.await.unwrap().expect("the slow request is answered");
    assert_eq!(slow.text().await.unwrap(), "one");
    wait_for(&stdout, " main.system reloaded()", Duration::from_secs(5));

    std::fs::write(&config, "export default { endpoints: [ syntax error").unwrap();
    server.signal("HUP");
    let log = wait_for(
        &stdout,
        " main.system notReloading()",
        Duration::from_secs(5),
    );
    assert!(log.contains("errorDuringReload("), "{log}");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (answers, failures, first) = load.finish().await;
    assert_eq!(failures, 0, "{answers} answered; first failure: {first}");
    assert!(answers > 10, "{answers}");
    let response = client_fresh()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "two");
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

/// Sends a GET for `/` on `stream` and reads the response head and its
/// (short, length-delimited) body.
fn exchange(stream: &mut std::net::TcpStream) -> String {
    use std::io::Write;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    let mut buf = [0_u8; 4096];
    loop {
        let n = read_some(stream, &mut buf).unwrap();
        assert!(
            n > 0,
            "closed early: {}",
            String::from_utf8_lossy(&response)
        );
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return text.into_owned();
            }
        }
    }
}

#[test]
fn a_reload_answers_the_next_request_of_a_kept_alive_connection_and_closes_it() {
    use std::io::Read;
    let (dir, mut server, port) = start("1 sec", &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let first = exchange(&mut stream);
    assert!(first.contains("connection: keep-alive\r\n"), "{first}");

    write_config(&dir.path().join("config.mjs"), port, "two", "1 sec");
    server.signal("HUP");
    wait_for(&stdout, " main.system reloaded()", Duration::from_secs(5));

    // The connection idle on the old configuration is not closed under
    // the client: its next request is answered there, with a close.
    let second = exchange(&mut stream);
    assert!(second.ends_with("\r\n\r\none"), "{second}");
    assert!(second.contains("connection: close\r\n"), "{second}");
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0);
    let mut fresh = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(exchange(&mut fresh).ends_with("two"));
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_to_another_port_closes_the_old_one() {
    let (dir, mut server, port) = start("1 sec", &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    let new_port = free_port();
    write_config(&dir.path().join("config.mjs"), new_port, "two", "1 sec");
    server.signal("HUP");
    let log = wait_for(&stdout, " main.system reloaded()", Duration::from_secs(5));
    assert!(
        log.contains(" webapp.endpoint.plain stashTimeout()"),
        "{log}"
    );
    let response = client_fresh()
        .get(format!("http://127.0.0.1:{new_port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "two");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_whose_new_port_is_taken_leaves_the_old_configuration_serving() {
    let (dir, mut server, port) = start("1 sec", &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    write_config(&dir.path().join("config.mjs"), taken_port, "two", "1 sec");
    server.signal("HUP");
    let log = wait_for(
        &stdout,
        " main.system notReloading()",
        Duration::from_secs(5),
    );
    assert!(log.contains("errorDuringStart("), "{log}");
    let response = client_fresh()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "one");
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

#[test]
fn sigusr2_writes_a_heap_profile_and_the_server_keeps_serving() {
    let (dir, mut server, port) = start("1 sec", &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    server.signal("USR2");
    let log = wait_for(
        &stdout,
        " host.signal.SIGUSR2 dumped()",
        Duration::from_secs(10),
    );
    let profile = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("lactoserv-") && name.ends_with(".heap"))
        .unwrap_or_else(|| panic!("no profile written:\n{log}"));
    assert!(
        log.contains(&format!("dumpedTo('{}", dir.path().display())),
        "{log}"
    );
    let text = std::fs::read_to_string(dir.path().join(&profile)).unwrap();
    assert!(text.starts_with("heap_v2/"), "{profile}: {text:.100}");
    let answer = crate::services::ask(port, "GET", "/", "");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

#[test]
fn max_run_time_stops_the_server_cleanly() {
    let (_dir, mut server, _port) = start("1 sec", &["--log-to-stdout", "--max-run-time-sec=1"]);
    let (stdout, _stderr) = server.collect_output();
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0));
    let log = wait_for(&stdout, " host.shutdown bye(0)", Duration::from_secs(1));
    for event in ["timerStarted(", "timeRemaining(", "timerExpired("] {
        assert!(log.contains(&format!(" main.debug {event}")), "{log}");
    }
}

#[test]
fn early_errors_are_reported_and_stop_the_server_with_status_1() {
    let (_dir, mut server, _port) = start("1 sec", &["--log-to-stdout", "--early-errors"]);
    let (stdout, stderr) = server.collect_output();
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(1));
    let out = wait_for(&stdout, "Exiting with code: 1\n", Duration::from_secs(1));
    let err = stderr.lock().unwrap().clone();
    assert!(
        err.contains(
            "\n\nUnhandled promise rejection:\nError: I am an unhandled promise rejection.\n\n\
             caused by:\nCausewayError: I am a cause.\n  name: 'CausewayError'\n  code: 'CAUSAL-9000'\n\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "\n\nUncaught exception:\nError: I am an uncaught exception (from a callback)."
        ),
        "{err}"
    );
    for event in [
        " host.topError\n  rejectionHandledSlowly(",
        " host.topError\n  unhandledRejection(",
        " host.topError uncaughtException({ '@Error': { message: 'I am an uncaught exception",
        " host.shutdown exiting(1)",
        " main.system stopped('shutdown')",
        " host.shutdown bye(1)",
    ] {
        assert!(out.contains(event), "no {event:?} in:\n{out}");
    }
    // The final report: both problems in order, then the product and code.
    let report = &out[out.find("\nUnhandled rejection:\n").expect(&out)..];
    assert!(
        report.starts_with(
            "\nUnhandled rejection:\nError: I am an unhandled promise rejection.\n\n\
             caused by:\nCausewayError: I am a cause.\n"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "\nUncaught exception:\nError: I am an uncaught exception (from a callback).\n"
        ),
        "{report}"
    );
    assert!(report.ends_with("\n\nExiting with code: 1\n"), "{report}");
}

#[test]
fn a_port_taken_at_start_is_a_fatal_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.mjs");
    write_config(&config, port, "one", "1 sec");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lactoserv"))
        .arg(format!("--config={}", config.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.starts_with("\n\nUncaught exception:\nError: "), "{err}");
    assert!(err.contains("Address already in use"), "{err}");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.starts_with("\nUncaught exception:\nError: "), "{out}");
    assert!(out.ends_with("\n\nExiting with code: 1\n"), "{out}");
}

#[test]
fn a_half_sent_request_head_does_not_hold_up_a_stop() {
    use std::io::Write;
    let (_dir, mut server, port) = start("1 sec", &[]);
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: loc").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    // Not a request in progress: the stop is clean, and quick.
    assert_eq!(server.stop_with("TERM").code(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_tls_handshake_that_never_comes_does_not_hold_up_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    crate::util::write_tls_config(&config, "https", port, "hi");
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let _silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    assert_eq!(server.stop_with("TERM").code(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_clients_see_no_failure_across_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("config.mjs");
    crate::util::write_tls_config(&config, "http2", port, "one");
    let mut server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    let (stdout, _stderr) = server.collect_output();
    let load = Load::start(format!("https://localhost:{port}/"));
    load.wait_for_body("one").await;
    for body in ["two", "three"] {
        crate::util::write_tls_config(&config, "http2", port, body);
        server.signal("HUP");
        load.wait_for_body(body).await;
    }
    wait_for(&stdout, " main.system reloaded()", Duration::from_secs(5));
    let (answers, failures, first) = load.finish().await;
    assert_eq!(failures, 0, "{answers} answered; first failure: {first}");
    assert_eq!(server.stop_with("TERM").code(), Some(0));
}

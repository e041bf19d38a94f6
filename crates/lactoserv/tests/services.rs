//! Services through the real binary: the system log in files, process ID
//! and info files, the memory monitor, the logging section and the
//! connection rate limiter. (Access logs are in `access_logs.rs`.)

use std::path::{Path, PathBuf};

use crate::server::{LACTOSERV, ServerProcess, free_ports};

#[test]
fn a_process_id_file_lives_as_long_as_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("run/lactoserv.pid");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "ProcessIdFile",
        &format!(
            "{{ name: 'pid', class: ProcessIdFile, path: '{}' }}",
            pid_file.display()
        ),
        "",
        port,
        "",
    );
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let expected = format!("{}\n", server.pid());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(&pid_file).ok().as_deref() != Some(expected.as_str()) {
        assert!(std::time::Instant::now() < deadline, "no pid file");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(server.stop_with("TERM").success());
    assert!(!pid_file.exists(), "removed at stop");
}

/// Writes a config in `dir` and gives its path: the services `services`
/// (items of a JavaScript array, of the built-in classes `classes`), a
/// SimpleResponse `hi` with `hi` bindings added, and an `http` endpoint
/// `ep` on `port` with `endpoint` bindings added.
pub(crate) fn service_config(
    dir: &Path,
    classes: &str,
    services: &str,
    hi: &str,
    port: u16,
    endpoint: &str,
) -> PathBuf {
    let path = dir.join("config.mjs");
    let source = format!(
        "import {{ SimpleResponse, {classes} }} from '@lactoserv/webapp-builtins';
export default {{
  services: [{services}],
  applications: [{{ name: 'hi', class: SimpleResponse{hi} }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi'{endpoint} }}]
}};
"
    );
    std::fs::write(&path, source).unwrap();
    path
}

/// Sends `<method> <target>` (with `Host: a` and `headers`) on a connection
/// of its own, and gives the whole answer.
pub(crate) fn ask(port: u16, method: &str, target: &str, headers: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request =
        format!("{method} {target} HTTP/1.1\r\nHost: a\r\n{headers}Connection: close\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    answer
}

/// Waits until `path` holds JSON that `ready` accepts, and gives it.
fn wait_for_json(path: &Path, ready: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(value) = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .filter(&ready)
        {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "{}", path.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_process_info_file_survives_a_killed_run() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("info/process.json");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "ProcessInfoFile",
        &format!(
            "{{ name: 'info', class: ProcessInfoFile, path: '{}', save: {{ onStart: true }} }}",
            info.display()
        ),
        "",
        port,
        "",
    );
    let mut first = ServerProcess::start(LACTOSERV, &config, port);
    let first_pid = u64::from(first.pid());
    let running = wait_for_json(&info, |v| v["pid"] == first_pid);
    assert_eq!(running["disposition"]["running"], true);
    assert_eq!(running["product"]["name"], "lactoserv");
    first.stop_with("KILL");

    let mut second = ServerProcess::start(LACTOSERV, &config, port);
    let second_pid = u64::from(second.pid());
    wait_for_json(&info, |v| v["pid"] == second_pid);
    let saved: Vec<std::path::PathBuf> = std::fs::read_dir(info.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &info)
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let old: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap();
    assert_eq!(old["pid"], first_pid);
    assert_eq!(old["disposition"]["abruptlyStopped"], true);
    assert!(old["disposition"].get("running").is_none());

    assert!(second.stop_with("TERM").success());
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    assert_eq!(stopped["disposition"]["exitCode"], 0);
}

#[test]
fn a_process_info_file_keeps_earlier_runs_across_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("process.json");
    let saved_info = dir.path().join("saved/process.json");
    let [port] = free_ports::<1>();
    let services = format!(
        "{{ name: 'info', class: ProcessInfoFile, path: '{}' }},
    {{ name: 'saved', class: ProcessInfoFile, path: '{}', save: {{ onStart: true }} }}",
        info.display(),
        saved_info.display()
    );
    let config = service_config(dir.path(), "ProcessInfoFile", &services, "", port, "");
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let first = wait_for_json(&info, |v| v["disposition"]["running"] == true);
    assert!(first.get("earlierRuns").is_none());

    server.signal("HUP");
    let second = wait_for_json(&info, |v| v.get("earlierRuns").is_some());
    let earlier = second["earlierRuns"].as_array().unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0]["disposition"]["reloading"], true);
    assert!(earlier[0]["disposition"]["stoppedAt"]["atSec"].is_number());
    assert_eq!(earlier[0]["startedAt"], first["startedAt"]);
    assert_ne!(
        second["startedAt"], first["startedAt"],
        "the reload's start"
    );
    let keys: Vec<&String> = second.as_object().unwrap().keys().collect();
    assert_eq!(keys.last().map(|k| k.as_str()), Some("earlierRuns"));

    // With `save.onStart` the earlier file was moved away.
    let saved = wait_for_json(&saved_info, |v| v.get("earlierRuns").is_some());
    assert_eq!(
        saved["earlierRuns"],
        serde_json::json!([{ "disposition": "inOtherInfoFiles" }])
    );

    server.signal("HUP");
    let third = wait_for_json(&info, |v| {
        v["earlierRuns"]
            .as_array()
            .is_some_and(|runs| runs.len() == 2)
    });
    assert!(third["earlierRuns"][1].get("earlierRuns").is_none());
    assert!(server.stop_with("TERM").success());
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    assert_eq!(stopped["earlierRuns"].as_array().unwrap().len(), 2);
}

#[test]
fn a_process_info_file_lists_the_fatal_errors_that_stopped_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("process.json");
    let [port] = free_ports::<1>();
    let service = format!(
        "{{ name: 'info', class: ProcessInfoFile, path: '{}' }}",
        info.display()
    );
    let config = service_config(dir.path(), "ProcessInfoFile", &service, "", port, "");
    let mut server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--early-errors"]);
    let status = server.wait_for_exit(std::time::Duration::from_secs(10));
    assert_eq!(status.code(), Some(1));
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    let disposition = stopped["disposition"].as_object().unwrap();
    let keys: Vec<&str> = disposition.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "shuttingDown",
            "exitCode",
            "problems",
            "stoppedAt",
            "uptime"
        ]
    );
    assert_eq!(disposition["exitCode"], 1);
    let problems = disposition["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0]["type"], "unhandledRejection");
    assert_eq!(
        problems[0]["problem"]["@Error"]["message"],
        "I am an unhandled promise rejection."
    );
    assert_eq!(
        problems[0]["problem"]["@Error"]["cause"]["@Error"]["message"],
        "I am a cause."
    );
    assert_eq!(problems[1]["type"], "uncaughtException");
}

#[test]
fn the_system_log_goes_to_files_and_rotates_at_stop() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "SyslogToFile",
        &format!(
            "\n    {{ name: 'human', class: SyslogToFile, path: '{logs}/system-log.txt', format: 'human' }},\n    {{ name: 'json', class: SyslogToFile, path: '{logs}/system-log.json', format: 'json',\n       bufferPeriod: '50 msec', rotate: {{ onStop: true, checkPeriod: null }} }}\n  ",
            logs = logs.display()
        ),
        "",
        port,
        "",
    );
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    ask(port, "GET", "/", "");
    assert!(server.stop_with("TERM").success());

    let human = std::fs::read_to_string(logs.join("system-log.txt")).unwrap();
    assert!(human.starts_with("\n\n- - - "), "{human}");
    assert!(human.contains(" main.system starting()"), "{human}");
    assert!(human.contains("incomingRequest("), "{human}");
    assert!(
        human.contains(" webapp.service.human finalLoggedEvent()"),
        "{human}"
    );

    assert!(!logs.join("system-log.json").exists(), "rotated at stop");
    let rotated: Vec<std::path::PathBuf> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(rotated.len(), 1, "{rotated:?}");
    let json = std::fs::read_to_string(&rotated[0]).unwrap();
    let types: Vec<String> = json
        .lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            event["type"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(types.iter().any(|t| t == "starting"), "{types:?}");
    assert!(types.iter().any(|t| t == "stopping"), "{types:?}");
    assert_eq!(
        types.last().map(String::as_str),
        Some("finalLoggedEvent"),
        "{types:?}"
    );
}

#[test]
fn memory_over_the_limit_stops_the_server_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("process.json");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "MemoryMonitor, ProcessInfoFile",
        &format!(
            "\n    {{ name: 'info', class: ProcessInfoFile, path: '{}' }},\n    {{ name: 'memory', class: MemoryMonitor, checkPeriod: '1 sec', maxRss: '1 MiB' }}\n  ",
            info.display()
        ),
        "",
        port,
        "",
    );
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let status = server.wait_for_exit(std::time::Duration::from_secs(15));
    assert_eq!(status.code(), Some(1));
    let stopped = wait_for_json(&info, |v| v["disposition"].get("shuttingDown").is_some());
    assert_eq!(stopped["disposition"]["exitCode"], 1);
}

#[test]
fn the_logging_section_turns_components_off() {
    let dir = tempfile::tempdir().unwrap();
    let [loud, quiet] = free_ports::<2>();
    let config = dir.path().join("config.mjs");
    std::fs::write(
        &config,
        format!(
            "import {{ SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  logging: {{ '/endpoints/*': false, '/endpoint/loud': true }},
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [
    {{ name: 'loud', protocol: 'http', interface: '127.0.0.1:{loud}', application: 'hi' }},
    {{ name: 'quiet', protocol: 'http', interface: '127.0.0.1:{quiet}', application: 'hi' }}
  ]
}};
"
        ),
    )
    .unwrap();
    let server = ServerProcess::start_with_args(LACTOSERV, &config, loud, &["--log-to-stdout"]);
    server.wait_until_listening(quiet);
    for port in [loud, quiet] {
        let answer = ask(port, "GET", "/", "");
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    }
    let (_, output) = server.stop_and_read("TERM");
    assert!(output.contains("webapp.endpoint.loud"), "{output}");
    assert!(output.contains(&format!("url: '//a:{loud}/'")), "{output}");
    assert!(!output.contains("webapp.endpoint.quiet"), "{output}");
    for event in ["stopping('shutdown')", "stopped('shutdown')"] {
        assert!(
            output.contains(&format!("webapp.endpoint.loud {event}")),
            "{output}"
        );
    }
}

#[test]
fn a_connection_rate_limiter_admits_queues_and_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "ConnectionRateLimiter",
        "{ name: 'limit', class: ConnectionRateLimiter, maxBurst: '2 conn', flowRate: '1 conn/sec',\n                maxQueue: '2 conn' }",
        "",
        port,
        ",\n                 services: { connectionRateLimiter: 'limit' }",
    );
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    // Let the bucket refill after the start-up probe's connection.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let started = std::time::Instant::now();
    let clients: Vec<_> = (0..6)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                    .unwrap();
                let _ = std::io::Write::write_all(
                    &mut stream,
                    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                );
                let mut answer = String::new();
                let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
                (answer.starts_with("HTTP/1.1 204"), started.elapsed())
            })
        })
        .collect();
    let mut results: Vec<(bool, std::time::Duration)> =
        clients.into_iter().map(|c| c.join().unwrap()).collect();
    results.sort_by_key(|(_, at)| *at);
    let served: Vec<f64> = results
        .iter()
        .filter(|(ok, _)| *ok)
        .map(|(_, at)| at.as_secs_f64())
        .collect();
    assert_eq!(served.len(), 4, "{results:?}");
    assert!(served[1] < 0.5, "two at once: {served:?}");
    assert!(
        served[2] > 0.7 && served[2] < 1.6,
        "one a second later: {served:?}"
    );
    assert!(served[3] > 1.7 && served[3] < 2.6, "one more: {served:?}");
    assert!(server.stop_with("TERM").success());
}

//! Access logs through the real binary: one line per request across stops
//! and reloads, the line's fields for every kind of target, fanning out,
//! and the access log in the system log.

use crate::server::{LACTOSERV, ServerProcess, free_ports};
use crate::services::{ask, service_config};
use crate::util::client;

/// A config in `dir` answering `hi\n` on a free port, with an
/// AccessLogToFile (`access.txt`) buffering for `buffer`: the config, the
/// log and the port.
fn logged_config(
    dir: &std::path::Path,
    buffer: &str,
) -> (std::path::PathBuf, std::path::PathBuf, u16) {
    let log = dir.join("logs/access.txt");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir,
        "AccessLogToFile",
        &format!(
            "{{ name: 'access', class: AccessLogToFile, path: '{}', bufferPeriod: '{buffer}' }}",
            log.display()
        ),
        ", contentType: 'text/plain', body: 'hi\\n'",
        port,
        ",\n                 services: { accessLog: 'access' }",
    );
    (config, log, port)
}

#[tokio::test]
async fn every_request_gets_one_access_log_line_even_across_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (config, log, port) = logged_config(dir.path(), "250 msec");
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let client = client().build().unwrap();
    const REQUESTS: usize = 300;
    let mut tasks = Vec::new();
    for n in 0..REQUESTS {
        let (client, url) = (client.clone(), format!("http://127.0.0.1:{port}/r/{n}?x=1"));
        tasks.push(tokio::spawn(async move {
            let response = client.get(url).send().await.unwrap();
            response.bytes().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(server.stop_with("TERM").success());
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), REQUESTS);
    let fields: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(fields.len(), 9, "{}", lines[0]);
    assert!(fields[1].starts_with("127.0.0.1:"), "{}", lines[0]);
    assert_eq!(&fields[2..4], ["http-1.1", "get"]);
    assert!(
        fields[4].starts_with(&format!("//127.0.0.1:{port}/r/")),
        "{}",
        lines[0]
    );
    assert_eq!(&fields[5..7], ["200", "3_B"]);
    assert_eq!(fields[8], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_lose_and_repeat_no_access_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let (config, log, port) = logged_config(dir.path(), "250 msec");
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut loads = Vec::new();
    for worker in 0..4 {
        let stop = stop.clone();
        loads.push(tokio::spawn(async move {
            let client = client().build().unwrap();
            let mut answered = 0_usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let url = format!("http://127.0.0.1:{port}/w{worker}/{answered}");
                let response = client.get(url).send().await.expect("no request fails");
                assert_eq!(response.bytes().await.unwrap(), "hi\n");
                answered += 1;
            }
            answered
        }));
    }
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        server.signal("HUP");
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for load in loads {
        answered += load.await.unwrap();
    }
    assert!(server.stop_with("TERM").success());
    let text = std::fs::read_to_string(&log).unwrap();
    let mut urls: Vec<&str> = text
        .lines()
        .map(|line| line.split(' ').nth(4).unwrap())
        .collect();
    assert_eq!(urls.len(), answered, "lines against answers");
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), answered, "every line is a different request");
}

#[test]
fn the_access_log_records_targets_not_in_origin_form() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.txt");
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "AccessLogToFile",
        &format!(
            "{{ name: 'access', class: AccessLogToFile, path: '{}' }}",
            log.display()
        ),
        ", contentType: 'text/plain', body: 'hi\\n'",
        port,
        ",\n                 services: { accessLog: 'access' }",
    );
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    for (method, target) in [("OPTIONS", "*"), ("GET", "http://x.example/y?z")] {
        let answer = ask(port, method, target, "");
        assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    }
    // An HTTP/1 `CONNECT` gets no answer and no line: the connection is
    // closed, as in the reference.
    assert_eq!(ask(port, "CONNECT", "x.example:443", ""), "");
    assert!(server.stop_with("TERM").success());
    let text = std::fs::read_to_string(&log).unwrap();
    let urls: Vec<(&str, &str, &str)> = text
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            (fields[3], fields[4], fields[5])
        })
        .collect();
    assert_eq!(
        urls,
        [
            ("options", &*format!("//a:{port}:asterisk=*"), "400"),
            (
                "get",
                &*format!("//a:{port}:absolute=http://x.example/y?z"),
                "400"
            ),
        ],
        "{text}"
    );
}

#[test]
fn an_event_fan_feeds_several_access_logs() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = dir.path().join("config.mjs");
    let logs = dir.path().join("logs");
    std::fs::write(
        &config,
        format!(
            "import {{ AccessLogToFile, EventFan, SimpleResponse }} from '@lactoserv/webapp-builtins';
export default {{
  services: [
    {{ name: 'fan', class: EventFan, services: ['one', 'two'] }},
    {{ name: 'one', class: AccessLogToFile, path: '{logs}/one.txt' }},
    {{ name: 'two', class: AccessLogToFile, path: '{logs}/two.txt', maxUrlLength: 20 }}
  ],
  applications: [{{ name: 'hi', class: SimpleResponse }}],
  endpoints: [{{ name: 'ep', protocol: 'http', interface: '127.0.0.1:{port}', application: 'hi',
                 services: {{ accessLog: 'fan' }} }}]
}};
",
            logs = logs.display()
        ),
    )
    .unwrap();
    let mut server = ServerProcess::start(LACTOSERV, &config, port);
    for n in 0..3 {
        ask(port, "HEAD", &format!("/a/rather/long/path/{n}"), "");
    }
    assert!(server.stop_with("TERM").success());
    let one = std::fs::read_to_string(logs.join("one.txt")).unwrap();
    let two = std::fs::read_to_string(logs.join("two.txt")).unwrap();
    assert_eq!((one.lines().count(), two.lines().count()), (3, 3));
    assert!(one.contains(" head //a:"), "{one}");
    assert!(one.contains(" 204 no-body "), "{one}");
    let url = two
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(4)
        .unwrap()
        .to_owned();
    assert_eq!(url.len(), 20, "{url}");
    assert!(url.contains("..."), "{url}");
}

#[test]
fn the_access_log_can_go_to_the_system_log() {
    let dir = tempfile::tempdir().unwrap();
    let [port] = free_ports::<1>();
    let config = service_config(
        dir.path(),
        "AccessLogToSyslog",
        "{ name: 'access', class: AccessLogToSyslog }",
        ", contentType: 'text/plain', body: 'hi\\n'",
        port,
        ",\n                 services: { accessLog: 'access' }",
    );
    let server = ServerProcess::start_with_args(LACTOSERV, &config, port, &["--log-to-stdout"]);
    ask(
        port,
        "GET",
        "/x?y=1",
        "User-Agent: test\r\nCookie: id=7; lang=en\r\n",
    );
    ask(port, "OPTIONS", "*", "");
    let (_, output) = server.stop_and_read("TERM");
    let entries = crate::util::log_entries(&output);
    let request = entries
        .iter()
        .find(|e| e.contains(".req.") && e.contains(" request("))
        .unwrap_or_else(|| panic!("{output}"));
    assert!(request.contains("method: 'get'"), "{request}");
    assert!(
        request.contains(&format!("url: '//a:{port}/x?y=1'")),
        "{request}"
    );
    assert!(request.contains("'user-agent': 'test'"), "{request}");
    assert!(
        request.contains("cookies: { id: '7', lang: 'en' }"),
        "{request}"
    );
    assert!(
        !request.contains("cookie:") && !request.contains("host:"),
        "{request}"
    );
    // A target not in origin form is logged with its type, and refused.
    let asterisk = entries
        .iter()
        .find(|e| e.contains(&format!("url: '//a:{port}:asterisk=*'")) && e.contains(" request("))
        .unwrap_or_else(|| panic!("{output}"));
    assert!(asterisk.contains("method: 'options'"), "{asterisk}");
    let response = entries
        .iter()
        .find(|e| e.contains(".req.") && e.contains(" response("))
        .unwrap_or_else(|| panic!("{output}"));
    assert!(response.contains("ok: true"), "{response}");
    assert!(response.contains("statusCode: 200"), "{response}");
    assert!(response.contains("contentLength: 3"), "{response}");
}

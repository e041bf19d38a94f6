//! `h3load`: HTTP/3 load for `bench/http`, as `h2load` gives HTTP/2 load
//! (Debian's `h2load` is built without HTTP/3). `-c` connections, each
//! with `-m` requests in flight at once, for `-D` seconds or `-n`
//! requests in all; the summary in `h2load`'s words, which `bench/http`
//! reads. Certificates are not checked: the servers measured present
//! self-signed ones.
//!
//! Usage: h3load [-c N] [-m N] (-D SECONDS | -n REQUESTS) [-o FILE] URL
//! (`-o`: write the body of the last answer there).

use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Buf;
use h3load::client_endpoint;

/// What the run is told to do.
struct Options {
    connections: usize,
    streams: usize,
    duration: Option<Duration>,
    requests: Option<u64>,
    output: Option<String>,
    url: http::Uri,
}

/// The counts, shared by every stream.
#[derive(Default)]
struct Counts {
    started: AtomicU64,
    done: AtomicU64,
    errored: AtomicU64,
    bytes: AtomicU64,
    /// 2xx, 3xx, 4xx, 5xx.
    classes: [AtomicU64; 4],
}

fn main() {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("h3load: {message}");
            eprintln!("usage: h3load [-c N] [-m N] (-D SECONDS | -n REQUESTS) [-o FILE] URL");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let code = runtime.block_on(run(options));
    std::process::exit(code);
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options {
        connections: 1,
        streams: 1,
        duration: None,
        requests: None,
        output: None,
        url: http::Uri::default(),
    };
    let mut url = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-c" => options.connections = number(&value("-c")?)?,
            "-m" => options.streams = number(&value("-m")?)?,
            "-D" => options.duration = Some(Duration::from_secs(number(&value("-D")?)? as u64)),
            "-n" => options.requests = Some(number(&value("-n")?)? as u64),
            "-o" => options.output = Some(value("-o")?),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => url = Some(arg),
        }
    }
    let url = url.ok_or("no URL")?;
    options.url = url.parse().map_err(|err| format!("{url}: {err}"))?;
    if options.duration.is_none() && options.requests.is_none() {
        return Err("give -D or -n".into());
    }
    Ok(options)
}

fn number(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(format!("not a positive number: {text}"))
}

async fn run(options: Options) -> i32 {
    let authority = options.url.authority().expect("an https URL").clone();
    let host = authority.host().to_owned();
    let port = authority.port_u16().unwrap_or(443);
    let Some(server) = (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
    else {
        eprintln!("h3load: cannot resolve {host}");
        return 1;
    };
    let endpoint = match client_endpoint(server) {
        Ok(endpoint) => endpoint,
        Err(err) => {
            eprintln!("h3load: {err}");
            return 1;
        }
    };
    let counts = Arc::new(Counts::default());
    let started = Instant::now();
    let deadline = options.duration.map(|d| started + d);
    let budget = Arc::new(AtomicU64::new(options.requests.unwrap_or(u64::MAX)));
    let last_body = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..options.connections {
        let connecting = match endpoint.connect(server, &host) {
            Ok(connecting) => connecting,
            Err(err) => {
                eprintln!("h3load: {err}");
                return 1;
            }
        };
        let (counts, budget, last_body) = (counts.clone(), budget.clone(), last_body.clone());
        let url = options.url.clone();
        let streams = options.streams;
        tasks.spawn(async move {
            let Ok(connection) = connecting.await else {
                counts.errored.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let Ok((mut driver, requests)) =
                h3::client::new(h3_quinn::Connection::new(connection)).await
            else {
                counts.errored.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let drive =
                tokio::spawn(async move { std::future::poll_fn(|cx| driver.poll_close(cx)).await });
            let mut workers = tokio::task::JoinSet::new();
            for _ in 0..streams {
                let mut requests = requests.clone();
                let (counts, budget, last_body) =
                    (counts.clone(), budget.clone(), last_body.clone());
                let url = url.clone();
                workers.spawn(async move {
                    loop {
                        if deadline.is_some_and(|d| Instant::now() >= d) {
                            return;
                        }
                        if budget
                            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                                n.checked_sub(1)
                            })
                            .is_err()
                        {
                            return;
                        }
                        counts.started.fetch_add(1, Ordering::Relaxed);
                        match fetch(&mut requests, &url).await {
                            Ok((status, body)) => {
                                counts.done.fetch_add(1, Ordering::Relaxed);
                                counts.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                                let class = usize::from(status / 100).clamp(2, 5) - 2;
                                counts.classes[class].fetch_add(1, Ordering::Relaxed);
                                *last_body.lock().unwrap() = body;
                            }
                            Err(_) => {
                                counts.errored.fetch_add(1, Ordering::Relaxed);
                                return;
                            }
                        }
                    }
                });
            }
            while workers.join_next().await.is_some() {}
            drop(requests);
            drive.abort();
        });
    }
    while tasks.join_next().await.is_some() {}
    let took = started.elapsed().as_secs_f64();
    endpoint.close(0u32.into(), b"");
    if let Some(path) = &options.output
        && std::fs::write(path, &*last_body.lock().unwrap()).is_err()
    {
        eprintln!("h3load: cannot write {path}");
        return 1;
    }
    report(&counts, took);
    0
}

/// One `GET`: the status and the body.
async fn fetch(
    requests: &mut h3::client::SendRequest<h3_quinn::OpenStreams, bytes::Bytes>,
    url: &http::Uri,
) -> Result<(u16, Vec<u8>), String> {
    let request = http::Request::get(url.clone())
        .body(())
        .map_err(|err| err.to_string())?;
    let mut stream = requests
        .send_request(request)
        .await
        .map_err(|err| err.to_string())?;
    stream.finish().await.map_err(|err| err.to_string())?;
    let response = stream
        .recv_response()
        .await
        .map_err(|err| err.to_string())?;
    let mut body = Vec::new();
    while let Some(mut chunk) = stream.recv_data().await.map_err(|err| err.to_string())? {
        body.extend_from_slice(&chunk.copy_to_bytes(chunk.remaining()));
    }
    Ok((response.status().as_u16(), body))
}

/// The summary, in `h2load`'s words.
fn report(counts: &Counts, took: f64) {
    let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
    let done = load(&counts.done);
    let errored = load(&counts.errored);
    let succeeded = load(&counts.classes[0]) + load(&counts.classes[1]);
    println!(
        "finished in {took:.2}s, {:.2} req/s, {:.2}MB/s",
        done as f64 / took,
        load(&counts.bytes) as f64 / took / 1e6
    );
    println!(
        "requests: {} total, {} started, {done} done, {succeeded} succeeded, {} failed, {errored} errored, 0 timeout",
        load(&counts.started),
        load(&counts.started),
        done - succeeded + errored,
    );
    println!(
        "status codes: {} 2xx, {} 3xx, {} 4xx, {} 5xx",
        load(&counts.classes[0]),
        load(&counts.classes[1]),
        load(&counts.classes[2]),
        load(&counts.classes[3])
    );
}

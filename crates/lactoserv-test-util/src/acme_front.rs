//! A front for [`Pebble`] that offers what Debian's Pebble (2.4) does not,
//! so that the server's handling of it can be tested: renewal information
//! (ARI, RFC 9773) with windows the test picks, and new orders refused
//! with a rate limit and a `Retry-After`. Its directory is Pebble's with
//! those endpoints pointed at the front; every other request goes to
//! Pebble itself. It serves HTTPS with Pebble's own certificate, so one
//! `directoryCertificate` does for both.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::pebble::Pebble;

/// What the front offers.
#[derive(Debug, Clone, Default)]
pub struct Offers {
    /// Renewal windows, each as offsets from the moment it is asked for,
    /// given in turn (the last one again and again); none: the directory
    /// offers no renewal information.
    pub windows: Vec<(Duration, Duration)>,
    /// Refuse every new order as rate-limited, with this `Retry-After`
    /// (seconds).
    pub refuse_orders: Option<u64>,
}

/// A running front, stopped when dropped.
pub struct AcmeFront {
    port: u16,
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl AcmeFront {
    /// Starts a front for `pebble` offering `offers`.
    pub fn start(pebble: &Pebble, offers: Offers) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let directory = directory(pebble, port, &offers);
        let dir = pebble.dir();
        let certificate = CertificateDer::pem_file_iter(dir.join("cert.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(dir.join("key.pem")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certificate, key)
                .unwrap(),
        );
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let front = Front {
            directory,
            offers,
            asked: asked.clone(),
        };
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let connection = rustls::ServerConnection::new(tls.clone()).unwrap();
                let mut stream = rustls::StreamOwned::new(connection, stream);
                let _ = front.answer(&mut stream);
            }
        });
        Self { port, asked, stop }
    }

    /// The front's directory URL.
    pub fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    /// The paths asked of the front so far.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for AcmeFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread to see the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Pebble's directory, with the endpoints the front offers pointed at it.
fn directory(pebble: &Pebble, port: u16, offers: &Offers) -> serde_json::Value {
    let output = std::process::Command::new("curl")
        .args(["-sf", "--cacert"])
        .arg(pebble.dir().join("cert.pem"))
        .arg(pebble.directory())
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "no directory from Pebble");
    let mut directory: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let here = format!("https://127.0.0.1:{port}");
    if !offers.windows.is_empty() {
        directory["renewalInfo"] = format!("{here}/renewal-info").into();
    }
    if offers.refuse_orders.is_some() {
        directory["newOrder"] = format!("{here}/new-order").into();
    }
    directory
}

/// What the accepting thread answers with.
struct Front {
    directory: serde_json::Value,
    offers: Offers,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Front {
    /// Reads one request from `stream` and answers it, closing after.
    fn answer(&self, stream: &mut impl ReadWrite) -> std::io::Result<()> {
        let mut reader = BufReader::new(&mut *stream);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let mut length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let count = {
            let mut asked = self.asked.lock().unwrap();
            asked.push(path.clone());
            asked
                .iter()
                .filter(|p| p.starts_with("/renewal-info/"))
                .count()
        };
        let (status, headers, body) = if path == "/dir" {
            ("200 OK", String::new(), self.directory.to_string())
        } else if path.starts_with("/renewal-info/") {
            let (start, end) =
                self.offers.windows[count.saturating_sub(1).min(self.offers.windows.len() - 1)];
            let now = SystemTime::now();
            let window = serde_json::json!({"suggestedWindow": {
                "start": rfc3339(now + start), "end": rfc3339(now + end)}});
            (
                "200 OK",
                "Retry-After: 21600\r\n".to_owned(),
                window.to_string(),
            )
        } else if path == "/new-order" {
            let retry = self.offers.refuse_orders.unwrap_or(0);
            let problem = serde_json::json!({
                "type": "urn:ietf:params:acme:error:rateLimited",
                "detail": "too many new orders"});
            let headers = format!("Retry-After: {retry}\r\n");
            ("429 Too Many Requests", headers, problem.to_string())
        } else {
            ("404 Not Found", String::new(), String::new())
        };
        let kind = if path.starts_with("/new-order") {
            "application/problem+json"
        } else {
            "application/json"
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n{headers}connection: close\r\n\r\n{body}",
            body.len()
        )?;
        stream.flush()
    }
}

/// A stream the front reads and writes.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// `at` as RFC 3339 (UTC, whole seconds).
fn rfc3339(at: SystemTime) -> String {
    let seconds = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_written_as_rfc_3339() {
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(rfc3339(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(at(1_796_601_599)), "2026-12-06T23:59:59Z");
    }
}

#[cfg(test)]
mod front_tests {
    use super::*;

    #[test]
    fn the_directory_points_what_is_offered_at_the_front() {
        let pebble = Pebble::start(None);
        let front = AcmeFront::start(
            &pebble,
            Offers {
                windows: vec![(Duration::ZERO, Duration::from_secs(1))],
                refuse_orders: Some(5),
            },
        );
        let curl = |path: &str| {
            let output = std::process::Command::new("curl")
                .args(["-s", "-i", "--cacert"])
                .arg(pebble.dir().join("cert.pem"))
                .arg(front.directory().replace("/dir", path))
                .output()
                .unwrap();
            String::from_utf8(output.stdout).unwrap()
        };
        let answer = curl("/dir");
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        let directory: serde_json::Value = serde_json::from_str(body).unwrap();
        let here = front.directory().replace("/dir", "");
        assert_eq!(directory["renewalInfo"], format!("{here}/renewal-info"));
        assert_eq!(directory["newOrder"], format!("{here}/new-order"));
        // The rest is Pebble's.
        assert_eq!(
            directory["newNonce"],
            pebble.directory().replace("/dir", "/nonce-plz")
        );
        let answer = curl("/renewal-info/abc.def");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("suggestedWindow"), "{answer}");
        let answer = curl("/new-order");
        assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
        assert!(answer.contains("Retry-After: 5\r\n"), "{answer}");
        assert!(answer.contains("rateLimited"), "{answer}");
        assert_eq!(
            front.asked(),
            ["/dir", "/renewal-info/abc.def", "/new-order"]
        );
    }
}

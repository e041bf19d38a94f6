//! The running AccessLogToFile (spec 04 §A.4): one line per finished
//! request, nine fields separated by spaces, appended through a buffered,
//! rotated log file.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use http::Version;
use lactoserv_core::quant::{Duration, Moment, push_byte_count};
use lactoserv_core::service::Fate;
use lactoserv_core::service::{AccessEntry, AccessLog, Service, ServiceError};

use crate::support::log_file::LogFile;

#[derive(Debug)]
pub(crate) struct AccessLogToFile {
    log: Arc<Lines>,
}

/// What turns entries into lines.
#[derive(Debug)]
struct Lines {
    file: LogFile,
    max_url_length: Option<usize>,
    /// The date and time text of the last second a line was made in.
    second: Mutex<(f64, String)>,
}

impl Lines {
    /// `moment` as `YYYYMMDD_HH:MM:SS.ffff`, the part before the fraction
    /// made once per second.
    #[cfg(test)]
    fn time_text(&self, moment: Moment) -> String {
        let mut out = String::new();
        self.push_time(&mut out, moment);
        out
    }

    /// [`Lines::time_text`], appended to `out`.
    fn push_time(&self, out: &mut String, moment: Moment) {
        let at = moment.at_sec();
        let second = at.floor();
        // Ten-thousandths of a second, from the integer part of `at` × 10^4
        // (integer arithmetic: a float remainder is a library call).
        let frac = ((at * 1e4).floor() as i64).rem_euclid(10_000);
        {
            let mut cached = self
                .second
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if cached.0 != second || cached.1.is_empty() {
                *cached = (second, Moment::new(second).to_access_log_text(0));
            }
            out.push_str(&cached.1);
        }
        out.push('.');
        push_padded(out, frac as u64, 4);
    }
}

/// `n` with at least `width` digits.
fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = itoa::Buffer::new();
    let text = digits.format(n);
    for _ in text.len()..width {
        out.push('0');
    }
    out.push_str(text);
}

impl AccessLogToFile {
    pub(crate) fn new(file: LogFile, max_url_length: Option<usize>) -> Self {
        Self {
            log: Arc::new(Lines {
                file,
                max_url_length,
                second: Mutex::new((f64::NAN, String::new())),
            }),
        }
    }
}

/// `address:port`, IPv4 (also when mapped into IPv6) plain, other IPv6 in
/// brackets.
fn push_origin(out: &mut String, remote: Option<SocketAddr>) {
    let Some(addr) = remote else {
        out.push_str("<unknown>");
        return;
    };
    let v4 = match addr.ip() {
        IpAddr::V4(ip) => Some(ip),
        IpAddr::V6(ip) => ip.to_ipv4_mapped(),
    };
    let mut digits = itoa::Buffer::new();
    match v4 {
        // Octet by octet: this runs for every request.
        Some(ip) => {
            for (at, octet) in ip.octets().iter().enumerate() {
                if at > 0 {
                    out.push('.');
                }
                out.push_str(digits.format(*octet));
            }
        }
        None => {
            out.push('[');
            out.push_str(&addr.ip().to_string());
            out.push(']');
        }
    }
    out.push(':');
    out.push_str(digits.format(addr.port()));
}

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "http-1.0",
        Version::HTTP_2 => "http-2.0",
        Version::HTTP_3 => "http-3.0",
        _ => "http-1.1",
    }
}

/// `url` cut to `max` characters around `...` (ALF-5).
pub(crate) fn shortened(url: &str, max: Option<usize>) -> String {
    let chars: Vec<char> = url.chars().collect();
    match max {
        Some(max) if chars.len() > max => {
            let front = (max - 3) / 2;
            let back = max - front - 3;
            let mut out: String = chars[..front].iter().collect();
            out.push_str("...");
            out.extend(&chars[chars.len() - back..]);
            out
        }
        _ => url.to_owned(),
    }
}

/// The line for `entry` (its time already as text), built in one buffer.
#[cfg(test)]
fn line(time: &str, entry: &AccessEntry, max_url_length: Option<usize>) -> String {
    let mut out = String::with_capacity(96 + entry.url.len());
    out.push_str(time);
    push_fields(&mut out, entry, max_url_length);
    out
}

/// The fields of the line for `entry` after its time, appended to `out`.
fn push_fields(out: &mut String, entry: &AccessEntry, max_url_length: Option<usize>) {
    out.push(' ');
    push_origin(out, entry.remote);
    out.push(' ');
    out.push_str(protocol(entry.version));
    out.push(' ');
    for c in entry.method.as_str().chars() {
        out.push(c.to_ascii_lowercase());
    }
    out.push(' ');
    match max_url_length {
        Some(max) if entry.url.chars().count() > max => {
            out.push_str(&shortened(&entry.url, Some(max)))
        }
        _ => out.push_str(&entry.url),
    }
    out.push(' ');
    out.push_str(itoa::Buffer::new().format(entry.status));
    out.push(' ');
    match entry.body_size {
        Some(size) => push_byte_count(out, size, true),
        None => out.push_str("no-body"),
    }
    out.push(' ');
    Duration::new(entry.duration.as_secs_f64()).push_text(out, true);
    out.push_str(if entry.ok {
        " ok\n"
    } else {
        " err-stream-premature-close\n"
    });
}

impl AccessLog for Lines {
    fn record(&self, entry: AccessEntry) {
        let mut out = String::with_capacity(96 + entry.url.len());
        self.push_time(&mut out, entry.ended);
        push_fields(&mut out, &entry, self.max_url_length);
        self.file.push(&out);
    }
}

#[async_trait]
impl Service for AccessLogToFile {
    async fn start(&self) -> Result<(), ServiceError> {
        self.log.file.start().await;
        Ok(())
    }

    async fn stop(&self, _fate: Fate) {
        self.log.file.stop().await;
    }

    fn access_log(&self) -> Option<Arc<dyn AccessLog>> {
        Some(self.log.clone())
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    /// Lines for a file that is never written in these tests.
    fn lines() -> Lines {
        Lines {
            file: LogFile::new(
                "/nonexistent/x".into(),
                None,
                None,
                lactoserv_core::log::Logger::disabled(),
            ),
            max_url_length: None,
            second: Mutex::new((f64::NAN, String::new())),
        }
    }

    #[test]
    fn cached_seconds_give_the_same_times() {
        let lines = lines();
        for at in [
            1_795_798_653.347_69,
            1_795_798_653.999_99,
            1_795_798_654.0,
            0.000_05,
            1_700_000_000.123_4,
        ] {
            let moment = Moment::new(at);
            assert_eq!(
                lines.time_text(moment),
                moment.to_access_log_text(4),
                "{at}"
            );
        }
    }

    #[test]
    fn urls_are_shortened_like_the_reference() {
        let url = "//localhost:8080/abcdefghijklmnopqrstuvwxyz";
        assert_eq!(shortened(url, Some(20)), "//localh...rstuvwxyz");
        assert_eq!(shortened(url, Some(21)), "//localho...rstuvwxyz");
        assert_eq!(
            shortened("//localhost:8080/abcd", Some(20)),
            "//localh...8080/abcd"
        );
        assert_eq!(
            shortened("//localhost:8080/abc", Some(20)),
            "//localhost:8080/abc"
        );
        assert_eq!(shortened(url, None), url);
    }

    #[test]
    fn lines_have_the_nine_fields() {
        let entry = AccessEntry {
            ended: Moment::new(1_795_798_653.347_69),
            remote: Some("[::ffff:127.0.0.1]:52442".parse().unwrap()),
            version: Version::HTTP_11,
            method: Method::GET,
            url: "//127.0.0.1:28080/".to_owned(),
            status: 308,
            body_size: Some(55),
            duration: std::time::Duration::from_micros(51_531),
            ok: true,
            logger: None,
            response_headers: None,
        };
        let lines = lines();
        let time = lines.time_text(entry.ended);
        assert_eq!(time, entry.ended.to_access_log_text(4));
        assert_eq!(
            line(&time, &entry, None),
            "20261127_16:57:33.3476 127.0.0.1:52442 http-1.1 get //127.0.0.1:28080/ 308 55_B 51.531_msec ok\n"
        );
        let head = AccessEntry {
            remote: Some("[::1]:44530".parse().unwrap()),
            version: Version::HTTP_2,
            method: Method::HEAD,
            body_size: None,
            ..entry
        };
        let text = line(&time, &head, None);
        assert!(text.contains(" [::1]:44530 http-2.0 head "), "{text}");
        assert!(text.contains(" 308 no-body "), "{text}");
    }
}

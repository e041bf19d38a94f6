//! The running AccessLogToFile (spec 04 §A.4): one line per finished
//! request, nine fields separated by spaces, appended through a buffered,
//! rotated log file.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;
use http::Version;
use lactoserv_core::quant::{Duration, format_byte_count};
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
}

impl AccessLogToFile {
    pub(crate) fn new(file: LogFile, max_url_length: Option<usize>) -> Self {
        Self {
            log: Arc::new(Lines {
                file,
                max_url_length,
            }),
        }
    }
}

/// `address:port`, IPv4 (also when mapped into IPv6) plain, other IPv6 in
/// brackets.
fn origin(remote: Option<SocketAddr>) -> String {
    match remote {
        None => "<unknown>".to_owned(),
        Some(addr) => match addr.ip() {
            IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
            IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
                Some(v4) => format!("{v4}:{}", addr.port()),
                None => format!("[{ip}]:{}", addr.port()),
            },
        },
    }
}

fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "http-1.0",
        Version::HTTP_2 => "http-2.0",
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

/// The line for `entry`.
pub(crate) fn line(entry: &AccessEntry, max_url_length: Option<usize>) -> String {
    let size = entry.body_size.map_or_else(
        || "no-body".to_owned(),
        |size| format_byte_count(Some(size as f64), true),
    );
    let outcome = if entry.ok {
        "ok"
    } else {
        "err-stream-premature-close"
    };
    format!(
        "{} {} {} {} {} {} {size} {} {outcome}\n",
        entry.ended.to_access_log_text(4),
        origin(entry.remote),
        protocol(entry.version),
        entry.method.as_str().to_ascii_lowercase(),
        shortened(&entry.url, max_url_length),
        entry.status,
        Duration::new(entry.duration.as_secs_f64()).to_text(true),
    )
}

impl AccessLog for Lines {
    fn record(&self, entry: AccessEntry) {
        (self.file.pusher())(&line(&entry, self.max_url_length));
    }
}

#[async_trait]
impl Service for AccessLogToFile {
    async fn start(&self) -> Result<(), ServiceError> {
        self.log.file.start().await;
        Ok(())
    }

    async fn stop(&self) {
        self.log.file.stop().await;
    }

    fn access_log(&self) -> Option<Arc<dyn AccessLog>> {
        Some(self.log.clone())
    }
}

#[cfg(test)]
mod tests {
    use http::Method;
    use lactoserv_core::quant::Moment;

    use super::*;

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
        };
        assert_eq!(
            line(&entry, None),
            "20261127_16:57:33.3476 127.0.0.1:52442 http-1.1 get //127.0.0.1:28080/ 308 55_B 51.531_msec ok\n"
        );
        let head = AccessEntry {
            remote: Some("[::1]:44530".parse().unwrap()),
            version: Version::HTTP_2,
            method: Method::HEAD,
            body_size: None,
            ..entry
        };
        let text = line(&head, None);
        assert!(text.contains(" [::1]:44530 http-2.0 head "), "{text}");
        assert!(text.contains(" 308 no-body "), "{text}");
    }
}

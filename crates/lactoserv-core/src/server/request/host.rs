//! The host a request asks for (spec 02 §3.3), or why it is refused: as
//! strict as RFC 9112 §3.2 and RFC 9113 §8.3.1 are. An HTTP/1.1 request
//! needs exactly one valid `Host`; no request may have two; HTTP/2 takes
//! `:authority`, or `host` without one, and refuses the two when they
//! disagree. Valid authorities are parsed once per connection.

use http::header::HOST;
use http::{HeaderMap, HeaderValue, Version};

use crate::net::HostInfo;

/// Why a request's host is refused (with a 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadHost {
    /// An HTTP/1.1 request without `Host`, or an HTTP/2 one with neither
    /// `:authority` nor `host`.
    Missing,
    /// More than one `Host`.
    Several,
    /// A `Host` or `:authority` that is empty or not a valid authority.
    Invalid,
    /// HTTP/2 `:authority` and `host` naming different hosts.
    Disagreeing,
}

/// The host a request asks for, or why it is refused.
pub(crate) type AskedHost = Result<HostInfo, BadHost>;

/// The host each request of a connection asked for, remembered from the
/// last request: clients send the same `Host` on every request of a
/// connection, so each is parsed once. One per connection, used before each
/// request's own work begins.
#[derive(Default)]
pub(crate) struct HostCache(Option<CachedHost>);

struct CachedHost {
    authority: Box<str>,
    fallback_port: u16,
    host: HostInfo,
}

impl HostCache {
    /// The host `request` asks for: HTTP2's `:authority` (the scheme
    /// giving the default port) or `host`, or HTTP1's `Host` header (the
    /// endpoint's `port` the default).
    pub(crate) fn host_of<B>(&mut self, request: &hyper::Request<B>, port: u16) -> AskedHost {
        let headers = request.headers();
        if !matches!(request.version(), Version::HTTP_2 | Version::HTTP_3) {
            let (count, last) = host_headers(headers);
            return self.host_of_http1(
                request.version(),
                count,
                last.map(HeaderValue::as_bytes),
                port,
            );
        }
        let uri = request.uri();
        let port = default_port(uri, request.version(), port);
        let (count, host) = host_headers(headers);
        if count > 1 {
            return Err(BadHost::Several);
        }
        let host = host.map(HeaderValue::as_bytes);
        match (uri.authority(), host) {
            (Some(authority), None) => self.host(authority.as_str().as_bytes(), port),
            (Some(authority), Some(host)) => {
                let named = self.host(authority.as_str().as_bytes(), port)?;
                match self.host(host, port) {
                    Ok(other) if other == named => Ok(named),
                    _ => Err(BadHost::Disagreeing),
                }
            }
            (None, Some(host)) => self.host(host, port),
            (None, None) => Err(BadHost::Missing),
        }
    }

    /// The host an HTTP1 request with `count` `Host` headers, the last of
    /// them `host`, asks for.
    pub(crate) fn host_of_http1(
        &mut self,
        version: Version,
        count: usize,
        host: Option<&[u8]>,
        port: u16,
    ) -> AskedHost {
        match (count, host) {
            (0, _) | (_, None) if version == Version::HTTP_11 => Err(BadHost::Missing),
            (0, _) | (_, None) => Ok(HostInfo::localhost(port)),
            (1, Some(host)) => self.host(host, port),
            _ => Err(BadHost::Several),
        }
    }

    /// The host `authority` names, remembered. The bytes are compared with
    /// the remembered ones before any check: those were checked.
    fn host(&mut self, authority: &[u8], fallback_port: u16) -> AskedHost {
        if let Some(hit) = &self.0
            && hit.fallback_port == fallback_port
            && hit.authority.as_bytes() == authority
        {
            return Ok(hit.host.clone());
        }
        let host = std::str::from_utf8(authority)
            .ok()
            .and_then(|text| HostInfo::parse(text, fallback_port))
            .ok_or(BadHost::Invalid)?;
        self.0 = Some(CachedHost {
            authority: String::from_utf8_lossy(authority).into(),
            fallback_port,
            host: host.clone(),
        });
        Ok(host)
    }
}

/// The port of a host named without one: HTTP2's scheme says it; for
/// HTTP1, the endpoint's port.
pub(crate) fn default_port(uri: &http::Uri, version: Version, endpoint_port: u16) -> u16 {
    match (version, uri.scheme_str()) {
        (Version::HTTP_2 | Version::HTTP_3, Some("http")) => 80,
        (Version::HTTP_2 | Version::HTTP_3, Some("https")) => 443,
        _ => endpoint_port,
    }
}

/// How many `Host` headers there are, and the last one.
fn host_headers(headers: &HeaderMap) -> (usize, Option<&HeaderValue>) {
    let mut all = headers.get_all(HOST).iter();
    let Some(first) = all.next() else {
        return (0, None);
    };
    let (count, last) = all.fold((1, first), |(count, _), value| (count + 1, value));
    (count, Some(last))
}

#[cfg(test)]
mod tests;

//! The host a connection's requests ask for, parsed once per connection
//! (spec 02 §3.3, host determination).

use http::Version;
use http::header::HOST;

use crate::net::HostInfo;

/// The host each request of a connection asked for, remembered from the
/// last request: clients send the same `Host` on every request of a
/// connection, so each is parsed once. One per connection, used by its
/// request handler before each request's own work begins.
#[derive(Default)]
pub(crate) struct HostCache(Option<CachedHost>);

struct CachedHost {
    authority: Box<str>,
    fallback_port: u16,
    host: HostInfo,
}

impl HostCache {
    /// The host `request` asks for: HTTP2's `:authority` (the scheme
    /// giving the default port), or HTTP1's last `Host` header (the
    /// endpoint's port the default).
    pub(crate) fn host_of<B>(&mut self, request: &hyper::Request<B>, port: u16) -> HostInfo {
        if request.version() == Version::HTTP_2 {
            let uri = request.uri();
            let port = match uri.scheme_str() {
                Some("http") => 80,
                Some("https") => 443,
                _ => port,
            };
            let authority = uri.authority().map(|a| a.as_str().as_bytes());
            self.host(authority, port)
        } else {
            let host = request.headers().get_all(HOST).iter().next_back();
            self.host(host.map(http::HeaderValue::as_bytes), port)
        }
    }

    /// The host an HTTP1 request whose last `Host` header is `host` asks
    /// for.
    pub(crate) fn host_of_http1(&mut self, host: Option<&[u8]>, port: u16) -> HostInfo {
        self.host(host, port)
    }

    /// [`HostInfo::from_authority`], remembered. The bytes are compared
    /// with the remembered ones before any check: those were checked.
    fn host(&mut self, authority: Option<&[u8]>, fallback_port: u16) -> HostInfo {
        if let (Some(hit), Some(authority)) = (&self.0, authority)
            && hit.fallback_port == fallback_port
            && hit.authority.as_bytes() == authority
        {
            return hit.host.clone();
        }
        // A `Host` that is not visible ASCII counts as none.
        let Some(authority) = authority
            .filter(|bytes| {
                bytes
                    .iter()
                    .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
            })
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
        else {
            return HostInfo::from_authority(None, fallback_port);
        };
        let host = HostInfo::from_authority(Some(authority), fallback_port);
        self.0 = Some(CachedHost {
            authority: authority.into(),
            fallback_port,
            host: host.clone(),
        });
        host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http1(host: &[u8]) -> hyper::Request<()> {
        let mut request = hyper::Request::new(());
        let value = http::HeaderValue::from_bytes(host).unwrap();
        request.headers_mut().insert(HOST, value);
        request
    }

    fn shown(host: HostInfo) -> String {
        format!("{}:{}", host.name, host.port)
    }

    #[test]
    fn a_host_is_remembered_only_for_the_same_text_and_default_port() {
        let mut cache = HostCache::default();
        let host =
            |cache: &mut HostCache, text: &[u8], port| shown(cache.host_of(&http1(text), port));
        assert_eq!(host(&mut cache, b"Example.COM", 8080), "example.com:8080");
        assert_eq!(host(&mut cache, b"Example.COM", 8080), "example.com:8080");
        assert_eq!(host(&mut cache, b"Example.COM", 9090), "example.com:9090");
        assert_eq!(host(&mut cache, b"other:81", 9090), "other:81");
        // Bytes that are not visible ASCII make no host at all.
        assert_eq!(host(&mut cache, b"caf\xc3\xa9", 9090), "localhost:9090");
        assert_eq!(host(&mut cache, b"other:81", 9090), "other:81");
    }
}

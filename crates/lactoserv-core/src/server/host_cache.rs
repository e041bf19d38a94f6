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
            self.host(uri.authority().map(|a| a.as_str()), port)
        } else {
            let host = request.headers().get_all(HOST).iter().next_back();
            self.host(host.and_then(|h| h.to_str().ok()), port)
        }
    }

    /// [`HostInfo::from_authority`], remembered.
    fn host(&mut self, authority: Option<&str>, fallback_port: u16) -> HostInfo {
        let Some(authority) = authority else {
            return HostInfo::from_authority(None, fallback_port);
        };
        if let Some(hit) = &self.0
            && hit.fallback_port == fallback_port
            && *hit.authority == *authority
        {
            return hit.host.clone();
        }
        let host = HostInfo::from_authority(Some(authority), fallback_port);
        self.0 = Some(CachedHost {
            authority: authority.into(),
            fallback_port,
            host: host.clone(),
        });
        host
    }
}

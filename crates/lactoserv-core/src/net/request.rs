//! The request as applications see it (Lactoserv `IncomingRequest`,
//! `HostInfo`, `DispatchInfo`): method, the raw target and its canonical
//! path, the host the client asked for, and the headers.

use std::fmt;
use std::net::IpAddr;

use http::{HeaderMap, Method, Version};

use crate::host::hostname::Hostname;

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The protocol version.
    pub version: Version,
    /// The request target exactly as received (`/a/../b?x`).
    pub target: String,
    /// The canonical path split into components, still percent-encoded:
    /// `/` is `[""]`, `/a/` is `["a", ""]`.
    pub path: Vec<String>,
    /// The canonical query, with its `?`, or empty.
    pub search: String,
    /// The host and port the client asked for.
    pub host: HostInfo,
    /// The request headers.
    pub headers: HeaderMap,
}

impl Request {
    /// Whether the method is `HEAD`.
    pub fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }

    /// Whether the method is `GET` or `HEAD`.
    pub fn is_get_or_head(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }
}

/// Which part of a request's path an application is responsible for
/// (Lactoserv `DispatchInfo`): `base` is what routers above it matched,
/// `extra` the rest. Both borrow the request's own path, so dispatching
/// copies nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch<'a> {
    /// The matched prefix.
    pub base: &'a [String],
    /// The remaining path.
    pub extra: &'a [String],
}

impl<'a> Dispatch<'a> {
    /// The dispatch an endpoint starts with: nothing matched yet.
    pub fn root(request: &'a Request) -> Self {
        Self {
            base: &[],
            extra: &request.path,
        }
    }
}

/// The host and port of a request (Lactoserv `HostInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    /// Canonical host name or IP address (IPv6 without brackets).
    pub name: String,
    /// The port.
    pub port: u16,
}

impl HostInfo {
    /// The host of a request with `authority` (HTTP2 `:authority`, or the
    /// HTTP1 `Host` header). `fallback_port` applies when the authority has
    /// no port; an absent or invalid authority means `localhost` on that
    /// port, as in the reference (requests are never refused for it).
    pub fn from_authority(authority: Option<&str>, fallback_port: u16) -> Self {
        authority
            .and_then(|text| parse_authority(text, fallback_port))
            .unwrap_or_else(|| Self {
                name: "localhost".into(),
                port: fallback_port,
            })
    }

    /// Whether the name is an IPv6 address (written in brackets with a
    /// port).
    fn is_ipv6(&self) -> bool {
        self.name.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv6())
    }
}

impl fmt::Display for HostInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ipv6() {
            write!(f, "[{}]:{}", self.name, self.port)
        } else {
            write!(f, "{}:{}", self.name, self.port)
        }
    }
}

/// Parses `host[:port]`: a bracketed IPv6 address or a name of 1 to 256
/// characters, then an optional port of up to five digits after any leading
/// zeros, at most 65535.
fn parse_authority(text: &str, fallback_port: u16) -> Option<HostInfo> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if inside.is_empty() || inside.len() > 39 {
            return None;
        }
        (&text[..inside.len() + 2], after)
    } else {
        match text.find(':') {
            Some(at) => (&text[..at], &text[at..]),
            None => (text, ""),
        }
    };
    let port = match port {
        "" => fallback_port,
        _ => {
            let digits = port.strip_prefix(':')?.trim_start_matches('0');
            if digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if digits.is_empty() && !port[1..].is_empty() {
                0
            } else {
                digits.parse::<u16>().ok()?
            }
        }
    };
    if host.is_empty() || host.len() > 256 {
        return None;
    }
    let name = Hostname::parse_name(host).ok()?;
    Some(HostInfo {
        name: name.as_str().to_owned(),
        port,
    })
}

/// Splits an origin-form target (starting with `/`) into its canonical path
/// components and query, as WHATWG URL parsing against a non-special base
/// does: dot segments (also percent-encoded) applied, empty segments kept,
/// existing escapes kept, unsafe characters escaped, any fragment dropped.
pub fn parse_target(target: &str) -> Option<(Vec<String>, String)> {
    if !target.starts_with('/') {
        return None;
    }
    if let Some(parsed) = parse_plain_target(target) {
        return Some(parsed);
    }
    // A non-special scheme keeps backslashes and empty segments as they are.
    let url = url::Url::parse(&format!("x://x{target}")).ok()?;
    let path = url.path();
    let components = path
        .strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(str::to_owned)
        .collect();
    let search = url
        .query()
        .filter(|q| !q.is_empty())
        .map_or_else(String::new, |q| format!("?{q}"));
    Some((components, search))
}

/// The common case without URL parsing: a target of characters that need
/// no escaping and with no dot segment (plain or percent-encoded) is
/// already canonical.
fn parse_plain_target(target: &str) -> Option<(Vec<String>, String)> {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let plain = |c: u8| c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&c);
    let query_ok = query.is_none_or(|q| q.bytes().all(|c| plain(c) || c == b'?'));
    if !path.bytes().all(plain) || !query_ok {
        return None;
    }
    let components: Vec<String> = path[1..].split('/').map(str::to_owned).collect();
    let dotted = |c: &String| {
        let lower = c.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
        )
    };
    if components
        .iter()
        .any(|c| (c.contains('.') || c.contains('%')) && dotted(c))
    {
        return None;
    }
    let search = query
        .filter(|q| !q.is_empty())
        .map_or_else(String::new, |q| format!("?{q}"));
    Some((components, search))
}

#[cfg(test)]
mod tests;

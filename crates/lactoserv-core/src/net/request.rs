//! The request as applications see it (Lactoserv `IncomingRequest`,
//! `HostInfo`, `DispatchInfo`): method, the raw target and its canonical
//! path, the host the client asked for, and the headers.
//!
//! Nothing here copies the target in the common case: the canonical path
//! and query are slices of the target as received, and a [`Dispatch`] is a
//! pair of slices of the canonical path. Only a target that canonicalising
//! changes (dot segments, characters to escape) gets text of its own.

use std::fmt;
use std::sync::{Arc, LazyLock};

use http::uri::PathAndQuery;
use http::{HeaderMap, Method, Version};

use crate::host::hostname::Hostname;

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The protocol version.
    pub version: Version,
    /// The target as received.
    target: PathAndQuery,
    /// The canonical `path?query`, where it differs from `target`.
    canonical: Option<Box<str>>,
    /// Where the path ends within the canonical text.
    path_len: usize,
    /// The host and port the client asked for.
    pub host: HostInfo,
    /// The request headers.
    pub headers: HeaderMap,
}

impl Request {
    /// A request for `target`, which must be in origin form (start with
    /// `/`); `None` otherwise.
    pub fn new(
        method: Method,
        version: Version,
        target: PathAndQuery,
        host: HostInfo,
        headers: HeaderMap,
    ) -> Option<Self> {
        Self::checked(method, version, target, host, headers).ok()
    }

    /// [`Request::new`], giving the method, host and headers back when the
    /// target is refused (so the refusal can be logged without copying
    /// them for every request).
    pub(crate) fn checked(
        method: Method,
        version: Version,
        target: PathAndQuery,
        host: HostInfo,
        headers: HeaderMap,
    ) -> Result<Self, Box<(Method, HostInfo, HeaderMap)>> {
        let Some((canonical, path_len)) = canonicalize(target.as_str()) else {
            return Err(Box::new((method, host, headers)));
        };
        Ok(Self {
            method,
            version,
            target,
            canonical,
            path_len,
            host,
            headers,
        })
    }

    /// A request for `target` by `method` over HTTP/1.1 to `localhost:80`
    /// with no headers, for tests and tools; `None` if `target` is not an
    /// origin-form target `http` accepts.
    pub fn for_target(method: Method, target: &str) -> Option<Self> {
        Self::new(
            method,
            Version::HTTP_11,
            target.parse().ok()?,
            HostInfo::from_authority(None, 80),
            HeaderMap::new(),
        )
    }

    /// The request target exactly as received (`/a/../b?x`).
    pub fn target(&self) -> &str {
        self.target.as_str()
    }

    fn canonical(&self) -> &str {
        self.canonical
            .as_deref()
            .unwrap_or_else(|| self.target.as_str())
    }

    /// The canonical path, still percent-encoded: dot segments applied,
    /// unsafe characters escaped (`/b` for `/a/../b?x`).
    pub fn path(&self) -> &str {
        &self.canonical()[..self.path_len]
    }

    /// The canonical query with its `?`, or empty when there is none or
    /// it is empty.
    pub fn search(&self) -> &str {
        let rest = &self.canonical()[self.path_len..];
        if rest.len() > 1 { rest } else { "" }
    }

    /// Whether the method is `HEAD`.
    pub fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }

    /// Whether the method is `GET` or `HEAD`.
    pub fn is_get_or_head(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }
}

/// The host and port of a request (Lactoserv `HostInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInfo {
    /// Canonical host name or IP address (IPv6 without brackets).
    pub name: Arc<str>,
    /// The port.
    pub port: u16,
}

/// The name of requests that give no usable host.
static LOCALHOST: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("localhost"));

impl HostInfo {
    /// The host of a request with `authority` (HTTP2 `:authority`, or the
    /// HTTP1 `Host` header). `fallback_port` applies when the authority has
    /// no port; an absent or invalid authority means `localhost` on that
    /// port, as in the reference (requests are never refused for it).
    pub fn from_authority(authority: Option<&str>, fallback_port: u16) -> Self {
        authority
            .and_then(|text| Self::parse(text, fallback_port))
            .unwrap_or_else(|| Self::localhost(fallback_port))
    }

    /// The host `authority` names (`host[:port]`, `fallback_port` when it
    /// gives none), or `None` if it is empty or not a valid authority.
    pub fn parse(authority: &str, fallback_port: u16) -> Option<Self> {
        parse_authority(authority, fallback_port)
    }

    /// `localhost` on `port`: the host of requests that name none.
    pub fn localhost(port: u16) -> Self {
        Self {
            name: LOCALHOST.clone(),
            port,
        }
    }
}

impl fmt::Display for HostInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only an IPv6 address has colons in a canonical name.
        if self.name.contains(':') {
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
        name: Arc::from(name.as_str()),
        port,
    })
}

/// Canonicalises an origin-form target (starting with `/`) as WHATWG URL
/// parsing against a non-special base does: dot segments (also
/// percent-encoded) applied, empty segments kept, existing escapes kept,
/// unsafe characters escaped, any fragment dropped. Gives the canonical
/// `path?query` (`None` when the target is already canonical) and the
/// length of its path.
fn canonicalize(target: &str) -> Option<(Option<Box<str>>, usize)> {
    if !target.starts_with('/') {
        return None;
    }
    if let Some(path_len) = canonical_path_len(target.as_bytes()) {
        return Some((None, path_len));
    }
    // A non-special scheme keeps backslashes and empty segments as they are.
    let url = url::Url::parse(&format!("x://x{target}")).ok()?;
    let path = url.path();
    let mut text = String::with_capacity(target.len() + 8);
    text.push_str(path);
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        text.push('?');
        text.push_str(query);
    }
    Some((Some(text.into_boxed_str()), path.len()))
}

/// Bytes that stand for themselves in a canonical path: they need no
/// escaping. The query also allows `?`.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric();
        c += 1;
    }
    let others = b"-._~!$&'()*+,;=:@/%";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

/// Where the path ends in a target (after its leading `/`) that is
/// canonical as it is: only [`PLAIN`] characters, and no dot segment
/// (plain or percent-encoded). `None` if it needs canonicalising. One pass
/// over the bytes, for the common case.
fn canonical_path_len(target: &[u8]) -> Option<usize> {
    let mut segment = 1;
    let mut suspect = false;
    for (at, &c) in target.iter().enumerate().skip(1) {
        match c {
            b'/' | b'?' => {
                if suspect && is_dot_segment(&target[segment..at]) {
                    return None;
                }
                if c == b'?' {
                    let query = &target[at + 1..];
                    return query
                        .iter()
                        .all(|&c| PLAIN[usize::from(c)] || c == b'?')
                        .then_some(at);
                }
                segment = at + 1;
                suspect = false;
            }
            b'.' | b'%' => suspect = true,
            _ if PLAIN[usize::from(c)] => {}
            _ => return None,
        }
    }
    if suspect && is_dot_segment(&target[segment..]) {
        return None;
    }
    Some(target.len())
}

/// `.` or `..`, either dot possibly written `%2e`.
fn is_dot_segment(segment: &[u8]) -> bool {
    let rest = match segment {
        [b'.', rest @ ..] => rest,
        [b'%', b'2', e, rest @ ..] if e.eq_ignore_ascii_case(&b'e') => rest,
        _ => return false,
    };
    match rest {
        [] | [b'.'] => true,
        [b'%', b'2', e] => e.eq_ignore_ascii_case(&b'e'),
        _ => false,
    }
}

#[cfg(test)]
mod tests;

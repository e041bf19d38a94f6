//! A request's head from its decoded header block, checked as RFC 9113
//! §8.2 and §8.3 say: lowercase names, the request pseudo-headers once
//! each and before the rest, no connection-specific fields, a `:path`
//! unless `CONNECT`; anything else is malformed (a stream error).

use std::str::FromStr;

use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue, TE};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, Method, Uri, Version};

use super::hpack::{DecodeError, Decoder};
use crate::net::Response;
use crate::server::conn::limits;
use crate::server::request::host::{AskedHost, HostCache};

/// A request's head, ready for the pipeline once its body is in.
pub(crate) struct RequestHead {
    pub(crate) parts: http::request::Parts,
    pub(crate) host: AskedHost,
    /// Its `content-length`, if it gave one.
    pub(crate) declared_length: Option<u64>,
    /// When it came, for the access log.
    pub(crate) started: Option<std::time::Instant>,
}

impl RequestHead {
    /// The answer refusing this request once its body has reached
    /// `received` bytes, if that is more than it may have.
    pub(crate) fn body_refusal(&self, received: u64, max: Option<u64>) -> Option<Response> {
        let method = &self.parts.method;
        let takes_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
        super::recv::refusal(takes_body, received, max)
    }
}

/// What a header block holds.
pub(crate) enum Checked {
    /// A request (boxed: the other answers carry nothing).
    Request(Box<RequestHead>),
    /// A header list larger than the server takes.
    TooLarge,
    /// A malformed request (or trailers, which need no request).
    Malformed,
}

/// Decodes `block` (errors are the connection's) and checks it as a
/// request; `hosts` and `port` tell the host it asks for.
pub(crate) fn check(
    decoder: &mut Decoder,
    block: &[u8],
    hosts: &mut HostCache,
    port: u16,
) -> Result<Checked, DecodeError> {
    let mut fields = Fields::default();
    decoder.decode(block, |name, value| fields.add(name, value))?;
    Ok(fields.finish(hosts, port))
}

/// The fields of a block, as they are checked.
#[derive(Default)]
struct Fields {
    method: Option<Method>,
    scheme: Option<Scheme>,
    authority: Option<Authority>,
    path: Option<PathAndQuery>,
    headers: HeaderMap,
    declared: Option<u64>,
    /// A regular field has been seen: no pseudo-header may follow.
    regular: bool,
    /// The header list's size as RFC 9113 §6.5.2 counts it.
    size: usize,
    malformed: bool,
}

impl Fields {
    fn add(&mut self, name: &[u8], value: &[u8]) {
        self.size += name.len() + value.len() + 32;
        if self.malformed || self.size > limits::HEAD_SIZE {
            return;
        }
        if !self.field(name, value) {
            self.malformed = true;
        }
    }

    /// Takes one field in; `false` if it makes the request malformed.
    fn field(&mut self, name: &[u8], value: &[u8]) -> bool {
        if let Some(pseudo) = name.strip_prefix(b":") {
            if self.regular {
                return false;
            }
            return match pseudo {
                b"method" if self.method.is_none() => {
                    self.method = Method::from_bytes(value).ok();
                    self.method.is_some()
                }
                b"scheme" if self.scheme.is_none() => {
                    self.scheme = std::str::from_utf8(value)
                        .ok()
                        .and_then(|text| Scheme::from_str(text).ok());
                    self.scheme.is_some()
                }
                b"authority" if self.authority.is_none() => {
                    self.authority = Authority::try_from(value).ok();
                    self.authority.is_some()
                }
                b"path" if self.path.is_none() => {
                    if value.is_empty() {
                        return false;
                    }
                    self.path = PathAndQuery::try_from(value).ok();
                    self.path.is_some()
                }
                _ => false,
            };
        }
        self.regular = true;
        if name.iter().any(u8::is_ascii_uppercase) {
            return false;
        }
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            return false;
        };
        if is_connection_specific(&name) || (name == TE && value != "trailers") {
            return false;
        }
        if name == CONTENT_LENGTH {
            let Some(length) = value.to_str().ok().and_then(|text| text.parse().ok()) else {
                return false;
            };
            if self.declared.is_some_and(|declared| declared != length) {
                return false;
            }
            self.declared = Some(length);
        }
        self.headers.append(name, value);
        true
    }

    fn finish(self, hosts: &mut HostCache, port: u16) -> Checked {
        if self.size > limits::HEAD_SIZE {
            return Checked::TooLarge;
        }
        let Some(method) = self.method.filter(|_| !self.malformed) else {
            return Checked::Malformed;
        };
        let mut uri = http::uri::Parts::default();
        if method == Method::CONNECT {
            if self.authority.is_none() || self.scheme.is_some() || self.path.is_some() {
                return Checked::Malformed;
            }
        } else if self.scheme.is_none() || self.path.is_none() {
            return Checked::Malformed;
        }
        // A URI cannot have a scheme without an authority: the scheme,
        // checked, is dropped then.
        if self.authority.is_some() {
            uri.scheme = self.scheme;
        }
        uri.authority = self.authority;
        uri.path_and_query = self.path;
        let Ok(uri) = Uri::from_parts(uri) else {
            return Checked::Malformed;
        };
        let mut request = http::Request::new(());
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.version_mut() = Version::HTTP_2;
        *request.headers_mut() = self.headers;
        let host = hosts.host_of(&request, port);
        let (parts, ()) = request.into_parts();
        Checked::Request(Box::new(RequestHead {
            parts,
            host,
            declared_length: self.declared,
            started: None,
        }))
    }
}

/// Whether `name` is a field HTTP/2 does not carry (RFC 9113 §8.2.2).
fn is_connection_specific(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "proxy-connection" | "transfer-encoding" | "upgrade"
    )
}

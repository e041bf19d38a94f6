//! Endpoints: where the server listens, which protocol it speaks there, and
//! which application and services handle what arrives (Lactoserv
//! `webapp-core/export/NetworkEndpoint.js` and
//! `webapp-core/private/ServiceUseConfig.js`).
//!
//! An `endpoints` entry's own bindings are `protocol`, `interface`,
//! `hostnames`, `application`, `maxRequestBodySize` and `services`; the
//! framework takes `name` and `dispatchLogging` off first. Names of the
//! application and services are only checked for syntax here; they are
//! resolved when the whole configuration is linked.
//!
//! Layout:
//! - [`interface`]: the `interface` binding and its string form.

pub mod interface;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::bind::BindError;
use crate::component::{Kind, Reference, Role};
use crate::host::{Hostname, hostname};
use crate::names::Name;
use crate::quant::ByteCount;

pub use interface::{Interface, InterfaceError, ListenAddress};

/// The checked configuration of one endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointConfig {
    /// The protocol spoken.
    pub protocol: Protocol,
    /// Where to listen.
    pub interface: Interface,
    /// Which host bindings (certificates) a TLS endpoint presents; `*`, all
    /// of them, by default. No effect for `http`.
    #[serde(
        default = "default_hostnames",
        deserialize_with = "hostname::deserialize_list"
    )]
    pub hostnames: Vec<Hostname>,
    /// The application that receives every request.
    pub application: Name,
    /// The largest request body accepted; `None` (config `null`, the
    /// default) for no limit. `0 byte` is a real limit.
    #[serde(default)]
    pub max_request_body_size: Option<ByteCount>,
    /// The service filling each role, in config order.
    #[serde(default, deserialize_with = "deserialize_services")]
    pub services: Vec<(Role, Name)>,
    /// `reusePort` (beyond the reference): listen with `SO_REUSEPORT`, so
    /// several server processes can share the interface, the kernel
    /// spreading new connections among them. No effect for `/dev/fd/N`
    /// interfaces, whose sockets come ready-made.
    #[serde(default)]
    pub reuse_port: bool,
    /// `maxConnections` (beyond the reference): the most connections the
    /// endpoint serves at once; more wait, unanswered, in the listen queue
    /// until one ends. [`DEFAULT_MAX_CONNECTIONS`] when not given.
    #[serde(default)]
    pub max_connections: Option<f64>,
    /// `http3` (beyond the reference): an `http2` endpoint also serves
    /// HTTP/3 over QUIC, on UDP at the same address and port, and its
    /// other answers say so (`Alt-Svc`).
    #[serde(default)]
    pub http3: bool,
}

/// How many connections an endpoint serves at once unless its
/// `maxConnections` says otherwise: enough for any site served without a
/// proxy in front, few enough that a flood of idle connections cannot
/// exhaust the process's memory (each costs some tens of KiB at most).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10_000;

fn default_hostnames() -> Vec<Hostname> {
    vec![Hostname::any()]
}

impl EndpointConfig {
    /// Checks what bindings alone cannot: a body-size limit of at least
    /// zero, a connection limit of at least one, and a TLS endpoint with at least one hostname (with none it
    /// could never complete a handshake).
    pub fn validate(&mut self) -> Result<(), BindError> {
        if let Some(size) = self.max_request_body_size {
            if size.value().is_nan() || size.value() < 0.0 {
                return Err(BindError::new(
                    "maxRequestBodySize",
                    format!("Must be at least 0 byte: {size}"),
                ));
            }
        }
        if let Some(max) = self.max_connections
            && !(max.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&max))
        {
            return Err(BindError::new(
                "maxConnections",
                format!("Must be a whole number of at least 1: {max}"),
            ));
        }
        if self.http3 && self.protocol != Protocol::Http2 {
            return Err(BindError::new(
                "http3",
                format!(
                    "Only an `http2` endpoint can also serve HTTP/3, not `{}`.",
                    self.protocol
                ),
            ));
        }
        if self.needs_certificates() && self.hostnames.is_empty() {
            return Err(BindError::new(
                "hostnames",
                format!(
                    "Must have at least one hostname with protocol `{}`.",
                    self.protocol
                ),
            ));
        }
        Ok(())
    }

    /// The most connections served at once.
    pub fn connection_limit(&self) -> u32 {
        self.max_connections
            .map_or(DEFAULT_MAX_CONNECTIONS, |max| max as u32)
    }

    /// Whether the protocol runs over TLS, so the endpoint needs host
    /// certificates (`https`, `http2`).
    pub fn needs_certificates(&self) -> bool {
        self.protocol.uses_tls()
    }

    /// The service named for `role`, if any.
    pub fn service(&self, role: Role) -> Option<&Name> {
        self.services
            .iter()
            .find(|(bound, _)| *bound == role)
            .map(|(_, name)| name)
    }

    /// The components this endpoint names: its application, then its
    /// services in config order.
    pub fn references(&self) -> Vec<Reference> {
        let application =
            Reference::new("application", Kind::Application, self.application.as_str());
        let services = self.services.iter().map(|(role, name)| {
            Reference::new(
                format!("services.{}", role.key()),
                Kind::Service,
                name.as_str(),
            )
        });
        std::iter::once(application).chain(services).collect()
    }
}

/// The protocol an endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Cleartext HTTP/1.0 and HTTP/1.1.
    Http,
    /// TLS, then HTTP/1.x.
    Https,
    /// TLS, then HTTP/2, falling back to HTTP/1.1 on the same port.
    Http2,
}

impl Protocol {
    /// The config spelling (`http`, `https`, `http2`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::Http2 => "http2",
        }
    }

    /// Whether connections start with a TLS handshake.
    pub fn uses_tls(self) -> bool {
        self != Self::Http
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `protocol` that is none of the three (EP-1; case matters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown protocol: {0}")]
pub struct UnknownProtocol(pub String);

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "http" => Ok(Self::Http),
            "https" => Ok(Self::Https),
            "http2" => Ok(Self::Http2),
            _ => Err(UnknownProtocol(text.to_owned())),
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

/// Deserializes `services`: an object from role key to service name. An
/// unknown key is `Invalid role: <key>` (CFG-42); a bad name is reported at
/// its key (`services.accessLog`).
fn deserialize_services<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(Role, Name)>, D::Error> {
    deserializer.deserialize_map(ServicesVisitor)
}

struct ServicesVisitor;

impl<'de> Visitor<'de> for ServicesVisitor {
    type Value = Vec<(Role, Name)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object from role (`accessLog`, `connectionRateLimiter`, `dataRateLimiter`) to service name")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut result: Vec<(Role, Name)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let role = Role::from_key(&key)
                .ok_or_else(|| de::Error::custom(format!("Invalid role: {key}")))?;
            let name: Name = map.next_value()?;
            // A JSON object has no repeated keys, but other inputs might.
            if result.iter().any(|(bound, _)| *bound == role) {
                return Err(de::Error::custom(format!("Duplicate role: {key}")));
            }
            result.push((role, name));
        }
        Ok(result)
    }
}

//! Where an endpoint listens: an address and port, or a listening socket
//! inherited as a file descriptor (Lactoserv
//! `net-util/export/InterfaceAddress.js`).
//!
//! Configs give it as a string, `<address>:<port>` or `/dev/fd/<n>[:<port>]`
//! (IF-1), or as an object `{ address, portNumber }` / `{ fd, portNumber }`
//! (IF-5). The reference's socket options can only be given to its class
//! constructor in code, never through a config, so they are not accepted
//! here. Unlike the reference, an `address:port` interface listens on that
//! address only (IF-7, a deliberate difference).

use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU16;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::host::hostname::is_dns_name;
use crate::host::ip::{canonical_ip, is_any_address, parse_ip};

/// An endpoint's listening interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Interface {
    /// Listen on `address` at `port`.
    Address {
        /// Where to listen.
        address: ListenAddress,
        /// The port; never 0 (a config must name a real port).
        port: NonZeroU16,
    },
    /// Adopt the listening socket inherited as file descriptor `fd`
    /// (e.g. systemd socket activation), 0 to 65535 as in the reference.
    Fd {
        /// The file descriptor.
        fd: u16,
        /// The port it listens on, if the config says (for logs only).
        port: Option<NonZeroU16>,
    },
}

/// The address part of an [`Interface`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListenAddress {
    /// `*`: every interface, IPv4 and IPv6.
    Any,
    /// An IP address (never an "any" address; those are written `*`).
    Ip(IpAddr),
    /// A DNS name, resolved when binding; its case is kept.
    Name(String),
}

/// Text that is not a valid interface.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InterfaceError(String);

impl Interface {
    /// The port, if known.
    pub fn port(&self) -> Option<NonZeroU16> {
        match self {
            Self::Address { port, .. } => Some(*port),
            Self::Fd { port, .. } => *port,
        }
    }
}

impl ListenAddress {
    /// Parses `*`, an IP address (IPv6 with or without brackets) or a DNS
    /// name.
    pub fn parse(text: &str) -> Result<Self, InterfaceError> {
        if text == "*" {
            Ok(Self::Any)
        } else if let Some(ip) = parse_ip(text) {
            Ok(Self::Ip(ip))
        } else if is_dns_name(text) {
            Ok(Self::Name(text.to_owned()))
        } else if is_any_address(text) {
            Err(InterfaceError(format!(
                "Invalid interface address (use `*` for all interfaces): {text}"
            )))
        } else {
            Err(InterfaceError(format!("Invalid interface address: {text}")))
        }
    }
}

impl fmt::Display for ListenAddress {
    /// Canonical text, IPv6 without brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Ip(ip) => f.write_str(&canonical_ip(*ip)),
            Self::Name(name) => f.write_str(name),
        }
    }
}

/// A port in an interface: 1 to 65535.
fn port_number(value: u64) -> Result<NonZeroU16, InterfaceError> {
    u16::try_from(value)
        .ok()
        .and_then(NonZeroU16::new)
        .ok_or_else(|| InterfaceError(format!("Not a port number: {value}")))
}

/// Splits a trailing `:<1 to 5 digits>` off `text`.
fn split_port(text: &str) -> Option<(&str, &str)> {
    let (before, digits) = text.rsplit_once(':')?;
    let valid = (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then_some((before, digits))
}

impl FromStr for Interface {
    type Err = InterfaceError;

    /// Parses the string form (IF-1 to IF-3).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |why: &str| InterfaceError(format!("Invalid network interface{why}: {text}"));
        let (address, port) = match split_port(text) {
            Some((address, digits)) => {
                // At most five digits, so the number fits.
                let value = digits.parse::<u64>().unwrap_or(u64::MAX);
                (address, Some(port_number(value)?))
            }
            None => (text, None),
        };

        if let Some(fd) = address.strip_prefix("/dev/fd/") {
            let valid = (1..=5).contains(&fd.len()) && fd.bytes().all(|b| b.is_ascii_digit());
            let fd = valid.then(|| fd.parse::<u16>().ok()).flatten();
            return fd
                .map(|fd| Self::Fd { fd, port })
                .ok_or_else(|| invalid(""));
        }
        if address.is_empty() || address.starts_with('/') {
            return Err(invalid(""));
        }
        let address = ListenAddress::parse(address)?;
        if !text.starts_with('[') && text.matches(':').count() >= 2 {
            return Err(invalid(" (missing brackets)"));
        }
        let port = port.ok_or_else(|| invalid(" (missing port)"))?;
        Ok(Self::Address { address, port })
    }
}

impl fmt::Display for Interface {
    /// The canonical string form, which parses back to the same interface
    /// (IF-4).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address {
                address: ListenAddress::Ip(IpAddr::V6(v6)),
                port,
            } => write!(f, "[{}]:{port}", canonical_ip(IpAddr::V6(*v6))),
            Self::Address { address, port } => write!(f, "{address}:{port}"),
            Self::Fd { fd, port: None } => write!(f, "/dev/fd/{fd}"),
            Self::Fd {
                fd,
                port: Some(port),
            } => write!(f, "/dev/fd/{fd}:{port}"),
        }
    }
}

impl Serialize for Interface {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Interface {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(InterfaceVisitor)
    }
}

struct InterfaceVisitor;

impl<'de> Visitor<'de> for InterfaceVisitor {
    type Value = Interface;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an interface string (`*:8080`, `/dev/fd/3`) or `{ address, portNumber }`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Interface, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Interface, A::Error> {
        let object = InterfaceObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
        object.into_interface().map_err(de::Error::custom)
    }
}

/// The object form, as bound.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InterfaceObject {
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    fd: Option<Integer>,
    #[serde(default)]
    port_number: Option<Integer>,
}

impl InterfaceObject {
    fn into_interface(self) -> Result<Interface, InterfaceError> {
        let error = |message: &str| Err(InterfaceError(message.to_owned()));
        let port = self
            .port_number
            .map(|Integer(port)| port_number(port))
            .transpose()?;
        match (self.address, self.fd) {
            (None, None) => error("Must pass one of `address` or `fd`."),
            (Some(_), Some(_)) => error("Must pass only one of `address` or `fd`."),
            (Some(address), None) => {
                let address = ListenAddress::parse(&address)?;
                match port {
                    Some(port) => Ok(Interface::Address { address, port }),
                    None => error("Must pass `portNumber` when using `address`."),
                }
            }
            (None, Some(Integer(fd))) => match u16::try_from(fd) {
                Ok(fd) => Ok(Interface::Fd { fd, port }),
                Err(_) => Err(InterfaceError(format!(
                    "Not a file descriptor (0..65535): {fd}"
                ))),
            },
        }
    }
}

/// A non-negative whole number, however the config's JSON spelled it
/// (JavaScript has only floating-point numbers).
struct Integer(u64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor)
    }
}

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = Integer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Integer, E> {
        Ok(Integer(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Integer, E> {
        u64::try_from(value)
            .map(Integer)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Integer, E> {
        // Exact: a whole number up to JavaScript's largest safe integer
        // converts without loss.
        const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
        let whole = value.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&value);
        if whole {
            Ok(Integer(value as u64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(value), &self))
        }
    }
}

#[cfg(test)]
mod tests;

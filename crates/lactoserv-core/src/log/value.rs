//! Logged values: the immutable, JSON-like form every log-event argument is
//! turned into when it is logged (Lactoserv `LoggedValueEncoder` output:
//! plain data plus `Sexp`s, defs and refs; spec LOG-7/LOG-8).
//!
//! Both log formats are produced from this one model, so a value renders the
//! same way whether it reaches a human-format or a JSON sink.

use std::net::{IpAddr, SocketAddr};

use crate::quant::{ByteCount, Duration, Moment, format_byte_count};

/// One logged value.
#[derive(Debug, Clone, PartialEq)]
pub enum LogValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (an IEEE double, as in JavaScript).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<LogValue>),
    /// A plain object; keys keep their insertion order.
    Object(Vec<(String, LogValue)>),
    /// Anything that is not plain data: a functor plus arguments, e.g.
    /// `@Duration(0.028, '28.000 msec')` or `undefined`.
    Sexp {
        /// What the value is an instance (or a special value) of.
        functor: Functor,
        /// Constructor-like arguments.
        args: Vec<LogValue>,
    },
    /// The first occurrence of a value that is shared within one event
    /// (`#0 = …`).
    Def {
        /// Index of the shared value within its event.
        index: usize,
        /// The value itself.
        value: Box<LogValue>,
    },
    /// A later occurrence of a shared value (`#0`).
    Ref(usize),
}

/// The functor of a [`LogValue::Sexp`]. The two kinds differ only in the JSON
/// form (LOG-24): a plain name gives `{"@Name": [args…]}`, a class gives
/// `{"@Sexp": [{"@Class": ["Name"]}, args…]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Functor {
    /// A plain name, used for special values (`Undefined`, `Elided`,
    /// `BigInt`, `Symbol`, `Function`, `Class`, `Proxy`).
    Name(String),
    /// The class of a domain object (`Duration`, `ByteCount`, `Socket`, …).
    Class(String),
    /// An old-style constructor function standing in for a class (the
    /// reference logs Node sockets this way).
    Function(String),
}

impl LogValue {
    /// A sexp whose functor is a plain name.
    pub fn named(name: &str, args: Vec<LogValue>) -> Self {
        Self::Sexp {
            functor: Functor::Name(name.to_owned()),
            args,
        }
    }

    /// A sexp standing for an instance of the domain class `class`.
    pub fn instance(class: &str, args: Vec<LogValue>) -> Self {
        Self::Sexp {
            functor: Functor::Class(class.to_owned()),
            args,
        }
    }

    /// An instance with nothing loggable in it: `@Socket(...)`.
    pub fn opaque_instance(class: &str) -> Self {
        Self::instance(class, vec![Self::elided()])
    }

    /// JavaScript's `undefined`.
    pub fn undefined() -> Self {
        Self::named("Undefined", Vec::new())
    }

    /// An elided value, rendered `...`.
    pub fn elided() -> Self {
        Self::named("Elided", Vec::new())
    }

    /// A plain object from `(key, value)` pairs, keeping their order.
    pub fn object<K, I>(entries: I) -> Self
    where
        K: Into<String>,
        I: IntoIterator<Item = (K, LogValue)>,
    {
        Self::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A duration: `@Duration(<sec>, '<text>')`.
    pub fn duration(duration: Duration) -> Self {
        Self::instance(
            "Duration",
            vec![duration.value().into(), duration.to_text(false).into()],
        )
    }

    /// A byte count: `@ByteCount(<bytes>, '<text>')`.
    pub fn byte_count(bytes: ByteCount) -> Self {
        let count = bytes.value();
        Self::instance(
            "ByteCount",
            vec![count.into(), format_byte_count(Some(count), false).into()],
        )
    }

    /// A moment: `@Moment(<atSec>, 'YYYY-MM-DD_HH:MM:SS.ffffff')`.
    pub fn moment(moment: Moment) -> Self {
        let text = moment.to_human_text(6).replacen(' ', "_", 1);
        Self::instance("Moment", vec![moment.at_sec().into(), text.into()])
    }

    /// An interface a server listens on:
    /// `@InterfaceAddress({ address: '*', portNumber: 8080 })`. `address` is
    /// as configured (`*` for all interfaces); `port` is omitted when `None`.
    pub fn interface_address(address: &str, port: Option<u16>) -> Self {
        let mut fields = vec![("address".to_owned(), Self::from(address))];
        if let Some(port) = port.filter(|&p| p != 0) {
            fields.push(("portNumber".to_owned(), port.into()));
        }
        Self::instance("InterfaceAddress", vec![Self::Object(fields)])
    }

    /// An interface given as an inherited file descriptor:
    /// `@InterfaceAddress({ fd: 3 })`.
    pub fn interface_fd(fd: u32) -> Self {
        Self::instance(
            "InterfaceAddress",
            vec![Self::object([("fd", Self::from(fd))])],
        )
    }

    /// The address of one end of a connection:
    /// `@EndpointAddress('<ip>', <port>)`.
    pub fn endpoint_address(ip: IpAddr, port: u16) -> Self {
        Self::instance("EndpointAddress", vec![ip.to_string().into(), port.into()])
    }

    /// An error, as the reference logs one (LOG-7): a one-key object
    /// `{ '@<class>': { message, cause? } }`, where the causes come from
    /// [`std::error::Error::source`]. Rust errors have no stack, so none is
    /// given.
    pub fn error(class: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        let mut body = vec![("message".to_owned(), Self::from(error.to_string()))];
        if let Some(cause) = error.source() {
            body.push(("cause".to_owned(), Self::error(class, cause)));
        }
        Self::object([(format!("@{class}"), Self::Object(body))])
    }
}

impl From<bool> for LogValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<f64> for LogValue {
    fn from(value: f64) -> Self {
        Self::Number(value)
    }
}

/// Numbers that convert to `f64` exactly (or, for 64-bit ones, as closely as
/// JavaScript itself could hold them).
macro_rules! from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for LogValue {
            fn from(value: $t) -> Self {
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                Self::Number(value as f64)
            }
        }
    )*};
}

from_number!(f32, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<&str> for LogValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for LogValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&String> for LogValue {
    fn from(value: &String) -> Self {
        Self::String(value.clone())
    }
}

impl<T: Into<LogValue>> From<Option<T>> for LogValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

impl<T: Into<LogValue>> From<Vec<T>> for LogValue {
    fn from(value: Vec<T>) -> Self {
        Self::Array(value.into_iter().map(Into::into).collect())
    }
}

impl From<Duration> for LogValue {
    fn from(value: Duration) -> Self {
        Self::duration(value)
    }
}

impl From<ByteCount> for LogValue {
    fn from(value: ByteCount) -> Self {
        Self::byte_count(value)
    }
}

impl From<Moment> for LogValue {
    fn from(value: Moment) -> Self {
        Self::moment(value)
    }
}

impl From<SocketAddr> for LogValue {
    fn from(value: SocketAddr) -> Self {
        Self::endpoint_address(value.ip(), value.port())
    }
}

impl From<&serde_json::Value> for LogValue {
    fn from(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            // Every JSON number has an `f64` reading.
            Value::Number(n) => Self::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Self::String(s.clone()),
            Value::Array(items) => Self::Array(items.iter().map(Self::from).collect()),
            Value::Object(map) => Self::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for LogValue {
    fn from(value: serde_json::Value) -> Self {
        Self::from(&value)
    }
}

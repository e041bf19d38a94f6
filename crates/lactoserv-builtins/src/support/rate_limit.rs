//! The token-bucket settings shared by the three rate limiters:
//! ConnectionRateLimiter, DataRateLimiter and RequestRateLimiter (Lactoserv
//! `webapp-builtins/private/TemplRateLimitConfig.js`).
//!
//! The limiters differ only in what a token is (a connection, a byte, a
//! request), whether a queued grant may be capped (`maxQueueGrant`, bytes
//! only) and DataRateLimiter's extra `verboseLogging`. A [`TokenKind`] says
//! which; [`RateLimitConfig`] is generic over it, as the reference's template
//! is over its count and rate classes.
//!
//! Ranges follow the reference, except that `initialBurst` may be 0 (a
//! bucket that starts empty), as its docs say (spec 00, decision "limiter
//! `initialBurst: 0`").

use std::fmt;
use std::marker::PhantomData;

use lactoserv_core::bind::BindError;
use lactoserv_core::quant::{
    ByteCount, ByteRate, ConnectionCount, ConnectionRate, RequestCount, RequestRate,
};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};

/// The largest token count a limiter accepts, as in the reference.
const MAX_TOKENS: f64 = 1e100;

/// A quantity a limiter setting is made of: a token count or a token rate.
pub(crate) trait Quantity:
    Copy + fmt::Debug + fmt::Display + DeserializeOwned + Send + Sync + 'static
{
    /// The amount in base units (tokens, or tokens per second).
    fn amount(self) -> f64;
}

macro_rules! impl_quantity {
    ($($ty:ty),*) => {
        $(impl Quantity for $ty {
            fn amount(self) -> f64 {
                self.value()
            }
        })*
    };
}

impl_quantity!(
    ByteCount,
    ByteRate,
    ConnectionCount,
    ConnectionRate,
    RequestCount,
    RequestRate
);

/// What one limiter counts, and which optional bindings it takes.
pub(crate) trait TokenKind: fmt::Debug + Send + Sync + 'static {
    /// A number of tokens (`'5 conn'`).
    type Count: Quantity;
    /// Tokens per second (`'1 conn/sec'`).
    type Rate: Quantity;
    /// Whether `maxQueueGrant` is meaningful: only a byte limiter can hand
    /// out part of a queued request.
    const MAX_QUEUE_GRANT: bool;
    /// Whether the limiter takes `verboseLogging`.
    const VERBOSE_LOGGING: bool;
}

/// Tokens are connections (ConnectionRateLimiter).
#[derive(Debug)]
pub(crate) enum ConnectionTokens {}

impl TokenKind for ConnectionTokens {
    type Count = ConnectionCount;
    type Rate = ConnectionRate;
    const MAX_QUEUE_GRANT: bool = false;
    const VERBOSE_LOGGING: bool = false;
}

/// Tokens are bytes written (DataRateLimiter).
#[derive(Debug)]
pub(crate) enum ByteTokens {}

impl TokenKind for ByteTokens {
    type Count = ByteCount;
    type Rate = ByteRate;
    const MAX_QUEUE_GRANT: bool = true;
    const VERBOSE_LOGGING: bool = true;
}

/// Tokens are requests (RequestRateLimiter).
#[derive(Debug)]
pub(crate) enum RequestTokens {}

impl TokenKind for RequestTokens {
    type Count = RequestCount;
    type Rate = RequestRate;
    const MAX_QUEUE_GRANT: bool = false;
    const VERBOSE_LOGGING: bool = false;
}

/// The bindings of a rate limiter: its token bucket plus, for bytes,
/// `verboseLogging`.
#[derive(Debug)]
pub(crate) struct RateLimitConfig<K: TokenKind> {
    /// Refill rate, and so the steady-state throughput.
    pub(crate) flow_rate: K::Rate,
    /// Bucket capacity.
    pub(crate) max_burst: K::Count,
    /// Tokens at start; `None` means a full bucket.
    pub(crate) initial_burst: Option<K::Count>,
    /// Total tokens that may be waited for; `None` means no limit.
    pub(crate) max_queue: Option<K::Count>,
    /// Most tokens handed to one queued request; `None` means the smaller of
    /// `max_burst` and `max_queue`. Always `None` unless the kind allows it.
    pub(crate) max_queue_grant: Option<K::Count>,
    /// Whether to log every write; always `false` unless the kind takes it.
    #[allow(dead_code, reason = "the data limiter reads it when it runs")]
    pub(crate) verbose_logging: bool,
}

impl<K: TokenKind> RateLimitConfig<K> {
    /// Checks the ranges and the limits the settings put on each other.
    pub(crate) fn validate(&self) -> Result<(), BindError> {
        if self.flow_rate.amount() <= 0.0 {
            return Err(BindError::new(
                "flowRate",
                format!("Must be more than zero: {}", self.flow_rate),
            ));
        }
        let max_burst = self.max_burst.amount();
        check_range("maxBurst", self.max_burst, 1.0, MAX_TOKENS, "1 to 1e100")?;
        if let Some(initial) = self.initial_burst {
            let range = format!("0 to `maxBurst`, {}", self.max_burst);
            check_range("initialBurst", initial, 0.0, max_burst, &range)?;
        }
        if let Some(queue) = self.max_queue {
            check_range("maxQueue", queue, 1.0, MAX_TOKENS, "1 to 1e100")?;
        }
        if let Some(grant) = self.max_queue_grant {
            let (limit, range) = match self.max_queue {
                Some(queue) if queue.amount() < max_burst => {
                    (queue.amount(), format!("1 to `maxQueue`, {queue}"))
                }
                _ => (max_burst, format!("1 to `maxBurst`, {}", self.max_burst)),
            };
            check_range("maxQueueGrant", grant, 1.0, limit, &range)?;
        }
        Ok(())
    }

    /// The bucket these settings describe, for the limiter `name` (its
    /// counts are kept by name, when the configuration counts).
    pub(crate) fn bucket(&self, name: &str) -> std::sync::Arc<lactoserv_core::bucket::TokenBucket> {
        let counts = lactoserv_core::metrics::process().limiter(name);
        let settings = lactoserv_core::bucket::BucketSettings {
            flow_rate: self.flow_rate.amount(),
            max_burst: self.max_burst.amount(),
            initial_burst: self.initial_tokens(),
            max_queue: self.max_queue.map(Quantity::amount),
            max_queue_grant: self.queue_grant_tokens(),
        };
        lactoserv_core::bucket::TokenBucket::counted(settings, counts)
    }

    /// The tokens in the bucket at start.
    pub(crate) fn initial_tokens(&self) -> f64 {
        self.initial_burst.unwrap_or(self.max_burst).amount()
    }

    /// The most tokens one queued request is granted at once.
    pub(crate) fn queue_grant_tokens(&self) -> f64 {
        match (self.max_queue_grant, self.max_queue) {
            (Some(grant), _) => grant.amount(),
            (None, Some(queue)) => queue.amount().min(self.max_burst.amount()),
            (None, None) => self.max_burst.amount(),
        }
    }
}

fn check_range<Q: Quantity>(
    field: &str,
    value: Q,
    min: f64,
    max: f64,
    range: &str,
) -> Result<(), BindError> {
    let amount = value.amount();
    if (min..=max).contains(&amount) {
        Ok(())
    } else {
        Err(BindError::new(
            field,
            format!("Out of range ({range}): {value}"),
        ))
    }
}

// The bindings are read by hand rather than derived: DataRateLimiter adds a
// binding the other two must reject as unknown, and serde's `flatten` would
// lose the path of a failing nested binding.
impl<'de, K: TokenKind> Deserialize<'de> for RateLimitConfig<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(
            "RateLimitConfig",
            fields::<K>(),
            BindingsVisitor(PhantomData),
        )
    }
}

fn fields<K: TokenKind>() -> &'static [&'static str] {
    const ALL: [&str; 6] = [
        "flowRate",
        "maxBurst",
        "initialBurst",
        "maxQueue",
        "maxQueueGrant",
        "verboseLogging",
    ];
    if K::VERBOSE_LOGGING { &ALL } else { &ALL[..5] }
}

struct BindingsVisitor<K>(PhantomData<K>);

impl<'de, K: TokenKind> Visitor<'de> for BindingsVisitor<K> {
    type Value = RateLimitConfig<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a rate limiter's bindings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut flow_rate = None;
        let mut max_burst = None;
        let mut initial_burst = None;
        let mut max_queue = None;
        let mut max_queue_grant = None;
        let mut verbose_logging = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "flowRate" => flow_rate = Some(map.next_value()?),
                "maxBurst" => max_burst = Some(map.next_value()?),
                "initialBurst" => initial_burst = map.next_value()?,
                "maxQueue" => max_queue = map.next_value()?,
                "maxQueueGrant" if K::MAX_QUEUE_GRANT => max_queue_grant = map.next_value()?,
                "maxQueueGrant" => {
                    // Reading the value (rather than failing here) lets the
                    // error carry the binding's path; `null` is allowed.
                    map.next_value::<Option<Meaningless>>()?;
                }
                "verboseLogging" if K::VERBOSE_LOGGING => verbose_logging = map.next_value()?,
                _ => return Err(de::Error::unknown_field(&key, fields::<K>())),
            }
        }
        Ok(RateLimitConfig {
            flow_rate: flow_rate.ok_or_else(|| de::Error::missing_field("flowRate"))?,
            max_burst: max_burst.ok_or_else(|| de::Error::missing_field("maxBurst"))?,
            initial_burst,
            max_queue,
            max_queue_grant,
            verbose_logging,
        })
    }
}

/// A non-null `maxQueueGrant` on a limiter that has no use for one.
enum Meaningless {}

impl<'de> Deserialize<'de> for Meaningless {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(de::Error::custom(
            "`maxQueueGrant` does not make sense for this kind of rate limiter.",
        ))
    }
}

#[cfg(test)]
mod tests;

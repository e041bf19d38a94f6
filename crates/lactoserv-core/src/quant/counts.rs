//! Counts and rates of connections and requests, used by the rate limiters
//! (Lactoserv `webapp-util/export/ConnectionCount.js`, `ConnectionRate.js`,
//! `RequestCount.js` and `RequestRate.js`).

use super::frequency::PER_SEC_UNITS;
use super::typed::typed_quantity;
use super::unit::UnitTable;

/// Spellings of the connection unit (QTY-14).
const CONNECTION_PER_UNIT: UnitTable = &[("connection/", 1.0), ("conn/", 1.0), ("c/", 1.0)];

/// Spellings of the request unit (QTY-15).
const REQUEST_PER_UNIT: UnitTable = &[("request/", 1.0), ("req/", 1.0), ("r/", 1.0)];

typed_quantity! {
    /// A number of connections, written like `5 conn` or `5 connection`.
    ConnectionCount,
    base = "connections",
    kind = "connection count",
    unit = "conn",
    tables = [CONNECTION_PER_UNIT],
}

typed_quantity! {
    /// A connection rate in connections per second, written like
    /// `3 conn per sec` or `1 c/ms`.
    ConnectionRate,
    base = "connections per second",
    kind = "connection rate",
    unit = "conn/sec",
    tables = [CONNECTION_PER_UNIT, PER_SEC_UNITS],
}

typed_quantity! {
    /// A number of requests, written like `20 req` or `20 request`.
    RequestCount,
    base = "requests",
    kind = "request count",
    unit = "req",
    tables = [REQUEST_PER_UNIT],
}

typed_quantity! {
    /// A request rate in requests per second, written like `600 req per min`
    /// or `10 r/s`.
    RequestRate,
    base = "requests per second",
    kind = "request rate",
    unit = "req/sec",
    tables = [REQUEST_PER_UNIT, PER_SEC_UNITS],
}

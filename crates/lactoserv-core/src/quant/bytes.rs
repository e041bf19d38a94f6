//! Amounts of data and data rates (Lactoserv `quant/export/ByteCount.js`
//! and `quant/export/ByteRate.js`).

use super::frequency::PER_SEC_UNITS;
use super::typed::typed_quantity;
use super::unit::UnitTable;

/// Bytes per numerator unit (QTY-12). Names are case-sensitive: `kB` is
/// decimal, `KiB` binary, and there is no `KB` or `kb`.
const BYTE_PER_UNIT: UnitTable = &[
    ("byte/", 1.0),
    ("B/", 1.0),
    ("kB/", 1000.0),
    ("KiB/", 1024.0),
    ("MB/", 1000.0 * 1000.0),
    ("MiB/", 1024.0 * 1024.0),
    ("GB/", 1000.0 * 1000.0 * 1000.0),
    ("GiB/", 1024.0 * 1024.0 * 1024.0),
    ("TB/", 1000.0 * 1000.0 * 1000.0 * 1000.0),
    ("TiB/", 1024.0 * 1024.0 * 1024.0 * 1024.0),
];

typed_quantity! {
    /// An amount of data in bytes, written like `10_000 B`, `5 MiB` or `1 kB`.
    ByteCount,
    base = "bytes",
    kind = "byte count",
    unit = "byte",
    tables = [BYTE_PER_UNIT],
}

typed_quantity! {
    /// A data rate in bytes per second, written like `100 KiB/sec` or
    /// `120 GiB per day`; both units are required.
    ByteRate,
    base = "bytes per second",
    kind = "byte rate",
    unit = "byte/sec",
    tables = [BYTE_PER_UNIT, PER_SEC_UNITS],
}

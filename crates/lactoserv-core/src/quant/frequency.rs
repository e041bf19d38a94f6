//! A rate of events per second (Lactoserv `quant/export/Frequency.js`), and
//! the per-time denominator table every other rate shares.

use super::typed::typed_quantity;
use super::unit::UnitTable;

/// Hertz per denominator time unit (QTY-11): one per that unit's length.
/// Written as the reference writes them (whole numbers for units below a
/// second, divisions above), which fixes the exact float factors.
pub(crate) const PER_SEC_UNITS: UnitTable = &[
    ("/ns", 1_000_000_000.0),
    ("/nsec", 1_000_000_000.0),
    ("/us", 1_000_000.0),
    ("/usec", 1_000_000.0),
    ("/ms", 1_000.0),
    ("/msec", 1_000.0),
    ("/s", 1.0),
    ("/sec", 1.0),
    ("/second", 1.0),
    ("/m", 1.0 / 60.0),
    ("/min", 1.0 / 60.0),
    ("/minute", 1.0 / 60.0),
    ("/h", 1.0 / (60.0 * 60.0)),
    ("/hr", 1.0 / (60.0 * 60.0)),
    ("/hour", 1.0 / (60.0 * 60.0)),
    ("/d", 1.0 / (60.0 * 60.0 * 24.0)),
    ("/day", 1.0 / (60.0 * 60.0 * 24.0)),
];

/// Hertz written as a numerator unit (`2 Hz`), the other way to write a
/// frequency.
const HZ_UNITS: UnitTable = &[("Hz/", 1.0), ("hertz/", 1.0)];

typed_quantity! {
    /// A frequency in hertz, written like `2 Hz`, `5 /min` or `1 per day`.
    Frequency,
    base = "hertz",
    kind = "frequency",
    unit = "/sec",
    tables = [PER_SEC_UNITS],
    or = [HZ_UNITS],
}

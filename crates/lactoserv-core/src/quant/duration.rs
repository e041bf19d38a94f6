//! A length of time in seconds (Lactoserv `quant/export/Duration.js`).

use super::typed::typed_quantity;
use super::unit::UnitTable;

/// Seconds per numerator unit (QTY-10). Factors below a second are written
/// as divisions, as the reference does, so `ms` multiplies by `1.0 / 1000.0`.
pub(crate) const SEC_PER_UNIT: UnitTable = &[
    ("ns/", 1.0 / 1_000_000_000.0),
    ("nsec/", 1.0 / 1_000_000_000.0),
    ("us/", 1.0 / 1_000_000.0),
    ("usec/", 1.0 / 1_000_000.0),
    ("ms/", 1.0 / 1_000.0),
    ("msec/", 1.0 / 1_000.0),
    ("s/", 1.0),
    ("sec/", 1.0),
    ("second/", 1.0),
    ("m/", 60.0),
    ("min/", 60.0),
    ("minute/", 60.0),
    ("h/", 60.0 * 60.0),
    ("hr/", 60.0 * 60.0),
    ("hour/", 60.0 * 60.0),
    ("d/", 60.0 * 60.0 * 24.0),
    ("day/", 60.0 * 60.0 * 24.0),
];

typed_quantity! {
    /// A duration in seconds, written like `5 min`, `250ms` or `1_day`.
    Duration,
    base = "seconds",
    kind = "duration",
    unit = "sec",
    tables = [SEC_PER_UNIT],
}

impl Duration {
    /// The human-friendly text of this duration (FMT-1): `1.235 msec`,
    /// `:01:40.0`, `1d 11:22:33`. With `no_spaces`, number and unit are
    /// joined with `_` so the text is a single token in a log line.
    pub fn to_text(self, no_spaces: bool) -> String {
        super::format::duration_text(self.0, no_spaces)
    }

    /// [`Duration::to_text`] appended to `out`.
    pub fn push_text(self, out: &mut String, no_spaces: bool) {
        super::format::push_duration_text(out, self.0, no_spaces);
    }

    /// The duration as it appears in JSON output (FMT-2): the exact number of
    /// seconds plus the human-friendly text, as
    /// `{ "sec": <number>, "duration": <text> }`.
    pub fn to_json_object(self) -> serde_json::Value {
        serde_json::json!({
            "sec": super::format::json_number(self.0),
            "duration": self.to_text(false),
        })
    }
}

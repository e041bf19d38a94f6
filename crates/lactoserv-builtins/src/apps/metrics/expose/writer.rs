//! Writing families and samples in either format.

use std::fmt::Write as _;

use lactoserv_core::metrics::{BOUNDS, Observed};

use super::Format;

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    /// The name samples of a family named `family` carry (a histogram's
    /// add their own suffixes to it).
    pub(super) fn sample_name(self, family: &str) -> String {
        match self {
            Self::Counter => format!("{family}_total"),
            Self::Gauge | Self::Histogram => family.to_owned(),
        }
    }
}

/// Writes families and samples.
pub(super) struct Writer {
    pub(super) out: String,
    pub(super) format: Format,
}

impl Writer {
    /// `# HELP` and `# TYPE` of a family named `family` (without
    /// `_total`).
    pub(super) fn family(&mut self, family: &str, kind: Kind, help: &str) {
        // In the Prometheus format the lines name the samples; in
        // OpenMetrics, the family.
        let name = match self.format {
            Format::Prometheus => kind.sample_name(family),
            Format::OpenMetrics => family.to_owned(),
        };
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    /// A sample line.
    pub(super) fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (at, (label, text)) in labels.iter().enumerate() {
                if at > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escaped(text));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }

    /// The samples of histogram `family` for one set of `labels`: a
    /// cumulative count per bound, then `+Inf`, the sum and the count.
    pub(super) fn histogram(&mut self, family: &str, labels: &[(&str, &str)], observed: &Observed) {
        let bucket = format!("{family}_bucket");
        let counts = observed.at_most.iter().chain([&observed.count]);
        for (at, count) in counts.enumerate() {
            // Both formats want a float; `{:?}` keeps the `.0` of whole
            // seconds (`1.0`), which OpenMetrics asks for.
            let le = BOUNDS
                .get(at)
                .map_or_else(|| "+Inf".to_owned(), |bound| format!("{bound:?}"));
            let mut with_le = labels.to_vec();
            with_le.push(("le", &le));
            self.sample(&bucket, &with_le, *count as f64);
        }
        self.sample(&format!("{family}_sum"), labels, observed.sum);
        self.sample(&format!("{family}_count"), labels, observed.count as f64);
    }
}

/// A label value with `\`, `"` and newlines escaped, as both formats ask.
fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

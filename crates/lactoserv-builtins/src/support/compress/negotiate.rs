//! Choosing the coding of an answer from the request's `Accept-Encoding`
//! (RFC 9110 §12.5.3): each coding weighed by its own `q`, else by `*`'s,
//! else not acceptable; `identity` acceptable unless weighed 0 (by name,
//! or by `*` without a name). The heaviest wins; among equals, the order
//! the server prefers, and any coding before `identity`.
//!
//! Hand-written: the rules are a few lines, and this runs for every
//! request to a compressible resource, so it reads the header in place
//! without allocating.

use http::HeaderMap;
use http::header::ACCEPT_ENCODING;

use super::Coding;

/// The coding to answer with, from `offered` (in the server's order of
/// preference); `None` for no coding (`identity`). A request without
/// `Accept-Encoding` gets none, as every server does, although the RFC
/// would allow any: clients that decode say so.
pub(crate) fn choose(headers: &HeaderMap, offered: &[Coding]) -> Option<Coding> {
    let mut weights = Weights::default();
    let mut any = false;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else {
            continue;
        };
        any = true;
        for member in text.split(',') {
            weights.take(member);
        }
    }
    if !any {
        return None;
    }
    let mut best: Option<(Coding, u16)> = None;
    for &coding in offered {
        let weight = weights.of(coding);
        if weight > 0 && best.is_none_or(|(_, most)| weight > most) {
            best = Some((coding, weight));
        }
    }
    let (coding, weight) = best?;
    (weight >= weights.identity()).then_some(coding)
}

/// The weights (thousandths) the header gives, by name.
#[derive(Default)]
struct Weights {
    codings: [Option<u16>; Coding::ALL.len()],
    identity: Option<u16>,
    star: Option<u16>,
}

impl Weights {
    /// Takes one member of the list: `token [; q=weight]`.
    fn take(&mut self, member: &str) {
        let mut parts = member.split(';');
        let token = parts.next().unwrap_or("").trim();
        if token.is_empty() {
            return;
        }
        let mut weight = 1000;
        for parameter in parts {
            let Some((name, value)) = parameter.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("q") {
                match parse_weight(value.trim()) {
                    Some(given) => weight = given,
                    // A weight that cannot be read: the member is ignored.
                    None => return,
                }
            }
        }
        let slot = if token == "*" {
            &mut self.star
        } else if token.eq_ignore_ascii_case("identity") {
            &mut self.identity
        } else if let Some(coding) = Coding::from_token(token) {
            &mut self.codings[coding.index()]
        } else {
            return;
        };
        // Named twice: the heavier counts.
        *slot = Some(slot.map_or(weight, |had| had.max(weight)));
    }

    fn of(&self, coding: Coding) -> u16 {
        self.codings[coding.index()].or(self.star).unwrap_or(0)
    }

    fn identity(&self) -> u16 {
        match (self.identity, self.star) {
            (Some(weight), _) => weight,
            (None, Some(0)) => 0,
            // Acceptable whatever else is said, but the lightest choice.
            (None, _) => 1,
        }
    }
}

/// A `qvalue` (RFC 9110 §12.4.2: `0`, `1`, up to three decimals) in
/// thousandths.
fn parse_weight(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (at, digit) in fraction.bytes().enumerate() {
        thousandths += u16::from(digit - b'0') * [100, 10, 1][at];
    }
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

//! When to renew, by the authority's renewal information (ARI, RFC 9773)
//! when its directory offers it: the authority suggests a window (earlier
//! than usual when it must revoke, say) and a time to ask again. Without
//! it a certificate is renewed two thirds of the way through its
//! validity ([`super::stored::Stored::renew_at`]).

use std::time::{Duration, SystemTime};

use instant_acme::{Account, CertificateIdentifier};
use rustls::pki_types::CertificateDer;

/// The least time between two questions about one certificate, whatever
/// the authority's hint: a hint of seconds would make the keeper a poller.
pub const MIN_ASK: Duration = Duration::from_secs(60 * 60);

/// The most: RFC 9773 asks clients to look at least once a day.
pub const MAX_ASK: Duration = Duration::from_secs(24 * 60 * 60);

/// What the authority suggests for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    /// When to renew it: a moment picked in the suggested window.
    pub at: SystemTime,
    /// When to ask again.
    pub ask_again: SystemTime,
}

/// The authority's suggestion for `leaf`, or `None` when its directory
/// offers no renewal information. `fraction` (in [0, 1)) picks the moment
/// in the window, so that servers renewing alike spread out.
pub async fn ask(
    account: &Account,
    leaf: &CertificateDer<'_>,
    fraction: f64,
) -> Result<Option<Suggestion>, String> {
    let id = CertificateIdentifier::try_from(leaf)?;
    let (info, hint) = match account.renewal_info(&id).await {
        Ok(answer) => answer,
        Err(instant_acme::Error::Unsupported(_)) => return Ok(None),
        Err(err) => return Err(format!("renewal information: {err}")),
    };
    let window = info.suggested_window;
    let now = SystemTime::now();
    Ok(Some(Suggestion {
        at: pick(window.start.into(), window.end.into(), now, fraction),
        ask_again: now + hint.clamp(MIN_ASK, MAX_ASK),
    }))
}

/// The moment `fraction` of the way through the window from `start` to
/// `end`, or `now` if that has passed (RFC 9773 §4.2).
fn pick(start: SystemTime, end: SystemTime, now: SystemTime, fraction: f64) -> SystemTime {
    let width = end.duration_since(start).unwrap_or_default();
    (start + width.mul_f64(fraction.clamp(0.0, 1.0))).max(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moment_is_picked_in_the_window_or_is_now_once_it_has_passed() {
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(pick(at(100), at(200), at(50), 0.0), at(100));
        assert_eq!(pick(at(100), at(200), at(50), 0.5), at(150));
        assert_eq!(pick(at(100), at(200), at(50), 1.0), at(200));
        // A window partly passed: a moment already gone is now.
        assert_eq!(pick(at(100), at(200), at(160), 0.5), at(160));
        assert_eq!(pick(at(100), at(200), at(120), 0.5), at(150));
        // Wholly passed, or backwards: now.
        assert_eq!(pick(at(100), at(200), at(300), 0.9), at(300));
        assert_eq!(pick(at(200), at(100), at(50), 0.5), at(200));
    }
}

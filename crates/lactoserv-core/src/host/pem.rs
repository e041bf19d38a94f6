//! The PEM shape checks a host's `certificate` and `privateKey` get at
//! configuration time (Lactoserv `net-util/export/CertUtil.js`,
//! `mustBeCertificateChain` and `mustBePrivateKey`).
//!
//! Only the armour is checked: `-----BEGIN <label>-----`, lines of 1–80
//! base64 characters (at most 501), the last of which may end in up to two
//! `=`, then `-----END <label>-----`, with CR/LF line breaks and blank lines
//! allowed around and between lines. Whether the base64 decodes to a usable
//! certificate or key is found out when the TLS configuration is built.

/// Label of a certificate block.
const CERTIFICATE_LABEL: &str = "CERTIFICATE";
/// Labels of the accepted private-key blocks: PKCS#8, PKCS#1 RSA, SEC1 EC.
const KEY_LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];
/// Most body lines in one block.
const MAX_LINES: usize = 501;
/// Most base64 characters on one body line.
const MAX_LINE_LEN: usize = 80;

/// Whether `text` is one or more PEM `CERTIFICATE` blocks.
pub(crate) fn is_certificate_chain(text: &str) -> bool {
    count_blocks(text, &[CERTIFICATE_LABEL]).is_some_and(|count| count >= 1)
}

/// Whether `text` is exactly one PEM private-key block (`PRIVATE KEY`,
/// `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
pub(crate) fn is_private_key(text: &str) -> bool {
    count_blocks(text, &KEY_LABELS) == Some(1)
}

fn is_line_break(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// The number of blocks `text` consists of, or `None` if it holds anything
/// else.
fn count_blocks(text: &str, labels: &[&str]) -> Option<usize> {
    let mut rest = text;
    let mut count = 0;
    loop {
        rest = rest.trim_start_matches(is_line_break);
        if rest.is_empty() {
            return Some(count);
        }
        rest = block(rest, labels)?;
        count += 1;
    }
}

/// Reads one block at the start of `text`, returning what follows it.
fn block<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    let (label, after_begin) = labels.iter().find_map(|label| {
        text.strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_prefix(label))
            .and_then(|rest| rest.strip_prefix("-----"))
            .map(|rest| (label, rest))
    })?;
    // The reference lets the END label be any of the allowed ones; a block
    // whose labels differ is not PEM, so it is refused here already.
    let end = format!("-----END {label}-----");
    let (body, after_end) = after_begin.split_once(&end)?;
    body_is_valid(body).then_some(after_end)
}

/// A body starts and ends with a line break and has base64 lines between.
fn body_is_valid(body: &str) -> bool {
    if !body.starts_with(is_line_break) || !body.ends_with(is_line_break) {
        return false;
    }
    let lines: Vec<&str> = body
        .split(is_line_break)
        .filter(|line| !line.is_empty())
        .collect();
    let Some((last, others)) = lines.split_last() else {
        return false;
    };
    let base64_line = |line: &str| {
        (1..=MAX_LINE_LEN).contains(&line.len())
            && line
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    };
    let unpadded = last.trim_end_matches('=');
    lines.len() <= MAX_LINES
        && others.iter().all(|line| base64_line(line))
        && last.len() - unpadded.len() <= 2
        && base64_line(unpadded)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str =
        "-----BEGIN CERTIFICATE-----\nABCDEFG+/abcdefg1234567890=\n-----END CERTIFICATE-----\n";

    fn key(label: &str) -> String {
        format!("-----BEGIN {label}-----\nABCDEFG+/abcdefg1234567890=\n-----END {label}-----\n")
    }

    #[test]
    fn accepts_minimal_certificate_chains() {
        assert!(is_certificate_chain(CERT));
        assert!(is_certificate_chain(&CERT.repeat(2)));
        assert!(is_certificate_chain(&CERT.repeat(3)));
        assert!(is_certificate_chain(&format!(
            "\r\n\n{}\r\n",
            CERT.replace('\n', "\r\n")
        )));
        assert!(is_certificate_chain(
            "-----BEGIN CERTIFICATE-----\n\nAAAA\n\nBB==\n-----END CERTIFICATE-----"
        ));
    }

    #[test]
    fn accepts_the_three_private_key_forms_once() {
        for label in KEY_LABELS {
            assert!(is_private_key(&key(label)), "{label}");
            assert!(!is_private_key(&key(label).repeat(2)), "{label}");
        }
    }

    #[test]
    fn rejects_text_that_is_not_pem() {
        assert!(!is_certificate_chain("florp\nflop\n"));
        assert!(!is_private_key("florp\nflop\n"));
        assert!(!is_certificate_chain(""));
        assert!(!is_private_key(CERT));
        assert!(!is_certificate_chain(&key("PRIVATE KEY")));
        assert!(!is_private_key(&key("ENCRYPTED PRIVATE KEY")));
        let mismatched = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert!(!is_private_key(mismatched));
    }

    #[test]
    fn rejects_malformed_bodies() {
        let wrap =
            |body: &str| format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----");
        assert!(is_certificate_chain(&wrap("\nAAAA\n")));
        assert!(
            !is_certificate_chain(&wrap("AAAA\n")),
            "no break after BEGIN"
        );
        assert!(
            !is_certificate_chain(&wrap("\nAAAA")),
            "no break before END"
        );
        assert!(!is_certificate_chain(&wrap("\n\n")), "no body lines");
        assert!(
            !is_certificate_chain(&wrap("\nAA==\nBBBB\n")),
            "padding before the end"
        );
        assert!(
            !is_certificate_chain(&wrap("\nAA===\n")),
            "three padding characters"
        );
        assert!(!is_certificate_chain(&wrap("\nAA AA\n")), "space in a line");
        assert!(!is_certificate_chain(&wrap(&format!(
            "\n{}\n",
            "A".repeat(81)
        ))));
        assert!(is_certificate_chain(&wrap(&format!(
            "\n{}\n",
            "A".repeat(80)
        ))));
        let lines = |n: usize| format!("{}\n", "\nAAAA".repeat(n));
        assert!(is_certificate_chain(&wrap(&lines(501))));
        assert!(!is_certificate_chain(&wrap(&lines(502))), "too many lines");
        assert!(!is_certificate_chain(&format!("{CERT}junk\n")));
    }
}

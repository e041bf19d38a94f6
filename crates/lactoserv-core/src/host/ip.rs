//! IP address literals as configs and requests write them, and their
//! canonical text (Lactoserv `net-util/export/EndpointAddress.js`,
//! `canonicalizeAddress`).
//!
//! The grammar is the reference's, not the standard library's: IPv4 parts
//! may carry leading zeros (read as decimal, never octal), IPv6 may be
//! bracketed and may end in a dotted IPv4 tail only after `::ffff:`, and the
//! "any" addresses (`0.0.0.0`, `::`) are refused because a config must say
//! `*` for them. The canonical text compresses the longest run of zero groups
//! even when it is a single group (`1::2:3:4:5:6:7`), unlike RFC 5952; it is
//! what the reference logs and matches hostnames by, so it is kept.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Parses an IP address literal, refusing the "any" addresses.
///
/// Accepts dotted IPv4 (`010.0.0.1`) and IPv6 with or without brackets
/// (`[::1]`, `::ffff:1.2.3.4`).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    parse_ip_allowing_any(text).filter(|ip| !ip.is_unspecified())
}

/// Whether `text` spells an "any" address (`0.0.0.0`, `[::]`, `0::`, …),
/// which configs must write as `*`.
pub fn is_any_address(text: &str) -> bool {
    parse_ip_allowing_any(text).is_some_and(|ip| ip.is_unspecified())
}

/// The canonical text of `ip`: dotted decimal for IPv4; for IPv6, lower-case
/// hex without leading zeros, the longest (first, on ties) run of zero groups
/// as `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`, and no brackets.
pub fn canonical_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => canonical_v6(v6),
    }
}

/// Parses `text` and returns its canonical text, refusing "any" addresses.
pub fn canonicalize_ip(text: &str) -> Option<String> {
    parse_ip(text).map(canonical_ip)
}

fn parse_ip_allowing_any(text: &str) -> Option<IpAddr> {
    parse_v4(text)
        .map(IpAddr::V4)
        .or_else(|| parse_v6(text).map(IpAddr::V6))
}

/// Four decimal parts of one to three digits, each at most 255.
fn parse_v4(text: &str) -> Option<Ipv4Addr> {
    let sniff =
        (7..=15).contains(&text.len()) && text.bytes().all(|b| b == b'.' || b.is_ascii_digit());
    if !sniff {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

fn parse_v6(text: &str) -> Option<Ipv6Addr> {
    let inner = match (text.strip_prefix('['), text.strip_suffix(']')) {
        (Some(rest), Some(_)) => rest.strip_suffix(']')?,
        (None, None) => text,
        // Unbalanced brackets.
        _ => return None,
    };
    // The reference's first "sniff test", before any real parsing.
    let sniff = (2..=50).contains(&inner.len())
        && inner
            .bytes()
            .all(|b| b == b':' || b == b'.' || b.is_ascii_hexdigit());
    if !sniff {
        return None;
    }
    let inner = inner.to_ascii_lowercase();

    // `head` and `tail` are the groups either side of a `::` (all of them in
    // `head` without one); a dotted IPv4 tail can only end the text.
    let (head, tail) = match inner.split_once("::") {
        Some((_, tail)) if tail.contains("::") => return None,
        Some((head, tail)) => (head, Some(tail)),
        None => (inner.as_str(), None),
    };
    let (head, tail, v4_tail) = match tail {
        Some(tail) => {
            let (tail, v4) = split_v4_tail(tail)?;
            (hex_groups(head, false)?, hex_groups(tail, false)?, v4)
        }
        None => {
            let (head, v4) = split_v4_tail(head)?;
            (hex_groups(head, true)?, Vec::new(), v4)
        }
    };
    let v4_groups = v4_tail.map(|v4| {
        let [a, b, c, d] = v4.octets();
        [u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])]
    });
    let given = head.len() + tail.len() + v4_groups.map_or(0, |g| g.len());
    let compressed = match inner.contains("::") {
        // `::` must stand for at least one group.
        true if given <= 7 => 8 - given,
        false if given == 8 => 0,
        _ => return None,
    };
    let mut groups: Vec<u16> = Vec::with_capacity(8);
    groups.extend(&head);
    groups.extend(std::iter::repeat_n(0, compressed));
    groups.extend(&tail);
    if let Some(v4_groups) = v4_groups {
        // A dotted tail is only accepted on an IPv4-mapped address.
        if groups[..5].iter().any(|&g| g != 0) || groups[5] != 0xffff {
            return None;
        }
        groups.extend(v4_groups);
    }
    let groups: [u16; 8] = groups.try_into().ok()?;
    Some(Ipv6Addr::from(groups))
}

/// Splits a dotted IPv4 tail off colon-separated groups. The tail may not
/// be `0.0.0.0`, even inside an IPv6 address, as in the reference.
fn split_v4_tail(text: &str) -> Option<(&str, Option<Ipv4Addr>)> {
    let (groups, last) = match text.rsplit_once(':') {
        Some((groups, last)) => (groups, last),
        None => ("", text),
    };
    if !last.contains('.') {
        return Some((text, None));
    }
    let v4 = parse_v4(last).filter(|v4| !v4.is_unspecified())?;
    Some((groups, Some(v4)))
}

/// Colon-separated groups of one to four hex digits. `text` may be empty only
/// next to a `::` (`required` false).
fn hex_groups(text: &str, required: bool) -> Option<Vec<u16>> {
    if text.is_empty() {
        return (!required).then(Vec::new);
    }
    text.split(':')
        .map(|group| {
            let valid =
                (1..=4).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit());
            if valid {
                u16::from_str_radix(group, 16).ok()
            } else {
                None
            }
        })
        .collect()
}

fn canonical_v6(ip: Ipv6Addr) -> String {
    let groups = ip.segments();
    let mut parts: Vec<String> = Vec::with_capacity(8);
    if groups[..5].iter().all(|&g| g == 0) && groups[5] == 0xffff {
        parts.extend(groups[..6].iter().map(|g| format!("{g:x}")));
        let [a, b] = groups[6].to_be_bytes();
        let [c, d] = groups[7].to_be_bytes();
        parts.push(format!("{a}.{b}.{c}.{d}"));
    } else {
        parts.extend(groups.iter().map(|g| format!("{g:x}")));
    }

    // The longest run of zero groups; the first one wins a tie.
    let (mut best_at, mut best_len) = (0, 0);
    let mut at = 0;
    while at < parts.len() {
        let len = parts[at..].iter().take_while(|p| *p == "0").count();
        if len > best_len {
            (best_at, best_len) = (at, len);
        }
        at += len.max(1);
    }
    if best_len == 0 {
        return parts.join(":");
    }
    format!(
        "{}::{}",
        parts[..best_at].join(":"),
        parts[best_at + best_len..].join(":")
    )
}

#[cfg(test)]
mod tests;

//! Decoding HPACK's Huffman-coded strings (RFC 7541 §5.2, Appendix B).
//!
//! The code is canonical, so a code of `n` bits is found by comparing the
//! next `n` bits with the first code of that length, shortest first; no
//! tree or state table is needed. The encoder side never Huffman-codes
//! (`encode.rs`), so there is no encoding here but the tests'.

use super::tables::{COUNT, SYMBOLS};

/// The longest code, in bits (EOS's).
const LONGEST: u32 = 30;

/// The shortest code, in bits.
const SHORTEST: u32 = 5;

/// The end-of-string symbol, which must not appear in a string.
const EOS: u16 = 256;

/// Where each code length starts: its first code, and the index of its
/// first symbol in [`SYMBOLS`].
struct Lengths {
    first: [u32; 31],
    offset: [u16; 31],
}

const LENGTHS: Lengths = lengths();

const fn lengths() -> Lengths {
    let mut first = [0; 31];
    let mut offset = [0; 31];
    let (mut code, mut index) = (0_u32, 0_u16);
    let mut len = 1;
    while len <= LONGEST as usize {
        code = (code + COUNT[len - 1] as u32) << 1;
        index += COUNT[len - 1];
        first[len] = code;
        offset[len] = index;
        len += 1;
    }
    Lengths { first, offset }
}

/// Why a Huffman-coded string is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HuffmanError {
    /// The string holds the end-of-string symbol.
    #[error("the end-of-string symbol inside a string")]
    Eos,
    /// The string ends in more than 7 bits that are not a symbol, or in
    /// bits that are not all ones.
    #[error("bad padding at the end of a string")]
    Padding,
}

/// Appends the string Huffman-coded in `src` to `dst`.
pub(crate) fn decode(src: &[u8], dst: &mut Vec<u8>) -> Result<(), HuffmanError> {
    let mut input = src.iter();
    // The next `bits` bits of input, in the low bits of `held`.
    let (mut held, mut bits) = (0_u64, 0_u32);
    loop {
        while bits <= 56 {
            match input.next() {
                Some(&byte) => {
                    held = (held << 8) | u64::from(byte);
                    bits += 8;
                }
                None => break,
            }
        }
        if bits == 0 {
            return Ok(());
        }
        match symbol(held, bits) {
            Some((symbol, _)) if symbol == EOS => return Err(HuffmanError::Eos),
            Some((symbol, len)) => {
                // Symbols other than EOS are bytes.
                dst.push(symbol as u8);
                bits -= len;
            }
            // Too few bits left for any symbol: padding, which must be
            // under a byte and all ones (EOS's first bits).
            None => {
                let ones = (1_u64 << bits) - 1;
                return if bits < 8 && held & ones == ones {
                    Ok(())
                } else {
                    Err(HuffmanError::Padding)
                };
            }
        }
    }
}

/// The symbol the next bits of `held` (`bits` of them) start with, and
/// its length; `None` if they are too few to hold one.
fn symbol(held: u64, bits: u32) -> Option<(u16, u32)> {
    let mut len = SHORTEST;
    while len <= LONGEST.min(bits) {
        let code = ((held >> (bits - len)) & ((1 << len) - 1)) as u32;
        let from_first = code.wrapping_sub(LENGTHS.first[len as usize]);
        if from_first < u32::from(COUNT[len as usize]) {
            let index = LENGTHS.offset[len as usize] as usize + from_first as usize;
            return Some((SYMBOLS[index], len));
        }
        len += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tables::CODES;
    use super::*;

    /// Huffman-codes `text` (for the tests: the server never does).
    fn encode(text: &[u8]) -> Vec<u8> {
        let (mut out, mut held, mut bits) = (Vec::new(), 0_u64, 0_u32);
        for &byte in text {
            let (code, len) = CODES[usize::from(byte)];
            held = (held << len) | u64::from(code);
            bits += u32::from(len);
            while bits >= 8 {
                out.push((held >> (bits - 8)) as u8);
                bits -= 8;
            }
        }
        if bits > 0 {
            let pad = 8 - bits;
            out.push(((held << pad) | ((1 << pad) - 1)) as u8);
        }
        out
    }

    fn decoded(src: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        decode(src, &mut out).map(|()| out)
    }

    #[test]
    fn the_canonical_form_gives_every_code_of_the_rfc() {
        for (symbol, &(code, len)) in CODES.iter().enumerate() {
            let bits = u32::from(len);
            let found = symbol_of(u64::from(code), bits);
            assert_eq!(found, Some((symbol as u16, bits)), "symbol {symbol}");
        }
    }

    fn symbol_of(code: u64, bits: u32) -> Option<(u16, u32)> {
        symbol(code, bits)
    }

    #[test]
    fn decodes_the_rfc_examples() {
        let hex = |text: &str| {
            (0..text.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        // RFC 7541 C.4.1 to C.4.3 and C.6.1.
        for (coded, text) in [
            ("f1e3c2e5f23a6ba0ab90f4ff", "www.example.com"),
            ("a8eb10649cbf", "no-cache"),
            ("25a849e95ba97d7f", "custom-key"),
            ("25a849e95bb8e8b4bf", "custom-value"),
            ("6402", "302"),
            ("aec3771a4b", "private"),
            (
                "d07abe941054d444a8200595040b8166e082a62d1bff",
                "Mon, 21 Oct 2013 20:13:21 GMT",
            ),
            (
                "9d29ad171863c78f0b97c8e9ae82ae43d3",
                "https://www.example.com",
            ),
        ] {
            assert_eq!(decoded(&hex(coded)).unwrap(), text.as_bytes(), "{text}");
        }
    }

    #[test]
    fn every_byte_goes_through() {
        let all: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        assert_eq!(decoded(&encode(&all)).unwrap(), all);
        assert_eq!(decoded(&[]).unwrap(), b"");
    }

    #[test]
    fn refuses_eos_and_bad_padding() {
        // EOS (30 ones) then padding.
        assert_eq!(decoded(&[0xff, 0xff, 0xff, 0xff]), Err(HuffmanError::Eos));
        // 'a' (00011, 5 bits) padded with zeros.
        assert_eq!(decoded(&[0b0001_1000]), Err(HuffmanError::Padding));
        // 'a' then a byte of ones: 11 bits of padding.
        assert_eq!(decoded(&[0b0001_1111, 0xff]), Err(HuffmanError::Padding));
        assert_eq!(decoded(&[0b0001_1111]).unwrap(), b"a");
    }
}

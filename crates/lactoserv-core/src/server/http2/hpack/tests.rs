//! HPACK against RFC 7541's examples (Appendix C) and its error cases.

use http::{HeaderName, StatusCode};

use super::*;

fn hex(text: &str) -> Vec<u8> {
    let digits: String = text.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&digits[at..at + 2], 16).unwrap())
        .collect()
}

fn fields(decoder: &mut Decoder, block: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    let mut out = Vec::new();
    decoder.decode(block, |name, value| {
        out.push((
            String::from_utf8(name.to_vec()).unwrap(),
            String::from_utf8(value.to_vec()).unwrap(),
        ));
    })?;
    Ok(out)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn decodes_the_rfc_requests_with_and_without_huffman() {
    let first = [
        (":method", "GET"),
        (":scheme", "http"),
        (":path", "/"),
        (":authority", "www.example.com"),
    ];
    let second = [
        (":method", "GET"),
        (":scheme", "http"),
        (":path", "/"),
        (":authority", "www.example.com"),
        ("cache-control", "no-cache"),
    ];
    let third = [
        (":method", "GET"),
        (":scheme", "https"),
        (":path", "/index.html"),
        (":authority", "www.example.com"),
        ("custom-key", "custom-value"),
    ];
    // C.3, then C.4 (the same with Huffman-coded strings).
    for blocks in [
        [
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        ],
        [
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ],
    ] {
        let mut decoder = Decoder::new(4096);
        let expected = [&first[..], &second[..], &third[..]];
        for (block, want) in blocks.iter().zip(expected) {
            assert_eq!(fields(&mut decoder, &hex(block)).unwrap(), pairs(want));
        }
        assert_eq!(decoder.table().0, 164);
    }
}

#[test]
fn evicts_the_oldest_entries_as_the_rfc_does() {
    // C.5, with a table of 256 bytes.
    let mut decoder = Decoder::new(256);
    let blocks = [
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 \
         303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 \
         6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 \
         5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 \
         5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
    ];
    let sizes = [222, 222, 215];
    let mut last = Vec::new();
    for (block, size) in blocks.iter().zip(sizes) {
        last = fields(&mut decoder, &hex(block)).unwrap();
        assert_eq!(decoder.table().0, size);
    }
    assert_eq!(
        last,
        pairs(&[
            (":status", "200"),
            ("cache-control", "private"),
            ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
            ("location", "https://www.example.com"),
            ("content-encoding", "gzip"),
            (
                "set-cookie",
                "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
            ),
        ])
    );
    assert_eq!(decoder.table().1, 3);
}

#[test]
fn refuses_broken_blocks() {
    let mut decoder = Decoder::new(4096);
    let mut refused = |block: &[u8]| fields(&mut decoder, block).unwrap_err();
    assert_eq!(refused(&[0x80]), DecodeError::Index, "index 0");
    assert_eq!(
        refused(&[0xbe]),
        DecodeError::Index,
        "an empty dynamic table"
    );
    assert_eq!(refused(&[0x41, 0x05, b'a']), DecodeError::Truncated);
    assert_eq!(
        refused(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
        DecodeError::Integer
    );
    assert_eq!(
        refused(&[0x3f, 0xe2, 0x1f]),
        DecodeError::SizeUpdate,
        "4097"
    );
    assert_eq!(
        refused(&[0x82, 0x20]),
        DecodeError::SizeUpdate,
        "after a field"
    );
    assert!(matches!(
        refused(&[0x00, 0x81, 0x00, 0x00]),
        DecodeError::Huffman(_)
    ));
}

#[test]
fn a_size_update_shrinks_the_table_before_the_fields() {
    let mut decoder = Decoder::new(4096);
    fields(
        &mut decoder,
        &hex("4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"),
    )
    .unwrap();
    assert_eq!(decoder.table().1, 1);
    // Size 0, then back to 4096: the entry is gone.
    assert_eq!(
        fields(&mut decoder, &[0x20, 0x3f, 0xe1, 0x1f, 0x82])
            .unwrap()
            .len(),
        1
    );
    assert!(decoder.table().1 == 0);
    assert_eq!(
        fields(&mut decoder, &[0xbe]).unwrap_err(),
        DecodeError::Index
    );
}

#[test]
fn encoded_responses_decode_to_what_was_encoded() {
    let mut block = Vec::new();
    encode::status(&mut block, StatusCode::OK);
    encode::status(&mut block, StatusCode::PERMANENT_REDIRECT);
    encode::field(
        &mut block,
        &HeaderName::from_static("content-type"),
        b"text/plain",
    );
    encode::field(
        &mut block,
        &HeaderName::from_static("x-custom"),
        &[b'v'; 200],
    );
    encode::content_length(&mut block, 1024);
    encode::date(&mut block, b"Sun, 06 Dec 2026 20:00:00 GMT");
    assert_eq!(block[0], 0x88, "200 is indexed");
    let mut decoder = Decoder::new(4096);
    let long = "v".repeat(200);
    assert_eq!(
        fields(&mut decoder, &block).unwrap(),
        pairs(&[
            (":status", "200"),
            (":status", "308"),
            ("content-type", "text/plain"),
            ("x-custom", &long),
            ("content-length", "1024"),
            ("date", "Sun, 06 Dec 2026 20:00:00 GMT"),
        ])
    );
    assert!(decoder.table().1 == 0, "nothing indexed");
}

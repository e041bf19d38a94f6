use std::io::Read as _;

use http::header::ACCEPT_ENCODING;
use http::{HeaderMap, HeaderValue};

use super::*;

const ALL: &[Coding] = &Coding::ALL;

fn chosen(accept: &[&str], offered: &[Coding]) -> Option<Coding> {
    let mut headers = HeaderMap::new();
    for value in accept {
        headers.append(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
    }
    choose(&headers, offered)
}

#[test]
fn equal_weights_go_by_the_servers_preference() {
    assert_eq!(chosen(&["gzip, deflate, br, zstd"], ALL), Some(Coding::Br));
    assert_eq!(chosen(&["gzip, zstd"], ALL), Some(Coding::Zstd));
    assert_eq!(
        chosen(&["gzip, br"], &[Coding::Gzip, Coding::Br]),
        Some(Coding::Gzip)
    );
    assert_eq!(chosen(&["gzip", "br"], ALL), Some(Coding::Br), "two fields");
}

#[test]
fn weights_beat_preference() {
    assert_eq!(chosen(&["br;q=0.5, gzip"], ALL), Some(Coding::Gzip));
    assert_eq!(chosen(&["br;q=0.5, gzip;q=0.4"], ALL), Some(Coding::Br));
    assert_eq!(chosen(&["br;q=0.001"], ALL), Some(Coding::Br));
    assert_eq!(chosen(&["BR ; Q=1.000"], ALL), Some(Coding::Br), "case");
}

#[test]
fn a_weight_of_zero_refuses_a_coding() {
    assert_eq!(chosen(&["br;q=0, gzip"], ALL), Some(Coding::Gzip));
    assert_eq!(chosen(&["br;q=0"], ALL), None);
    assert_eq!(chosen(&["*, br;q=0"], ALL), Some(Coding::Zstd));
}

#[test]
fn the_star_weighs_codings_not_named() {
    assert_eq!(chosen(&["*"], ALL), Some(Coding::Br));
    assert_eq!(chosen(&["gzip, *;q=0.5"], ALL), Some(Coding::Gzip));
    assert_eq!(chosen(&["*;q=0"], ALL), None);
}

#[test]
fn identity_wins_only_when_weighed_above_every_coding() {
    assert_eq!(chosen(&["gzip;q=0.5, identity"], ALL), None);
    assert_eq!(chosen(&["gzip, identity"], ALL), Some(Coding::Gzip));
    assert_eq!(
        chosen(&["gzip;q=0.5, identity;q=0"], ALL),
        Some(Coding::Gzip)
    );
    assert_eq!(chosen(&["identity"], ALL), None);
}

#[test]
fn no_header_or_nothing_known_gets_no_coding() {
    assert_eq!(chosen(&[], ALL), None);
    assert_eq!(chosen(&[""], ALL), None);
    assert_eq!(chosen(&["deflate, compress"], ALL), None);
    assert_eq!(chosen(&["br"], &[Coding::Gzip]), None, "not offered");
}

#[test]
fn x_gzip_is_gzip() {
    assert_eq!(chosen(&["x-gzip"], ALL), Some(Coding::Gzip));
}

#[test]
fn members_with_unreadable_weights_are_ignored() {
    assert_eq!(chosen(&["br;q=2, gzip"], ALL), Some(Coding::Gzip));
    assert_eq!(
        chosen(&["br;q=0.5555, gzip;q=0.1"], ALL),
        Some(Coding::Gzip)
    );
    assert_eq!(chosen(&["br;q=x"], ALL), None);
    assert_eq!(chosen(&[", ,br;;"], ALL), Some(Coding::Br));
}

#[test]
fn tags_are_made_distinct_per_coding() {
    assert_eq!(Coding::Br.tag("\"abc\""), "\"abc-br\"");
    assert_eq!(Coding::Gzip.tag("W/\"abc\""), "W/\"abc-gzip\"");
    assert_eq!(Coding::Zstd.tag("odd"), "odd-zstd");
}

#[test]
fn no_transform_is_found_among_directives() {
    let value = |text| HeaderValue::from_static(text);
    assert!(no_transform(Some(&value("public, No-Transform"))));
    assert!(!no_transform(Some(&value("public, max-age=5"))));
    assert!(!no_transform(None));
}

fn options(json: &str) -> Result<Option<Compress>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserialize(&mut deserializer).map_err(|err| err.to_string())
}

#[test]
fn the_binding_is_true_false_or_an_object() {
    assert_eq!(options("true").unwrap(), Some(Compress::default()));
    assert_eq!(options("false").unwrap(), None);
    assert_eq!(options("null").unwrap(), None);
    let given =
        options(r#"{"encodings": ["gzip", "br"], "minSize": "1 KiB", "types": ["text/html"]}"#)
            .unwrap()
            .unwrap();
    assert_eq!(given.codings, [Coding::Gzip, Coding::Br]);
    assert_eq!(given.min_size, 1024);
    assert!(given.applies("text/html; charset=utf-8", 2000));
    assert!(!given.applies("text/css", 2000));
    assert!(!given.applies("text/html", 1000), "under the minimum");
    assert!(
        options("1")
            .unwrap_err()
            .contains("Invalid `compress` option")
    );
}

#[test]
fn bad_options_are_named() {
    let err = options(r#"{"encodings": ["deflate"]}"#).unwrap_err();
    assert!(err.contains("`deflate`"), "{err}");
    let err = options(r#"{"encodings": []}"#).unwrap_err();
    assert!(err.contains("at least one"), "{err}");
    let err = options(r#"{"encodings": ["br", "br"]}"#).unwrap_err();
    assert!(err.contains("twice"), "{err}");
    let err = options(r#"{"minSize": -1}"#).unwrap_err();
    assert!(err.contains("minSize") && err.contains("-1"), "{err}");
    let err = options(r#"{"minSize": "1.5 B"}"#).unwrap_err();
    assert!(err.contains("minSize"), "{err}");
    let err = options(r#"{"types": ["html"]}"#).unwrap_err();
    assert!(err.contains("`html`"), "{err}");
    let err = options(r#"{"level": 3}"#).unwrap_err();
    assert!(err.contains("level"), "{err}");
}

#[test]
fn default_types_are_text_like_and_not_already_compressed() {
    let compress = Compress::default();
    for kind in [
        "text/html; charset=utf-8",
        "text/css",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
        "font/ttf",
    ] {
        assert!(compress.applies(kind, 10_000), "{kind}");
    }
    for kind in [
        "image/png",
        "image/jpeg",
        "font/woff2",
        "application/zip",
        "application/gzip",
        "video/mp4",
        "application/octet-stream",
    ] {
        assert!(!compress.applies(kind, 10_000), "{kind}");
    }
}

#[test]
fn each_coding_gives_back_the_body() {
    let body: Vec<u8> = "Lactoserv, compressed once per version. "
        .repeat(200)
        .into_bytes();
    let br = encode::compress(Coding::Br, &body).unwrap();
    let mut back = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, body);
    let zstd = encode::compress(Coding::Zstd, &body).unwrap();
    assert_eq!(zstd::decode_all(&zstd[..]).unwrap(), body);
    let gzip = encode::compress(Coding::Gzip, &body).unwrap();
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, body);
    assert!(br.len() < gzip.len() && zstd.len() < body.len() / 10);
}

#[test]
fn higher_levels_are_kept_for_smaller_bodies() {
    assert_eq!(encode::level(Coding::Br, 20_000), 11);
    assert!(encode::level(Coding::Br, 1024 * 1024) < 11);
    assert_eq!(encode::level(Coding::Zstd, 20_000), 19);
    assert_eq!(encode::level(Coding::Gzip, 20_000), 9);
}

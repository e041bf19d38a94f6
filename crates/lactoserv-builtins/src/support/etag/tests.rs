//! Tests of `etag` option expansion and tag cutting.

use serde_json::json;

use super::*;

fn bind(value: serde_json::Value) -> Result<Option<EtagOptions>, String> {
    #[derive(Debug, serde::Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "deserialize")]
        etag: Option<EtagOptions>,
    }
    lactoserv_core::bind::from_value::<Holder>(&json!({ "etag": value }))
        .map(|holder| holder.etag)
        .map_err(|err| err.to_string())
}

fn options(value: serde_json::Value) -> EtagOptions {
    bind(value.clone())
        .unwrap_or_else(|err| panic!("{value}: {err}"))
        .unwrap_or_else(|| panic!("{value}: no options"))
}

#[test]
fn true_and_empty_object_mean_all_defaults() {
    assert_eq!(options(json!(true)), EtagOptions::default());
    assert_eq!(options(json!({})), EtagOptions::default());
    assert_eq!(bind(json!(null)), Ok(None));
    let defaults = EtagOptions::default();
    assert!(!defaults.data_only);
    assert_eq!(defaults.hash_algorithm, HashAlgorithm::Sha256);
    assert_eq!((defaults.strong_length, defaults.weak_length), (43, 16));
    assert_eq!(defaults.tag_form, TagForm::Vary);
}

#[test]
fn accepts_each_option() {
    assert!(options(json!({ "dataOnly": true })).data_only);
    assert!(!options(json!({ "dataOnly": false })).data_only);
    for (name, algorithm) in [
        ("sha1", HashAlgorithm::Sha1),
        ("sha256", HashAlgorithm::Sha256),
        ("sha512", HashAlgorithm::Sha512),
    ] {
        assert_eq!(
            options(json!({ "hashAlgorithm": name })).hash_algorithm,
            algorithm
        );
    }
    for (name, form) in [
        ("strong", TagForm::Strong),
        ("vary", TagForm::Vary),
        ("weak", TagForm::Weak),
    ] {
        assert_eq!(options(json!({ "tagForm": name })).tag_form, form);
    }
    // Unknown keys are ignored, as in the reference.
    assert_eq!(options(json!({ "florp": 1 })), EtagOptions::default());
}

#[test]
fn expands_hash_lengths() {
    let cases = [
        ("sha1", json!(null), (27, 16)),
        ("sha1", json!(8), (8, 8)),
        ("sha1", json!(27), (27, 27)),
        ("sha256", json!(null), (43, 16)),
        ("sha256", json!(8), (8, 8)),
        ("sha256", json!(43), (43, 43)),
        ("sha512", json!(null), (86, 16)),
        ("sha512", json!(8), (8, 8)),
        ("sha512", json!(86), (86, 86)),
        ("sha1", json!({ "strong": null }), (27, 16)),
        ("sha256", json!({ "strong": 8 }), (8, 16)),
        ("sha512", json!({ "strong": 16 }), (16, 16)),
        ("sha512", json!({ "weak": null }), (86, 86)),
        ("sha256", json!({ "weak": 8 }), (43, 8)),
        ("sha1", json!({ "weak": 22 }), (27, 22)),
        ("sha256", json!({ "strong": 32, "weak": 10 }), (32, 10)),
    ];
    for (algorithm, len, expected) in cases {
        let got = options(json!({ "hashAlgorithm": algorithm, "hashLength": len }));
        assert_eq!(
            (got.strong_length, got.weak_length),
            expected,
            "{algorithm} {len}"
        );
    }
}

#[test]
fn rejects_bad_options() {
    for value in [
        json!(false),
        json!("yes"),
        json!(1),
        json!(["ummm"]),
        json!({ "hashAlgorithm": "md5" }),
        json!({ "hashAlgorithm": "SHA256" }),
        json!({ "tagForm": "florp" }),
        json!({ "dataOnly": "yes" }),
        json!({ "hashLength": 7 }),
        json!({ "hashLength": 44 }),
        json!({ "hashLength": 10.5 }),
        json!({ "hashLength": "10" }),
        json!({ "hashAlgorithm": "sha1", "hashLength": 28 }),
        json!({ "hashLength": { "strong": 4 } }),
        json!({ "hashLength": { "weak": 87 }, "hashAlgorithm": "sha512" }),
    ] {
        assert!(bind(value.clone()).is_err(), "{value}");
    }
    let err = bind(json!(false)).unwrap_err();
    assert_eq!(err, "`etag`: Invalid `etag` option.");
    let err = bind(json!({ "hashAlgorithm": "md5" })).unwrap_err();
    assert!(err.starts_with("`etag.hashAlgorithm`: "), "{err}");
}

#[test]
fn cuts_tags_from_hashes() {
    let empty_sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    let defaults = options(json!(true));
    assert_eq!(
        defaults.tag_from_hash(empty_sha256, true),
        format!("\"{empty_sha256}\"")
    );
    assert_eq!(
        defaults.tag_from_hash(empty_sha256, false),
        "W/\"47DEQpj8HBSa+/TI\""
    );
    let short = options(json!({ "hashLength": 10 }));
    assert_eq!(short.tag_from_hash(empty_sha256, true), "\"47DEQpj8HB\"");
    let strong8 = options(json!({ "hashLength": { "strong": 8 } }));
    assert_eq!(strong8.tag_from_hash(empty_sha256, true), "\"47DEQpj8\"");
    let empty_sha1 = "2jmj7l5rSw0yVb/vlWAYkK/YBwk";
    let weak = options(json!({ "hashAlgorithm": "sha1", "tagForm": "weak" }));
    assert_eq!(
        weak.tag_from_hash(empty_sha1, true),
        "W/\"2jmj7l5rSw0yVb/v\""
    );
    let strong = options(json!({ "tagForm": "strong", "hashLength": 12 }));
    assert_eq!(
        strong.tag_from_hash(empty_sha256, false),
        "\"47DEQpj8HBSa\""
    );
}

#[test]
fn data_tags_match_the_reference() {
    let all_defaults = options(json!(true));
    assert_eq!(
        all_defaults.tag_for_data(b""),
        "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\""
    );
    let short_sha1 =
        options(json!({ "hashAlgorithm": "sha1", "hashLength": 12, "tagForm": "weak" }));
    assert_eq!(short_sha1.tag_for_data(b"One!\n"), "W/\"QS8sXeJCO6Nn\"");
}

#[test]
fn stats_tags_hash_path_mtime_and_size() {
    let options = EtagOptions::default();
    assert_eq!(
        options.tag_for_stats("/srv/site/small.txt", 1_795_799_129_482, 12),
        "W/\"iLUzZXB52CL4+ePY\""
    );
}

#[test]
fn data_read_a_chunk_at_a_time_gets_the_same_tag() {
    // Longer than one chunk, so that the reader is read several times.
    let data: Vec<u8> = (0..200_000_u32).map(|i| (i % 251) as u8).collect();
    for algorithm in ["sha1", "sha256", "sha512"] {
        let options = options(serde_json::json!({ "hashAlgorithm": algorithm }));
        let whole = options.tag_for_data(&data);
        let read = options.tag_for_reader(&data[..]).unwrap();
        assert_eq!(read, whole, "{algorithm}");
    }
}

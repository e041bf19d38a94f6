//! Tests of StaticFiles' config and start-up checks.

use std::path::PathBuf;

use lactoserv_core::bind::from_value;
use serde_json::{Value, json};

use super::*;

fn build(config: Value) -> Result<StaticFilesConfig, BindError> {
    let mut config: StaticFilesConfig = from_value(&config)?;
    config.validate()?;
    Ok(config)
}

#[test]
fn accepts_a_site_directory_alone_with_defaults() {
    let config = build(json!({ "siteDirectory": "/florp" })).unwrap();
    assert_eq!(config.site_directory.as_str(), "/florp");
    assert_eq!(config.not_found_path, None);
    assert_eq!(config.index_file, ["index.html"]);
    assert_eq!(config.cache_control, None);
    assert_eq!(config.etag, None);
    assert!(config.allow_symlinks_outside);
}

#[test]
fn accepts_the_full_config() {
    let config = build(json!({
        "cacheControl": { "maxAge": "5 min" }, "etag": true,
        "indexFile": ["blorp.html", "bleep.txt"], "notFoundPath": "/blip/blop/bloop.html",
        "siteDirectory": "/florp/fleep",
    }))
    .unwrap();
    assert_eq!(config.cache_control.unwrap().as_str(), "max-age=300");
    assert_eq!(config.etag, Some(EtagOptions::default()));
    assert_eq!(config.index_file, ["blorp.html", "bleep.txt"]);
    assert_eq!(
        config.not_found_path.unwrap().as_str(),
        "/blip/blop/bloop.html"
    );
}

#[test]
fn accepts_other_cache_control_and_etag_forms() {
    for extra in [
        json!({ "cacheControl": "max-age=1234" }),
        json!({ "cacheControl": { "public": true, "sMaxAge": "1000_sec" } }),
        json!({ "etag": { "hashAlgorithm": "sha512" } }),
    ] {
        let mut config = json!({ "siteDirectory": "/florp" });
        config
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        assert!(build(config.clone()).is_ok(), "{config}");
    }
}

#[test]
fn accepts_index_file_forms() {
    let cases: [(Value, &[&str]); 6] = [
        (json!(null), &[]),
        (json!([]), &[]),
        (json!("bonk.html"), &["bonk.html"]),
        (
            json!(["bonk.html", "blorp", "zamboni.txt"]),
            &["bonk.html", "blorp", "zamboni.txt"],
        ),
        (json!(""), &[""]),
        (json!(".."), &[".."]),
    ];
    for (value, expected) in cases {
        let config = build(json!({ "siteDirectory": "/florp", "indexFile": value.clone() }));
        assert_eq!(config.unwrap().index_file, expected, "{value}");
    }
}

#[test]
fn rejects_bad_bindings_naming_the_field() {
    let cases = [
        (json!({ "cacheControl": ["ummm"] }), "cacheControl"),
        (json!({ "etag": ["ummm"] }), "etag"),
        (
            json!({ "indexFile": ["x.txt", "zip/zap.txt"] }),
            "indexFile",
        ),
        (json!({ "indexFile": "beep/boop.html" }), "indexFile"),
        (json!({ "indexFile": { "eep": "oop" } }), "indexFile"),
        (json!({ "indexFile": [1] }), "indexFile"),
        (json!({ "siteDirectory": "florp/flop" }), "siteDirectory"),
        (json!({ "siteDirectory": "/florp/" }), "siteDirectory"),
        (json!({ "notFoundPath": "./zonk.txt" }), "notFoundPath"),
        (json!({ "notFoundPath": "/zonk/zip/" }), "notFoundPath"),
        (
            json!({ "allowSymlinksOutside": "no" }),
            "allowSymlinksOutside",
        ),
    ];
    for (extra, field) in cases {
        let mut config = json!({ "siteDirectory": "/florp" });
        config
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let err = build(config.clone()).unwrap_err();
        assert_eq!(err.field, field, "{config}: {err}");
    }
    let err = build(json!({ "siteDirectory": "/x", "indexFile": 5 })).unwrap_err();
    assert_eq!(err.message, "Invalid `indexFile` option (bad type).");
    assert!(build(json!({})).is_err());
}

/// A fresh directory holding `page.html`, removed when dropped.
struct Site(PathBuf);

impl Site {
    fn new(tag: &str) -> Self {
        let base = std::env::temp_dir().canonicalize().unwrap();
        let dir = base.join(format!("static-files-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("page.html"), "Not found").unwrap();
        Self(dir)
    }

    fn path(&self, rest: &str) -> String {
        format!("{}{rest}", self.0.to_str().unwrap())
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn start_needs_the_directory_and_the_not_found_page() {
    let site = Site::new("env");
    let check = |dir: &str, page: Option<&str>| {
        build(json!({ "siteDirectory": dir, "notFoundPath": page }))
            .unwrap()
            .check_environment()
    };
    assert_eq!(check(&site.path(""), None), Ok(()));
    assert_eq!(
        check(&site.path(""), Some(&site.path("/page.html"))),
        Ok(())
    );

    let missing_dir = site.path("/nope");
    let err = check(&missing_dir, None).unwrap_err();
    assert_eq!(err.field, "siteDirectory");
    assert_eq!(
        err.message,
        format!("Not found or not a directory: {missing_dir}")
    );
    let err = check(&site.path("/page.html"), None).unwrap_err();
    assert_eq!(err.field, "siteDirectory");

    let missing_page = site.path("/missing.html");
    let err = check(&site.path(""), Some(&missing_page)).unwrap_err();
    assert_eq!(err.field, "notFoundPath");
    assert_eq!(
        err.message,
        format!("Not found or not a file: {missing_page}")
    );
    let err = check(&site.path(""), Some(&site.path(""))).unwrap_err();
    assert_eq!(err.field, "notFoundPath");
}

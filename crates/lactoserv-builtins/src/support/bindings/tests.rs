//! Tests of the shared binding shapes.

use super::*;

fn file_path(path: &str) -> Result<FilePath, String> {
    FilePath::try_from(path.to_owned())
}

#[test]
fn one_or_many_takes_a_lone_item_or_a_list() {
    let one: OneOrMany<String> = serde_json::from_str(r#""a""#).unwrap();
    assert_eq!(one.0, ["a"]);
    let many: OneOrMany<String> = serde_json::from_str(r#"["a", "b"]"#).unwrap();
    assert_eq!(many.0, ["a", "b"]);
    assert!(serde_json::from_str::<OneOrMany<String>>("12").is_err());
    assert!(serde_json::from_str::<OneOrMany<String>>("[12]").is_err());
}

#[test]
fn one_or_many_names_the_expected_shape_in_type_errors() {
    let err = serde_json::from_str::<OneOrMany<String>>("12").unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a string or a list of strings"),
        "{err}"
    );
    let mut json = serde_json::Deserializer::from_str("true");
    let err = one_or_many::<_, String>(&mut json, "a name or a list of names").unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a name or a list of names"),
        "{err}"
    );
}

#[test]
fn accepts_absolute_paths() {
    for path in [
        "/",
        "/florp",
        "/florp/fleep",
        "/a/.b/c..d",
        "/blip/blop/bloop.html",
    ] {
        assert!(
            AbsolutePath::<false>::try_from(path.to_owned()).is_ok(),
            "{path}"
        );
    }
}

#[test]
fn rejects_relative_and_unnormalized_paths() {
    for path in [
        "",
        "florp/flop",
        "/florp/",
        "./zonk.txt",
        "/zonk/zip/",
        "//",
        "/a//b",
        "/./a",
        "/a/.",
        "/a/../b",
        "/a/..",
    ] {
        let err = AbsolutePath::<false>::try_from(path.to_owned()).unwrap_err();
        assert_eq!(err, format!("Not an absolute path: {path}"));
    }
}

#[test]
fn accepts_file_paths_in_normal_form() {
    for path in [
        "/a",
        "/abc/def",
        "/var/log/access-log.txt",
        "/a/.hidden",
        "/a/..b",
    ] {
        assert!(file_path(path).is_ok(), "{path}");
    }
}

#[test]
fn rejects_relative_or_unnormalized_file_paths() {
    for path in [
        "", "a", "a/b", "//a", "/a/", "/a//b", "/a/.", "/a/./b", "/a/..", "/a/../b", "/a/b/",
    ] {
        let message = format!("Not an absolute path: {path}");
        assert_eq!(file_path(path), Err(message), "{path:?}");
    }
    assert!(file_path("/").is_err());
}

#[test]
fn splits_file_names_at_the_last_dot() {
    for (path, prefix, suffix) in [
        ("/x/access-log.txt", "access-log", ".txt"),
        ("/x/some.file.txt", "some.file", ".txt"),
        ("/x/process", "process", ""),
        ("/.bashrc", "", ".bashrc"),
        ("/x/name.", "name", "."),
    ] {
        let parts = file_path(path).unwrap();
        assert_eq!(parts.prefix_and_suffix(), (prefix, suffix), "{path}");
    }
}

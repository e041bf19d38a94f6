use super::*;

fn path(target: &str) -> (Vec<String>, String) {
    parse_target(target).unwrap()
}

#[test]
fn canonicalizes_targets_like_the_reference() {
    assert_eq!(path("/").0, [""]);
    assert_eq!(path("/a/").0, ["a", ""]);
    assert_eq!(path("/echo/../../x").0, ["x"]);
    assert_eq!(path("/echo//a").0, ["echo", "", "a"]);
    assert_eq!(path("//echo/a").0, ["", "echo", "a"]);
    assert_eq!(path("/a/%2e%2E/b").0, ["b"]);
    assert_eq!(path("/a%2Fb/%zz").0, ["a%2Fb", "%zz"]);
    assert_eq!(path("/echo/{a}^`b|c").0, ["echo", "%7Ba%7D^%60b|c"]);
    assert_eq!(path("/echo/a\"b<c>").0, ["echo", "a%22b%3Cc%3E"]);
    assert_eq!(
        path("/x?a=1&b"),
        (vec!["x".to_owned()], "?a=1&b".to_owned())
    );
    assert_eq!(path("/x?").1, "");
    assert_eq!(
        path("/echo/a#frag?x"),
        (vec!["echo".to_owned(), "a".to_owned()], String::new())
    );
}

#[test]
fn only_origin_form_targets_parse() {
    for target in ["*", "http://x/y", "example.com:80", ""] {
        assert!(parse_target(target).is_none(), "{target}");
    }
}

#[test]
fn host_comes_from_the_authority_with_a_fallback_port() {
    let host =
        |authority: Option<&str>, port| HostInfo::from_authority(authority, port).to_string();
    assert_eq!(host(Some("Foo.Example.com"), 443), "foo.example.com:443");
    assert_eq!(host(Some("foo"), 18446), "foo:18446");
    assert_eq!(host(Some("WWW.Example.COM:0080"), 1), "www.example.com:80");
    assert_eq!(host(Some("[::1]:5"), 1), "[::1]:5");
    assert_eq!(host(Some("127.0.0.1:8080"), 1), "127.0.0.1:8080");
    assert_eq!(host(Some("example.com:000"), 1), "example.com:0");
}

#[test]
fn an_absent_or_invalid_authority_means_localhost() {
    let host = |authority: Option<&str>| HostInfo::from_authority(authority, 8080).to_string();
    for authority in [
        None,
        Some(""),
        Some("a_b.com:99"),
        Some("example.com."),
        Some("::1"),
        Some("x:65536"),
        Some("*.x"),
    ] {
        assert_eq!(host(authority), "localhost:8080", "{authority:?}");
    }
}

#[test]
fn the_fast_path_agrees_with_url_parsing() {
    let slow = |target: &str| {
        let url = url::Url::parse(&format!("x://x{target}")).unwrap();
        let path: Vec<String> = url.path()[1..].split('/').map(str::to_owned).collect();
        let search = url
            .query()
            .filter(|q| !q.is_empty())
            .map_or_else(String::new, |q| format!("?{q}"));
        (path, search)
    };
    for target in [
        "/",
        "/a",
        "/a/",
        "/a/b.c/d",
        "//x",
        "/a/.b/c.",
        "/a/...",
        "/%41/%zz",
        "/a?b=c&d",
        "/x?",
        "/x??y",
        "/a/./b",
        "/a/../b",
        "/a/%2e/b",
        "/a/.%2E/b",
        "/~user/x-y_z",
        "/a:b@c;d=e",
    ] {
        assert_eq!(parse_target(target), Some(slow(target)), "{target}");
    }
}

use super::*;
use crate::net::Dispatch;
use crate::net::dispatch::Components;

/// The canonical path components and search of `target` (which need not
/// be one that `http` takes: the vectors include characters hyper
/// refuses before a request is made).
fn path(target: &str) -> (Vec<String>, String) {
    let (canonical, path_len) = canonicalize(target).unwrap();
    let text = canonical.as_deref().unwrap_or(target);
    let components = Components::of(&text[..path_len])
        .map(str::to_owned)
        .collect();
    let search = &text[path_len..];
    let search = if search.len() > 1 { search } else { "" };
    (components, search.to_owned())
}

fn request(target: &str) -> Option<Request> {
    Request::for_target(Method::GET, target)
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
        assert!(canonicalize(target).is_none(), "{target}");
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
        assert_eq!(path(target), slow(target), "{target}");
    }
}

#[test]
fn canonical_targets_are_not_copied() {
    for target in [
        "/",
        "/a/b.c/d",
        "/a?b=c&d",
        "/x?",
        "/x??y",
        "/~user/x-y_z",
        "//x",
    ] {
        assert!(canonical_path_len(target.as_bytes()).is_some(), "{target}");
        assert!(request(target).unwrap().canonical.is_none(), "{target}");
    }
    for target in [
        "/a/./b",
        "/a/%2E/b",
        "/a/..",
        "/echo/{a}",
        "/a b",
        "/a/.%2e",
        "/%2e%2E/",
        "/x/.?q",
        "/a#b",
    ] {
        assert!(canonical_path_len(target.as_bytes()).is_none(), "{target}");
    }
}

#[test]
fn dispatch_moves_components_from_extra_to_base() {
    let nested = request("/a/b/?q").unwrap();
    let root = Dispatch::root(&nested);
    assert_eq!((root.base(), root.extra()), ("", "/a/b/"));
    assert_eq!(root.base_components().count(), 0);
    assert_eq!(root.extra_components().collect::<Vec<_>>(), ["a", "b", ""]);
    let one = root.advance(1).unwrap();
    assert_eq!((one.base(), one.extra()), ("/a", "/b/"));
    let all = root.advance(3).unwrap();
    assert_eq!((all.base(), all.extra()), ("/a/b/", ""));
    assert_eq!(all.base_components().collect::<Vec<_>>(), ["a", "b", ""]);
    assert_eq!(all.extra_components().count(), 0);
    assert_eq!(root.advance(4), None);
    assert_eq!(root.advance(0), Some(root));

    let slash = request("/").unwrap();
    let root = Dispatch::root(&slash);
    assert_eq!(root.extra_components().collect::<Vec<_>>(), [""]);
    assert_eq!(root.advance(1).unwrap().base(), "/");
}

#[test]
fn ipv6_hosts_display_in_brackets() {
    let host = HostInfo::from_authority(Some("[0:0::1]:99"), 1);
    assert_eq!(&*host.name, "::1");
    assert_eq!(host.to_string(), "[::1]:99");
}

#[test]
fn requests_give_the_canonical_path_and_search() {
    let plain = request("/a/b?x=1").unwrap();
    assert_eq!(
        (plain.target(), plain.path(), plain.search()),
        ("/a/b?x=1", "/a/b", "?x=1")
    );
    let dotted = request("/a/../b/./c?").unwrap();
    assert_eq!(dotted.target(), "/a/../b/./c?");
    assert_eq!((dotted.path(), dotted.search()), ("/b/c", ""));
    assert!(request("*").is_none());
}

#[test]
fn the_last_name_of_a_path_spans_base_and_extra() {
    let cases = [
        ("/", (true, None)),
        ("/a", (false, Some("a"))),
        ("/a/", (true, Some("a"))),
        ("/a/b.txt", (false, Some("b.txt"))),
        ("/a//", (true, None)),
    ];
    for (target, expected) in cases {
        let request = request(target).unwrap();
        let root = Dispatch::root(&request);
        assert_eq!(root.last_name(), expected, "{target}");
        let advanced = root.advance(1).unwrap();
        assert_eq!(advanced.last_name(), expected, "{target} advanced");
    }
}

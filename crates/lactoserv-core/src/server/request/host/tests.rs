//! Host determination against RFC 9112 §3.2 and RFC 9113 §8.3.1.

use http::{Request, Version};

use super::*;

fn http1(version: Version, hosts: &[&[u8]]) -> Request<()> {
    let mut request = Request::new(());
    *request.version_mut() = version;
    for host in hosts {
        let value = HeaderValue::from_bytes(host).unwrap();
        request.headers_mut().append(HOST, value);
    }
    request
}

fn http2(authority: Option<&str>, host: Option<&str>) -> Request<()> {
    let uri = match authority {
        Some(authority) => format!("https://{authority}/"),
        None => "/".to_owned(),
    };
    let mut request = Request::builder().uri(uri).version(Version::HTTP_2);
    if let Some(host) = host {
        request = request.header(HOST, host);
    }
    request.body(()).unwrap()
}

fn shown(host: AskedHost) -> Result<String, BadHost> {
    host.map(|host| format!("{}:{}", host.name, host.port))
}

#[test]
fn a_host_is_remembered_only_for_the_same_text_and_default_port() {
    let mut cache = HostCache::default();
    let mut host =
        |text: &[u8], port| shown(cache.host_of(&http1(Version::HTTP_11, &[text]), port));
    assert_eq!(host(b"Example.COM", 8080), Ok("example.com:8080".into()));
    assert_eq!(host(b"Example.COM", 8080), Ok("example.com:8080".into()));
    assert_eq!(host(b"Example.COM", 9090), Ok("example.com:9090".into()));
    assert_eq!(host(b"other:81", 9090), Ok("other:81".into()));
    assert_eq!(host(b"caf\xc3\xa9", 9090), Err(BadHost::Invalid));
    assert_eq!(host(b"other:81", 9090), Ok("other:81".into()));
}

#[test]
fn an_http1_1_request_needs_exactly_one_valid_host() {
    let mut cache = HostCache::default();
    let mut host = |hosts: &[&[u8]]| shown(cache.host_of(&http1(Version::HTTP_11, hosts), 80));
    assert_eq!(host(&[]), Err(BadHost::Missing));
    assert_eq!(host(&[b"a", b"a"]), Err(BadHost::Several));
    assert_eq!(host(&[b"a", b"b"]), Err(BadHost::Several));
    for invalid in [
        &b""[..],
        b" ",
        b"a b",
        b"exa_mple.com",
        b"[::1",
        b"x:99999",
        b"x:abc",
    ] {
        assert_eq!(host(&[invalid]), Err(BadHost::Invalid), "{invalid:?}");
    }
    assert_eq!(host(&[b"[::1]:8080"]), Ok("::1:8080".into()));
}

#[test]
fn an_http1_0_request_may_name_no_host() {
    let mut cache = HostCache::default();
    let mut host = |hosts: &[&[u8]]| shown(cache.host_of(&http1(Version::HTTP_10, hosts), 80));
    assert_eq!(host(&[]), Ok("localhost:80".into()));
    assert_eq!(host(&[b"a"]), Ok("a:80".into()));
    assert_eq!(host(&[b"a", b"b"]), Err(BadHost::Several));
    assert_eq!(host(&[b"a b"]), Err(BadHost::Invalid));
}

#[test]
fn http2_takes_the_authority_or_else_host_and_refuses_a_disagreeing_pair() {
    let mut cache = HostCache::default();
    let mut host = |authority, header| shown(cache.host_of(&http2(authority, header), 8443));
    assert_eq!(host(Some("a.example"), None), Ok("a.example:443".into()));
    assert_eq!(
        host(None, Some("b.example:8443")),
        Ok("b.example:8443".into())
    );
    assert_eq!(
        host(Some("a.example"), Some("A.Example:443")),
        Ok("a.example:443".into())
    );
    assert_eq!(
        host(Some("a.example"), Some("b.example")),
        Err(BadHost::Disagreeing)
    );
    assert_eq!(host(None, None), Err(BadHost::Missing));
    assert_eq!(host(Some("x:99999"), None), Err(BadHost::Invalid));
}

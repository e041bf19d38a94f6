//! Request targets: any origin-form target is canonicalised to a path
//! without dot segments, and canonicalising that again changes nothing.

#![no_main]

use http::uri::PathAndQuery;
use http::{HeaderMap, Method, Version};
use lactoserv_core::net::{HostInfo, Request};
use libfuzzer_sys::fuzz_target;

fn request(target: &str) -> Option<Request> {
    let target: PathAndQuery = target.parse().ok()?;
    Request::new(
        Method::GET,
        Version::HTTP_11,
        target,
        HostInfo::localhost(80),
        HeaderMap::new(),
    )
}

fuzz_target!(|input: &str| {
    let Some(first) = request(input) else {
        return;
    };
    let path = first.path();
    for segment in path.split('/') {
        assert!(segment != "." && segment != "..", "{input:?} -> {path:?}");
    }
    let again = request(&format!("{}{}", path, first.search())).expect("a canonical target");
    assert_eq!(again.path(), path, "{input:?}");
});

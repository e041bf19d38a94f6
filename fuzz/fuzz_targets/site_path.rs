//! StaticFiles' path resolution: whatever the request's path, what it asks
//! of the site directory stays inside it.

#![no_main]

use http::uri::PathAndQuery;
use http::{HeaderMap, Method, Version};
use lactoserv_core::net::{HostInfo, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(target) = input.parse::<PathAndQuery>() else {
        return;
    };
    let Some(request) = Request::new(
        Method::GET,
        Version::HTTP_11,
        target,
        HostInfo::localhost(80),
        HeaderMap::new(),
    ) else {
        return;
    };
    for mounted in 0..3 {
        let Some((relative, _)) = lactoserv_builtins::fuzzing::site_path(&request, mounted) else {
            continue;
        };
        assert!(!relative.starts_with('/'), "{input:?} -> {relative:?}");
        assert!(!relative.contains('\0'), "{input:?} -> {relative:?}");
        for component in relative.split('/') {
            assert!(
                component != "." && component != ".." && !component.is_empty()
                    || relative.is_empty(),
                "{input:?} -> {relative:?}"
            );
        }
    }
});

//! HTTP/1: the same bytes through the server's own loop (with its
//! hand-over to hyper) and through hyper alone must get the same answers.

#![no_main]

use lactoserv_core::fuzzing::http1_exchange;
use lactoserv_core::server::Http1Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let own = http1_exchange(input, Http1Engine::Own);
    let hyper = http1_exchange(input, Http1Engine::Hyper);
    assert!(
        own == hyper,
        "own loop:\n{}\nhyper:\n{}",
        String::from_utf8_lossy(&own),
        String::from_utf8_lossy(&hyper)
    );
});

//! The PEM reader the configuration checks use: any text is judged
//! without failing, and text cannot be both a certificate chain and a key.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (chain, key) = lactoserv_core::fuzzing::pem(input);
    assert!(!(chain && key), "{input:?}");
});

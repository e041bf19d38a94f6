//! The `Cookie` header parser: any text gives cookies with names.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    for (name, _) in lactoserv_builtins::fuzzing::cookies(input) {
        assert!(!name.is_empty());
    }
});

//! Fuzzes IoC extraction: `cargo fuzz run ioc_extract` (nightly + cargo-fuzz).
//! The body is `huntbook::transform::ioc::fuzz_one`, which `tests/ioc_fuzz.rs`
//! also runs over a seeded random corpus in the normal test suite.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    huntbook::transform::ioc::fuzz_one(data);
});

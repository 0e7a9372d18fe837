//! Fuzz base64 and archive unpacking: `cargo fuzz run unpack` (from the
//! repository root; needs cargo-fuzz and a nightly toolchain). The body is
//! `huntbook::transform::unpack::fuzz_one`, which `tests/unpack_fuzz.rs`
//! also runs over a seeded random corpus on every test run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    huntbook::transform::unpack::fuzz_one(data);
});

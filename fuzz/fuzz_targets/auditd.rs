//! Fuzz the auditd parser (raw `audit.log` text and a Log Analytics
//! `AuditdMessage` row): `cargo fuzz run auditd` (from the repository root;
//! needs cargo-fuzz and a nightly toolchain). The body is
//! `huntbook::transform::auditd::fuzz_one`, which `tests/auditd_fuzz.rs`
//! also runs over a seeded random corpus on every test run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    huntbook::transform::auditd::fuzz_one(data);
});

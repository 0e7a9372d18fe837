//! The body of the `unpack` cargo-fuzz target, public so the normal test
//! suite runs the same code over a seeded corpus (`tests/it/unpack_fuzz.rs`).

use super::{StopReason, Unpacker};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Unpacks `data` three ways — as text, as a raw payload, and base64-encoded
/// inside a command line — with small limits, and checks the invariants
/// that must hold for any input.
///
/// # Panics
/// When an invariant fails (that is what a fuzzer looks for): more items
/// than `max_items` allows, an item deeper than `max_depth`, more bytes kept
/// than `max_total_bytes`, a frame whose height differs from the items.
pub fn fuzz_one(data: &[u8]) {
    let unpacker = Unpacker::new()
        .max_depth(8)
        .max_total_bytes(1 << 20)
        .max_member_size(256 << 10)
        .max_members(16)
        .max_items(64);
    let text = String::from_utf8_lossy(data);
    let wrapped = format!("cmd /c echo {} | x", STANDARD.encode(data));
    let runs = [
        unpacker.unpack(&text),
        unpacker.unpack_bytes(data),
        unpacker.unpack(&wrapped),
    ];
    for run in runs {
        let out = match run {
            Ok(out) => out,
            Err(e) => panic!("unpack failed: {e}"),
        };
        let items = out.items();
        // One limit row per scanned text may follow the items.
        assert!(items.len() <= 2 * 64, "{} items", items.len());
        assert_eq!(out.df().height(), items.len());
        let kept: usize = items.iter().map(|i| i.input_bytes.len()).sum();
        // Every kept byte was charged to the budget when it was decoded or
        // decompressed (an archive's row keeps its own bytes, its members
        // theirs).
        assert!(kept <= 1 << 20, "{kept} bytes kept");
        for item in items {
            assert!(item.depth >= 1 && item.depth <= 8, "depth {}", item.depth);
            assert!(!item.reference.is_empty());
            if item.encoding_type.is_some() {
                assert!(item.sha256.is_some());
            } else {
                assert!(
                    item.stop_reasons
                        .iter()
                        .any(|r| !matches!(r, StopReason::Encrypted { .. })),
                    "an item without data must say why"
                );
            }
        }
    }
}

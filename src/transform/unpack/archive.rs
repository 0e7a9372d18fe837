//! Bounded extraction of gzip, zlib, raw deflate, zip and tar contents.
//!
//! Every read goes through [`read_bounded`], which stops at the smallest of
//! the per-member size limit, the compression-ratio limit and what is left
//! of the input's total byte budget, so a bomb costs at most that many bytes
//! of memory and the time to inflate them.

use super::StopReason;
use super::detect::Archive;
use std::io::{Cursor, Read};

/// The limits that apply to one extraction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_members: usize,
    pub max_member_size: usize,
    pub max_ratio: u64,
}

/// Output below this size is never stopped for its compression ratio: small
/// files of repeated characters compress far better than any bomb threshold.
pub(crate) const RATIO_FLOOR: usize = 1 << 20;

/// One file taken out of an archive.
#[derive(Debug)]
pub(crate) struct Member {
    pub name: String,
    /// The content; empty when a limit stopped the read (then `stop` says why).
    pub data: Vec<u8>,
    pub stop: Option<StopReason>,
}

/// The result of unpacking one archive.
#[derive(Debug)]
pub(crate) struct Extracted {
    pub members: Vec<Member>,
    /// Archive-level notes: members left unread, encrypted members, a corrupt
    /// directory after some members were read.
    pub notes: Vec<StopReason>,
}

/// Reads `r` to its end or to the first limit. Returns the bytes (dropped
/// when a size or ratio limit was hit, since a cut-off file's hashes would
/// mislead) and why it stopped early, if it did. `budget` is charged with
/// every byte read.
fn read_bounded(
    r: impl Read,
    compressed_len: usize,
    limits: &Limits,
    budget: &mut usize,
    format: &'static str,
) -> (Vec<u8>, Option<StopReason>) {
    let ratio_cap = compressed_len
        .saturating_mul(usize::try_from(limits.max_ratio).unwrap_or(usize::MAX))
        .max(RATIO_FLOOR);
    let size_cap = limits.max_member_size;
    let budget_cap = *budget;
    let cap = size_cap.min(ratio_cap).min(budget_cap);
    let mut out = Vec::new();
    let result = r.take(cap as u64 + 1).read_to_end(&mut out);
    let read = out.len();
    *budget = budget_cap.saturating_sub(read.min(cap));
    if read > cap {
        let reason = if budget_cap < size_cap.min(ratio_cap) {
            StopReason::MaxTotalBytes
        } else if ratio_cap < size_cap {
            StopReason::MaxRatio {
                limit: limits.max_ratio,
                compressed: compressed_len as u64,
            }
        } else {
            StopReason::MaxMemberSize {
                limit: size_cap as u64,
            }
        };
        return (Vec::new(), Some(reason));
    }
    match result {
        Ok(_) => (out, None),
        Err(e) => (
            out,
            Some(StopReason::Corrupt {
                format,
                detail: format!("{e} after {read} bytes; content is partial"),
            }),
        ),
    }
}

/// A stream format with one member: the member, or why there is none.
fn single(name: String, data: Vec<u8>, stop: Option<StopReason>) -> Result<Extracted, StopReason> {
    if data.is_empty()
        && let Some(reason @ StopReason::Corrupt { .. }) = stop
    {
        // Nothing came out and the stream was bad: not this format after all.
        return Err(reason);
    }
    Ok(Extracted {
        members: vec![Member { name, data, stop }],
        notes: Vec::new(),
    })
}

fn gunzip(bytes: &[u8], limits: &Limits, budget: &mut usize) -> Result<Extracted, StopReason> {
    let mut dec = flate2::read::MultiGzDecoder::new(bytes);
    let (data, stop) = read_bounded(&mut dec, bytes.len(), limits, budget, "gzip");
    let name = dec
        .header()
        .and_then(|h| h.filename())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "gzip_file".to_string());
    single(name, data, stop)
}

fn unzlib(bytes: &[u8], limits: &Limits, budget: &mut usize) -> Result<Extracted, StopReason> {
    let dec = flate2::read::ZlibDecoder::new(bytes);
    let (data, stop) = read_bounded(dec, bytes.len(), limits, budget, "zlib");
    single("zlib_stream".to_string(), data, stop)
}

/// Raw deflate has no magic bytes: PowerShell's `DeflateStream` loaders
/// write it bare. Accepted only when the whole input inflates cleanly, so
/// random binary is not mistaken for it.
pub(crate) fn inflate_raw(bytes: &[u8], limits: &Limits, budget: &mut usize) -> Option<Member> {
    let mut dec = flate2::read::DeflateDecoder::new(bytes);
    let mut probe = *budget;
    let (data, stop) = read_bounded(&mut dec, bytes.len(), limits, &mut probe, "deflate");
    if data.is_empty() || dec.total_in() != bytes.len() as u64 || stop.is_some() {
        return None;
    }
    *budget = probe;
    Some(Member {
        name: "deflate_stream".to_string(),
        data,
        stop: None,
    })
}

fn unzip(bytes: &[u8], limits: &Limits, budget: &mut usize) -> Result<Extracted, StopReason> {
    let corrupt = |e: zip::result::ZipError| StopReason::Corrupt {
        format: "zip",
        detail: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let total = zip.len();
    let mut out = Extracted {
        members: Vec::new(),
        notes: Vec::new(),
    };
    let mut encrypted = Vec::new();
    for i in 0..total.min(limits.max_members) {
        let (name, is_dir, is_encrypted, declared, compressed) = match zip.by_index_data(i) {
            Ok(e) => (
                e.name()
                    .map(|n| n.into_owned())
                    .unwrap_or_else(|_| format!("member {i}")),
                e.is_dir(),
                e.encrypted(),
                e.size(),
                e.compressed_size(),
            ),
            Err(e) => {
                out.notes.push(corrupt(e));
                break;
            }
        };
        if is_dir {
            continue;
        }
        if is_encrypted {
            encrypted.push(name);
            continue;
        }
        let compressed = usize::try_from(compressed).unwrap_or(usize::MAX);
        // A declared size over the per-member limit is refused before any
        // inflating (the declared size can lie, so reads stay bounded too).
        if declared > limits.max_member_size as u64 {
            out.members.push(Member {
                name,
                data: Vec::new(),
                stop: Some(StopReason::MaxMemberSize {
                    limit: limits.max_member_size as u64,
                }),
            });
            continue;
        }
        let (data, stop) = match zip.by_index(i) {
            Ok(file) => read_bounded(file, compressed, limits, budget, "zip"),
            Err(e) => (Vec::new(), Some(corrupt(e))),
        };
        out.members.push(Member { name, data, stop });
        if *budget == 0 {
            break;
        }
    }
    if total > limits.max_members {
        out.notes.push(StopReason::MaxMembers {
            limit: limits.max_members as u64,
            skipped: (total - limits.max_members) as u64,
        });
    }
    if !encrypted.is_empty() {
        out.notes.push(StopReason::Encrypted { members: encrypted });
    }
    Ok(out)
}

fn untar(bytes: &[u8], limits: &Limits, budget: &mut usize) -> Result<Extracted, StopReason> {
    let corrupt = |e: std::io::Error| StopReason::Corrupt {
        format: "tar",
        detail: e.to_string(),
    };
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    let entries = archive.entries().map_err(corrupt)?;
    let mut out = Extracted {
        members: Vec::new(),
        notes: Vec::new(),
    };
    let mut seen = 0usize;
    let mut skipped = 0u64;
    for entry in entries {
        if seen >= limits.max_members {
            skipped += 1;
            // Counting what is left is bounded by the input size (512-byte headers).
            if entry.is_err() {
                break;
            }
            continue;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.notes.push(corrupt(e));
                break;
            }
        };
        seen += 1;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = entry.size() as usize;
        let (data, stop) = read_bounded(entry, size.max(1), limits, budget, "tar");
        out.members.push(Member { name, data, stop });
        if *budget == 0 {
            break;
        }
    }
    if skipped > 0 {
        out.notes.push(StopReason::MaxMembers {
            limit: limits.max_members as u64,
            skipped,
        });
    }
    if out.members.is_empty() && !out.notes.is_empty() {
        // A header that looked like tar but held nothing readable.
        return Err(out.notes.remove(0));
    }
    Ok(out)
}

/// Unpacks `bytes` as `archive`. An `Err` means the bytes are not a usable
/// archive of that kind (corrupt, or empty); the caller reports them as a
/// binary with the reason.
pub(crate) fn extract(
    archive: Archive,
    bytes: &[u8],
    limits: &Limits,
    budget: &mut usize,
) -> Result<Extracted, StopReason> {
    match archive {
        Archive::Gzip => gunzip(bytes, limits, budget),
        Archive::Zlib => unzlib(bytes, limits, budget),
        Archive::Zip => unzip(bytes, limits, budget),
        Archive::Tar => untar(bytes, limits, budget),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const LIMITS: Limits = Limits {
        max_members: 4,
        max_member_size: 4 << 20,
        max_ratio: 100,
    };

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_roundtrip_and_budget() {
        let mut budget = 1000;
        let x = extract(Archive::Gzip, &gz(b"hello"), &LIMITS, &mut budget).unwrap();
        assert_eq!(x.members[0].name, "gzip_file");
        assert_eq!(x.members[0].data, b"hello");
        assert_eq!(budget, 995);
    }

    #[test]
    fn ratio_and_size_and_budget_limits() {
        let bomb = gz(&vec![0u8; 3 << 20]);
        let mut budget = usize::MAX;
        let x = extract(Archive::Gzip, &bomb, &LIMITS, &mut budget).unwrap();
        assert!(x.members[0].data.is_empty());
        assert_eq!(
            x.members[0].stop,
            Some(StopReason::MaxRatio {
                limit: 100,
                compressed: bomb.len() as u64
            })
        );
        let size = Limits {
            max_member_size: 1000,
            ..LIMITS
        };
        let x = extract(Archive::Gzip, &bomb, &size, &mut budget).unwrap();
        assert_eq!(
            x.members[0].stop,
            Some(StopReason::MaxMemberSize { limit: 1000 })
        );
        let mut small = 500;
        let x = extract(Archive::Gzip, &bomb, &size, &mut small).unwrap();
        assert_eq!(x.members[0].stop, Some(StopReason::MaxTotalBytes));
        assert_eq!(small, 0);
    }

    #[test]
    fn truncated_gzip_keeps_partial_content() {
        let text: Vec<u8> = (0..20_000u32)
            .flat_map(|i| i.to_string().into_bytes())
            .collect();
        let full = gz(&text);
        let cut = &full[..full.len() / 2];
        let mut budget = usize::MAX;
        let x = extract(Archive::Gzip, cut, &LIMITS, &mut budget).unwrap();
        let m = &x.members[0];
        assert!(!m.data.is_empty() && m.data.len() < text.len());
        assert_eq!(&text[..m.data.len()], &m.data[..]);
        assert!(matches!(
            m.stop,
            Some(StopReason::Corrupt { format: "gzip", .. })
        ));
        // a header alone gives nothing: not an archive
        let mut budget = usize::MAX;
        assert!(extract(Archive::Gzip, &full[..12], &LIMITS, &mut budget).is_err());
    }

    #[test]
    fn raw_deflate_only_when_clean() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"Write-Host hi").unwrap();
        let raw = e.finish().unwrap();
        let mut budget = 100;
        let m = inflate_raw(&raw, &LIMITS, &mut budget).unwrap();
        assert_eq!(m.data, b"Write-Host hi");
        assert_eq!(budget, 87);
        let mut noisy = raw.clone();
        noisy.push(0);
        assert!(inflate_raw(&noisy, &LIMITS, &mut budget).is_none());
        assert!(inflate_raw(b"\xff\xff\xff", &LIMITS, &mut budget).is_none());
    }
}

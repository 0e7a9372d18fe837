//! What decoded bytes are: a file type from magic bytes, and text in UTF-8
//! or UTF-16.

use super::Utf16Mode;

/// Archive formats huntbook unpacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archive {
    Gzip,
    Zip,
    Tar,
    Zlib,
}

impl Archive {
    /// The `file_type` name (MSTICPy's where it has one).
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Archive::Gzip => "gz",
            Archive::Zip => "zip",
            Archive::Tar => "tar",
            Archive::Zlib => "zlib",
        }
    }
}

/// What the magic bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    /// An archive to unpack.
    Archive(Archive),
    /// A known binary format, reported with hashes but not unpacked.
    Binary(&'static str),
    /// Nothing recognised.
    Unknown,
}

fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// Identifies `b` by its magic bytes.
pub(crate) fn magic(b: &[u8]) -> Magic {
    use Magic::{Archive as A, Binary as B};
    if b.starts_with(&[0x1f, 0x8b, 0x08]) {
        return A(Archive::Gzip);
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return A(Archive::Zip);
    }
    if is_tar(b) {
        return A(Archive::Tar);
    }
    if b.len() >= 2 && b[0] == 0x78 && matches!(b[1], 0x01 | 0x5e | 0x9c | 0xda) {
        return A(Archive::Zlib);
    }
    if b.starts_with(b"MZ") {
        return B(pe_type(b));
    }
    const TABLE: &[(&[u8], &str)] = &[
        (b"\x7fELF", "elf"),
        (b"%PDF-", "pdf"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"Rar!\x1a\x07", "rar"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "msi"),
        (b"MSWIM\0\0\0", "wim"),
        (b"MSCF\0\0\0\0", "cab"),
        (b"\xfd7zXZ\0", "xz"),
        (b"\x28\xb5\x2f\xfd", "zst"),
        (b"L\0\0\0\x01\x14\x02\0", "lnk"),
        (b"\xfe\xed\xfa\xce", "macho"),
        (b"\xfe\xed\xfa\xcf", "macho"),
        (b"\xce\xfa\xed\xfe", "macho"),
        (b"\xcf\xfa\xed\xfe", "macho"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff", "jpg"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"dex\n", "dex"),
    ];
    for (prefix, name) in TABLE {
        if b.starts_with(prefix) {
            return B(name);
        }
    }
    if b.len() >= 4 && b[..3] == *b"BZh" && (b'1'..=b'9').contains(&b[3]) {
        return B("bz2");
    }
    if b.starts_with(b"\xca\xfe\xba\xbe") {
        // Fat Mach-O and Java class files share a magic: a fat binary holds
        // a handful of architectures, a class file's version is 45 or more.
        let second = u32::from_be_bytes([
            *b.get(4).unwrap_or(&0),
            *b.get(5).unwrap_or(&0),
            *b.get(6).unwrap_or(&0),
            *b.get(7).unwrap_or(&0),
        ]);
        return B(if second < 30 { "macho" } else { "class" });
    }
    Magic::Unknown
}

/// `exe`, `dll` or `sys` for an `MZ` file. With the PE header present, the
/// COFF characteristics (DLL flag) and optional-header subsystem (native →
/// driver) decide; a header-only fragment falls back to MSTICPy's rule on
/// the `e_lfanew` offset of the standard linker stub (0xF0 dll, 0xE8 sys).
fn pe_type(b: &[u8]) -> &'static str {
    let Some(lfanew) = u32_le(b, 0x3c).map(|v| v as usize) else {
        return "exe";
    };
    if b.get(lfanew..lfanew + 4) == Some(b"PE\0\0") {
        let coff = lfanew + 4;
        let characteristics = u16_le(b, coff + 18).unwrap_or(0);
        if characteristics & 0x2000 != 0 {
            return "dll";
        }
        // Subsystem sits at offset 68 of the optional header in both PE32 and PE32+.
        if u16_le(b, coff + 20 + 68) == Some(1) {
            return "sys";
        }
        return "exe";
    }
    match lfanew {
        0xf0 => "dll",
        0xe8 => "sys",
        _ => "exe",
    }
}

/// A tar header: POSIX/GNU `ustar` magic at offset 257, or a v7 header
/// whose checksum adds up.
fn is_tar(b: &[u8]) -> bool {
    if b.len() < 512 {
        return false;
    }
    if &b[257..262] == b"ustar" {
        return true;
    }
    // v7: checksum field (octal, offset 148, 8 bytes) = sum of the header
    // bytes with the checksum field counted as spaces; name must be set.
    if b[0] == 0 {
        return false;
    }
    let field = &b[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&c| c == b' ')
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.is_empty() || digits.iter().any(|&d| d > b'7') {
        return false;
    }
    let stored = digits
        .iter()
        .fold(0u32, |acc, &d| acc.saturating_mul(8) + u32::from(d - b'0'));
    let sum: u32 = b[..512]
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(c)
            }
        })
        .sum();
    stored == sum
}

/// How decoded bytes read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text {
    Utf8(String),
    Utf16(String),
    Binary,
}

/// Python's `bytes.decode("utf-16")`: a byte-order mark picks the order and
/// is dropped, little-endian otherwise; odd lengths and unpaired surrogates
/// fail.
fn python_utf16(b: &[u8]) -> Option<String> {
    let (body, big) = match b {
        [0xff, 0xfe, rest @ ..] => (rest, false),
        [0xfe, 0xff, rest @ ..] => (rest, true),
        _ => (b, false),
    };
    if body.len() % 2 != 0 {
        return None;
    }
    let units = body.chunks_exact(2).map(|p| {
        if big {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// UTF-16LE that reads as text: a little-endian byte-order mark, or at least
/// half the high bytes zero (mostly Latin script, as PowerShell
/// `-EncodedCommand` payloads are); and every character printable or
/// whitespace. Such bytes are valid UTF-8 too (NULs), so this check comes
/// first.
fn looks_like_utf16le(b: &[u8]) -> Option<String> {
    let body = match b {
        [0xff, 0xfe, rest @ ..] => rest,
        _ => {
            if b.len() < 4 || !b.len().is_multiple_of(2) {
                return None;
            }
            let zero_high = b.iter().skip(1).step_by(2).filter(|&&c| c == 0).count();
            if zero_high * 2 < b.len() / 2 {
                return None;
            }
            b
        }
    };
    if body.len() % 2 != 0 || body.is_empty() {
        return None;
    }
    let units = body
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    let text: String = char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()?;
    let texty = text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || !(c.is_control() || c == '\u{fffd}' || c == '\u{fffe}' || c == '\u{ffff}')
    });
    texty.then_some(text)
}

/// Decodes bytes as text under the UTF-16 mode, then UTF-8; `Binary` when
/// neither fits.
pub(crate) fn text(b: &[u8], mode: Utf16Mode) -> Text {
    let utf16 = match mode {
        Utf16Mode::Auto => looks_like_utf16le(b),
        Utf16Mode::Force => python_utf16(b),
        Utf16Mode::Off => None,
    };
    if let Some(s) = utf16 {
        return Text::Utf16(s);
    }
    match std::str::from_utf8(b) {
        Ok(s) => Text::Utf8(s.to_string()),
        Err(_) => Text::Binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn magic_types() {
        assert_eq!(magic(b"\x1f\x8b\x08\0"), Magic::Archive(Archive::Gzip));
        assert_eq!(magic(b"PK\x03\x04xx"), Magic::Archive(Archive::Zip));
        assert_eq!(magic(b"\x78\x9c\x01"), Magic::Archive(Archive::Zlib));
        assert_eq!(magic(b"%PDF-1.7\n"), Magic::Binary("pdf"));
        assert_eq!(magic(b"\x7fELF\x02"), Magic::Binary("elf"));
        assert_eq!(magic(b"Rar!\x1a\x07\x00"), Magic::Binary("rar"));
        assert_eq!(magic(b"BZh91AY"), Magic::Binary("bz2"));
        assert_eq!(magic(b"\xca\xfe\xba\xbe\0\0\0\x34"), Magic::Binary("class"));
        assert_eq!(magic(b"\xca\xfe\xba\xbe\0\0\0\x02"), Magic::Binary("macho"));
        assert_eq!(magic(b"hello"), Magic::Unknown);
        assert_eq!(magic(b""), Magic::Unknown);
    }

    #[test]
    fn pe_subtypes() {
        let mut pe = vec![0u8; 0x200];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        assert_eq!(magic(&pe), Magic::Binary("exe"));
        pe[0x84 + 18 + 1] = 0x20; // IMAGE_FILE_DLL
        assert_eq!(magic(&pe), Magic::Binary("dll"));
        pe[0x84 + 18 + 1] = 0;
        pe[0x84 + 20 + 68] = 1; // native subsystem
        assert_eq!(magic(&pe), Magic::Binary("sys"));
        // header-only fragment: MSTICPy's e_lfanew rule
        let mut stub = vec![0u8; 0x40];
        stub[..2].copy_from_slice(b"MZ");
        stub[0x3c] = 0xf0;
        assert_eq!(magic(&stub), Magic::Binary("dll"));
        stub[0x3c] = 0xf8;
        assert_eq!(magic(&stub), Magic::Binary("exe"));
        assert_eq!(magic(b"MZ"), Magic::Binary("exe"));
    }

    #[test]
    fn v7_tar_checksum() {
        let mut h = vec![0u8; 512];
        h[..5].copy_from_slice(b"a.txt");
        let sum: u32 = h.iter().map(|&c| u32::from(c)).sum::<u32>() + 8 * 32;
        let field = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(field.as_bytes());
        assert!(is_tar(&h));
        h[0] = b'b';
        assert!(!is_tar(&h));
    }

    #[test]
    fn text_modes() {
        let ps = utf16le("IEX (New-Object Net.WebClient)");
        assert_eq!(
            text(&ps, Utf16Mode::Auto),
            Text::Utf16("IEX (New-Object Net.WebClient)".into())
        );
        assert!(matches!(text(&ps, Utf16Mode::Off), Text::Utf8(_)));
        // ASCII is never taken for UTF-16 in auto mode, but is when forced
        assert_eq!(
            text(b"curl -s", Utf16Mode::Auto),
            Text::Utf8("curl -s".into())
        );
        assert_eq!(text(b"abcd", Utf16Mode::Force), Text::Utf16("扡摣".into()));
        // NULs are not UTF-16 text; they are valid UTF-8 (as MSTICPy says)
        assert_eq!(
            text(&[0; 6], Utf16Mode::Auto),
            Text::Utf8("\0\0\0\0\0\0".into())
        );
        // BOM
        let mut bom = vec![0xff, 0xfe];
        bom.extend(utf16le("ж ok"));
        assert_eq!(text(&bom, Utf16Mode::Auto), Text::Utf16("ж ok".into()));
        assert_eq!(text(&bom, Utf16Mode::Force), Text::Utf16("ж ok".into()));
        // unpaired surrogate, odd length
        assert_eq!(
            text(&[0x00, 0xd8, 0x41, 0x00], Utf16Mode::Force),
            Text::Binary
        );
        assert_eq!(text(&[0xff, 0xfe, 0x41], Utf16Mode::Force), Text::Binary);
        assert_eq!(text(&[0xc3, 0x28], Utf16Mode::Off), Text::Binary);
    }
}

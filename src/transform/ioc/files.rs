//! Scanners for file hashes and file paths.

use super::IocType;
use super::scan::{Ctx, Found};
use std::borrow::Cow;

/// The longest path component (NTFS and ext4 both cap names at 255).
const MAX_COMPONENT: usize = 255;
/// The longest path reported.
const MAX_PATH: usize = 4096;

/// MD5/SHA-1/SHA-256: a run of exactly 32/40/64 hex digits with no hex
/// digit on either side; all-digit runs are numbers, not hashes.
pub(super) fn scan_hashes<'a>(ctx: &mut Ctx<'a, '_>) {
    let b = ctx.bytes;
    let hex = |i: usize| b[i].is_ascii_hexdigit();
    // `i` is always where a maximal hex run could start (nothing hex just
    // before it). A run of 32 or more covers `i + 31`, so when that byte is
    // not hex no run starts in `i..=i + 31` and the scan jumps past it:
    // most text is read one byte in 32.
    let mut i = 0;
    while i + 32 <= b.len() {
        let probe = i + 31;
        if !hex(probe) {
            i = probe + 1;
            continue;
        }
        let mut j = probe;
        while j > i && hex(j - 1) {
            j -= 1;
        }
        if j > i {
            i = j;
            continue;
        }
        let start = i;
        let mut end = probe + 1;
        while end < b.len() && hex(end) {
            end += 1;
        }
        i = end + 1;
        let ty = match end - start {
            32 => IocType::Md5Hash,
            40 => IocType::Sha1Hash,
            64 => IocType::Sha256Hash,
            _ => continue,
        };
        // All-digit runs are numbers, not hashes.
        if !b[start..end].iter().any(|&c| c > b'9') || !ctx.wants(&ty) {
            continue;
        }
        let s = &ctx.text[start..end];
        let canon = if s.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        };
        ctx.push(Found::new(ty, start, end, Cow::Borrowed(s), canon));
    }
}

#[inline]
fn is_win_forbidden(c: u8) -> bool {
    matches!(
        c,
        b'\\' | b'/' | b':' | b'*' | b'?' | b'"' | b'<' | b'>' | b'|'
    ) || c < 0x20
}

/// Characters that may end a path but are more likely punctuation.
fn trim_path_end(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start {
        let c = b[end - 1];
        let drop = match c {
            b'.' | b',' | b';' | b'\'' | b'"' | b'`' => true,
            b')' | b']' | b'}' => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                let seg = &b[start..end];
                let opens = seg.iter().filter(|&&x| x == open).count();
                let closes = seg.iter().filter(|&&x| x == c).count();
                closes > opens
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= 1;
    }
    end
}

#[inline]
fn boundary_before(b: &[u8], i: usize) -> bool {
    i == 0
        || matches!(
            b[i - 1],
            b' ' | b'\t'
                | b'\r'
                | b'\n'
                | b'"'
                | b'\''
                | b'`'
                | b'='
                | b'('
                | b'['
                | b'{'
                | b','
                | b';'
                | b'|'
                | b'&'
                | b'>'
                | b'<'
        )
}

/// Where a Windows path root at `i` ends (just past its first separator),
/// and whether `/` may separate components.
fn windows_root(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let c = *b.get(i)?;
    if c.is_ascii_alphabetic()
        && b.get(i + 1) == Some(&b':')
        && matches!(b.get(i + 2), Some(b'\\') | Some(b'/'))
        && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
    {
        return Some((i + 3, true));
    }
    if !boundary_before(b, i) {
        return None;
    }
    if c == b'\\' && b.get(i + 1) == Some(&b'\\') {
        // \\server\share
        let mut j = i + 2;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b"_.$-".contains(&b[j])) {
            j += 1;
        }
        return (j > i + 2 && b.get(j) == Some(&b'\\')).then_some((j + 1, false));
    }
    if c == b'.' {
        let dots = if b.get(i + 1) == Some(&b'.') { 2 } else { 1 };
        return (b.get(i + dots) == Some(&b'\\')).then_some((i + dots + 1, false));
    }
    if c == b'%' {
        let mut j = i + 1;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') && j - i < 64 {
            j += 1;
        }
        return (j > i + 1 && b.get(j) == Some(&b'%') && b.get(j + 1) == Some(&b'\\'))
            .then_some((j + 2, false));
    }
    None
}

/// Whether the text at `j` starts a new relative or variable path root.
fn starts_root_after_space(b: &[u8], j: usize) -> bool {
    matches!(b.get(j), Some(b'.') | Some(b'%')) && windows_root(b, j).is_some()
}

/// Windows paths: drive (`C:\`, `c:/`), UNC (`\\server\share`), relative
/// (`.\`, `..\`) and `%VARIABLE%\` roots. Folder names may hold spaces
/// (`C:\Program Files (x86)\...`); the file name may not, and a space
/// followed by a new root (`.\x and ..\y`) ends the path.
pub(super) fn scan_windows_paths<'a>(ctx: &mut Ctx<'a, '_>) {
    let b = ctx.bytes;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c == b':' || c == b'\\' || c == b'.' || c == b'%') {
            i += 1;
            continue;
        }
        let start = if c == b':' { i.saturating_sub(1) } else { i };
        let Some((root_end, slash_ok)) = windows_root(b, start) else {
            i += 1;
            continue;
        };
        let mut end = root_end;
        let mut comps = 0;
        let mut j = root_end;
        loop {
            let comp_start = j;
            while j < b.len() && j - comp_start < MAX_COMPONENT && !is_win_forbidden(b[j]) {
                j += 1;
            }
            let sep = j < b.len() && (b[j] == b'\\' || (slash_ok && b[j] == b'/'));
            let comp = &b[comp_start..j];
            if sep && !comp.is_empty() {
                // A folder: spaces allowed unless a new root starts after one.
                if let Some(sp) = comp
                    .iter()
                    .enumerate()
                    .find(|&(k, &x)| x == b' ' && starts_root_after_space(b, comp_start + k + 1))
                    .map(|(k, _)| k)
                {
                    // The part before that space is the file name: up to its first space.
                    let name_len = comp[..sp].iter().position(|&x| x == b' ').unwrap_or(sp);
                    if name_len > 0 {
                        comps += 1;
                        end = comp_start + name_len;
                    }
                    break;
                }
                comps += 1;
                j += 1;
                end = j;
                if j - start > MAX_PATH {
                    break;
                }
                continue;
            }
            // The last component: up to the first space.
            let name_len = comp.iter().position(|&x| x == b' ').unwrap_or(comp.len());
            if name_len > 0 {
                comps += 1;
                end = comp_start + name_len;
            }
            break;
        }
        let end = trim_path_end(b, start, end);
        if comps > 0 && end > root_end && ctx.text.is_char_boundary(end) {
            if ctx.wants(&IocType::WindowsPath) {
                let s = &ctx.text[start..end];
                ctx.push(Found::new(
                    IocType::WindowsPath,
                    start,
                    end,
                    Cow::Borrowed(s),
                    Cow::Borrowed(s),
                ));
            }
            ctx.path_spans.push((start, end));
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

#[inline]
fn is_linux_forbidden(c: u8) -> bool {
    c <= b' '
        || matches!(
            c,
            b'/' | b'"'
                | b'\''
                | b'`'
                | b'<'
                | b'>'
                | b'|'
                | b';'
                | b'&'
                | b':'
                | b'\\'
                | b'*'
                | b'?'
        )
}

/// Linux paths: `/a/b` (at least two components), `~/x`, `./x`, `../x`,
/// starting at a word boundary (so `text/html`, `TCP_MISS/200`, dates and
/// the `//host` of a URL are not paths). Spaces end a path.
pub(super) fn scan_linux_paths<'a>(ctx: &mut Ctx<'a, '_>) {
    let b = ctx.bytes;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c == b'/' || c == b'~' || c == b'.') || !boundary_before(b, i) {
            i += 1;
            continue;
        }
        let (first_sep, min_comps) = match c {
            b'/' => (i, 2),
            b'~' if b.get(i + 1) == Some(&b'/') => (i + 1, 1),
            b'.' if b.get(i + 1) == Some(&b'/') => (i + 1, 1),
            b'.' if b.get(i + 1) == Some(&b'.') && b.get(i + 2) == Some(&b'/') => (i + 2, 1),
            _ => {
                i += 1;
                continue;
            }
        };
        if ctx.inside_url(i, i + 1) || ctx.inside_path(i) {
            i += 1;
            continue;
        }
        let mut j = first_sep;
        let mut comps = 0;
        let mut end = first_sep;
        while j < b.len() && b[j] == b'/' && j - i < MAX_PATH {
            let comp_start = j + 1;
            let mut k = comp_start;
            while k < b.len() && k - comp_start < MAX_COMPONENT && !is_linux_forbidden(b[k]) {
                k += 1;
            }
            if k == comp_start {
                break;
            }
            comps += 1;
            end = k;
            j = k;
        }
        let end = trim_path_end(b, i, end);
        if comps >= min_comps && end > first_sep + 1 && ctx.text.is_char_boundary(end) {
            if ctx.wants(&IocType::LinuxPath) {
                let s = &ctx.text[i..end];
                ctx.push(Found::new(
                    IocType::LinuxPath,
                    i,
                    end,
                    Cow::Borrowed(s),
                    Cow::Borrowed(s),
                ));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

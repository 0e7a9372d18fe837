//! The recursive walk: candidates → bytes → archive members / text / binary,
//! building the `<decoded …>` markers and the items as it goes.

use super::archive::{self, Extracted, Limits, Member};
use super::detect::{self, Archive, Magic, Text};
use super::scan::{self, Candidates};
use super::{DecodedItem, Encoding, StopReason, Unpacker};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;

/// Unpacks one input string.
pub(crate) fn unpack_text(opts: &Unpacker, text: &str) -> (String, Vec<DecodedItem>) {
    let mut walk = Walk::new(opts);
    let decoded = walk.scan(text, 1, "").into_owned();
    (decoded, walk.items)
}

/// Unpacks raw bytes as a depth-1 blob.
pub(crate) fn unpack_bytes(opts: &Unpacker, bytes: &[u8]) -> (String, Vec<DecodedItem>) {
    let mut walk = Walk::new(opts);
    if bytes.is_empty() {
        return (String::new(), Vec::new());
    }
    if bytes.len() > walk.budget {
        let mut item = walk.empty_item("1", 1, Arc::from(""));
        item.stop_reasons.push(StopReason::MaxTotalBytes);
        return (String::new(), vec![item]);
    }
    walk.budget -= bytes.len();
    let marker = walk.blob(bytes.to_vec(), &Arc::from(""), 1, "1");
    (marker, walk.items)
}

struct Walk<'a> {
    opts: &'a Unpacker,
    limits: Limits,
    /// Decoded/decompressed bytes still allowed for this input.
    budget: usize,
    items: Vec<DecodedItem>,
}

/// The hex of `bytes` as MSTICPy prints it (`"4d 5a 90"`), cut at `max` bytes.
pub(crate) fn printable(bytes: &[u8], max: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let shown = &bytes[..bytes.len().min(max)];
    let mut out = String::with_capacity(shown.len() * 3 + 24);
    for (i, b) in shown.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    if bytes.len() > shown.len() {
        let _ = write!(out, " …(+{} bytes)", bytes.len() - shown.len());
    }
    out
}

fn hex_digest<D: Digest>(bytes: &[u8]) -> String {
    hex::encode(D::digest(bytes))
}

impl<'a> Walk<'a> {
    fn new(opts: &'a Unpacker) -> Self {
        Self {
            opts,
            limits: Limits {
                max_members: opts.max_members,
                max_member_size: opts.max_member_size,
                max_ratio: opts.max_ratio,
            },
            budget: opts.max_total_bytes,
            items: Vec::new(),
        }
    }

    fn max_depth(&self) -> u32 {
        self.opts.max_depth as u32
    }

    fn empty_item(&self, path: &str, depth: u32, original: Arc<str>) -> DecodedItem {
        DecodedItem {
            reference: path.to_string(),
            depth,
            original_string: original,
            file_name: "unknown".to_string(),
            file_type: None,
            input_bytes: Vec::new(),
            decoded_string: None,
            encoding_type: None,
            md5: None,
            sha1: None,
            sha256: None,
            printable_bytes: None,
            stop_reasons: Vec::new(),
        }
    }

    /// An item with its bytes, hashes and printable form.
    #[allow(clippy::too_many_arguments)]
    fn item(
        &self,
        path: &str,
        depth: u32,
        original: &Arc<str>,
        file_name: Option<&str>,
        file_type: Option<&str>,
        bytes: Vec<u8>,
        decoded: Option<String>,
        encoding: Encoding,
    ) -> DecodedItem {
        DecodedItem {
            reference: path.to_string(),
            depth,
            original_string: Arc::clone(original),
            file_name: file_name.unwrap_or("unknown").to_string(),
            file_type: file_type.map(str::to_string),
            md5: Some(hex_digest::<Md5>(&bytes)),
            sha1: Some(hex_digest::<Sha1>(&bytes)),
            sha256: Some(hex_digest::<Sha256>(&bytes)),
            printable_bytes: Some(printable(&bytes, self.opts.max_printable_bytes)),
            input_bytes: bytes,
            decoded_string: decoded,
            encoding_type: Some(encoding),
            stop_reasons: Vec::new(),
        }
    }

    /// Replaces every decodable candidate in `text` by its marker; items
    /// found here are at `depth` with index paths `prefix1`, `prefix2`, ….
    fn scan<'t>(&mut self, text: &'t str, depth: u32, prefix: &str) -> Cow<'t, str> {
        let mut cands = Candidates::new(text, self.opts.min_length).peekable();
        if cands.peek().is_none() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 128);
        let mut last = 0;
        let mut index = 0usize;
        // Identical candidates in one text share the first one's marker and
        // item (MSTICPy replaces every occurrence at once).
        let mut seen: Vec<(&'t str, String)> = Vec::new();
        // The first candidate skipped for max_items, and how many were.
        let mut skipped: Option<(usize, usize, u64)> = None;
        for (start, end) in cands {
            let cand = &text[start..end];
            if let Some((_, marker)) = seen.iter().find(|(c, _)| *c == cand) {
                out.push_str(&text[last..start]);
                out.push_str(marker);
                last = end;
                continue;
            }
            if self.items.len() >= self.opts.max_items {
                match &mut skipped {
                    Some((_, _, n)) => *n += 1,
                    None => skipped = Some((start, end, 1)),
                }
                continue;
            }
            let estimate = cand.len() / 4 * 3 + 3;
            if estimate > self.budget.saturating_add(3) {
                index += 1;
                let path = format!("{prefix}{index}");
                let mut item = self.empty_item(&path, depth, Arc::from(cand));
                item.stop_reasons.push(StopReason::MaxTotalBytes);
                self.items.push(item);
                continue;
            }
            let bytes = match scan::decode(cand) {
                Ok(b) if !b.is_empty() => b,
                _ => continue,
            };
            self.budget = self.budget.saturating_sub(bytes.len());
            index += 1;
            let path = format!("{prefix}{index}");
            let marker = self.blob(bytes, &Arc::from(cand), depth, &path);
            out.push_str(&text[last..start]);
            out.push_str(&marker);
            last = end;
            seen.push((cand, marker));
        }
        if let Some((start, end, n)) = skipped {
            let path = format!("{prefix}{}", index + 1);
            let mut item = self.empty_item(&path, depth, Arc::from(&text[start..end]));
            item.stop_reasons.push(StopReason::MaxItems {
                limit: self.opts.max_items as u64,
                skipped: n,
            });
            self.items.push(item);
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// Decoded bytes at `path`: an archive, a known binary, text or noise.
    fn blob(&mut self, bytes: Vec<u8>, original: &Arc<str>, depth: u32, path: &str) -> String {
        let label_type = match detect::magic(&bytes) {
            Magic::Archive(kind) => {
                match archive::extract(kind, &bytes, &self.limits, &mut self.budget) {
                    Ok(x) => return self.archive(kind, bytes, x, original, depth, path),
                    // Two bytes matched zlib's header by chance: not zlib.
                    Err(_) if kind == Archive::Zlib => None,
                    Err(reason) => {
                        let marker =
                            self.leaf(bytes, original, depth, path, Some(kind.type_name()));
                        if let Some(item) =
                            self.items.iter_mut().rev().find(|i| i.reference == path)
                        {
                            item.stop_reasons.push(reason);
                        }
                        return marker;
                    }
                }
            }
            Magic::Binary(t) => Some(t),
            Magic::Unknown => None,
        };
        self.leaf(bytes, original, depth, path, label_type)
    }

    /// An unpacked archive: one member stands in for it; several (or notes
    /// such as encrypted members) give the archive its own item with the
    /// members below it.
    fn archive(
        &mut self,
        kind: Archive,
        bytes: Vec<u8>,
        mut x: Extracted,
        original: &Arc<str>,
        depth: u32,
        path: &str,
    ) -> String {
        let encrypted = x
            .notes
            .iter()
            .any(|n| matches!(n, StopReason::Encrypted { .. }));
        let type_name = if encrypted {
            "zip (pwd protected)"
        } else {
            kind.type_name()
        };
        if x.notes.is_empty()
            && x.members.len() == 1
            && let Some(member) = x.members.pop()
        {
            return self.member(member, type_name, original, depth, path);
        }
        let mut item = self.item(
            path,
            depth,
            original,
            None,
            Some(type_name),
            bytes,
            None,
            Encoding::Binary,
        );
        item.stop_reasons.append(&mut x.notes);
        let descend = !x.members.is_empty() && depth < self.max_depth();
        if !x.members.is_empty() && !descend {
            item.stop_reasons.push(StopReason::MaxDepth {
                limit: u64::from(self.max_depth()),
            });
        }
        if !descend {
            let marker = binary_marker(
                &format!("[{type_name}]"),
                Some(type_name),
                path,
                depth,
                &item,
            );
            self.items.push(item);
            return marker;
        }
        self.items.push(item);
        let mut marker = format!(
            "<decoded value='multiple binary' type='multiple' index='{path}' depth='{depth}'>"
        );
        for (k, member) in x.members.into_iter().enumerate() {
            let child = format!("{path}.{}", k + 1);
            marker.push_str(&self.member(member, type_name, original, depth + 1, &child));
        }
        marker.push_str("</decoded>");
        marker
    }

    /// One archive member: a nested archive is unpacked one level deeper;
    /// anything else is a leaf named after the member.
    fn member(
        &mut self,
        m: Member,
        archive_type: &str,
        original: &Arc<str>,
        depth: u32,
        path: &str,
    ) -> String {
        let label = format!("[{archive_type}] Filename: {}", m.name);
        if m.data.is_empty() && m.stop.is_some() {
            let mut item = self.empty_item(path, depth, Arc::clone(original));
            item.file_name = m.name;
            item.file_type = Some(archive_type.to_string());
            item.stop_reasons.extend(m.stop);
            self.items.push(item);
            return format!(
                "<decoded value='binary'  name='{label}' type='{archive_type}' index='{path}' depth='{depth}'></decoded>"
            );
        }
        let mut stops: Vec<StopReason> = m.stop.into_iter().collect();
        if let (Magic::Archive(_), true) = (detect::magic(&m.data), stops.is_empty()) {
            if depth < self.max_depth() {
                return self.blob(m.data, original, depth + 1, path);
            }
            stops.push(StopReason::MaxDepth {
                limit: u64::from(self.max_depth()),
            });
        }
        let name = m.name.clone();
        let marker = self.leaf_named(
            m.data,
            original,
            depth,
            path,
            Some(archive_type),
            Some(&name),
            &label,
        );
        if !stops.is_empty()
            && let Some(item) = self.items.iter_mut().rev().find(|i| i.reference == path)
        {
            item.stop_reasons.append(&mut stops);
        }
        marker
    }

    fn leaf(
        &mut self,
        bytes: Vec<u8>,
        original: &Arc<str>,
        depth: u32,
        path: &str,
        file_type: Option<&str>,
    ) -> String {
        let label = format!("[{}]", file_type.unwrap_or("None"));
        self.leaf_named(bytes, original, depth, path, file_type, None, &label)
    }

    /// Text or binary bytes: an item and its marker. Text is scanned again
    /// one level deeper; the marker holds the result.
    #[allow(clippy::too_many_arguments)]
    fn leaf_named(
        &mut self,
        bytes: Vec<u8>,
        original: &Arc<str>,
        depth: u32,
        path: &str,
        file_type: Option<&str>,
        file_name: Option<&str>,
        label: &str,
    ) -> String {
        let text = detect::text(&bytes, self.opts.utf16);
        let (string, encoding) = match text {
            Text::Utf8(s) => (s, Encoding::Utf8),
            Text::Utf16(s) => (s, Encoding::Utf16),
            Text::Binary => {
                if self.opts.raw_deflate && file_type.is_none() {
                    let mut budget = self.budget;
                    if let Some(m) = archive::inflate_raw(&bytes, &self.limits, &mut budget)
                        && !matches!(detect::text(&m.data, self.opts.utf16), Text::Binary)
                    {
                        self.budget = budget;
                        return self.member(m, "deflate", original, depth, path);
                    }
                }
                let item = self.item(
                    path,
                    depth,
                    original,
                    file_name,
                    file_type,
                    bytes,
                    None,
                    Encoding::Binary,
                );
                let marker = binary_marker(label, file_type, path, depth, &item);
                self.items.push(item);
                return marker;
            }
        };
        let slot = self.items.len();
        let item = self.item(
            path,
            depth,
            original,
            file_name,
            file_type,
            bytes,
            Some(string),
            encoding,
        );
        self.items.push(item);
        let decoded = self.items[slot].decoded_string.take().unwrap_or_default();
        let inner = if depth < self.max_depth() {
            self.scan(&decoded, depth + 1, &format!("{path}."))
        } else {
            if scan::has_candidate(&decoded, self.opts.min_length) {
                let limit = u64::from(self.max_depth());
                self.items[slot]
                    .stop_reasons
                    .push(StopReason::MaxDepth { limit });
            }
            Cow::Borrowed(decoded.as_str())
        };
        let marker = format!(
            "<decoded type='string' name='{label}' index='{path}' depth='{depth}'>{inner}</decoded>"
        );
        drop(inner);
        self.items[slot].decoded_string = Some(decoded);
        marker
    }
}

fn binary_marker(
    label: &str,
    file_type: Option<&str>,
    path: &str,
    depth: u32,
    item: &DecodedItem,
) -> String {
    format!(
        "<decoded value='binary'  name='{label}' type='{}' index='{path}' depth='{depth}'>{}</decoded>",
        file_type.unwrap_or("None"),
        item.printable_bytes.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_cuts() {
        assert_eq!(printable(&[0x4d, 0x5a, 0], 10), "4d 5a 00");
        assert_eq!(printable(&[1, 2, 3, 4], 2), "01 02 …(+2 bytes)");
        assert_eq!(printable(&[], 2), "");
    }

    #[test]
    fn max_items_row() {
        let u = Unpacker::new().max_items(1);
        let text = "a=Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA== \
                    b=aHR0cDovLzIwMy4wLjExMy43Nzo4MDgwL3NlY29uZC9zdGFnZS5iaW4= \
                    c=aHR0cDovLzIwMy4wLjExMy43Nzo4MDgwL3NlY29uZC9zdGFnZS5iaW5=";
        let (decoded, items) = unpack_text(&u, text);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].reference, "2");
        assert_eq!(
            &*items[1].original_string,
            "aHR0cDovLzIwMy4wLjExMy43Nzo4MDgwL3NlY29uZC9zdGFnZS5iaW4="
        );
        assert_eq!(
            items[1].stop_reason().as_deref(),
            Some("max_items 1 reached: 2 more base64 candidates not decoded")
        );
        assert!(decoded.contains("b=aHR0cDov"));
    }
}

//! Reading JSON-lines captures out of zip archives, bounded and without
//! trusting the archive: the OTRF Security-Datasets (Mordor) format — a zip
//! holding one (sometimes several) JSON-lines file of Windows Security,
//! Sysmon and PowerShell events.
//!
//! Nothing is written to disk: members are streamed and parsed in memory.
//! Members whose names are absolute or climb out of the archive (`../x`) are
//! refused, and every size is bounded ([`ZipJsonOptions`]) by the bytes
//! actually decompressed, not the sizes the archive claims.
//!
//! Records differ in their keys, so the frame's columns are the union of all
//! keys; a column whose values mix types falls back to strings (see
//! [`crate::data::drivers::records`]). `@timestamp`, `TimeCreated`,
//! `EventTime`, `UtcTime` and the other [`DEFAULT_TIME_COLUMNS`] become
//! datetimes when every value parses.
//!
//! ```
//! let path = huntbook::data::bundled(
//!     "security-datasets/datasets/atomic/windows/execution/host/psh_powershell_httplistener.zip",
//! )?;
//! let df = huntbook::data::archive::read_json_lines_zip(&path)?;
//! assert_eq!(df.height(), 110);
//! assert!(df.column("EventID").is_ok());
//! # Ok::<(), huntbook::Error>(())
//! ```
//!
//! [`DEFAULT_TIME_COLUMNS`]: crate::data::drivers::records::DEFAULT_TIME_COLUMNS

use crate::data::drivers::records::{RecordFrameBuilder, RecordOptions};
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

/// Limits and choices for reading a zip of JSON lines.
#[derive(Debug, Clone)]
pub struct ZipJsonOptions {
    max_members: usize,
    max_member_bytes: u64,
    max_total_bytes: u64,
    max_line_bytes: u64,
    max_records: Option<usize>,
    member: Option<String>,
    records: RecordOptions,
}

impl Default for ZipJsonOptions {
    fn default() -> Self {
        Self {
            max_members: 1_000,
            max_member_bytes: 2 << 30,
            max_total_bytes: 4 << 30,
            max_line_bytes: 64 << 20,
            max_records: None,
            member: None,
            records: RecordOptions::default(),
        }
    }
}

impl ZipJsonOptions {
    /// Defaults: at most 1000 members, 2 GiB decompressed per member, 4 GiB
    /// in all, 64 MiB per line, every record, every JSON member.
    pub fn new() -> Self {
        Self::default()
    }
    /// The most members (files and folders) an archive may list.
    pub fn max_members(mut self, n: usize) -> Self {
        self.max_members = n;
        self
    }
    /// The most bytes one member may decompress to.
    pub fn max_member_bytes(mut self, n: u64) -> Self {
        self.max_member_bytes = n;
        self
    }
    /// The most bytes all members together may decompress to.
    pub fn max_total_bytes(mut self, n: u64) -> Self {
        self.max_total_bytes = n;
        self
    }
    /// The longest accepted line (one JSON record).
    pub fn max_line_bytes(mut self, n: u64) -> Self {
        self.max_line_bytes = n;
        self
    }
    /// Stop after this many records (a preview of a big capture); the
    /// result is marked nowhere, so use it knowingly.
    pub fn max_records(mut self, n: usize) -> Self {
        self.max_records = Some(n);
        self
    }
    /// Read only the member with this name (default: every `.json`,
    /// `.jsonl`, `.ndjson` or `.log` member, in archive order).
    pub fn member(mut self, name: impl Into<String>) -> Self {
        self.member = Some(name.into());
        self
    }
    /// How records become columns (flattening, time columns).
    pub fn records(mut self, options: RecordOptions) -> Self {
        self.records = options;
        self
    }
}

/// One member of an archive, as listed by [`list_zip`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipMember {
    /// The member's name inside the archive.
    pub name: String,
    /// The decompressed size the archive claims.
    pub size: u64,
    /// The compressed size.
    pub compressed_size: u64,
    /// Whether the member is a folder.
    pub is_dir: bool,
}

/// Reads every JSON-lines member of a zip into one frame, with the default
/// bounds ([`ZipJsonOptions::default`]).
pub fn read_json_lines_zip(path: impl AsRef<Path>) -> Result<DataFrame> {
    read_json_lines_zip_with(path, &ZipJsonOptions::default())
}

/// Reads the JSON-lines members of a zip into one frame, with options.
pub fn read_json_lines_zip_with(
    path: impl AsRef<Path>,
    options: &ZipJsonOptions,
) -> Result<DataFrame> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    read_json_lines_zip_reader(BufReader::new(file), &path.display().to_string(), options)
}

/// Reads the JSON-lines members of a zip held in any seekable reader (a
/// downloaded archive in a `Cursor<Vec<u8>>`); `label` names it in errors.
pub fn read_json_lines_zip_reader<R: Read + Seek>(
    reader: R,
    label: &str,
    options: &ZipJsonOptions,
) -> Result<DataFrame> {
    let what = || format!("zip archive '{label}'");
    let mut archive =
        zip::ZipArchive::new(reader).map_err(|e| Error::invalid(what(), e.to_string()))?;
    if archive.len() > options.max_members {
        return Err(Error::invalid(
            what(),
            format!(
                "{} members, more than the limit of {}",
                archive.len(),
                options.max_members
            ),
        ));
    }
    let mut builder = RecordFrameBuilder::new(options.records.clone());
    let mut total: u64 = 0;
    let mut read_any = false;
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| Error::invalid(what(), e.to_string()))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if entry.enclosed_name().is_none() {
            return Err(Error::invalid(
                what(),
                format!(
                    "member '{name}' has an unsafe path (absolute or outside the archive); refusing the archive"
                ),
            ));
        }
        names.push(name.clone());
        if entry.is_dir() || !wanted(&name, options.member.as_deref()) {
            continue;
        }
        if entry.encrypted() {
            return Err(Error::invalid(
                what(),
                format!("member '{name}' is encrypted"),
            ));
        }
        read_any = true;
        let budget = options
            .max_member_bytes
            .min(options.max_total_bytes.saturating_sub(total));
        let mut limited = BufReader::new(entry.take(budget.saturating_add(1)));
        let member_bytes = read_lines(&mut limited, &mut builder, options, &|| {
            format!("{} member '{name}'", what())
        })?;
        if member_bytes > budget {
            let which = if budget < options.max_member_bytes {
                "archive total"
            } else {
                "member"
            };
            return Err(Error::invalid(
                what(),
                format!("member '{name}' decompresses past the {which} limit of {budget} bytes"),
            ));
        }
        total += member_bytes;
        if options.max_records.is_some_and(|m| builder.rows() >= m) {
            break;
        }
    }
    if !read_any {
        let wanted = match &options.member {
            Some(m) => format!("no member named '{m}'"),
            None => "no .json, .jsonl, .ndjson or .log member".to_string(),
        };
        return Err(Error::invalid(
            what(),
            format!("{wanted}; members: [{}]", names.join(", ")),
        ));
    }
    builder.finish()
}

fn wanted(name: &str, member: Option<&str>) -> bool {
    if let Some(m) = member {
        return name == m;
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    if name.starts_with("__MACOSX/") || base.starts_with('.') {
        return false;
    }
    let lower = base.to_ascii_lowercase();
    [".json", ".jsonl", ".ndjson", ".log"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reads lines into the builder; returns the bytes read.
fn read_lines<R: BufRead>(
    reader: &mut R,
    builder: &mut RecordFrameBuilder,
    options: &ZipJsonOptions,
    what: &dyn Fn() -> String,
) -> Result<u64> {
    let mut buf = Vec::new();
    let mut bytes: u64 = 0;
    let mut line_no: u64 = 0;
    loop {
        if options.max_records.is_some_and(|m| builder.rows() >= m) {
            return Ok(bytes);
        }
        buf.clear();
        let n = reader
            .by_ref()
            .take(options.max_line_bytes.saturating_add(1))
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::invalid(what(), format!("decompressing: {e}")))?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes += n as u64;
        line_no += 1;
        if n as u64 > options.max_line_bytes && buf.last() != Some(&b'\n') {
            return Err(Error::invalid(
                format!("{} line {line_no}", what()),
                format!("longer than the limit of {} bytes", options.max_line_bytes),
            ));
        }
        let mut line: &[u8] = &buf;
        if line_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
            line = &line[3..];
        }
        let text = std::str::from_utf8(line)
            .map_err(|e| {
                Error::invalid(
                    format!("{} line {line_no}", what()),
                    format!("not UTF-8: {e}"),
                )
            })?
            .trim();
        if text.is_empty() {
            continue;
        }
        let record = serde_json::from_str(text).map_err(|source| Error::Json {
            context: format!(
                "{} line {line_no}: expected one JSON object per line",
                what()
            ),
            source,
        })?;
        builder.push_record(record)?;
    }
}

/// Lists the members of a zip archive (names as stored, unsafe ones included,
/// so an analyst can see why an archive was refused).
pub fn list_zip(path: impl AsRef<Path>) -> Result<Vec<ZipMember>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let what = || format!("zip archive '{}'", path.display());
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Error::invalid(what(), e.to_string()))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| Error::invalid(what(), e.to_string()))?;
        out.push(ZipMember {
            name: entry.name().map(|n| n.to_string()).unwrap_or_default(),
            size: entry.size(),
            compressed_size: entry.compressed_size(),
            is_dir: entry.is_dir(),
        });
    }
    Ok(out)
}

/// Extracts a zip into `dest`, refusing members with unsafe paths and
/// stopping past the size bounds of `options` (only the member-count and
/// byte limits apply). Returns the files written.
pub fn extract_zip(
    path: impl AsRef<Path>,
    dest: impl AsRef<Path>,
    options: &ZipJsonOptions,
) -> Result<Vec<PathBuf>> {
    let path = path.as_ref();
    let dest = dest.as_ref();
    let what = || format!("zip archive '{}'", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Error::invalid(what(), e.to_string()))?;
    if archive.len() > options.max_members {
        return Err(Error::invalid(
            what(),
            format!(
                "{} members, more than the limit of {}",
                archive.len(),
                options.max_members
            ),
        ));
    }
    let mut written = Vec::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| Error::invalid(what(), e.to_string()))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let Some(rel) = entry.enclosed_name() else {
            return Err(Error::invalid(
                what(),
                format!(
                    "member '{name}' has an unsafe path (absolute or outside the archive); refusing the archive"
                ),
            ));
        };
        if entry.is_symlink() {
            return Err(Error::invalid(
                what(),
                format!("member '{name}' is a symbolic link; refusing the archive"),
            ));
        }
        let target = dest.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| Error::io("creating", &target, e))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
        let budget = options
            .max_member_bytes
            .min(options.max_total_bytes.saturating_sub(total));
        let mut out =
            std::fs::File::create(&target).map_err(|e| Error::io("writing", &target, e))?;
        let n = std::io::copy(&mut (&mut entry).take(budget.saturating_add(1)), &mut out)
            .map_err(|e| Error::io("writing", &target, e))?;
        if n > budget {
            drop(out);
            let _ = std::fs::remove_file(&target);
            return Err(Error::invalid(
                what(),
                format!("member '{name}' decompresses past the limit of {budget} bytes"),
            ));
        }
        total += n;
        written.push(target);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(df: &DataFrame) -> Vec<&str> {
        df.get_column_names().iter().map(|s| s.as_str()).collect()
    }
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn read(bytes: Vec<u8>, opts: &ZipJsonOptions) -> Result<DataFrame> {
        read_json_lines_zip_reader(Cursor::new(bytes), "t.zip", opts)
    }

    #[test]
    fn union_of_members_and_keys() {
        let z = zip_of(&[
            (
                "a.json",
                b"{\"EventID\": 1, \"Image\": \"a\"}\r\n\n{\"EventID\": 4688}\n",
            ),
            ("readme.txt", b"not json"),
            ("b/c.json", b"{\"User\": \"x\"}"),
        ]);
        let df = read(z, &ZipJsonOptions::default()).unwrap();
        assert_eq!(df.shape(), (3, 3));
        assert_eq!(names(&df), ["EventID", "Image", "User"]);
    }

    #[test]
    fn traversal_is_refused() {
        let z = zip_of(&[("../evil.json", b"{}")]);
        let err = read(z, &ZipJsonOptions::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid zip archive 't.zip': member '../evil.json' has an unsafe path (absolute or outside the archive); refusing the archive"
        );
    }

    #[test]
    fn bounds_hold_on_decompressed_bytes() {
        let big = vec![b' '; 10_000];
        let z = zip_of(&[("a.json", &big)]);
        let err = read(z.clone(), &ZipJsonOptions::new().max_member_bytes(1000))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("decompresses past the member limit of 1000 bytes"),
            "{err}"
        );
        let err = read(z, &ZipJsonOptions::new().max_line_bytes(100))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1: longer than the limit of 100 bytes"),
            "{err}"
        );
        let z = zip_of(&[("a.json", b"{}"), ("b.json", b"{}")]);
        let err = read(z, &ZipJsonOptions::new().max_members(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 members, more than the limit of 1"), "{err}");
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = read(b"not a zip".to_vec(), &ZipJsonOptions::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid zip archive 't.zip':"),
            "{err}"
        );
        let z = zip_of(&[("x.txt", b"{}")]);
        let err = read(z, &ZipJsonOptions::default()).unwrap_err().to_string();
        assert!(
            err.ends_with("no .json, .jsonl, .ndjson or .log member; members: [x.txt]"),
            "{err}"
        );
        let z = zip_of(&[("a.json", b"{}\n{oops\n")]);
        let err = read(z, &ZipJsonOptions::default()).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "zip archive 't.zip' member 'a.json' line 2: expected one JSON object per line:"
            ),
            "{err}"
        );
    }

    #[test]
    fn max_records_and_member_choice() {
        let z = zip_of(&[
            ("a.json", b"{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"),
            ("b.json", b"{\"m\":1}"),
        ]);
        let df = read(z.clone(), &ZipJsonOptions::new().max_records(2)).unwrap();
        assert_eq!(df.shape(), (2, 1));
        let df = read(z, &ZipJsonOptions::new().member("b.json")).unwrap();
        assert_eq!(names(&df), ["m"]);
    }

    #[test]
    fn extract_refuses_traversal_and_writes_inside() {
        let dir = std::env::temp_dir().join(format!("hb-extract-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.zip");
        std::fs::write(&good, zip_of(&[("d/a.json", b"{}")])).unwrap();
        let files = extract_zip(&good, dir.join("out"), &ZipJsonOptions::default()).unwrap();
        assert_eq!(files, vec![dir.join("out/d/a.json")]);
        let bad = dir.join("bad.zip");
        std::fs::write(&bad, zip_of(&[("../../evil.json", b"{}")])).unwrap();
        let err = extract_zip(&bad, dir.join("out2/x"), &ZipJsonOptions::default()).unwrap_err();
        assert!(err.to_string().contains("unsafe path"), "{err}");
        assert!(!dir.join("evil.json").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

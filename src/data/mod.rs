//! Reading and writing data files, and finding the bundled sample data.
//!
//! ```
//! use huntbook::prelude::*;
//! let path = huntbook::data::bundled("msticpy/testdata/processes_on_host.csv").unwrap();
//! let df = huntbook::data::read_file(&path).unwrap();
//! assert_eq!(df.height(), 363);
//! ```

pub mod archive;
pub mod drivers;
pub mod provider;
pub mod query;

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A copy of `df` without its cached schema (the columns are shared, not
/// copied).
///
/// polars caches a frame's schema in a hash map whose hash seed is a static
/// of the polars copy that built it. In the evcxr kernel every cell has its
/// own copy of polars, so a frame whose schema was cached in one cell can
/// fail to find its own columns in a later cell ("unable to find column
/// \"x\"; valid columns: [... \"x\" ...]"). huntbook calls this on frames it
/// keeps between cells; call it on your own frame if polars reports a column
/// missing that its own message lists.
///
/// ```
/// use huntbook::prelude::*;
/// let df = df!("a" => [1i64], "b" => [2i64], "c" => [3i64], "d" => [4i64], "e" => [5i64]).unwrap();
/// let _ = df.column("e").unwrap(); // caches the schema
/// let f = fresh(&df);
/// assert!(f.cached_schema().is_none());
/// assert_eq!(f.column("e").unwrap().i64().unwrap().get(0), Some(5));
/// ```
pub fn fresh(df: &DataFrame) -> DataFrame {
    DataFrame::new(df.height(), df.columns().to_vec()).unwrap_or_else(|_| df.clone())
}

/// Environment variable that points huntbook at another data folder.
pub const DATA_DIR_ENV: &str = "HUNTBOOK_DATA_DIR";

/// The bundled sample-data folder: `$HUNTBOOK_DATA_DIR` when set, else the
/// `data/` folder of the checkout huntbook was built from.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data")),
    }
}

/// The path of a file in the bundled data folder, checked to exist.
pub fn bundled(relative: &str) -> Result<PathBuf> {
    resolve(&data_dir(), relative)
}

pub(crate) fn resolve(dir: &Path, relative: &str) -> Result<PathBuf> {
    let rel = Path::new(relative);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| c == std::path::Component::ParentDir)
    {
        return Err(Error::invalid(
            format!("data path '{relative}'"),
            "must be relative to the data folder, without '..'",
        ));
    }
    let path = dir.join(rel);
    if path.exists() {
        Ok(path)
    } else {
        Err(Error::invalid(
            format!("data path '{relative}'"),
            format!("no such file in {}", dir.display()),
        ))
    }
}

/// File formats huntbook reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of records.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
}

impl FileFormat {
    /// The format a file name's extension says (`.csv`, `.json`, `.ndjson`/`.jsonl`, `.parquet`).
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Ok(Self::Csv),
            Some("json") => Ok(Self::Json),
            Some("ndjson" | "jsonl") => Ok(Self::Ndjson),
            Some("parquet" | "pq") => Ok(Self::Parquet),
            _ => Err(Error::invalid(
                format!("file '{}'", path.display()),
                "unknown format: use a .csv, .json, .ndjson, .jsonl or .parquet file",
            )),
        }
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io("reading", path, e))
}

/// Reads a CSV file with a header row; columns that look like ISO dates
/// become datetimes. Each column comes back as one chunk (the reader parses
/// in parallel batches): later gathers, sorts and joins are then cheaper.
pub fn read_csv(path: impl AsRef<Path>) -> Result<DataFrame> {
    let path = path.as_ref();
    open(path)?;
    CsvReadOptions::default()
        .with_has_header(true)
        .with_rechunk(true)
        .with_infer_schema_length(Some(10_000))
        .map_parse_options(|o| o.with_try_parse_dates(true))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .ctx(format!("reading CSV file '{}'", path.display()))
}

/// Reads a CSV, JSON, NDJSON or Parquet file, by extension.
pub fn read_file(path: impl AsRef<Path>) -> Result<DataFrame> {
    let path = path.as_ref();
    let context = || format!("reading file '{}'", path.display());
    match FileFormat::from_path(path)? {
        FileFormat::Csv => read_csv(path),
        FileFormat::Json => JsonReader::new(open(path)?)
            .with_json_format(JsonFormat::Json)
            .finish()
            .ctx(context()),
        FileFormat::Ndjson => JsonReader::new(open(path)?)
            .with_json_format(JsonFormat::JsonLines)
            .finish()
            .ctx(context()),
        FileFormat::Parquet => ParquetReader::new(open(path)?).finish().ctx(context()),
    }
}

/// Writes a frame in the given format.
pub fn write_frame(
    df: &mut DataFrame,
    format: FileFormat,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let context = "writing output";
    match format {
        FileFormat::Csv => CsvWriter::new(out)
            .include_header(true)
            .finish(df)
            .ctx(context),
        FileFormat::Json => JsonWriter::new(out)
            .with_json_format(JsonFormat::Json)
            .finish(df)
            .ctx(context),
        FileFormat::Ndjson => JsonWriter::new(out)
            .with_json_format(JsonFormat::JsonLines)
            .finish(df)
            .ctx(context),
        FileFormat::Parquet => ParquetWriter::new(out).finish(df).map(|_| ()).ctx(context),
    }
}

/// Lists the bundled sample data files: `path` (relative to the data
/// folder) and `bytes`, sorted by path. Licence and notice files are left out.
pub fn sample_files() -> Result<DataFrame> {
    let dir = data_dir();
    let mut paths = Vec::new();
    let mut sizes = Vec::new();
    for path in files_below(&dir, 12)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default();
        if ["LICENSE", "NOTICE", "README"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        let rel = path.strip_prefix(&dir).unwrap_or(&path);
        paths.push(rel.to_string_lossy().replace('\\', "/"));
        sizes.push(meta.len());
    }
    DataFrame::new_infer_height(vec![
        Column::new("path".into(), paths),
        Column::new("bytes".into(), sizes),
    ])
    .ctx("listing sample files")
}

/// Every regular file below `dir`, at most `max_depth` folders deep, sorted
/// by path. Links are not followed.
pub(crate) fn files_below(dir: &Path, max_depth: usize) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, depth: usize, max_depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
        if depth > max_depth {
            return Ok(());
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("listing", dir, e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("reading", &path, e))?;
            if kind.is_dir() {
                walk(&path, depth + 1, max_depth, out)?;
            } else if kind.is_file() {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, 0, max_depth, &mut out)?;
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(
            FileFormat::from_path(Path::new("a.CSV")).unwrap(),
            FileFormat::Csv
        );
        assert_eq!(
            FileFormat::from_path(Path::new("a.jsonl")).unwrap(),
            FileFormat::Ndjson
        );
        let err = FileFormat::from_path(Path::new("a.xlsx"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid file 'a.xlsx': unknown format: use a .csv, .json, .ndjson, .jsonl or .parquet file"
        );
    }

    #[test]
    fn data_paths_cannot_escape() {
        let err = bundled("../Cargo.toml").unwrap_err().to_string();
        assert!(err.contains("without '..'"), "{err}");
        assert!(bundled("/etc/passwd").is_err());
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_csv("/nonexistent/x.csv").unwrap_err().to_string();
        assert!(err.starts_with("reading '/nonexistent/x.csv':"), "{err}");
    }
}

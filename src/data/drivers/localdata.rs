//! The LocalData driver: data files as tables, queried by file name (as
//! MSTICPy's LocalData driver) or by SQL over every registered file (polars
//! SQL, a step beyond MSTICPy).
//!
//! Files are scanned lazily: a filter or aggregate over a large Parquet or
//! CSV file reads only what it needs. Naive datetime columns (Log Analytics
//! exports write `TimeGenerated` without an offset) are taken as UTC;
//! datetimes with an offset are converted to UTC.
//!
//! ```
//! use huntbook::data::drivers::localdata::LocalDataDriver;
//! let ld = LocalDataDriver::new()
//!     .with_dir(huntbook::data::bundled("msticpy/testdata-converted/localdata")?)?;
//! let df = ld.sql("SELECT Computer, COUNT(*) AS n FROM host_logons GROUP BY Computer")?;
//! assert_eq!(df.height(), 1);
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::{BoxFuture, Completeness, Connection, Driver, DriverQuery, QueryContext, QueryOutput};
use crate::data::query::Dialect;
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// File formats LocalData registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalFormat {
    /// Comma-separated, with a header.
    Csv,
    /// Tab-separated, with a header.
    Tsv,
    /// A JSON array of records (read whole).
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
}

impl LocalFormat {
    /// The format a file's extension says, if LocalData reads it.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "tsv" | "tab" => Some(Self::Tsv),
            "json" => Some(Self::Json),
            "ndjson" | "jsonl" => Some(Self::Ndjson),
            "parquet" | "pq" => Some(Self::Parquet),
            _ => None,
        }
    }
}

/// A registered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTable {
    /// The table name: the file stem, with characters other than letters,
    /// digits and `_` replaced by `_`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: LocalFormat,
}

/// Turns a file stem into a table name usable in SQL.
pub fn table_name(stem: &str) -> String {
    let mut s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// The LocalData driver.
#[derive(Debug, Default)]
pub struct LocalDataDriver {
    tables: Mutex<BTreeMap<String, LocalTable>>,
}

impl LocalDataDriver {
    /// A driver with no files.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, LocalTable>> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers every readable file in a folder (not recursive).
    pub fn with_dir(self, dir: impl AsRef<Path>) -> Result<Self> {
        self.register_dir(dir)?;
        Ok(self)
    }

    /// Registers one file.
    pub fn with_file(self, path: impl AsRef<Path>) -> Result<Self> {
        self.register_file(path)?;
        Ok(self)
    }

    /// Registers every CSV/TSV/JSON/NDJSON/Parquet file of a folder; returns
    /// how many.
    pub fn register_dir(&self, dir: impl AsRef<Path>) -> Result<usize> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?;
        let mut paths: Vec<PathBuf> = Vec::new();
        for e in entries {
            let e = e.map_err(|e| Error::io("listing", dir, e))?;
            let p = e.path();
            if p.is_file() && LocalFormat::from_path(&p).is_some() {
                paths.push(p);
            }
        }
        paths.sort();
        for p in &paths {
            self.register_file(p)?;
        }
        Ok(paths.len())
    }

    /// Registers one file as a table; returns the table name.
    pub fn register_file(&self, path: impl AsRef<Path>) -> Result<String> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::invalid(
                format!("data file '{}'", path.display()),
                "does not exist or is not a file",
            ));
        }
        let format = LocalFormat::from_path(path).ok_or_else(|| {
            Error::invalid(
                format!("data file '{}'", path.display()),
                "unknown format: use .csv, .tsv, .json, .ndjson/.jsonl or .parquet",
            )
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
        let name = table_name(stem);
        self.lock().insert(
            name.clone(),
            LocalTable {
                name: name.clone(),
                path: path.to_path_buf(),
                format,
            },
        );
        Ok(name)
    }

    /// Registers a file under a chosen table name.
    pub fn register_as(&self, name: &str, path: impl AsRef<Path>) -> Result<()> {
        let registered = self.register_file(&path)?;
        let mut t = self.lock();
        if let Some(mut table) = t.remove(&registered) {
            table.name = name.to_string();
            t.insert(name.to_string(), table);
        }
        Ok(())
    }

    /// The registered tables, by name.
    pub fn tables(&self) -> Vec<LocalTable> {
        self.lock().values().cloned().collect()
    }

    /// Finds a table by table name, file name (`host_logons.csv`), or a
    /// MSTICPy file name with another extension (`host_logons.pkl`).
    pub fn find(&self, name: &str) -> Option<LocalTable> {
        find_in(&self.tables(), name)
    }

    /// A table as a lazy frame (nothing read yet).
    pub fn lazy(&self, name: &str) -> Result<LazyFrame> {
        let table = self.find(name).ok_or_else(|| self.no_table(name))?;
        scan(&table)
    }

    fn no_table(&self, name: &str) -> Error {
        let names: Vec<String> = self.lock().keys().cloned().collect();
        Error::invalid(
            format!("LocalData table '{name}'"),
            format!(
                "not registered; tables: {}",
                if names.is_empty() {
                    "(none)".into()
                } else {
                    names.join(", ")
                }
            ),
        )
    }

    /// Runs a SQL query over the registered tables (those named in the
    /// query are scanned lazily).
    pub fn sql(&self, query: &str) -> Result<DataFrame> {
        self.sql_lazy(query)?
            .collect()
            .ctx(format!("running SQL query '{}'", short(query)))
    }

    /// Plans a SQL query over the registered tables without running it.
    pub fn sql_lazy(&self, query: &str) -> Result<LazyFrame> {
        sql_lazy_in(&self.tables(), query)
    }

    /// Runs a query: a registered table or file name returns the table; any
    /// other text runs as SQL. `max_rows` stops early and marks the result
    /// partial.
    pub fn run(&self, query: &str, max_rows: Option<usize>) -> Result<QueryOutput> {
        run_in(&self.tables(), query, max_rows)
    }
}

fn find_in(tables: &[LocalTable], name: &str) -> Option<LocalTable> {
    let n = name.trim();
    let stem = Path::new(n)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(n);
    let key = table_name(stem);
    tables
        .iter()
        .find(|t| t.name == n)
        .or_else(|| tables.iter().find(|t| t.name == key))
        .or_else(|| tables.iter().find(|t| t.name.eq_ignore_ascii_case(&key)))
        .cloned()
}

fn sql_lazy_in(tables: &[LocalTable], query: &str) -> Result<LazyFrame> {
    let mut ctx = SQLContext::new();
    let lower = query.to_ascii_lowercase();
    for t in tables {
        if mentions(&lower, &t.name.to_ascii_lowercase()) {
            ctx.register(&t.name, scan(t)?);
        }
    }
    ctx.execute(query).map_err(|e| {
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        Error::invalid(
            format!("SQL query '{}'", short(query)),
            format!(
                "{e} (tables: {})",
                if names.is_empty() {
                    "(none)".into()
                } else {
                    names.join(", ")
                }
            ),
        )
    })
}

fn run_in(tables: &[LocalTable], query: &str, max_rows: Option<usize>) -> Result<QueryOutput> {
    let q = query.trim();
    let lf = match find_in(tables, q) {
        Some(t) if !q.contains(char::is_whitespace) => scan(&t)?,
        _ => sql_lazy_in(tables, q)?,
    };
    let lf = match max_rows {
        Some(n) => lf.limit(n.saturating_add(1) as IdxSize),
        None => lf,
    };
    let mut df = lf
        .collect()
        .ctx(format!("running LocalData query '{}'", short(q)))?;
    let mut out = QueryOutput::complete(DataFrame::empty());
    if let Some(n) = max_rows
        && df.height() > n
    {
        df = df.head(Some(n));
        out.completeness = Completeness::Partial {
            reason: format!("stopped at the row limit of {n}"),
        };
    }
    out.df = df;
    Ok(out)
}

fn short(q: &str) -> String {
    let one_line = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(80).collect::<String>())
    } else {
        one_line
    }
}

fn mentions(haystack: &str, word: &str) -> bool {
    let bytes = haystack.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(word) {
        let start = from + pos;
        let end = start + word.len();
        let before_ok = start == 0 || bytes.get(start - 1).is_none_or(|c| !is_word(*c));
        let after_ok = bytes.get(end).is_none_or(|c| !is_word(*c));
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
    }
    false
}

/// Scans a table lazily, with naive datetimes made UTC.
fn scan(t: &LocalTable) -> Result<LazyFrame> {
    let ctx = || format!("reading table '{}' from '{}'", t.name, t.path.display());
    let path_str = t.path.to_string_lossy().to_string();
    let lf = match t.format {
        LocalFormat::Csv | LocalFormat::Tsv => {
            LazyCsvReader::new(PlRefPath::new(path_str.as_str()))
                .with_has_header(true)
                .with_separator(if t.format == LocalFormat::Tsv {
                    b'\t'
                } else {
                    b','
                })
                .with_infer_schema_length(Some(10_000))
                .with_try_parse_dates(true)
                .finish()
                .ctx(ctx())?
        }
        LocalFormat::Ndjson => LazyJsonLineReader::new(PlRefPath::new(path_str.as_str()))
            .with_infer_schema_length(std::num::NonZeroUsize::new(10_000))
            .finish()
            .ctx(ctx())?,
        LocalFormat::Parquet => LazyFrame::scan_parquet(
            PlRefPath::new(path_str.as_str()),
            ScanArgsParquet::default(),
        )
        .ctx(ctx())?,
        LocalFormat::Json => {
            let file =
                std::fs::File::open(&t.path).map_err(|e| Error::io("reading", &t.path, e))?;
            JsonReader::new(file)
                .with_json_format(JsonFormat::Json)
                .finish()
                .ctx(ctx())?
                .lazy()
        }
    };
    utc_datetimes(lf).map_err(|e| match e {
        Error::Polars { source, .. } => Error::polars(ctx(), source),
        other => other,
    })
}

/// Makes naive datetime columns UTC and converts zoned ones to UTC.
fn utc_datetimes(mut lf: LazyFrame) -> Result<LazyFrame> {
    let schema = lf.collect_schema().ctx("reading the schema")?;
    let mut exprs = Vec::new();
    for (name, dtype) in schema.iter() {
        if let DataType::Datetime(_, tz) = dtype {
            let e = match tz {
                None => col(name.clone()).dt().replace_time_zone(
                    Some(TimeZone::UTC),
                    lit("raise"),
                    NonExistent::Raise,
                ),
                Some(z) if *z != TimeZone::UTC => {
                    col(name.clone()).dt().convert_time_zone(TimeZone::UTC)
                }
                Some(_) => continue,
            };
            exprs.push(e);
        }
    }
    Ok(if exprs.is_empty() {
        lf
    } else {
        lf.with_columns(exprs)
    })
}

impl Driver for LocalDataDriver {
    fn environment(&self) -> &str {
        "LocalData"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sql
    }

    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut paths: Vec<String> = Vec::new();
            if let Some(s) = &connection.settings {
                paths.extend(s.arg_list("data_paths"));
            }
            if let Some(p) = connection.options.get("data_paths") {
                paths.extend(
                    p.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
            }
            for p in paths {
                let path = crate::config::expand_home(&p);
                if path.is_dir() {
                    self.register_dir(&path)?;
                } else {
                    self.register_file(&path)?;
                }
            }
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        // polars blocks while collecting, which a current-thread runtime
        // forbids: run it on a thread of its own. Not tokio's blocking pool:
        // in a notebook this driver may come from an earlier cell's copy of
        // the crate, whose tokio has no runtime in the cell that awaits it.
        let tables = self.tables();
        let q = query.to_string();
        let max_rows = context.max_rows;
        Box::pin(async move {
            let (tx, rx) = futures::channel::oneshot::channel();
            std::thread::Builder::new()
                .name("huntbook-localdata".into())
                .spawn(move || {
                    let _ = tx.send(run_in(&tables, &q, max_rows));
                })
                .map_err(|e| Error::Runtime(format!("LocalData query thread: {e}")))?;
            rx.await.map_err(|_| {
                Error::Runtime("LocalData query thread ended without a result".into())
            })?
        })
    }

    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        Ok(self
            .tables()
            .into_iter()
            .map(|t| DriverQuery {
                family: "tables".into(),
                description: format!(
                    "All rows of {}",
                    t.path
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ),
                query: t.name.clone(),
                name: t.name,
            })
            .collect())
    }

    fn schema(&self) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        let mut out = BTreeMap::new();
        for t in self.tables() {
            let mut lf = scan(&t)?;
            let schema = lf
                .collect_schema()
                .ctx(format!("reading the schema of '{}'", t.path.display()))?;
            out.insert(
                t.name.clone(),
                schema
                    .iter()
                    .map(|(n, d)| (n.to_string(), d.to_string()))
                    .collect(),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> LocalDataDriver {
        LocalDataDriver::new()
            .with_dir(crate::data::data_dir().join("msticpy/testdata-converted/localdata"))
            .unwrap()
    }

    #[test]
    fn table_names_and_lookup() {
        assert_eq!(table_name("my-file.v2"), "my_file_v2");
        assert_eq!(table_name("2024"), "_2024");
        let d = driver();
        assert_eq!(
            d.find("host_logons.pkl").map(|t| t.name),
            Some("host_logons".to_string())
        );
        assert_eq!(
            d.find("HOST_LOGONS").map(|t| t.name),
            Some("host_logons".to_string())
        );
        assert!(mentions("select * from host_logons h", "host_logons"));
        assert!(!mentions("select * from host_logons_x", "host_logons"));
    }

    #[test]
    fn timestamps_are_utc() {
        let df = driver().run("host_logons.csv", None).unwrap().df;
        assert_eq!(
            df.column("TimeGenerated").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        );
    }

    #[test]
    fn sql_and_row_limits() {
        let d = driver();
        let out = d.run("SELECT * FROM processes_on_host", Some(5)).unwrap();
        assert_eq!(out.df.height(), 5);
        assert!(matches!(out.completeness, Completeness::Partial { .. }));
        let df = d
            .sql("SELECT COUNT(*) AS n FROM host_logons WHERE TimeGenerated >= '2019-02-12 00:00:00' AND EventID = 4624")
            .unwrap();
        let n = df.column("n").unwrap().cast(&DataType::Int64).unwrap();
        assert_eq!(n.i64().unwrap().get(0), Some(25));
        let err = d.sql("SELECT * FROM nope").unwrap_err().to_string();
        assert!(
            err.starts_with("invalid SQL query 'SELECT * FROM nope':"),
            "{err}"
        );
        assert!(err.contains("tables: aad_logons, alerts_list"), "{err}");
        let err = d.run("missing_table.csv", None).unwrap_err().to_string();
        assert!(err.contains("SQL query 'missing_table.csv'"), "{err}");
    }

    #[test]
    fn bad_files_are_named() {
        let dir = std::env::temp_dir().join(format!("hb-ld-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "a,b\n1,2\n3,\"unterminated\n").unwrap();
        let d = LocalDataDriver::new().with_file(&bad).unwrap();
        let r = d.run("bad", None);
        if let Err(e) = r {
            assert!(e.to_string().contains("bad"), "{e}");
        }
        let err = LocalDataDriver::new()
            .with_file(dir.join("none.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
        let err = LocalDataDriver::new()
            .with_file(dir.join("x.xlsx"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
        std::fs::write(dir.join("x.xlsx"), "x").unwrap();
        let err = LocalDataDriver::new()
            .with_file(dir.join("x.xlsx"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown format"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

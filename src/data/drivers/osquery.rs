//! The OSQuery log driver: osqueryd `results` and `snapshots` logs (one
//! JSON object per line) → one table per query, as MSTICPy's
//! `OSQueryLogDriver`.
//!
//! Records are grouped by their `name`; nested objects are flattened with
//! `_` (`columns.pid` → `columns_pid`); `unixTime` and `columns_time`,
//! `_atime`, `_ctime`, `_mtime` become UTC datetimes; then the `columns_`
//! and `decorations_` prefixes are dropped, a name that would clash with an
//! existing column getting a trailing `_` (`columns_name` → `name_`). Table
//! names drop the pack prefix: `pack_osquery-custom-pack_processes` →
//! `processes`; several packs with the same table concatenate.
//!
//! ```
//! use huntbook::data::drivers::osquery::OsQueryDriver;
//! let d = OsQueryDriver::new();
//! d.read_path(huntbook::data::bundled("msticpy/testdata/osquery")?)?;
//! let procs = d.table("processes")?;
//! assert_eq!(procs.height(), 21);
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::records::{
    RecordFrameBuilder, RecordOptions, epoch_seconds_to_datetime, for_each_json_line,
};
use super::{BoxFuture, Connection, Driver, DriverQuery, QueryContext, QueryOutput};
use crate::data::provider::concat_union;
use crate::data::query::Dialect;
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Columns holding epoch seconds (after flattening).
pub const OSQUERY_TIME_COLUMNS: &[&str] = &[
    "unixTime",
    "columns_time",
    "columns_atime",
    "columns_ctime",
    "columns_mtime",
];
/// Longest accepted log line.
pub const MAX_LINE_BYTES: u64 = 16 << 20;
const MAX_DEPTH: usize = 16;

#[derive(Debug, Default)]
struct State {
    /// event name → frame
    events: BTreeMap<String, DataFrame>,
    files: Vec<PathBuf>,
}

/// The OSQuery log driver.
#[derive(Debug, Default)]
pub struct OsQueryDriver {
    state: Mutex<State>,
}

/// A table name from an osquery query name (MSTICPy's
/// `(?:pack_[^_]+_)?(?P<table_name>[\w_]+)`).
pub fn table_name(query_name: &str) -> String {
    let rest = match query_name.strip_prefix("pack_") {
        Some(r) => match r.find('_') {
            Some(i) if i > 0 && r.len() > i + 1 => &r[i + 1..],
            _ => query_name,
        },
        None => query_name,
    };
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let word = if word.is_empty() {
        rest.to_string()
    } else {
        word
    };
    super::localdata::table_name(&word)
}

impl OsQueryDriver {
    /// A driver with nothing read yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads a log file, or every `*.log` file under a folder.
    pub fn read_path(&self, path: impl AsRef<Path>) -> Result<usize> {
        let path = path.as_ref();
        if path.is_file() {
            self.read_file(path)?;
            return Ok(1);
        }
        if !path.is_dir() {
            return Err(Error::invalid(
                format!("osquery log path '{}'", path.display()),
                "does not exist",
            ));
        }
        let mut files = Vec::new();
        find_files(path, "log", 0, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(Error::invalid(
                format!("osquery log folder '{}'", path.display()),
                "has no .log files",
            ));
        }
        for f in &files {
            self.read_file(f)?;
        }
        Ok(files.len())
    }

    /// Reads one osqueryd log file.
    pub fn read_file(&self, path: &Path) -> Result<()> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
        let label = format!("osquery log '{}'", path.display());
        let mut builders: BTreeMap<String, RecordFrameBuilder> = BTreeMap::new();
        let opts = RecordOptions::new()
            .flatten(true)
            .time_columns(Vec::<String>::new());
        for_each_json_line(BufReader::new(file), &label, MAX_LINE_BYTES, |line, rec| {
            let name = match rec.get("name") {
                Some(serde_json::Value::String(n)) => n.clone(),
                _ => {
                    return Err(Error::invalid(
                        format!("{label} line {line}"),
                        "record has no string 'name' (the query name)",
                    ));
                }
            };
            builders
                .entry(name)
                .or_insert_with(|| RecordFrameBuilder::new(opts.clone()))
                .push_record(rec)
        })?;
        if builders.is_empty() {
            return Err(Error::invalid(label, "no log records"));
        }
        let mut st = self.lock();
        for (name, b) in builders {
            let mut df = b.finish()?;
            tidy(&mut df)?;
            let merged = match st.events.remove(&name) {
                Some(prev) => concat_union(vec![prev, df])?,
                None => df,
            };
            st.events.insert(name, merged);
        }
        st.files.push(path.to_path_buf());
        Ok(())
    }

    /// Table name → the osquery query names it gathers.
    pub fn tables(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in self.lock().events.keys() {
            out.entry(table_name(name)).or_default().push(name.clone());
        }
        out
    }

    /// One table (by table name or full query name).
    pub fn table(&self, name: &str) -> Result<DataFrame> {
        let tables = self.tables();
        let st = self.lock();
        let names: Vec<String> = match (tables.get(name), st.events.contains_key(name)) {
            (Some(n), _) => n.clone(),
            (None, true) => vec![name.to_string()],
            _ => {
                return Err(Error::invalid(
                    format!("osquery table '{name}'"),
                    format!(
                        "no data loaded for it; tables: {}",
                        tables.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        };
        let frames: Vec<DataFrame> = names
            .iter()
            .filter_map(|n| st.events.get(n).cloned())
            .collect();
        concat_union(frames)
    }
}

/// `.` → `_`, epoch columns → datetimes, prefixes dropped.
fn tidy(df: &mut DataFrame) -> Result<()> {
    let old: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for n in &old {
        if n.contains('.') {
            df.rename(n, n.replace('.', "_").into())
                .ctx("renaming osquery columns")?;
        }
    }
    epoch_seconds_to_datetime(df, OSQUERY_TIME_COLUMNS)?;
    let cols: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let existing: BTreeSet<String> = cols.iter().cloned().collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for c in &cols {
        let mut new = c.clone();
        for prefix in ["decorations_", "columns_"] {
            if new.contains(prefix) {
                new = new.replace(prefix, "");
            }
        }
        if new == *c {
            continue;
        }
        // MSTICPy appends '_' when the short name is already a column; two
        // prefixed columns with the same short name would duplicate there,
        // here the second also gets '_'.
        while existing.contains(&new) || used.contains(&new) {
            new.push('_');
        }
        used.insert(new.clone());
        df.rename(c, new.into()).ctx("renaming osquery columns")?;
    }
    Ok(())
}

pub(crate) fn find_files(
    dir: &Path,
    ext: &str,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for e in std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))? {
        let e = e.map_err(|e| Error::io("listing", dir, e))?;
        let p = e.path();
        let ft = e.file_type().map_err(|e| Error::io("reading", &p, e))?;
        if ft.is_dir() {
            find_files(&p, ext, depth + 1, out)?;
        } else if ft.is_file()
            && p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x.eq_ignore_ascii_case(ext))
        {
            out.push(p);
        }
    }
    Ok(())
}

pub(crate) fn connection_paths(connection: &Connection) -> Vec<PathBuf> {
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
    paths
        .iter()
        .map(|p| crate::config::expand_home(p))
        .collect()
}

impl Driver for OsQueryDriver {
    fn environment(&self) -> &str {
        "OSQueryLogs"
    }
    fn dialect(&self) -> Dialect {
        Dialect::Default
    }
    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let paths = connection_paths(connection);
            if paths.is_empty() && self.lock().events.is_empty() {
                return Err(Error::invalid(
                    "OSQueryLogs connection",
                    "no data_paths given",
                ));
            }
            for p in paths {
                self.read_path(&p)?;
            }
            Ok(())
        })
    }
    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(async move {
            let name = context
                .query_name
                .as_deref()
                .and_then(|n| n.rsplit('.').next())
                .filter(|n| self.tables().contains_key(*n));
            let df = self.table(name.unwrap_or(query.trim()))?;
            Ok(QueryOutput::complete(df))
        })
    }
    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        Ok(self
            .tables()
            .into_iter()
            .map(|(t, names)| DriverQuery {
                family: "osquery".into(),
                description: format!("OS Query {t} table ({})", names.join(", ")),
                query: t.clone(),
                name: t,
            })
            .collect())
    }
    fn schema(&self) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        let mut out = BTreeMap::new();
        for t in self.tables().keys() {
            let df = self.table(t)?;
            out.insert(
                t.clone(),
                df.schema()
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

    #[test]
    fn table_names_like_msticpy() {
        assert_eq!(
            table_name("pack_osquery-custom-pack_processes"),
            "processes"
        );
        assert_eq!(
            table_name("pack_incident-response_process_memory"),
            "process_memory"
        );
        assert_eq!(
            table_name("pack_osquery-monitoring2-pack_osquerydb_size"),
            "osquerydb_size"
        );
        assert_eq!(table_name("fim"), "fim");
        assert_eq!(table_name("my-query"), "my");
    }
}

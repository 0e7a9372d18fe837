//! The Velociraptor driver: collected artifacts as JSON-lines files, one
//! table per artifact (`Windows.System.Pslist.json` → `Windows_System_Pslist`),
//! as MSTICPy's `VelociraptorLogDriver`. Files with the same artifact name in
//! several folders (several hosts) concatenate. Nested values (hashes,
//! signatures) are kept as JSON text; `Timestamp` and the other common time
//! columns become UTC datetimes.
//!
//! ```
//! use huntbook::data::drivers::velociraptor::VelociraptorDriver;
//! let d = VelociraptorDriver::new();
//! d.add_path(huntbook::data::bundled("msticpy/testdata/velociraptor")?)?;
//! let ps = d.table("Windows_System_Pslist")?;
//! assert_eq!(ps.height(), 10);
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::osquery::{connection_paths, find_files};
use super::records::{RecordFrameBuilder, RecordOptions, for_each_json_line};
use super::{BoxFuture, Connection, Driver, DriverQuery, QueryContext, QueryOutput};
use crate::data::provider::concat_union;
use crate::data::query::Dialect;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Longest accepted line.
pub const MAX_LINE_BYTES: u64 = 64 << 20;

/// The Velociraptor driver.
#[derive(Debug, Default)]
pub struct VelociraptorDriver {
    files: Mutex<BTreeMap<String, Vec<PathBuf>>>,
}

impl VelociraptorDriver {
    /// A driver with no files.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Vec<PathBuf>>> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds every `*.json` file under a folder; returns how many.
    pub fn add_path(&self, dir: impl AsRef<Path>) -> Result<usize> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::invalid(
                format!("Velociraptor folder '{}'", dir.display()),
                "does not exist or is not a folder",
            ));
        }
        let mut files = Vec::new();
        find_files(dir, "json", 0, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(Error::invalid(
                format!("Velociraptor folder '{}'", dir.display()),
                "has no .json files",
            ));
        }
        let mut map = self.lock();
        for f in &files {
            let rel = f.strip_prefix(dir).unwrap_or(f).with_extension("");
            let name = super::localdata::table_name(&rel.to_string_lossy());
            map.entry(name).or_default().push(f.clone());
        }
        Ok(files.len())
    }

    /// The artifact tables and their files.
    pub fn tables(&self) -> BTreeMap<String, Vec<PathBuf>> {
        self.lock().clone()
    }

    /// Reads one artifact table.
    pub fn table(&self, name: &str) -> Result<DataFrame> {
        let files = self.lock().get(name).cloned().ok_or_else(|| {
            Error::invalid(
                format!("Velociraptor table '{name}'"),
                format!(
                    "no data loaded for it; tables: {}",
                    self.lock().keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let mut frames = Vec::new();
        for f in files {
            let file = std::fs::File::open(&f).map_err(|e| Error::io("reading", &f, e))?;
            let mut b = RecordFrameBuilder::new(RecordOptions::default());
            for_each_json_line(
                BufReader::new(file),
                &format!("Velociraptor file '{}'", f.display()),
                MAX_LINE_BYTES,
                |_, rec| b.push_record(rec),
            )?;
            frames.push(b.finish()?);
        }
        concat_union(frames)
    }
}

impl Driver for VelociraptorDriver {
    fn environment(&self) -> &str {
        "Velociraptor"
    }
    fn dialect(&self) -> Dialect {
        Dialect::Default
    }
    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let paths = connection_paths(connection);
            if paths.is_empty() && self.lock().is_empty() {
                return Err(Error::invalid(
                    "Velociraptor connection",
                    "no data_paths given",
                ));
            }
            for p in paths {
                self.add_path(&p)?;
            }
            Ok(())
        })
    }
    fn execute<'a>(
        &'a self,
        query: &'a str,
        _context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(async move { Ok(QueryOutput::complete(self.table(query.trim())?)) })
    }
    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        Ok(self
            .tables()
            .into_keys()
            .map(|t| DriverQuery {
                family: "velociraptor".into(),
                description: format!("Velociraptor {t} table."),
                query: t.clone(),
                name: t,
            })
            .collect())
    }
}

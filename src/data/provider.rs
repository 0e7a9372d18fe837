//! [`QueryProvider`]: the library of queries for one data environment plus
//! the driver that runs them — what an analyst uses in a notebook cell.
//!
//! ```
//! use huntbook::prelude::*;
//! let qp = QueryProvider::local_data()?;            // bundled queries + sample data
//! let procs = qp.query("WindowsSecurity.list_host_processes")?
//!     .param("host_name", "MSTICAlertsWin1")
//!     .run()?;
//! assert_eq!(procs.height(), 25);
//! let counts = qp.sql("SELECT EventID, COUNT(*) AS n FROM host_logons GROUP BY EventID")?;
//! assert_eq!(counts.height(), 1);
//! # Ok::<(), huntbook::Error>(())
//! ```
//!
//! A query whose time range is long can run in chunks, concurrently, with
//! MSTICPy's boundaries (`.split_by("1h")`); a chunk that fails is reported
//! — [`QueryRun::run`] returns an error naming it, [`QueryRun::run_result`]
//! keeps the other chunks' rows and lists the failure.
//!
//! Blocking methods build an async runtime per call
//! ([`crate::session::block_on`]); from async code use
//! [`QueryRun::run_async`].

use crate::config::Settings;
use crate::data::drivers::localdata::LocalDataDriver;
use crate::data::drivers::osquery::OsQueryDriver;
use crate::data::drivers::security_datasets::SecurityDatasetsDriver;
use crate::data::drivers::velociraptor::VelociraptorDriver;
use crate::data::drivers::{
    BoxFuture, Completeness, Connection, Driver, QueryContext, QueryOutput, run_concurrently,
};
use crate::data::query::params::resolve_datetime;
use crate::data::query::split::split_ranges;
use crate::data::query::{
    LoadReport, ParamValue, QueryDefinition, QueryHelp, QueryList, QueryStore, RenderContext,
    canonical_environment, render,
};
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use chrono::{DateTime, Duration, Utc};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Queries and a driver for one data environment.
#[derive(Debug, Clone)]
pub struct QueryProvider {
    environment: String,
    driver: Arc<dyn Driver>,
    store: QueryStore,
    time_range: Option<(ParamValue, ParamValue)>,
}

impl QueryProvider {
    /// A provider for a driver, connected with `connection`, with the
    /// bundled query library (and the driver's own queries) loaded.
    pub fn with_connection(driver: Arc<dyn Driver>, connection: &Connection) -> Result<Self> {
        crate::session::block_on(driver.connect(connection))??;
        let mut p = Self {
            environment: canonical_environment(driver.environment()),
            driver,
            store: QueryStore::builtin()?,
            time_range: None,
        };
        p.add_driver_queries()?;
        Ok(p)
    }

    /// A provider for a driver that needs no connection settings.
    pub fn new(driver: impl Driver + 'static) -> Result<Self> {
        Self::with_connection(Arc::new(driver), &Connection::new())
    }

    /// LocalData over the folders in the settings
    /// (`DataProviders.LocalData.Args.data_paths`; by default the bundled
    /// sample data), with the bundled and `QueryDefinitions.Custom` queries.
    pub fn local_data() -> Result<Self> {
        Self::from_settings("LocalData", &Settings::load()?)
    }

    /// LocalData over the given folders or files.
    pub fn local_data_from<P: AsRef<Path>>(paths: &[P]) -> Result<Self> {
        let joined: Vec<String> = paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect();
        Self::with_connection(
            Arc::new(LocalDataDriver::new()),
            &Connection::new().option("data_paths", joined.join(",")),
        )
    }

    /// OSQuery logs from folders or files (`*.log`, `*.json`).
    pub fn osquery<P: AsRef<Path>>(paths: &[P]) -> Result<Self> {
        let joined: Vec<String> = paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect();
        Self::with_connection(
            Arc::new(OsQueryDriver::new()),
            &Connection::new().option("data_paths", joined.join(",")),
        )
    }

    /// Velociraptor artifact files (`*.json`) from folders.
    pub fn velociraptor<P: AsRef<Path>>(paths: &[P]) -> Result<Self> {
        let joined: Vec<String> = paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect();
        Self::with_connection(
            Arc::new(VelociraptorDriver::new()),
            &Connection::new().option("data_paths", joined.join(",")),
        )
    }

    /// OTRF Security-Datasets from a local copy of the repository layout.
    pub fn security_datasets(root: impl AsRef<Path>) -> Result<Self> {
        Self::new(SecurityDatasetsDriver::from_folder(root)?)
    }

    /// A provider for a local environment (`LocalData`, `OSQueryLogs`,
    /// `Velociraptor`, `SecurityDatasets`) configured from settings
    /// (`DataProviders.<env>.Args.data_paths`); custom query folders are loaded.
    pub fn from_settings(environment: &str, settings: &Settings) -> Result<Self> {
        let env = canonical_environment(environment);
        if let Some(remote) = crate::data::drivers::remote::from_settings(environment, settings) {
            let (driver, conn) = remote?;
            let mut p = Self::with_connection(driver, &conn)?;
            for dir in settings.query_paths().into_iter().skip(1) {
                if dir.is_dir() {
                    p.load_queries(&dir)?;
                }
            }
            return Ok(p);
        }
        let section_names: &[&str] = match env.as_str() {
            "LocalData" => &["LocalData"],
            "OSQueryLogs" => &["OSQueryLogs", "OSQuery"],
            "Velociraptor" => &["VelociraptorLogs", "Velociraptor"],
            "SecurityDatasets" => &["Mordor", "SecurityDatasets", "OTRF"],
            _ => {
                return Err(Error::invalid(
                    format!("data environment '{environment}'"),
                    "no local driver for it here (local drivers: LocalData, OSQueryLogs, Velociraptor, SecurityDatasets); remote drivers come in a later release",
                ));
            }
        };
        let prov = section_names
            .iter()
            .find_map(|n| settings.provider("DataProviders", n));
        let conn = Connection {
            settings: prov.clone(),
            ..Connection::new()
        };
        let driver: Arc<dyn Driver> = match env.as_str() {
            "LocalData" => Arc::new(LocalDataDriver::new()),
            "OSQueryLogs" => Arc::new(OsQueryDriver::new()),
            "Velociraptor" => Arc::new(VelociraptorDriver::new()),
            _ => {
                let root = prov
                    .as_ref()
                    .and_then(|p| {
                        p.arg("data_path")
                            .or_else(|| p.arg_list("data_paths").into_iter().next())
                    })
                    .map(|p| crate::config::expand_home(&p))
                    .unwrap_or_else(|| crate::data::data_dir().join("security-datasets"));
                Arc::new(SecurityDatasetsDriver::from_folder(root)?)
            }
        };
        let mut p = Self::with_connection(driver, &conn)?;
        for dir in settings.query_paths().into_iter().skip(1) {
            if dir.is_dir() {
                p.load_queries(&dir)?;
            }
        }
        Ok(p)
    }

    fn add_driver_queries(&mut self) -> Result<()> {
        for dq in self.driver.driver_queries()? {
            self.store.add(QueryDefinition {
                name: dq.name,
                families: vec![dq.family],
                environments: vec![self.environment.clone()],
                description: dq.description,
                template: dq.query.replace('{', "{{").replace('}', "}}"),
                uri: None,
                params: BTreeMap::new(),
                metadata: Default::default(),
                file: None,
            });
        }
        Ok(())
    }

    /// Loads a folder of query files; invalid files are skipped and listed.
    pub fn load_queries(&mut self, dir: impl AsRef<Path>) -> Result<LoadReport> {
        self.store.load_dir(dir)
    }

    /// Loads one query file (an invalid file is an error).
    pub fn load_query_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        self.store.load_file(path)
    }

    /// The environment (`LocalData`…).
    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The driver.
    pub fn driver(&self) -> &Arc<dyn Driver> {
        &self.driver
    }

    /// All loaded queries (every environment).
    pub fn store(&self) -> &QueryStore {
        &self.store
    }

    /// This environment's queries.
    pub fn list_queries(&self) -> Result<QueryList> {
        Ok(self.usable(self.store.list(Some(&self.environment), None)?))
    }

    /// This environment's queries whose name or description contains `text`.
    pub fn list_queries_matching(&self, text: &str) -> Result<QueryList> {
        Ok(self.usable(self.store.list(Some(&self.environment), Some(text))?))
    }

    /// Searches names, descriptions, parameters, tables and query text.
    pub fn search_queries(&self, text: &str) -> Result<QueryList> {
        Ok(self.usable(self.store.search(Some(&self.environment), text)?))
    }

    /// Leaves out the queries the driver cannot run on this connection
    /// (Kusto queries for clusters that are not configured).
    fn usable(&self, mut list: QueryList) -> QueryList {
        list.retain_names(|name| {
            self.store
                .get(&self.environment, name)
                .map_or(true, |def| self.driver.query_usable(&def))
        });
        list
    }

    /// Help for a query.
    pub fn help(&self, name: &str) -> Result<QueryHelp> {
        self.store.help(&self.environment, name)
    }

    /// Sets the time range used by queries whose `start`/`end` are not given
    /// (datetimes, offsets like `-7d`, ISO strings; resolved when a query
    /// renders). Without it: a day before now to a day after now.
    pub fn set_time_range(
        &mut self,
        start: impl Into<ParamValue>,
        end: impl Into<ParamValue>,
    ) -> Result<()> {
        let (s, e) = (start.into(), end.into());
        let now = Utc::now();
        let (rs, re) = (resolve_datetime(&s, now)?, resolve_datetime(&e, now)?);
        if re < rs {
            return Err(Error::invalid(
                "time range",
                format!("end {re} is before start {rs}"),
            ));
        }
        self.time_range = Some((s, e));
        Ok(())
    }

    fn render_context(&self) -> Result<RenderContext> {
        let mut ctx = RenderContext::now(self.driver.dialect());
        if let Some((s, e)) = &self.time_range {
            ctx.default_start = resolve_datetime(s, ctx.now)?;
            ctx.default_end = resolve_datetime(e, ctx.now)?;
        }
        Ok(ctx)
    }

    /// Starts a query from the library: add parameters, then `run()`.
    pub fn query(&self, name: &str) -> Result<QueryRun<'_>> {
        Ok(QueryRun {
            provider: self,
            def: self.store.get(&self.environment, name)?,
            args: Vec::new(),
            split_by: None,
            max_rows: None,
        })
    }

    /// Runs query text directly (a file name or SQL for LocalData).
    pub fn exec(&self, text: &str) -> Result<DataFrame> {
        let ctx = QueryContext::default();
        let out = crate::session::block_on(self.driver.execute(text, &ctx))??;
        Ok(out.df)
    }

    /// Runs query text asynchronously, returning the driver's full output.
    pub async fn exec_async(&self, text: &str, context: &QueryContext) -> Result<QueryOutput> {
        self.driver.execute(text, context).await
    }

    /// Runs SQL over LocalData's tables (same as [`Self::exec`]).
    pub fn sql(&self, text: &str) -> Result<DataFrame> {
        self.exec(text)
    }
}

/// A query being prepared: parameters, time chunks, limits.
#[derive(Debug, Clone)]
pub struct QueryRun<'a> {
    provider: &'a QueryProvider,
    def: Arc<QueryDefinition>,
    args: Vec<(String, ParamValue)>,
    split_by: Option<String>,
    max_rows: Option<usize>,
}

/// One time chunk of a split query: start, end, query text.
pub type Chunk = (DateTime<Utc>, DateTime<Utc>, String);

/// What happened to one time chunk of a split query.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkOutcome {
    /// Chunk start.
    pub start: DateTime<Utc>,
    /// Chunk end.
    pub end: DateTime<Utc>,
    /// Rows returned, when it succeeded.
    pub rows: Option<usize>,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// A query's result: the rows, the query text, and what went wrong if
/// anything did.
#[derive(Debug, Clone)]
pub struct QueryResult {
    df: DataFrame,
    /// The query text that ran (the first chunk's, for split queries).
    pub query: String,
    /// Per-chunk outcomes of a split query (empty otherwise).
    pub chunks: Vec<ChunkOutcome>,
    /// Whether rows are missing.
    pub completeness: Completeness,
    /// Notes for the analyst.
    pub warnings: Vec<String>,
}

impl QueryResult {
    /// The rows.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The rows, consuming the result.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// The chunks that failed.
    pub fn failures(&self) -> Vec<&ChunkOutcome> {
        self.chunks.iter().filter(|c| c.error.is_some()).collect()
    }
}

impl NotebookDisplay for QueryResult {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        if let Completeness::Partial { reason } = &self.completeness {
            b.element(
                "p",
                &[("style", "color:#a40")],
                &format!("Partial result: {reason}"),
            );
        }
        for w in &self.warnings {
            b.element("p", &[("style", "color:#a40")], w);
        }
        let mut html = b.finish();
        html.push_str(&table_html(&self.df, &TableOptions::default()));
        html
    }
    fn to_text(&self) -> String {
        let mut t = String::new();
        if let Completeness::Partial { reason } = &self.completeness {
            t.push_str(&format!("Partial result: {reason}\n"));
        }
        for w in &self.warnings {
            t.push_str(w);
            t.push('\n');
        }
        t.push_str(&table_text(&self.df));
        t
    }
}

impl<'a> QueryRun<'a> {
    /// Sets a parameter by name or alias.
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.args.push((name.to_string(), value.into()));
        self
    }

    /// Sets several parameters.
    pub fn params<K: AsRef<str>, V: Into<ParamValue>>(
        mut self,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in values {
            self.args.push((k.as_ref().to_string(), v.into()));
        }
        self
    }

    /// Sets `start`.
    pub fn start(self, value: impl Into<ParamValue>) -> Self {
        self.param("start", value)
    }

    /// Sets `end`.
    pub fn end(self, value: impl Into<ParamValue>) -> Self {
        self.param("end", value)
    }

    /// Splits the time range into chunks (`"1h"`, `"30min"`, `"1d"`; an
    /// invalid interval means one day, as in MSTICPy) run concurrently.
    pub fn split_by(mut self, interval: &str) -> Self {
        self.split_by = Some(interval.to_string());
        self
    }

    /// Stops after this many rows (per chunk); the result is marked partial.
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = Some(n);
        self
    }

    /// The query's help.
    pub fn help(&self) -> QueryHelp {
        QueryHelp::new(self.provider.environment.clone(), Arc::clone(&self.def))
    }

    /// The query text that would run (MSTICPy's `print`).
    pub fn render(&self) -> Result<String> {
        let ctx = self.provider.render_context()?;
        Ok(render(&self.def, &self.args, &ctx)?.text)
    }

    /// The time chunks and their query text, for a split query.
    pub fn render_chunks(&self) -> Result<Vec<Chunk>> {
        let ctx = self.provider.render_context()?;
        let first = render(&self.def, &self.args, &ctx)?;
        let (Some(start), Some(end)) = (first.start, first.end) else {
            return Err(Error::invalid(
                format!("split query '{}'", self.def.full_name()),
                "needs 'start' and 'end' datetime parameters",
            ));
        };
        let interval = self.split_by.as_deref().unwrap_or("1d");
        let plan = split_ranges(start, end, interval)?;
        let mut out = Vec::with_capacity(plan.ranges.len());
        for (s, e) in plan.ranges {
            let mut args: Vec<(String, ParamValue)> = self
                .args
                .iter()
                .filter(|(k, _)| {
                    self.def
                        .resolve_param(k)
                        .is_none_or(|p| p.name != "start" && p.name != "end")
                })
                .cloned()
                .collect();
            args.push(("start".into(), ParamValue::Datetime(s)));
            args.push(("end".into(), ParamValue::Datetime(e)));
            out.push((s, e, render(&self.def, &args, &ctx)?.text));
        }
        Ok(out)
    }

    /// Runs the query; a failed chunk of a split query is an error naming it
    /// (use [`Self::run_result`] to keep the other chunks' rows).
    pub fn run(self) -> Result<DataFrame> {
        let name = self.def.full_name();
        let result = self.run_result()?;
        let failures = result.failures();
        if !failures.is_empty() {
            let list: Vec<String> = failures
                .iter()
                .map(|c| {
                    format!(
                        "{} – {}: {}",
                        c.start,
                        c.end,
                        c.error.as_deref().unwrap_or("")
                    )
                })
                .collect();
            return Err(Error::invalid(
                format!("query '{name}'"),
                format!(
                    "{} of {} time chunks failed: {} (run_result() keeps the rows of the others)",
                    failures.len(),
                    result.chunks.len(),
                    list.join("; ")
                ),
            ));
        }
        Ok(result.into_df())
    }

    /// Runs the query, blocking, returning rows and per-chunk outcomes.
    pub fn run_result(self) -> Result<QueryResult> {
        crate::session::block_on(self.run_async())?
    }

    /// Runs the query asynchronously.
    pub async fn run_async(self) -> Result<QueryResult> {
        let driver = Arc::clone(&self.provider.driver);
        let name = self.def.full_name();
        if self.split_by.is_none() {
            let ctx = self.provider.render_context()?;
            let rendered = render(&self.def, &self.args, &ctx)?;
            let qctx = QueryContext {
                query_name: Some(name.clone()),
                time_span: rendered.start.zip(rendered.end),
                max_rows: self.max_rows,
                timeout: None,
            };
            let out = driver
                .execute(&rendered.text, &qctx)
                .await
                .map_err(|e| Error::invalid(format!("query '{name}'"), e.to_string()))?;
            let mut warnings = out.warnings;
            if !rendered.defaulted.is_empty() {
                warnings.push(format!(
                    "{} not given: used the default time range {} – {}",
                    rendered.defaulted.join(" and "),
                    ctx.default_start,
                    ctx.default_end
                ));
            }
            return Ok(QueryResult {
                df: out.df,
                query: rendered.text,
                chunks: Vec::new(),
                completeness: out.completeness,
                warnings,
            });
        }
        let chunks = self.render_chunks()?;
        let mut warnings = Vec::new();
        if let Some(s) = &self.split_by
            && crate::data::query::split::parse_interval(s).is_none()
        {
            warnings.push(format!("split_by '{s}' is not an interval: used 1 day"));
        }
        let texts: Vec<(DateTime<Utc>, DateTime<Utc>, String, QueryContext)> = chunks
            .into_iter()
            .map(|(s, e, q)| {
                let ctx = QueryContext {
                    query_name: Some(name.clone()),
                    time_span: Some((s, e)),
                    max_rows: self.max_rows,
                    timeout: None,
                };
                (s, e, q, ctx)
            })
            .collect();
        let futures: Vec<BoxFuture<'_, Result<QueryOutput>>> = texts
            .iter()
            .map(|(_, _, q, ctx)| driver.execute(q, ctx))
            .collect();
        let outputs = run_concurrently(futures, driver.max_parallel()).await;
        let mut frames = Vec::new();
        let mut outcomes = Vec::new();
        let mut partial = Vec::new();
        for ((s, e, _, _), out) in texts.iter().zip(outputs) {
            match out {
                Ok(o) => {
                    outcomes.push(ChunkOutcome {
                        start: *s,
                        end: *e,
                        rows: Some(o.df.height()),
                        error: None,
                    });
                    if let Completeness::Partial { reason } = o.completeness {
                        partial.push(format!("{s} – {e}: {reason}"));
                    }
                    warnings.extend(o.warnings);
                    frames.push(o.df);
                }
                Err(err) => outcomes.push(ChunkOutcome {
                    start: *s,
                    end: *e,
                    rows: None,
                    error: Some(err.to_string()),
                }),
            }
        }
        let failed = outcomes.iter().filter(|c| c.error.is_some()).count();
        if failed > 0 {
            partial.push(format!("{failed} of {} time chunks failed", outcomes.len()));
        }
        let completeness = if partial.is_empty() {
            Completeness::Complete
        } else {
            Completeness::Partial {
                reason: partial.join("; "),
            }
        };
        let df = concat_union(frames)?;
        let query = texts.first().map(|t| t.2.clone()).unwrap_or_default();
        Ok(QueryResult {
            df,
            query,
            chunks: outcomes,
            completeness,
            warnings,
        })
    }
}

/// Concatenates frames whose columns differ: the union of columns (in order
/// of first appearance), missing ones null; a column whose type differs
/// between frames becomes text.
pub fn concat_union(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let frames: Vec<DataFrame> = frames.into_iter().filter(|f| f.width() > 0).collect();
    if frames.is_empty() {
        return Ok(DataFrame::empty());
    }
    let mut order: Vec<PlSmallStr> = Vec::new();
    let mut types: BTreeMap<PlSmallStr, DataType> = BTreeMap::new();
    for f in &frames {
        for c in f.columns() {
            let name = c.name().clone();
            match types.get(&name) {
                None => {
                    order.push(name.clone());
                    types.insert(name, c.dtype().clone());
                }
                Some(t) if t == c.dtype() || c.dtype() == &DataType::Null => {}
                Some(t) if t == &DataType::Null => {
                    types.insert(name, c.dtype().clone());
                }
                Some(_) => {
                    types.insert(name, DataType::String);
                }
            }
        }
    }
    let mut out: Option<DataFrame> = None;
    for f in frames {
        let h = f.height();
        let mut cols = Vec::with_capacity(order.len());
        for name in &order {
            let dtype = types.get(name).cloned().unwrap_or(DataType::String);
            let c = match f.column(name.as_str()) {
                Ok(c) => c.cast(&dtype).ctx(format!("aligning column '{name}'"))?,
                Err(_) => Column::full_null(name.clone(), h, &dtype),
            };
            cols.push(c);
        }
        let aligned = DataFrame::new(h, cols).ctx("concatenating results")?;
        out = Some(match out {
            None => aligned,
            Some(mut acc) => {
                acc.vstack_mut(&aligned).ctx("concatenating results")?;
                acc
            }
        });
    }
    Ok(out.unwrap_or_else(DataFrame::empty))
}

/// Today's default time range: a day before now to a day after now.
pub fn default_time_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let now = Utc::now();
    (now - Duration::days(1), now + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_union_aligns_columns_and_types() {
        let a = df!("x" => [1i64, 2], "y" => ["a", "b"]).unwrap();
        let b = df!("y" => [3i64], "z" => [true]).unwrap();
        let c = concat_union(vec![a, b]).unwrap();
        assert_eq!(c.shape(), (3, 3));
        assert_eq!(c.column("y").unwrap().dtype(), &DataType::String);
        assert_eq!(c.column("y").unwrap().str().unwrap().get(2), Some("3"));
        assert_eq!(c.column("x").unwrap().i64().unwrap().get(2), None);
    }
}

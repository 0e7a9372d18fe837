//! The query store: every loaded query, by environment, family and name,
//! with listing, search and help for notebooks.

use super::definition::{QueryDefinition, QueryFile, canonical_environment};
use super::render::help_text;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Families = BTreeMap<String, BTreeMap<String, Arc<QueryDefinition>>>;

/// Deepest folder recursion when loading query folders.
const MAX_DEPTH: usize = 16;

/// What loading a folder did: files read, and files skipped with the reason.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Query files loaded.
    pub files: Vec<PathBuf>,
    /// Queries added.
    pub queries: usize,
    /// Files that failed validation, with the error (MSTICPy skips them too).
    pub skipped: Vec<(PathBuf, String)>,
}

/// Every loaded query: environment → family → name.
#[derive(Debug, Clone, Default)]
pub struct QueryStore {
    envs: BTreeMap<String, Families>,
}

impl QueryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store of huntbook's bundled query library (`queries/` of the
    /// checkout, or `$HUNTBOOK_QUERIES_DIR`).
    pub fn builtin() -> Result<Self> {
        let mut store = Self::new();
        let report = store.load_dir(builtin_dir())?;
        if let Some((path, err)) = report.skipped.first() {
            return Err(Error::invalid(
                format!("bundled query file '{}'", path.display()),
                err.clone(),
            ));
        }
        Ok(store)
    }

    /// Loads one query file; an invalid file is an error.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let file = QueryFile::from_path(path)?;
        let n = file.queries.len();
        for q in file.queries {
            self.add(q);
        }
        Ok(n)
    }

    /// Loads every `.yaml`/`.yml` file under `dir` (recursively, sorted);
    /// invalid files are skipped and listed in the report.
    pub fn load_dir(&mut self, dir: impl AsRef<Path>) -> Result<LoadReport> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::invalid(
                format!("query folder '{}'", dir.display()),
                "is not a folder",
            ));
        }
        let files: Vec<PathBuf> = crate::data::files_below(dir, MAX_DEPTH)?
            .into_iter()
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml")
                })
            })
            .collect();
        let mut report = LoadReport::default();
        for f in files {
            match QueryFile::from_path(&f) {
                Ok(file) => {
                    report.queries += file.queries.len();
                    for q in file.queries {
                        self.add(q);
                    }
                    report.files.push(f);
                }
                Err(e) => report.skipped.push((f, e.to_string())),
            }
        }
        Ok(report)
    }

    /// Adds a query under each of its environments and families (replacing
    /// one of the same name, as MSTICPy does).
    pub fn add(&mut self, def: QueryDefinition) {
        let def = Arc::new(def);
        for env in &def.environments {
            let fams = self.envs.entry(canonical_environment(env)).or_default();
            let families = if def.families.is_empty() {
                vec![String::new()]
            } else {
                def.families.clone()
            };
            for fam in families {
                fams.entry(fam)
                    .or_default()
                    .insert(def.name.clone(), Arc::clone(&def));
            }
        }
    }

    /// The environments that have queries.
    pub fn environments(&self) -> Vec<String> {
        self.envs.keys().cloned().collect()
    }

    /// How many (environment, family, query) entries there are.
    pub fn len(&self) -> usize {
        self.envs
            .values()
            .flat_map(|f| f.values())
            .map(BTreeMap::len)
            .sum()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn families(&self, env: &str) -> Result<&Families> {
        let canon = canonical_environment(env);
        self.envs.get(&canon).ok_or_else(|| {
            Error::invalid(
                format!("data environment '{env}'"),
                format!(
                    "no queries loaded for it; environments: {}",
                    self.environments().join(", ")
                ),
            )
        })
    }

    /// Finds a query in an environment by `Family.name` or, when unique, by
    /// `name` alone.
    pub fn get(&self, env: &str, name: &str) -> Result<Arc<QueryDefinition>> {
        let fams = self.families(env)?;
        if let Some((fam, q)) = name.rsplit_once('.')
            && let Some(def) = fams.get(fam).and_then(|m| m.get(q))
        {
            return Ok(Arc::clone(def));
        }
        let matches: Vec<(&String, &Arc<QueryDefinition>)> = fams
            .iter()
            .filter_map(|(f, m)| m.get(name).map(|d| (f, d)))
            .collect();
        match matches.as_slice() {
            [(_, d)] => Ok(Arc::clone(d)),
            [] => {
                let needle = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
                let close: Vec<String> = fams
                    .iter()
                    .flat_map(|(f, m)| m.keys().map(move |q| (f, q)))
                    .filter(|(_, q)| {
                        q.to_ascii_lowercase().contains(&needle)
                            || needle.contains(&q.to_ascii_lowercase())
                    })
                    .map(|(f, q)| join_name(f, q))
                    .take(10)
                    .collect();
                let hint = if close.is_empty() {
                    "list the queries with list_queries() or `huntbook query list`".to_string()
                } else {
                    format!("did you mean: {}", close.join(", "))
                };
                Err(Error::invalid(
                    format!("query '{name}' in {}", canonical_environment(env)),
                    format!("not found; {hint}"),
                ))
            }
            many => {
                let names: Vec<String> = many.iter().map(|(f, d)| join_name(f, &d.name)).collect();
                if let Some((_, first)) = many.first()
                    && many.iter().all(|(_, d)| Arc::ptr_eq(d, first))
                {
                    return Ok(Arc::clone(first));
                }
                Err(Error::invalid(
                    format!("query '{name}' in {}", canonical_environment(env)),
                    format!("ambiguous; use one of: {}", names.join(", ")),
                ))
            }
        }
    }

    /// Lists queries, optionally of one environment and containing `filter`
    /// (case-insensitive) in the name or description.
    pub fn list(&self, env: Option<&str>, filter: Option<&str>) -> Result<QueryList> {
        let filter = filter.map(str::to_ascii_lowercase);
        self.collect(env, |name, def| match &filter {
            None => true,
            Some(f) => {
                name.to_ascii_lowercase().contains(f)
                    || def.description.to_ascii_lowercase().contains(f)
            }
        })
    }

    /// Searches names, descriptions, parameter names, the `table` default and
    /// the query text (case-insensitive), as MSTICPy's query search does.
    pub fn search(&self, env: Option<&str>, text: &str) -> Result<QueryList> {
        let t = text.to_ascii_lowercase();
        self.collect(env, |name, def| {
            name.to_ascii_lowercase().contains(&t)
                || def.description.to_ascii_lowercase().contains(&t)
                || def
                    .params
                    .keys()
                    .any(|p| p.to_ascii_lowercase().contains(&t))
                || def
                    .table()
                    .is_some_and(|tb| tb.to_ascii_lowercase().contains(&t))
                || def.template.to_ascii_lowercase().contains(&t)
        })
    }

    fn collect(
        &self,
        env: Option<&str>,
        keep: impl Fn(&str, &QueryDefinition) -> bool,
    ) -> Result<QueryList> {
        let mut rows = Vec::new();
        let envs: Vec<(&String, &Families)> = match env {
            Some(e) => {
                self.families(e)?;
                let canon = canonical_environment(e);
                self.envs.iter().filter(|(k, _)| **k == canon).collect()
            }
            None => self.envs.iter().collect(),
        };
        for (env, fams) in envs {
            for (fam, queries) in fams {
                for (q, def) in queries {
                    let name = join_name(fam, q);
                    if keep(&name, def) {
                        rows.push(QueryRow::new(env, &name, def));
                    }
                }
            }
        }
        Ok(QueryList { rows })
    }

    /// Help for one query: description, parameters, defaults, the template.
    pub fn help(&self, env: &str, name: &str) -> Result<QueryHelp> {
        Ok(QueryHelp::new(
            canonical_environment(env),
            self.get(env, name)?,
        ))
    }
}

fn join_name(family: &str, name: &str) -> String {
    if family.is_empty() {
        name.to_string()
    } else {
        format!("{family}.{name}")
    }
}

/// The bundled query library folder: `$HUNTBOOK_QUERIES_DIR`, else `queries/`
/// of the checkout huntbook was built from.
pub fn builtin_dir() -> PathBuf {
    match std::env::var_os("HUNTBOOK_QUERIES_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/queries")),
    }
}

#[derive(Debug, Clone)]
struct QueryRow {
    environment: String,
    name: String,
    description: String,
    parameters: String,
    required: String,
    file: String,
}

impl QueryRow {
    fn new(env: &str, name: &str, def: &QueryDefinition) -> Self {
        let required: Vec<&str> = def
            .params
            .values()
            .filter(|p| p.is_required())
            .map(|p| p.name.as_str())
            .collect();
        Self {
            environment: env.to_string(),
            name: name.to_string(),
            description: def.description.clone(),
            parameters: def.params.keys().cloned().collect::<Vec<_>>().join(", "),
            required: required.join(", "),
            file: def
                .file
                .as_ref()
                .and_then(|f| f.file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// A list of queries: `environment`, `name`, `description`, `parameters`,
/// `required`, `file`. Displays as a table.
#[derive(Debug, Clone, Default)]
pub struct QueryList {
    rows: Vec<QueryRow>,
}

impl QueryList {
    /// Keeps the queries whose name passes `keep`.
    pub(crate) fn retain_names(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.rows.retain(|r| keep(&r.name));
    }

    /// The query names (`Family.query`).
    pub fn names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.name.clone()).collect()
    }

    /// How many queries.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The list as a frame.
    pub fn df(&self) -> Result<DataFrame> {
        let col = |name: &str, f: &dyn Fn(&QueryRow) -> String| {
            Column::new(
                name.into(),
                self.rows.iter().map(f).collect::<Vec<String>>(),
            )
        };
        DataFrame::new_infer_height(vec![
            col("environment", &|r| r.environment.clone()),
            col("name", &|r| r.name.clone()),
            col("description", &|r| r.description.clone()),
            col("parameters", &|r| r.parameters.clone()),
            col("required", &|r| r.required.clone()),
            col("file", &|r| r.file.clone()),
        ])
        .ctx("listing queries")
    }

    /// The list as a frame, consuming it.
    pub fn into_df(self) -> Result<DataFrame> {
        self.df()
    }
}

impl NotebookDisplay for QueryList {
    fn to_html(&self) -> String {
        match self.df() {
            Ok(df) => table_html(
                &df,
                &TableOptions::new()
                    .max_rows(500)
                    .caption(format!("{} queries", self.rows.len())),
            ),
            Err(e) => {
                let mut b = HtmlBuilder::new();
                b.element("pre", &[], &e.to_string());
                b.finish()
            }
        }
    }
    fn to_text(&self) -> String {
        match self.df() {
            Ok(df) => table_text(&df),
            Err(e) => e.to_string(),
        }
    }
}

/// Help for one query. Displays the description, a parameter table and the
/// query template.
#[derive(Debug, Clone)]
pub struct QueryHelp {
    environment: String,
    def: Arc<QueryDefinition>,
}

impl QueryHelp {
    /// Help for a query definition.
    pub fn new(environment: String, def: Arc<QueryDefinition>) -> Self {
        Self { environment, def }
    }

    /// The query.
    pub fn definition(&self) -> &QueryDefinition {
        &self.def
    }

    /// The parameters as a frame: `name`, `type`, `required`, `default`,
    /// `aliases`, `description`.
    pub fn params_df(&self) -> Result<DataFrame> {
        let ps: Vec<_> = self.def.params.values().collect();
        DataFrame::new_infer_height(vec![
            Column::new(
                "name".into(),
                ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "type".into(),
                ps.iter().map(|p| p.ptype.to_string()).collect::<Vec<_>>(),
            ),
            Column::new(
                "required".into(),
                ps.iter().map(|p| p.is_required()).collect::<Vec<_>>(),
            ),
            Column::new(
                "default".into(),
                ps.iter()
                    .map(|p| p.default.as_ref().map(|d| d.to_string()))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "aliases".into(),
                ps.iter().map(|p| p.aliases.join(", ")).collect::<Vec<_>>(),
            ),
            Column::new(
                "description".into(),
                ps.iter().map(|p| p.description.clone()).collect::<Vec<_>>(),
            ),
        ])
        .ctx("listing query parameters")
    }
}

impl NotebookDisplay for QueryHelp {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-query-help")]);
        b.element(
            "h4",
            &[],
            &format!("{} · {}", self.environment, self.def.full_name()),
        );
        b.element("p", &[], &self.def.description);
        let mut html = b.finish();
        // table_html escapes every cell
        match self.params_df() {
            Ok(df) => html.push_str(&table_html(
                &df,
                &TableOptions::new().max_rows(200).caption("Parameters"),
            )),
            Err(e) => {
                let mut e_b = HtmlBuilder::new();
                e_b.element("pre", &[], &e.to_string());
                html.push_str(&e_b.finish());
            }
        }
        let mut t = HtmlBuilder::new();
        t.element(
            "pre",
            &[("class", "huntbook-query-template")],
            &self.def.template,
        );
        t.close("div");
        html.push_str(&t.finish());
        html
    }

    fn to_text(&self) -> String {
        format!(
            "Query: {}\nData source: {}\n{}\nQuery:\n{}",
            self.def.full_name(),
            self.environment,
            help_text(&self.def),
            self.def.template
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> QueryStore {
        let yaml = "
metadata:
  version: 1
  description: Test queries
  data_environments: [LogAnalytics, Kusto]
  data_families: [WindowsSecurity, Alerts.type1]
sources:
  list_host_processes:
    description: Processes <script>alert(1)</script> on a host
    args:
      query: 'SecurityEvent | where Computer == \"{host_name}\"'
    parameters:
      host_name:
        description: The host
        type: str
";
        let mut s = QueryStore::new();
        for q in QueryFile::from_yaml_str(yaml, "t.yaml").unwrap().queries {
            s.add(q);
        }
        s
    }

    #[test]
    fn lookup_by_family_name_alias_env() {
        let s = store();
        assert_eq!(s.environments(), ["Kusto", "MSSentinel"]);
        assert_eq!(
            s.get("LogAnalytics", "WindowsSecurity.list_host_processes")
                .unwrap()
                .name,
            "list_host_processes"
        );
        assert_eq!(
            s.get("AzureSentinel", "Alerts.type1.list_host_processes")
                .unwrap()
                .name,
            "list_host_processes"
        );
        // the same query under two families is not ambiguous
        assert_eq!(
            s.get("kusto", "list_host_processes").unwrap().name,
            "list_host_processes"
        );
        let err = s
            .get("MSSentinel", "host_processes")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid query 'host_processes' in MSSentinel: not found; did you mean: Alerts.type1.list_host_processes, WindowsSecurity.list_host_processes"
        );
        let err = s.get("Splunk", "x").unwrap_err().to_string();
        assert!(
            err.contains("no queries loaded for it; environments: Kusto, MSSentinel"),
            "{err}"
        );
    }

    #[test]
    fn list_search_and_escaped_html() {
        let s = store();
        assert_eq!(s.list(Some("MSSentinel"), None).unwrap().len(), 2);
        assert_eq!(s.list(None, Some("processes")).unwrap().len(), 4);
        assert_eq!(s.search(Some("Kusto"), "SecurityEvent").unwrap().len(), 2);
        assert_eq!(s.search(Some("Kusto"), "host_name").unwrap().len(), 2);
        assert!(s.search(None, "nothing-like-this").unwrap().is_empty());
        let html = s.list(None, None).unwrap().to_html();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let help = s
            .help("MSSentinel", "WindowsSecurity.list_host_processes")
            .unwrap();
        assert!(!help.to_html().contains("<script>alert"));
        assert!(
            help.to_text().starts_with(
                "Query: WindowsSecurity.list_host_processes\nData source: MSSentinel\n"
            )
        );
    }
}

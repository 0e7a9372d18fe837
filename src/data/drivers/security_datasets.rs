//! OTRF Security-Datasets (formerly Mordor): a catalogue of recorded attack
//! simulations, searchable by ATT&CK technique, tactic and text, and each
//! dataset's zip of JSON-lines events as a DataFrame.
//!
//! The catalogue comes from the datasets' metadata YAML files, either in a
//! local copy of the repository ([`SecurityDatasets::from_folder`]),
//! MSTICPy's catalogue cache (`mordor_cache.json`,
//! [`SecurityDatasets::from_catalogue_json`]) or downloaded from a
//! configurable base URL and cached on disk ([`SecurityDatasets::fetch`]).
//! Downloads are bounded in size, written atomically, and zips are read
//! without extracting ([`crate::data::archive`]).
//!
//! Search terms match the id, title, description, tags, platforms, file
//! paths, technique ids (`T1003`, `T1003.001`) and tactic ids (`TA0006`),
//! case-insensitively; `a, b` matches either, `a + b` both
//! (`"T1003 + lsass, T1021"`).
//!
//! ```
//! use huntbook::prelude::*;
//! let sd = SecurityDatasets::from_folder(huntbook::data::bundled("security-datasets")?)?;
//! let hits = sd.search("T1003 + lsass");
//! assert!(hits.ids().contains(&"SDWIN-190518202151".to_string()));
//! let df = sd.load("SDWIN-201102041306")?;   // psh_powershell_httplistener
//! assert_eq!(df.height(), 110);
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::{BoxFuture, Connection, Driver, DriverQuery, QueryContext, QueryOutput};
use crate::data::archive::{ZipJsonOptions, read_json_lines_zip_with};
use crate::data::query::Dialect;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde_yaml::Value;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;
use std::time::Duration;

/// The upstream repository's raw-file base URL.
pub const DEFAULT_BASE_URL: &str =
    "https://raw.githubusercontent.com/OTRF/Security-Datasets/master/";
/// The upstream repository's file listing (a git tree listing in JSON).
pub const DEFAULT_CATALOGUE_URL: &str =
    "https://api.github.com/repos/OTRF/Security-Datasets/git/trees/master?recursive=1";
/// Largest metadata file downloaded.
const MAX_METADATA_BYTES: u64 = 1 << 20;
/// Largest catalogue listing downloaded.
const MAX_LISTING_BYTES: u64 = 64 << 20;

/// One file of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetFile {
    /// `Host`, `Network`, `cloud`…
    pub kind: String,
    /// The link in the metadata.
    pub link: String,
    /// The path inside the repository (`datasets/atomic/windows/…/x.zip`),
    /// when the link points into it.
    pub path: Option<String>,
}

/// A dataset's catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetMeta {
    /// `SDWIN-190518202151`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Platforms (`Windows`).
    pub platforms: Vec<String>,
    /// `atomic` or `compound`.
    pub kind: String,
    /// Tags.
    pub tags: Vec<String>,
    /// ATT&CK techniques: `T1003` and, with a sub-technique, `T1003.001`.
    pub techniques: Vec<String>,
    /// ATT&CK tactics (`TA0006`).
    pub tactics: Vec<String>,
    /// Contributors.
    pub contributors: Vec<String>,
    /// Creation date as written.
    pub creation_date: String,
    /// Modification date as written.
    pub modification_date: String,
    /// Files.
    pub files: Vec<DatasetFile>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(other) => scalar_text(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The repository path of a link (`…/master/datasets/x.zip` → `datasets/x.zip`),
/// checked to stay inside the repository.
pub fn repo_path(link: &str) -> Option<String> {
    let idx = link
        .find("/datasets/")
        .map(|i| i + 1)
        .or_else(|| link.starts_with("datasets/").then_some(0))?;
    let rel = link.get(idx..)?.split(['?', '#']).next()?;
    safe_relative(rel).then(|| rel.to_string())
}

fn safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl DatasetMeta {
    /// Reads a metadata mapping (a YAML file's or a catalogue cache entry's).
    pub fn from_value(v: &Value, label: &str) -> Result<Self> {
        let s = |k: &str| v.get(k).and_then(scalar_text).unwrap_or_default();
        let id = s("id");
        if id.is_empty() {
            return Err(Error::invalid(
                format!("dataset metadata '{label}'"),
                "has no 'id'",
            ));
        }
        let mut techniques = Vec::new();
        let mut tactics = Vec::new();
        if let Some(Value::Sequence(maps)) = v.get("attack_mappings") {
            for m in maps {
                if let Some(t) = m.get("technique").and_then(scalar_text) {
                    if !techniques.contains(&t) {
                        techniques.push(t.clone());
                    }
                    if let Some(sub) = m.get("sub-technique").and_then(scalar_text) {
                        let full = format!("{t}.{sub:0>3}");
                        if !techniques.contains(&full) {
                            techniques.push(full);
                        }
                    }
                }
                for ta in strings(m.get("tactics")) {
                    if !tactics.contains(&ta) {
                        tactics.push(ta);
                    }
                }
            }
        }
        let files = match v.get("files") {
            Some(Value::Sequence(fs)) => fs
                .iter()
                .filter_map(|f| {
                    let link = f.get("link").and_then(scalar_text)?;
                    Some(DatasetFile {
                        kind: f.get("type").and_then(scalar_text).unwrap_or_default(),
                        path: repo_path(&link),
                        link,
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            id,
            title: s("title"),
            description: s("description"),
            platforms: strings(v.get("platform")),
            kind: s("type"),
            tags: strings(v.get("tags")),
            techniques,
            tactics,
            contributors: strings(v.get("contributors")),
            creation_date: s("creation_date"),
            modification_date: s("modification_date"),
            files,
        })
    }

    fn haystack(&self) -> String {
        let mut parts = vec![
            self.id.clone(),
            self.title.clone(),
            self.description.clone(),
            self.kind.clone(),
        ];
        parts.extend(self.platforms.iter().cloned());
        parts.extend(self.tags.iter().cloned());
        parts.extend(self.techniques.iter().cloned());
        parts.extend(self.tactics.iter().cloned());
        parts.extend(self.files.iter().filter_map(|f| f.path.clone()));
        parts.join("\n").to_lowercase()
    }

    /// The query name a dataset file gets: its folder as the family
    /// (`atomic.windows.credential_access.host`) and its stem as the name.
    pub fn query_name(file: &DatasetFile) -> Option<(String, String)> {
        let path = file.path.as_ref()?;
        let rel = path.strip_prefix("datasets/").unwrap_or(path);
        let (dir, fname) = rel.rsplit_once('/')?;
        let stem = fname.split('.').next().unwrap_or(fname);
        Some((dir.replace('/', "."), super::localdata::table_name(stem)))
    }
}

/// Where datasets come from.
#[derive(Debug, Clone)]
enum Source {
    Folder(PathBuf),
    Remote(FetchOptions),
}

/// Where and how to download the catalogue and datasets.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    base_url: String,
    catalogue_url: Option<String>,
    cache_dir: PathBuf,
    refresh: bool,
    timeout: Duration,
    max_download_bytes: u64,
}

impl FetchOptions {
    /// Downloads from `base_url` (a folder laid out as the repository),
    /// caching in `cache_dir`. The catalogue listing defaults to
    /// `{base_url}` + the upstream tree listing's format at
    /// [`DEFAULT_CATALOGUE_URL`] when the base is upstream, else
    /// `{base_url}catalogue.json`.
    pub fn new(base_url: impl Into<String>, cache_dir: impl Into<PathBuf>) -> Self {
        let mut base: String = base_url.into();
        if !base.ends_with('/') {
            base.push('/');
        }
        Self {
            base_url: base,
            catalogue_url: None,
            cache_dir: cache_dir.into(),
            refresh: false,
            timeout: Duration::from_secs(60),
            max_download_bytes: 1 << 30,
        }
    }

    /// The upstream repository, cached in `cache_dir`.
    pub fn upstream(cache_dir: impl Into<PathBuf>) -> Self {
        Self::new(DEFAULT_BASE_URL, cache_dir).catalogue_url(DEFAULT_CATALOGUE_URL)
    }

    /// The URL of the file listing: either a git tree listing
    /// (`{"tree": [{"path": …}]}`, metadata files are then fetched from the
    /// base URL) or a catalogue cache (`{"<path>.yaml": {metadata…}}`).
    pub fn catalogue_url(mut self, url: impl Into<String>) -> Self {
        self.catalogue_url = Some(url.into());
        self
    }

    /// Downloads the catalogue again even when a cached one exists.
    pub fn refresh(mut self, yes: bool) -> Self {
        self.refresh = yes;
        self
    }

    /// Per-request timeout (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Largest file downloaded (default 1 GiB).
    pub fn max_download_bytes(mut self, n: u64) -> Self {
        self.max_download_bytes = n;
        self
    }

    fn listing_url(&self) -> String {
        self.catalogue_url
            .clone()
            .unwrap_or_else(|| format!("{}catalogue.json", self.base_url))
    }

    fn client(&self) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(concat!("huntbook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::invalid("HTTP client", e.to_string()))
    }
}

/// GETs a URL into memory, refusing more than `max` bytes.
async fn get_bounded(client: &reqwest::Client, url: &str, max: u64) -> Result<Vec<u8>> {
    let what = || format!("download '{url}'");
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| Error::invalid(what(), e.to_string()))?;
    if !resp.status().is_success() {
        return Err(Error::invalid(
            what(),
            format!("HTTP status {}", resp.status()),
        ));
    }
    if let Some(n) = resp.content_length()
        && n > max
    {
        return Err(Error::invalid(
            what(),
            format!("{n} bytes, more than the limit of {max}"),
        ));
    }
    let mut buf = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::invalid(what(), e.to_string()))?
    {
        if buf.len() as u64 + chunk.len() as u64 > max {
            return Err(Error::invalid(
                what(),
                format!("more than the limit of {max} bytes"),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
    }
    let tmp = path.with_extension(format!("part{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io("writing", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("writing", path, e))
}

/// The Security-Datasets catalogue and the datasets' data.
#[derive(Debug, Clone)]
pub struct SecurityDatasets {
    datasets: Vec<DatasetMeta>,
    source: Source,
}

impl SecurityDatasets {
    /// Reads the catalogue from a local copy of the repository: every
    /// `_metadata/*.yaml` under `root` (zips are read from `root` too).
    pub fn from_folder(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        if !root.is_dir() {
            return Err(Error::invalid(
                format!("Security-Datasets folder '{}'", root.display()),
                "is not a folder",
            ));
        }
        let mut files = Vec::new();
        find_metadata(root, 0, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(Error::invalid(
                format!("Security-Datasets folder '{}'", root.display()),
                "has no _metadata/*.yaml files",
            ));
        }
        let mut datasets = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| Error::io("reading", &f, e))?;
            let v: Value = serde_yaml::from_str(&text).map_err(|e| {
                Error::invalid(
                    format!("dataset metadata '{}'", f.display()),
                    format!("not valid YAML: {e}"),
                )
            })?;
            datasets.push(DatasetMeta::from_value(&v, &f.display().to_string())?);
        }
        datasets.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Self {
            datasets,
            source: Source::Folder(root.to_path_buf()),
        })
    }

    /// Reads MSTICPy's catalogue cache (`mordor_cache.json`: metadata path →
    /// metadata); datasets are read from `root` when given.
    pub fn from_catalogue_json(path: impl AsRef<Path>, root: Option<&Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        let datasets = parse_catalogue_cache(&text, &path.display().to_string())?;
        let source = Source::Folder(
            root.map(Path::to_path_buf)
                .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf()),
        );
        Ok(Self { datasets, source })
    }

    /// Downloads (or reads from the cache) the catalogue; datasets are
    /// downloaded on first use and cached. Blocking.
    pub fn fetch(options: FetchOptions) -> Result<Self> {
        crate::session::block_on(Self::fetch_async(options))?
    }

    /// Downloads (or reads from the cache) the catalogue.
    pub async fn fetch_async(options: FetchOptions) -> Result<Self> {
        let cache = options.cache_dir.join("catalogue.json");
        if cache.is_file() && !options.refresh {
            let text =
                std::fs::read_to_string(&cache).map_err(|e| Error::io("reading", &cache, e))?;
            let datasets = parse_catalogue_cache(&text, &cache.display().to_string())?;
            return Ok(Self {
                datasets,
                source: Source::Remote(options),
            });
        }
        let client = options.client()?;
        let url = options.listing_url();
        let listing = get_bounded(&client, &url, MAX_LISTING_BYTES).await?;
        let json: serde_json::Value =
            serde_json::from_slice(&listing).map_err(|source| Error::Json {
                context: format!("catalogue listing '{url}'"),
                source,
            })?;
        let mut cache_map = serde_json::Map::new();
        if let Some(tree) = json.get("tree").and_then(|t| t.as_array()) {
            let mut paths: Vec<String> = tree
                .iter()
                .filter_map(|e| e.get("path").and_then(|p| p.as_str()))
                .filter(|p| {
                    p.contains("_metadata/")
                        && (p.ends_with(".yaml") || p.ends_with(".yml"))
                        && safe_relative(p)
                })
                .map(String::from)
                .collect();
            paths.sort();
            for p in paths {
                let murl = format!("{}{p}", options.base_url);
                let bytes = get_bounded(&client, &murl, MAX_METADATA_BYTES).await?;
                let v: serde_json::Value = serde_yaml::from_slice(&bytes).map_err(|e| {
                    Error::invalid(
                        format!("dataset metadata '{murl}'"),
                        format!("not valid YAML: {e}"),
                    )
                })?;
                cache_map.insert(p, v);
            }
        } else if let Some(map) = json.as_object() {
            cache_map = map.clone();
        } else {
            return Err(Error::invalid(
                format!("catalogue listing '{url}'"),
                "expected a git tree listing ({\"tree\": [...]}) or a catalogue cache object",
            ));
        }
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(cache_map)).map_err(
            |source| Error::Json {
                context: "writing the catalogue cache".into(),
                source,
            },
        )?;
        let datasets = parse_catalogue_cache(&text, &url)?;
        write_atomic(&cache, text.as_bytes())?;
        Ok(Self {
            datasets,
            source: Source::Remote(options),
        })
    }

    /// Every dataset, by id.
    pub fn datasets(&self) -> &[DatasetMeta] {
        &self.datasets
    }

    /// The whole catalogue.
    pub fn list(&self) -> DatasetList {
        DatasetList {
            rows: self.datasets.clone(),
            local: self.datasets.iter().map(|d| self.is_local(d)).collect(),
        }
    }

    /// Datasets matching a search expression (see the module docs).
    pub fn search(&self, expr: &str) -> DatasetList {
        let groups: Vec<Vec<String>> = expr
            .split(',')
            .map(|g| {
                g.split('+')
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| !g.is_empty())
            .collect();
        let rows: Vec<DatasetMeta> = self
            .datasets
            .iter()
            .filter(|d| {
                let h = d.haystack();
                groups
                    .iter()
                    .any(|g| g.iter().all(|t| h.contains(t.as_str())))
            })
            .cloned()
            .collect();
        let local = rows.iter().map(|d| self.is_local(d)).collect();
        DatasetList { rows, local }
    }

    /// A dataset by id (`SDWIN-…`), title, or file stem.
    pub fn get(&self, key: &str) -> Result<&DatasetMeta> {
        let k = key.trim();
        self.datasets
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(k))
            .or_else(|| {
                self.datasets
                    .iter()
                    .find(|d| d.title.eq_ignore_ascii_case(k))
            })
            .or_else(|| {
                self.datasets.iter().find(|d| {
                    d.files.iter().any(|f| {
                        f.path.as_deref() == Some(k)
                            || DatasetMeta::query_name(f)
                                .is_some_and(|(fam, n)| n == k || format!("{fam}.{n}") == k)
                    })
                })
            })
            .ok_or_else(|| {
                Error::invalid(
                    format!("dataset '{key}'"),
                    "not in the catalogue; search it with search(\"…\")",
                )
            })
    }

    fn local_file(&self, f: &DatasetFile) -> Option<PathBuf> {
        let rel = f.path.as_ref()?;
        let base = match &self.source {
            Source::Folder(root) => root.clone(),
            Source::Remote(o) => o.cache_dir.clone(),
        };
        let p = base.join(rel);
        p.is_file().then_some(p)
    }

    fn is_local(&self, d: &DatasetMeta) -> bool {
        d.files.iter().any(|f| self.local_file(f).is_some())
    }

    /// Loads a dataset's first zip file as one frame. Blocking.
    pub fn load(&self, key: &str) -> Result<DataFrame> {
        crate::session::block_on(self.load_async(key))?
    }

    /// Loads a dataset's first zip file (downloading it first when the
    /// catalogue is remote and the file is not cached).
    pub async fn load_async(&self, key: &str) -> Result<DataFrame> {
        let meta = self.get(key)?;
        let file = meta
            .files
            .iter()
            .find(|f| f.path.as_deref().is_some_and(|p| p.ends_with(".zip")))
            .ok_or_else(|| {
                let kinds: Vec<&str> = meta.files.iter().map(|f| f.link.as_str()).collect();
                Error::invalid(
                    format!("dataset '{}'", meta.id),
                    format!("has no .zip file in the repository (files: {}); only zipped JSON-lines datasets are read", kinds.join(", ")),
                )
            })?;
        let path = match (self.local_file(file), &self.source) {
            (Some(p), _) => p,
            (None, Source::Remote(o)) => {
                let rel = file.path.clone().unwrap_or_default();
                let url = format!("{}{rel}", o.base_url);
                let bytes = get_bounded(&o.client()?, &url, o.max_download_bytes).await?;
                let target = o.cache_dir.join(&rel);
                write_atomic(&target, &bytes)?;
                target
            }
            (None, Source::Folder(root)) => {
                return Err(Error::invalid(
                    format!("dataset '{}'", meta.id),
                    format!(
                        "file '{}' is not in '{}'",
                        file.path.as_deref().unwrap_or(""),
                        root.display()
                    ),
                ));
            }
        };
        read_json_lines_zip_with(&path, &ZipJsonOptions::default())
    }
}

fn parse_catalogue_cache(text: &str, label: &str) -> Result<Vec<DatasetMeta>> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|source| Error::Json {
        context: format!("catalogue '{label}'"),
        source,
    })?;
    let obj = json.as_object().ok_or_else(|| {
        Error::invalid(
            format!("catalogue '{label}'"),
            "expected an object of metadata path → metadata",
        )
    })?;
    let mut out = Vec::new();
    for (k, v) in obj {
        let yaml: Value = serde_yaml::to_value(v)
            .map_err(|e| Error::invalid(format!("catalogue entry '{k}'"), e.to_string()))?;
        out.push(DatasetMeta::from_value(&yaml, k)?);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn find_metadata(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    if depth > 8 {
        return Ok(());
    }
    for e in std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))? {
        let e = e.map_err(|e| Error::io("listing", dir, e))?;
        let p = e.path();
        let ft = e.file_type().map_err(|e| Error::io("reading", &p, e))?;
        if ft.is_dir() {
            find_metadata(&p, depth + 1, out)?;
        } else if ft.is_file()
            && dir.file_name().is_some_and(|n| n == "_metadata")
            && p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x == "yaml" || x == "yml")
        {
            out.push(p);
        }
    }
    Ok(())
}

/// A list of datasets: `id`, `title`, `platform`, `type`, `techniques`,
/// `tactics`, `tags`, `files`, `local` (available without download).
#[derive(Debug, Clone, Default)]
pub struct DatasetList {
    rows: Vec<DatasetMeta>,
    local: Vec<bool>,
}

impl DatasetList {
    /// The dataset ids.
    pub fn ids(&self) -> Vec<String> {
        self.rows.iter().map(|d| d.id.clone()).collect()
    }
    /// The datasets.
    pub fn datasets(&self) -> &[DatasetMeta] {
        &self.rows
    }
    /// How many.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// As a frame.
    pub fn df(&self) -> Result<DataFrame> {
        let col = |name: &str, f: &dyn Fn(&DatasetMeta) -> String| {
            Column::new(
                name.into(),
                self.rows.iter().map(f).collect::<Vec<String>>(),
            )
        };
        DataFrame::new_infer_height(vec![
            col("id", &|d| d.id.clone()),
            col("title", &|d| d.title.clone()),
            col("platform", &|d| d.platforms.join(", ")),
            col("type", &|d| d.kind.clone()),
            col("techniques", &|d| d.techniques.join(", ")),
            col("tactics", &|d| d.tactics.join(", ")),
            col("tags", &|d| d.tags.join(", ")),
            col("files", &|d| {
                d.files
                    .iter()
                    .filter_map(|f| f.path.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            Column::new("local".into(), self.local.clone()),
        ])
        .ctx("listing datasets")
    }
}

impl NotebookDisplay for DatasetList {
    fn to_html(&self) -> String {
        match self.df() {
            Ok(df) => table_html(
                &df,
                &TableOptions::new()
                    .max_rows(200)
                    .caption(format!("{} datasets", self.rows.len())),
            ),
            Err(e) => {
                let mut b = HtmlBuilder::new();
                b.element("pre", &[], &e.to_string());
                b.finish()
            }
        }
    }
    fn to_text(&self) -> String {
        self.df()
            .map(|d| table_text(&d))
            .unwrap_or_else(|e| e.to_string())
    }
}

/// The Security-Datasets driver: each dataset file is a query
/// (`atomic.windows.credential_access.host.empire_mimikatz_logonpasswords`).
#[derive(Debug)]
pub struct SecurityDatasetsDriver {
    catalogue: RwLock<Option<SecurityDatasets>>,
    fetch: Option<FetchOptions>,
}

impl SecurityDatasetsDriver {
    /// A driver over a local copy of the repository.
    pub fn from_folder(root: impl AsRef<Path>) -> Result<Self> {
        Ok(Self {
            catalogue: RwLock::new(Some(SecurityDatasets::from_folder(root)?)),
            fetch: None,
        })
    }

    /// A driver that downloads the catalogue when it connects.
    pub fn remote(options: FetchOptions) -> Self {
        Self {
            catalogue: RwLock::new(None),
            fetch: Some(options),
        }
    }

    /// The catalogue (after connecting).
    pub fn catalogue(&self) -> Result<SecurityDatasets> {
        self.catalogue
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                Error::invalid(
                    "Security-Datasets driver",
                    "not connected: the catalogue is not loaded",
                )
            })
    }
}

impl Driver for SecurityDatasetsDriver {
    fn environment(&self) -> &str {
        "SecurityDatasets"
    }
    fn dialect(&self) -> Dialect {
        Dialect::Default
    }
    fn connect<'a>(&'a self, _connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if let Some(opts) = &self.fetch {
                let cat = SecurityDatasets::fetch_async(opts.clone()).await?;
                *self.catalogue.write().unwrap_or_else(|p| p.into_inner()) = Some(cat);
            }
            Ok(())
        })
    }
    fn execute<'a>(
        &'a self,
        query: &'a str,
        _context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(async move {
            let cat = self.catalogue()?;
            Ok(QueryOutput::complete(cat.load_async(query).await?))
        })
    }
    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        let Ok(cat) = self.catalogue() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for d in cat.datasets() {
            for f in &d.files {
                if let (Some((family, name)), Some(path)) = (DatasetMeta::query_name(f), &f.path)
                    && path.ends_with(".zip")
                {
                    out.push(DriverQuery {
                        family,
                        name,
                        query: path.clone(),
                        description: format!("{} ({})", d.title, d.id),
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_are_safe() {
        assert_eq!(
            repo_path("https://raw.githubusercontent.com/OTRF/Security-Datasets/master/datasets/atomic/windows/x.zip").as_deref(),
            Some("datasets/atomic/windows/x.zip")
        );
        assert_eq!(repo_path("https://x/datasets/../../etc/passwd"), None);
        assert_eq!(repo_path("https://x/other/file.zip"), None);
    }

    #[test]
    fn query_names_follow_the_folders() {
        let f = DatasetFile {
            kind: "Host".into(),
            link: String::new(),
            path: Some(
                "datasets/atomic/windows/credential_access/host/empire_mimikatz_logonpasswords.zip"
                    .into(),
            ),
        };
        assert_eq!(
            DatasetMeta::query_name(&f),
            Some((
                "atomic.windows.credential_access.host".into(),
                "empire_mimikatz_logonpasswords".into()
            ))
        );
    }
}

//! Azure Data Explorer (Kusto): the v2 query REST endpoint.
//!
//! [`KustoDriver`] posts `{"db", "csl", "properties": {"Options": …}}` to
//! `{cluster}/v2/rest/query` and reads the v2 answer, an array of frames:
//! `DataSetHeader`, `DataTable`s (the `PrimaryResult` is the result;
//! `QueryCompletionInformation` warnings are passed on),
//! `TableHeader`/`TableFragment`/`TableCompletion` when progressive, and
//! `DataSetCompletion` with `HasErrors`/`Cancelled`/`OneApiErrors`. Rows
//! are converted to typed polars columns as they are parsed (see
//! [`super::kusto_types`]). Errors reported by the service (a failed shard,
//! a result-set limit) make the result partial, or an error with
//! `fail_on_partial`.
//!
//! Clusters come from `KustoClusters` in the settings (MSTICPy's layout:
//! `ClusterDefaults`, `ClusterGroups`, one entry per cluster with `Cluster`,
//! `TenantId`, `ClientId`, `ClientSecret`, `IntegratedAuth`, and huntbook's
//! optional `Database`). A query whose metadata names `cluster`,
//! `clusters` or `cluster_groups` runs on a matching cluster (the connected
//! one when it matches, else the first configured match) and with its
//! `database`; [`KustoDriver::query_usable`] tells which queries a
//! connection can run, as MSTICPy's driver does. Several clusters can be
//! connected at once (`cluster: "a,b"`): the query runs on each
//! concurrently and a failure names the cluster.
//!
//! ```
//! use huntbook::data::drivers::kusto::parse_v2_response;
//! let hb = huntbook::Huntbook::new()?;
//! let body = std::fs::read(hb.data_path("msticpy/testdata/kusto/kusto_raw_resp.json")?).unwrap();
//! let answer = parse_v2_response(&body, None)?;
//! assert_eq!(answer.primary()?.shape(), (10, 130));
//! assert!(!answer.has_errors);
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::loganalytics::{driver_http_options, name_failure, status_error};
mod v2;

pub use v2::{KustoResponse, KustoTable, parse_v2_response};

use super::{BoxFuture, Completeness, Connection, Driver, QueryContext, QueryOutput};
use crate::azure::auth::{TokenSource, send_with_token};
use crate::azure::cloud::AzureCloud;
use crate::azure::credential::AzureCredential;
use crate::config::Settings;
use crate::data::query::{Dialect, QueryDefinition, QueryStore};
use crate::enrich::ti::limit::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A configured cluster.
#[derive(Debug, Clone)]
pub struct KustoCluster {
    /// The entry's name in `KustoClusters` (or the host's first label).
    pub name: String,
    /// The cluster URL (`https://help.kusto.windows.net`).
    pub url: String,
    /// The default database, when configured.
    pub database: Option<String>,
    tokens: Arc<dyn TokenSource>,
}

impl KustoCluster {
    /// A cluster at `url` (or a short name, completed with the cloud's
    /// Kusto suffix) with tokens from `tokens`.
    pub fn new(url: &str, tokens: Arc<dyn TokenSource>) -> Self {
        let url = AzureCloud::global().kusto_cluster_url(url);
        Self {
            name: short_name(&url),
            url,
            database: None,
            tokens,
        }
    }

    /// Sets the default database.
    pub fn database(mut self, db: impl Into<String>) -> Self {
        self.database = Some(db.into());
        self
    }

    /// Sets the name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// True when `text` (a config name, URL, host or the host's first
    /// label) names this cluster, case-insensitively.
    pub fn matches(&self, text: &str) -> bool {
        let t = text.trim().trim_end_matches('/').to_ascii_lowercase();
        let url = self.url.to_ascii_lowercase();
        let host = host_of(&url);
        t == self.name.to_ascii_lowercase()
            || t == url
            || t == host
            || t == short_name(&url)
            || host_of(&t) == host
    }

    fn scope(&self) -> String {
        format!("{}/.default", self.url)
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|x| x.1).unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or("").to_string()
}

fn short_name(url: &str) -> String {
    let host = host_of(url);
    host.split('.').next().unwrap_or(&host).to_string()
}

/// The cluster(s) and database a query's metadata asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryTarget {
    /// `cluster` and `clusters`.
    pub clusters: Vec<String>,
    /// `cluster_groups`.
    pub groups: Vec<String>,
    /// `database`.
    pub database: Option<String>,
}

impl QueryTarget {
    /// Reads `cluster`, `clusters`, `cluster_groups` and `database` from a
    /// query's merged metadata.
    pub fn of(def: &QueryDefinition) -> Self {
        let get = |k: &str| def.metadata.get(k);
        let list = |k: &str| -> Vec<String> {
            match get(k) {
                Some(serde_yaml::Value::Sequence(items)) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                Some(serde_yaml::Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let mut clusters = list("cluster");
        clusters.extend(list("clusters"));
        Self {
            clusters,
            groups: list("cluster_groups"),
            database: get("database").and_then(|v| v.as_str()).map(String::from),
        }
    }

    /// True when the query names no cluster (it runs anywhere).
    pub fn is_any(&self) -> bool {
        self.clusters.is_empty() && self.groups.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
struct KState {
    connected: Vec<usize>,
    database: Option<String>,
    server_timeout: Option<Duration>,
    truncation_max_records: Option<u64>,
    fail_on_partial: bool,
    targets: BTreeMap<String, QueryTarget>,
}

/// The Azure Data Explorer (Kusto) driver (see the module docs).
pub struct KustoDriver {
    clusters: Vec<KustoCluster>,
    groups: BTreeMap<String, Vec<String>>,
    http_opts: HttpOptions,
    clock: Arc<dyn Clock>,
    state: Mutex<KState>,
}

impl fmt::Debug for KustoDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KustoDriver")
            .field(
                "clusters",
                &self.clusters.iter().map(|c| &c.url).collect::<Vec<_>>(),
            )
            .field("connected", &self.connected())
            .finish()
    }
}

impl KustoDriver {
    /// A driver for these clusters (none connected yet).
    pub fn new(clusters: Vec<KustoCluster>) -> Self {
        Self {
            clusters,
            groups: BTreeMap::new(),
            http_opts: driver_http_options(),
            clock: Arc::new(SystemClock::new()),
            state: Mutex::new(KState::default()),
        }
    }

    /// A driver for the clusters in `KustoClusters`, each with a client
    /// secret credential when its entry (or `ClusterDefaults`) has
    /// `ClientSecret`, else the settings' credential chain; the cluster
    /// groups of `KustoClusters.ClusterGroups`; and the cluster targets of
    /// every Kusto query in the library (bundled and
    /// `QueryDefinitions.Custom`).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let cloud = AzureCloud::from_settings(settings)?;
        let entries = settings.providers("KustoClusters");
        let defaults = entries
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case("ClusterDefaults"));
        let shared: Arc<dyn TokenSource> = Arc::new(AzureCredential::from_settings(settings)?);
        let mut clusters = Vec::new();
        for p in &entries {
            if p.name.eq_ignore_ascii_case("ClusterDefaults")
                || p.name.eq_ignore_ascii_case("ClusterGroups")
            {
                continue;
            }
            let Some(url) = p.arg("Cluster") else {
                continue;
            };
            let arg = |k: &str| p.arg(k).or_else(|| defaults.and_then(|d| d.arg(k)));
            let secret = p
                .secret("ClientSecret")
                .ok()
                .or_else(|| defaults.and_then(|d| d.secret("ClientSecret").ok()))
                .cloned();
            let integrated = arg("IntegratedAuth").is_some_and(|v| v == "true");
            let tokens: Arc<dyn TokenSource> = match (secret, arg("ClientId"), integrated) {
                (Some(s), Some(id), false) => {
                    let tenant = arg("TenantId").ok_or_else(|| {
                        Error::invalid(
                            format!("setting KustoClusters.{}", p.name),
                            "ClientSecret is set but TenantId is not",
                        )
                    })?;
                    Arc::new(AzureCredential::client_secret(
                        cloud.clone(),
                        &tenant,
                        &id,
                        s,
                    )?)
                }
                _ => match arg("TenantId") {
                    Some(t) => Arc::new(
                        AzureCredential::builder_from_settings(settings)?
                            .tenant_id(t)
                            .build()?,
                    ),
                    None => shared.clone(),
                },
            };
            let mut c = KustoCluster::new(&cloud.kusto_cluster_url(&url), tokens).named(&p.name);
            if let Some(db) = arg("Database") {
                c = c.database(db);
            }
            clusters.push(c);
        }
        let mut groups = BTreeMap::new();
        if let Some(serde_yaml::Value::Mapping(m)) = settings.get("KustoClusters.ClusterGroups") {
            for (k, v) in m {
                if let (Some(k), serde_yaml::Value::Sequence(items)) = (k.as_str(), v) {
                    groups.insert(
                        k.to_ascii_lowercase(),
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(String::from))
                            .collect(),
                    );
                }
            }
        }
        let mut d = Self::new(clusters);
        d.groups = groups;
        let mut store = QueryStore::builtin()?;
        for dir in settings.query_paths().into_iter().skip(1) {
            if dir.is_dir() {
                store.load_dir(&dir)?;
            }
        }
        d.learn_queries(&store)?;
        Ok(d)
    }

    /// Records the cluster targets of the store's Kusto queries, so that
    /// [`Driver::execute`] sends each to its cluster and database.
    pub fn learn_queries(&self, store: &QueryStore) -> Result<()> {
        let list = store.list(Some("Kusto"), None)?;
        let mut targets = BTreeMap::new();
        for name in list.names() {
            if let Ok(def) = store.get("Kusto", &name) {
                let t = QueryTarget::of(&def);
                if !t.is_any() || t.database.is_some() {
                    targets.insert(def.full_name(), t);
                }
            }
        }
        if let Ok(mut s) = self.state.lock() {
            s.targets.extend(targets);
        }
        Ok(())
    }

    /// Adds a cluster group.
    pub fn group(mut self, name: &str, clusters: &[&str]) -> Self {
        self.groups.insert(
            name.to_ascii_lowercase(),
            clusters.iter().map(|c| c.to_string()).collect(),
        );
        self
    }

    /// The HTTP options (default: 5 min timeout, 512 MiB bodies).
    pub fn http_options(mut self, opts: HttpOptions) -> Self {
        self.http_opts = opts;
        self
    }

    /// The clock for retry waits.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The configured clusters.
    pub fn clusters(&self) -> &[KustoCluster] {
        &self.clusters
    }

    /// The connected clusters' URLs.
    pub fn connected(&self) -> Vec<String> {
        let st = self.snapshot();
        st.connected
            .iter()
            .filter_map(|i| self.clusters.get(*i).map(|c| c.url.clone()))
            .collect()
    }

    fn snapshot(&self) -> KState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn find(&self, text: &str) -> Option<usize> {
        self.clusters.iter().position(|c| c.matches(text))
    }

    fn target_indices(&self, t: &QueryTarget) -> Vec<usize> {
        let mut names: Vec<String> = t.clusters.clone();
        for g in &t.groups {
            if let Some(members) = self.groups.get(&g.to_ascii_lowercase()) {
                names.extend(members.iter().cloned());
            }
        }
        let mut out = Vec::new();
        for n in names {
            if let Some(i) = self.find(&n)
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
        out
    }

    /// MSTICPy's rule: a query with no cluster metadata is usable; one
    /// with `cluster`/`clusters`/`cluster_groups` is usable when a connected
    /// cluster (or, before connecting, a configured one) matches.
    pub fn query_usable(&self, def: &QueryDefinition) -> bool {
        let t = QueryTarget::of(def);
        if t.is_any() {
            return true;
        }
        let wanted = self.target_indices(&t);
        let st = self.snapshot();
        if st.connected.is_empty() {
            !wanted.is_empty()
        } else {
            wanted.iter().any(|i| st.connected.contains(i))
        }
    }

    /// Picks the clusters and database for a query.
    fn plan(&self, context: &QueryContext) -> Result<(Vec<usize>, KState)> {
        let st = self.snapshot();
        let target = context
            .query_name
            .as_ref()
            .and_then(|n| st.targets.get(n))
            .cloned();
        let chosen = match &target {
            Some(t) if !t.is_any() => {
                let wanted = self.target_indices(t);
                let on: Vec<usize> = wanted
                    .iter()
                    .copied()
                    .filter(|i| st.connected.contains(i))
                    .collect();
                if !on.is_empty() {
                    on
                } else if let Some(first) = wanted.first() {
                    vec![*first]
                } else {
                    let mut named = t.clusters.clone();
                    named.extend(t.groups.iter().map(|g| format!("group {g}")));
                    return Err(Error::invalid(
                        format!(
                            "Kusto query '{}'",
                            context.query_name.as_deref().unwrap_or("")
                        ),
                        format!(
                            "it targets {}, which is not in KustoClusters (configured: {})",
                            named.join(", "),
                            self.cluster_list()
                        ),
                    ));
                }
            }
            _ => st.connected.clone(),
        };
        if chosen.is_empty() {
            return Err(Error::invalid(
                "Kusto connection",
                format!(
                    "not connected to a cluster: connect with cluster=<name or URL> (configured: {})",
                    self.cluster_list()
                ),
            ));
        }
        let mut st = st;
        if let Some(db) = target.and_then(|t| t.database) {
            st.database = Some(db);
        }
        Ok((chosen, st))
    }

    fn cluster_list(&self) -> String {
        if self.clusters.is_empty() {
            "none".into()
        } else {
            self.clusters
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    async fn run_on(
        &self,
        cluster: &KustoCluster,
        st: &KState,
        query: &str,
        context: &QueryContext,
    ) -> Result<QueryOutput> {
        let db = st
            .database
            .clone()
            .or_else(|| cluster.database.clone())
            .ok_or_else(|| {
                Error::invalid(
                    format!("Kusto query on {}", cluster.url),
                    "no database: give database=<name> when connecting, in the query's metadata or in KustoClusters.<cluster>.Args.Database",
                )
            })?;
        let what = format!("Kusto query on {} database {db}", cluster.url);
        let mut options = serde_json::Map::new();
        let timeout = st.server_timeout.or(context.timeout);
        if let Some(t) = timeout {
            options.insert("servertimeout".into(), Value::String(timespan(t)));
        }
        if let Some(n) = st.truncation_max_records {
            options.insert("truncationmaxrecords".into(), Value::from(n));
        }
        options.insert("results_progressive_enabled".into(), Value::Bool(false));
        let body = serde_json::json!({
            "db": db,
            "csl": query,
            "properties": { "Options": options },
        });
        let body = serde_json::to_vec(&body).map_err(|e| Error::Json {
            context: "writing the Kusto request".into(),
            source: e,
        })?;
        let mut opts = self.http_opts.clone();
        if let Some(t) = timeout {
            // the client waits a little longer than the server
            opts.timeout = t + Duration::from_secs(30);
        }
        let client = HttpClient::new(opts, self.clock.clone())?;
        let url = format!("{}/v2/rest/query", cluster.url);
        let request_id = request_id();
        let reply = send_with_token(
            &client,
            cluster.tokens.as_ref(),
            &cluster.scope(),
            &what,
            |c| {
                c.post(url.as_str())
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/json; charset=utf-8",
                    )
                    .header(reqwest::header::ACCEPT, "application/json")
                    .header("x-ms-client-request-id", request_id.as_str())
                    .header("x-ms-app", "huntbook")
                    .body(body.clone())
            },
        )
        .await
        .map_err(|e| name_failure(&what, e))?;
        if !reply.is_success() {
            return Err(status_error(&what, reply.status, &reply.bytes));
        }
        let bytes = reply.bytes;
        let parsed = parse_v2_response(&bytes, context.max_rows)
            .map_err(|e| Error::Runtime(format!("{what}: {e}")))?;
        drop(bytes);
        let mut reasons = Vec::new();
        if parsed.has_errors || !parsed.errors.is_empty() {
            let text = if parsed.errors.is_empty() {
                "the service reported errors".to_string()
            } else {
                parsed.errors.join("; ")
            };
            if st.fail_on_partial {
                return Err(Error::Runtime(format!(
                    "{what}: partial result (fail_on_partial is set): {text}"
                )));
            }
            reasons.push(text);
        }
        if parsed.cancelled {
            reasons.push("the query was cancelled".into());
        }
        if parsed.dropped_rows > 0 {
            reasons.push(format!(
                "row limit {} reached: {} more rows not kept",
                context.max_rows.unwrap_or(0),
                parsed.dropped_rows
            ));
        }
        let warnings = parsed.warnings.clone();
        let df = parsed.into_primary()?;
        Ok(QueryOutput {
            df,
            completeness: if reasons.is_empty() {
                Completeness::Complete
            } else {
                Completeness::Partial {
                    reason: reasons.join("; "),
                }
            },
            warnings,
        })
    }

    /// Runs a query on its cluster(s) (async); see the module docs.
    pub async fn query(&self, query: &str, context: &QueryContext) -> Result<QueryOutput> {
        let (chosen, st) = self.plan(context)?;
        if chosen.len() == 1 {
            let c = self
                .clusters
                .get(chosen[0])
                .ok_or_else(|| Error::Runtime("Kusto cluster index out of range".into()))?;
            return self.run_on(c, &st, query, context).await;
        }
        let futures: Vec<BoxFuture<'_, Result<QueryOutput>>> = chosen
            .iter()
            .filter_map(|i| self.clusters.get(*i))
            .map(|c| Box::pin(self.run_on(c, &st, query, context)) as BoxFuture<'_, _>)
            .collect();
        let outs = super::run_concurrently(futures, self.max_parallel()).await;
        let mut frames = Vec::new();
        let mut failures = Vec::new();
        let mut reasons = Vec::new();
        let mut warnings = Vec::new();
        for (i, out) in chosen.iter().zip(outs) {
            let name = self
                .clusters
                .get(*i)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            match out {
                Ok(o) => {
                    if let Completeness::Partial { reason } = o.completeness {
                        reasons.push(format!("cluster {name}: {reason}"));
                    }
                    warnings.extend(
                        o.warnings
                            .into_iter()
                            .map(|w| format!("cluster {name}: {w}")),
                    );
                    frames.push(o.df);
                }
                Err(e) => failures.push(format!("cluster {name}: {e}")),
            }
        }
        if frames.is_empty() {
            return Err(Error::Runtime(format!(
                "the query failed on every cluster: {}",
                failures.join("; ")
            )));
        }
        reasons.extend(failures);
        Ok(QueryOutput {
            df: crate::data::provider::concat_union(frames)?,
            completeness: if reasons.is_empty() {
                Completeness::Complete
            } else {
                Completeness::Partial {
                    reason: reasons.join("; "),
                }
            },
            warnings,
        })
    }

    /// Checks the connection: runs `print huntbook = "ok"` on every
    /// connected cluster.
    pub async fn check(&self) -> Result<String> {
        let out = self
            .query("print huntbook = \"ok\"", &QueryContext::default())
            .await?;
        Ok(format!(
            "Kusto {}: query ran ({} row{})",
            self.connected().join(", "),
            out.df.height(),
            if out.df.height() == 1 { "" } else { "s" }
        ))
    }
}

/// A timespan in Kusto's `[d.]hh:mm:ss` form.
fn timespan(d: Duration) -> String {
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    if days > 0 {
        format!("{days}.{h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

fn request_id() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("huntbook;{n:x}")
}

fn option_bool(c: &Connection, key: &str) -> Option<bool> {
    c.options
        .get(key)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

impl Driver for KustoDriver {
    fn query_usable(&self, query: &QueryDefinition) -> bool {
        KustoDriver::query_usable(self, query)
    }

    fn environment(&self) -> &str {
        "Kusto"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Kql
    }

    /// Options: `cluster` (a name or URL, or several comma separated; a
    /// URL not in the settings is added with the first cluster's
    /// credential), `database`, `server_timeout` (seconds),
    /// `truncation_max_records`, `fail_on_partial`. With one configured
    /// cluster and no `cluster` option, that cluster is connected. No
    /// token is fetched until the first query.
    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut connected = Vec::new();
            if let Some(list) = connection.options.get("cluster") {
                for c in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    match self.find(c) {
                        Some(i) => connected.push(i),
                        None => {
                            return Err(Error::invalid(
                                format!("Kusto cluster '{c}'"),
                                format!(
                                    "not in KustoClusters (configured: {})",
                                    self.cluster_list()
                                ),
                            ));
                        }
                    }
                }
            } else if self.clusters.len() == 1 {
                connected.push(0);
            }
            let mut st = self
                .state
                .lock()
                .map_err(|_| Error::Runtime("Kusto driver state poisoned".into()))?;
            st.connected = connected;
            if let Some(db) = connection.options.get("database") {
                st.database = Some(db.trim().to_string()).filter(|d| !d.is_empty());
            }
            if let Some(v) = connection.options.get("server_timeout") {
                let secs: u64 = v.trim().parse().map_err(|_| {
                    Error::invalid(
                        "option 'server_timeout'",
                        format!("'{v}' is not a number of seconds"),
                    )
                })?;
                st.server_timeout = Some(Duration::from_secs(secs));
            }
            if let Some(v) = connection.options.get("truncation_max_records") {
                st.truncation_max_records = Some(v.trim().parse().map_err(|_| {
                    Error::invalid(
                        "option 'truncation_max_records'",
                        format!("'{v}' is not a whole number"),
                    )
                })?);
            }
            if let Some(b) = option_bool(connection, "fail_on_partial") {
                st.fail_on_partial = b;
            }
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(self.query(query, context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::auth::{AccessToken, StaticToken};

    fn tok() -> Arc<dyn TokenSource> {
        Arc::new(StaticToken::new(AccessToken::new("t", None)))
    }

    #[test]
    fn cluster_names_match() {
        let c = KustoCluster::new("help", tok());
        assert_eq!(c.url, "https://help.kusto.windows.net");
        assert!(c.matches("https://help.kusto.windows.net/"));
        assert!(c.matches("HELP"));
        assert!(c.matches("help.kusto.windows.net"));
        assert!(!c.matches("other"));
        assert_eq!(timespan(Duration::from_secs(90_061)), "1.01:01:01");
        assert_eq!(timespan(Duration::from_secs(240)), "00:04:00");
    }

    #[test]
    fn completion_with_errors_is_reported() {
        let body = br#"[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},
          {"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"a","ColumnType":"long"}],
           "Rows":[[1],{"OneApiErrors":[{"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be executed.","@message":"Query result set has exceeded the internal record count limit 1."}}]}]},
          {"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":false,"OneApiErrors":[{"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be executed.","@message":"Query result set has exceeded the internal record count limit 1."}}]}]"#;
        let r = parse_v2_response(body, None).unwrap();
        assert!(r.has_errors);
        assert_eq!(
            r.errors,
            ["LimitsExceeded: Query result set has exceeded the internal record count limit 1."]
        );
        assert_eq!(r.primary().unwrap().height(), 1);
    }

    #[test]
    fn progressive_frames() {
        let body = br#"[{"FrameType":"DataSetHeader","IsProgressive":true,"Version":"v2.0"},
          {"FrameType":"TableHeader","TableId":0,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"s","ColumnType":"string"}]},
          {"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":0,"Rows":[["a"],["b"]]},
          {"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":0,"Rows":[["c"]]},
          {"FrameType":"TableCompletion","TableId":0,"RowCount":3},
          {"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}]"#;
        let r = parse_v2_response(body, None).unwrap();
        assert_eq!(r.primary().unwrap().height(), 3);
        assert!(parse_v2_response(b"[]", None).is_err());
    }
}

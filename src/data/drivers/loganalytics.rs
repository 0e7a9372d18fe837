//! Microsoft Sentinel / Log Analytics: the Log Analytics query REST API.
//!
//! [`LogAnalyticsDriver`] posts KQL to
//! `{endpoint}/v1/workspaces/{id}/query` with the time span and, for
//! several workspaces at once, the other workspace ids; the answer's
//! `tables[].columns[]/rows[]` becomes a typed polars frame (see
//! [`super::kusto_types`]) as it is parsed, without a second copy of the
//! rows. A `200` answer with an `error` member (`PartialError`: a
//! workspace or shard failed, a limit was hit) is a partial result with
//! the error's text, or an error with [`LogAnalyticsDriver::fail_on_partial`].
//!
//! Workspaces come from `AzureSentinel.Workspaces` in the settings; tokens
//! from any [`TokenSource`] (usually
//! [`crate::azure::credential::AzureCredential`]) for the cloud's Log
//! Analytics scope. Every request goes through the shared
//! [`HttpClient`] (timeouts, retries, `429 Retry-After`, bounded bodies).
//!
//! ```
//! use huntbook::data::drivers::loganalytics::parse_query_response;
//! let hb = huntbook::Huntbook::new()?;
//! let body = std::fs::read(hb.data_path("msticpy/testdata/azmondata/az_mon_raw_query.json")?).unwrap();
//! let answer = parse_query_response(&body, None)?;
//! let df = answer.primary()?;
//! assert_eq!(df.shape(), (3, 34));
//! assert!(answer.error.is_none());
//! # Ok::<(), huntbook::Error>(())
//! ```

use super::kusto_types::{TableBuilder, error_text};
use super::{BoxFuture, Completeness, Connection, Driver, QueryContext, QueryOutput};
use crate::azure::auth::{TokenSource, send_with_token};
use crate::azure::cloud::AzureCloud;
use crate::azure::credential::AzureCredential;
use crate::config::Settings;
use crate::data::query::Dialect;
use crate::enrich::ti::limit::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpOptions};
use polars::prelude::DataFrame;
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The default request timeout of the remote drivers (a Log Analytics
/// query may run for up to 10 minutes on the server).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The default largest answer read by the remote drivers (512 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 512 << 20;

/// The HTTP options the remote drivers start from: [`DEFAULT_TIMEOUT`],
/// [`DEFAULT_MAX_BODY_BYTES`], the client's retries.
pub fn driver_http_options() -> HttpOptions {
    HttpOptions {
        timeout: DEFAULT_TIMEOUT,
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        ..HttpOptions::default()
    }
}

/// A parsed Log Analytics query answer.
#[derive(Debug, Clone)]
pub struct LaResponse {
    /// The tables, by name (`PrimaryResult` first).
    pub tables: Vec<(String, DataFrame)>,
    /// The text of a top-level `error` member (a partial result), if any.
    pub error: Option<String>,
    /// Conversion notes (bad values, unknown types).
    pub warnings: Vec<String>,
    /// Rows not kept because of the row limit.
    pub dropped_rows: usize,
}

impl LaResponse {
    /// The primary result (the table named `PrimaryResult`, else the first).
    pub fn primary(&self) -> Result<&DataFrame> {
        self.tables
            .iter()
            .find(|(n, _)| n == "PrimaryResult")
            .or_else(|| self.tables.first())
            .map(|(_, df)| df)
            .ok_or_else(|| Error::invalid("Log Analytics answer", "it has no tables"))
    }

    /// Takes the primary result out.
    pub fn into_primary(mut self) -> Result<DataFrame> {
        let i = self
            .tables
            .iter()
            .position(|(n, _)| n == "PrimaryResult")
            .unwrap_or(0);
        if i < self.tables.len() {
            Ok(self.tables.swap_remove(i).1)
        } else {
            Err(Error::invalid("Log Analytics answer", "it has no tables"))
        }
    }
}

impl crate::display::NotebookDisplay for LaResponse {
    fn to_html(&self) -> String {
        let t: Vec<(&str, &DataFrame)> = self.tables.iter().map(|(n, d)| (n.as_str(), d)).collect();
        super::kusto_types::answer_html(&t, self.error.as_deref(), &self.warnings)
    }
    fn to_text(&self) -> String {
        let t: Vec<(&str, &DataFrame)> = self.tables.iter().map(|(n, d)| (n.as_str(), d)).collect();
        super::kusto_types::answer_text(&t, self.error.as_deref(), &self.warnings)
    }
}

#[derive(Deserialize)]
struct LaColumn {
    name: String,
    #[serde(rename = "type", default)]
    ty: String,
}

struct TopSeed {
    max_rows: Option<usize>,
}

#[derive(Default)]
struct Top {
    tables: Vec<(String, TableBuilder)>,
    error: Option<Value>,
}

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed {
    type Value = Top;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Log Analytics answer object with `tables`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "tables" => {
                    top.tables = map.next_value_seed(TablesSeed {
                        max_rows: self.max_rows,
                    })?
                }
                "error" => top.error = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

struct TablesSeed {
    max_rows: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for TablesSeed {
    type Value = Vec<(String, TableBuilder)>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TablesSeed {
    type Value = Vec<(String, TableBuilder)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of tables")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(t) = seq.next_element_seed(TableSeed {
            max_rows: self.max_rows,
        })? {
            out.push(t);
        }
        Ok(out)
    }
}

struct TableSeed {
    max_rows: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for TableSeed {
    type Value = (String, TableBuilder);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TableSeed {
    type Value = (String, TableBuilder);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table with name, columns and rows")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut name = String::new();
        let mut builder: Option<TableBuilder> = None;
        // rows before columns (not what the service sends): kept as JSON
        // until the columns are known
        let mut early_rows: Option<Vec<Vec<Value>>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" | "TableName" => name = map.next_value()?,
                "columns" | "Columns" => {
                    let cols: Vec<LaColumn> = map.next_value()?;
                    builder = Some(
                        TableBuilder::new(cols.iter().map(|c| (c.name.as_str(), c.ty.as_str())))
                            .max_rows(self.max_rows),
                    );
                }
                "rows" | "Rows" => match builder.as_mut() {
                    Some(b) => map.next_value_seed(b.rows_seed())?,
                    None => early_rows = Some(map.next_value()?),
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut b = builder.ok_or_else(|| serde::de::Error::missing_field("columns"))?;
        for r in early_rows.unwrap_or_default() {
            b.push_row(r);
        }
        Ok((name, b))
    }
}

/// Parses a Log Analytics query answer (`{"tables": [{"name", "columns",
/// "rows"}], "error"?}`) into typed frames, streaming the rows into the
/// columns. `max_rows` keeps at most that many rows per table.
pub fn parse_query_response(body: &[u8], max_rows: Option<usize>) -> Result<LaResponse> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let top = TopSeed { max_rows }
        .deserialize(&mut de)
        .and_then(|t| de.end().map(|_| t))
        .map_err(|e| Error::Json {
            context: "reading the Log Analytics answer".into(),
            source: e,
        })?;
    let mut tables = Vec::with_capacity(top.tables.len());
    let mut warnings = Vec::new();
    let mut dropped = 0;
    for (name, b) in top.tables {
        dropped += b.dropped_rows();
        for e in b.row_errors() {
            warnings.push(format!("table '{name}': error record in the rows: {e}"));
        }
        let (df, w) = b.finish()?;
        warnings.extend(w.into_iter().map(|w| format!("table '{name}': {w}")));
        tables.push((name, df));
    }
    Ok(LaResponse {
        tables,
        error: top.error.as_ref().map(error_text),
        warnings,
        dropped_rows: dropped,
    })
}

/// Table → (column, type) from a workspace schema answer: the query API's
/// `GET …/metadata` (`{"tables": [{"name", "columns": [{"name", "type"}]}]}`)
/// or Azure Resource Manager's tables list (`{"value": [{"name",
/// "properties": {"schema": {"columns", "standardColumns"}}}]}`, MSTICPy's
/// `az_mon_schema.json`).
pub fn parse_schema(body: &[u8]) -> Result<BTreeMap<String, Vec<(String, String)>>> {
    let v: Value = serde_json::from_slice(body).map_err(|e| Error::Json {
        context: "reading the workspace schema".into(),
        source: e,
    })?;
    let cols = |arr: Option<&Value>| -> Vec<(String, String)> {
        arr.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| {
                        Some((
                            c.get("name")?.as_str()?.to_string(),
                            c.get("type")
                                .and_then(Value::as_str)
                                .unwrap_or("string")
                                .to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    if let Some(tables) = v.get("tables").and_then(Value::as_array) {
        for t in tables {
            if let Some(name) = t.get("name").and_then(Value::as_str) {
                out.insert(name.to_string(), cols(t.get("columns")));
            }
        }
    } else if let Some(tables) = v.get("value").and_then(Value::as_array) {
        for t in tables {
            let schema = t.get("properties").and_then(|p| p.get("schema"));
            let Some(name) = schema
                .and_then(|s| s.get("name"))
                .or_else(|| t.get("name"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let mut c = cols(schema.and_then(|s| s.get("columns")));
            for sc in cols(schema.and_then(|s| s.get("standardColumns"))) {
                if !c.iter().any(|x| x.0 == sc.0) {
                    c.push(sc);
                }
            }
            out.insert(name.to_string(), c);
        }
    } else {
        return Err(Error::invalid(
            "workspace schema",
            "expected a `tables` or `value` array",
        ));
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
struct LaState {
    workspaces: Vec<String>,
    fail_on_partial: bool,
    include_statistics: bool,
    server_timeout: Option<Duration>,
    schema: Option<BTreeMap<String, Vec<(String, String)>>>,
}

/// The Log Analytics (Microsoft Sentinel) driver.
///
/// ```
/// use huntbook::azure::auth::{AccessToken, StaticToken};
/// use huntbook::azure::cloud::AzureCloud;
/// use huntbook::data::drivers::loganalytics::LogAnalyticsDriver;
/// use std::sync::Arc;
/// let tokens = Arc::new(StaticToken::new(AccessToken::new("t", None)));
/// let la = LogAnalyticsDriver::new(tokens, AzureCloud::global())
///     .workspace_ids(["52b1ab41-869e-4138-9e40-2a4457f09bf3", "a927809c-8142-43e1-96b3-4ad87cfe95a3"])
///     .fail_on_partial(true);
/// assert_eq!(la.workspaces().len(), 2);
/// ```
pub struct LogAnalyticsDriver {
    tokens: Arc<dyn TokenSource>,
    cloud: AzureCloud,
    http_opts: HttpOptions,
    clock: Arc<dyn Clock>,
    state: Mutex<LaState>,
}

impl fmt::Debug for LogAnalyticsDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogAnalyticsDriver")
            .field("endpoint", &self.cloud.log_analytics_endpoint())
            .field("workspaces", &self.workspaces())
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl LogAnalyticsDriver {
    /// A driver for the cloud's Log Analytics endpoint, with tokens from
    /// `tokens`. Add workspaces with [`Self::workspace_ids`] or connect.
    pub fn new(tokens: Arc<dyn TokenSource>, cloud: AzureCloud) -> Self {
        Self {
            tokens,
            cloud,
            http_opts: driver_http_options(),
            clock: Arc::new(SystemClock::new()),
            state: Mutex::new(LaState::default()),
        }
    }

    /// A driver for named workspaces of `AzureSentinel.Workspaces` (the
    /// `Default` one, else the first, when `names` is empty), with the
    /// credential from the settings (see
    /// [`crate::azure::credential::AzureCredential::from_settings`]).
    pub fn from_settings(settings: &Settings, names: &[&str]) -> Result<Self> {
        let (ws, cred) = Self::settings_parts(settings, names)?;
        let cloud = cred.cloud().clone();
        let ids: Vec<String> = ws.iter().map(|w| w.workspace_id.clone()).collect();
        Ok(Self::new(Arc::new(cred), cloud).workspace_ids(ids))
    }

    /// The workspaces [`Self::from_settings`] would use and the credential
    /// (with the first workspace's tenant).
    pub fn settings_parts(
        settings: &Settings,
        names: &[&str],
    ) -> Result<(Vec<crate::config::Workspace>, AzureCredential)> {
        let all = settings.workspaces();
        let chosen: Vec<crate::config::Workspace> = if names.is_empty() {
            let w = all
                .iter()
                .find(|w| w.name.eq_ignore_ascii_case("Default"))
                .or_else(|| all.first())
                .cloned()
                .ok_or_else(|| {
                    Error::invalid(
                        "MSSentinel settings",
                        "no workspace configured: add AzureSentinel.Workspaces.Default.WorkspaceId (and TenantId) to msticpyconfig.yaml",
                    )
                })?;
            vec![w]
        } else {
            names
                .iter()
                .map(|n| settings.workspace(Some(n)))
                .collect::<Result<_>>()?
        };
        if let Some(w) = chosen.iter().find(|w| w.workspace_id.trim().is_empty()) {
            return Err(Error::invalid(
                format!("workspace '{}'", w.name),
                "WorkspaceId is empty",
            ));
        }
        let mut b = AzureCredential::builder_from_settings(settings)?;
        if let Some(t) = chosen
            .first()
            .map(|w| w.tenant_id.clone())
            .filter(|t| !t.is_empty())
        {
            b = b.tenant_id(t);
        }
        Ok((chosen, b.build()?))
    }

    /// Sets the workspaces (the first is the one the URL names; the others
    /// go in the request's `workspaces` list).
    pub fn workspace_ids<I, S>(self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if let Ok(mut s) = self.state.lock() {
            s.workspaces = ids
                .into_iter()
                .map(Into::into)
                .filter(|s: &String| !s.trim().is_empty())
                .collect();
        }
        self
    }

    /// Fail when the service reports a partial result (default: keep the
    /// rows and mark the result partial).
    pub fn fail_on_partial(self, yes: bool) -> Self {
        if let Ok(mut s) = self.state.lock() {
            s.fail_on_partial = yes;
        }
        self
    }

    /// Ask for query statistics (`Prefer: include-statistics=true`); they
    /// are reported in the warnings.
    pub fn include_statistics(self, yes: bool) -> Self {
        if let Ok(mut s) = self.state.lock() {
            s.include_statistics = yes;
        }
        self
    }

    /// The server-side time limit (`Prefer: wait=N`, at most 10 minutes).
    pub fn server_timeout(self, d: Duration) -> Self {
        if let Ok(mut s) = self.state.lock() {
            s.server_timeout = Some(d.min(Duration::from_secs(600)));
        }
        self
    }

    /// The HTTP options (default [`driver_http_options`]).
    pub fn http_options(mut self, opts: HttpOptions) -> Self {
        self.http_opts = opts;
        self
    }

    /// The clock for retry waits (tests use a manual clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The workspace ids.
    pub fn workspaces(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.workspaces.clone())
            .unwrap_or_default()
    }

    fn snapshot(&self) -> LaState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn client(&self, timeout: Option<Duration>) -> Result<HttpClient> {
        let mut o = self.http_opts.clone();
        if let Some(t) = timeout {
            o.timeout = t;
        }
        HttpClient::new(o, self.clock.clone())
    }

    fn primary(&self) -> Result<(String, LaState)> {
        let st = self.snapshot();
        match st.workspaces.first() {
            Some(w) => Ok((w.clone(), st)),
            None => Err(Error::invalid(
                "Log Analytics connection",
                "no workspace: connect with a workspace id (AzureSentinel.Workspaces in the settings)",
            )),
        }
    }

    fn url(&self, workspace: &str, tail: &str) -> String {
        format!(
            "{}/v1/workspaces/{}/{tail}",
            self.cloud.log_analytics_endpoint(),
            percent_encoding::utf8_percent_encode(
                workspace,
                crate::azure::credential::PATH_SEGMENT
            )
        )
    }

    /// Runs a query (async); see the module docs.
    pub async fn query(&self, query: &str, context: &QueryContext) -> Result<QueryOutput> {
        let (ws, st) = self.primary()?;
        let what = if st.workspaces.len() > 1 {
            format!(
                "Log Analytics query on workspaces {}",
                st.workspaces.join(", ")
            )
        } else {
            format!("Log Analytics query on workspace {ws}")
        };
        let mut body = serde_json::json!({ "query": query });
        if let Some((s, e)) = context.time_span {
            body["timespan"] = Value::String(format!(
                "{}/{}",
                s.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                e.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ));
        }
        if st.workspaces.len() > 1 {
            body["workspaces"] = serde_json::json!(st.workspaces[1..]);
        }
        let body = serde_json::to_vec(&body).map_err(|e| Error::Json {
            context: "writing the Log Analytics request".into(),
            source: e,
        })?;
        let mut prefer = Vec::new();
        if let Some(t) = st.server_timeout.or(context.timeout) {
            prefer.push(format!("wait={}", t.as_secs().clamp(1, 600)));
        }
        if st.include_statistics {
            prefer.push("include-statistics=true".into());
        }
        let prefer = prefer.join(",");
        let url = self.url(&ws, "query");
        let client = self.client(context.timeout)?;
        let reply = send_with_token(
            &client,
            self.tokens.as_ref(),
            self.cloud.log_analytics_scope(),
            &what,
            |c| {
                let r = c
                    .post(url.as_str())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
                if prefer.is_empty() {
                    r
                } else {
                    r.header("Prefer", prefer.as_str())
                }
            },
        )
        .await
        .map_err(|e| name_failure(&what, e))?;
        if !reply.is_success() {
            return Err(status_error(&what, reply.status, &reply.bytes));
        }
        let statistics = reply.header("x-ms-statistics").map(String::from);
        // only the bytes are kept: the text copy goes now
        let bytes = reply.bytes;
        let parsed = parse_query_response(&bytes, context.max_rows)
            .map_err(|e| Error::Runtime(format!("{what}: {e}")))?;
        drop(bytes);
        let mut warnings = parsed.warnings.clone();
        if let Some(s) = statistics {
            warnings.push(format!("statistics: {s}"));
        }
        let mut reasons = Vec::new();
        if let Some(e) = &parsed.error {
            if st.fail_on_partial {
                return Err(Error::Runtime(format!(
                    "{what}: partial result (fail_on_partial is set): {e}"
                )));
            }
            reasons.push(format!("the service reported an error: {e}"));
        }
        if parsed.dropped_rows > 0 {
            reasons.push(format!(
                "row limit {} reached: {} more rows not kept",
                context.max_rows.unwrap_or(0),
                parsed.dropped_rows
            ));
        }
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

    /// Fetches the first workspace's table schema (`GET …/metadata`) and
    /// keeps it for [`Driver::schema`].
    pub async fn fetch_schema(&self) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        let (ws, _) = self.primary()?;
        let what = format!("Log Analytics schema of workspace {ws}");
        let url = self.url(&ws, "metadata");
        let client = self.client(None)?;
        let reply = send_with_token(
            &client,
            self.tokens.as_ref(),
            self.cloud.log_analytics_scope(),
            &what,
            |c| c.get(url.as_str()),
        )
        .await
        .map_err(|e| name_failure(&what, e))?;
        if !reply.is_success() {
            return Err(status_error(&what, reply.status, &reply.bytes));
        }
        let schema =
            parse_schema(&reply.bytes).map_err(|e| Error::Runtime(format!("{what}: {e}")))?;
        if let Ok(mut s) = self.state.lock() {
            s.schema = Some(schema.clone());
        }
        Ok(schema)
    }

    /// Checks the connection: gets a token and runs `print huntbook="ok"`.
    pub async fn check(&self) -> Result<String> {
        let (ws, _) = self.primary()?;
        let out = self
            .query("print huntbook = \"ok\"", &QueryContext::default())
            .await?;
        Ok(format!(
            "Log Analytics workspace {ws}: query ran ({} row{})",
            out.df.height(),
            if out.df.height() == 1 { "" } else { "s" }
        ))
    }
}

/// Prefixes an error (e.g. from authentication) with what was being done,
/// unless it already says so.
pub(crate) fn name_failure(what: &str, e: Error) -> Error {
    let text = match e {
        Error::Runtime(m) => m,
        other => other.to_string(),
    };
    if text.starts_with(what) {
        Error::Runtime(text)
    } else {
        Error::Runtime(format!("{what}: {text}"))
    }
}

/// An error for a non-2xx answer, with the service's error text.
pub(crate) fn status_error(what: &str, status: u16, body: &[u8]) -> Error {
    let detail = match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.get("error").is_some() || v.get("OneApiErrors").is_some() => error_text(&v),
        _ => {
            let t = String::from_utf8_lossy(body);
            let line = t.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                "no details".into()
            } else {
                line.chars().take(300).collect()
            }
        }
    };
    let hint = match status {
        404 => " (check the workspace id / cluster and database)",
        400 => " (the query was rejected)",
        _ => "",
    };
    Error::Runtime(format!("{what}: HTTP {status}{hint}: {detail}"))
}

fn option_bool(c: &Connection, key: &str) -> Option<bool> {
    c.options
        .get(key)
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

impl Driver for LogAnalyticsDriver {
    fn environment(&self) -> &str {
        "MSSentinel"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Kql
    }

    /// Options: `workspace_id` / `workspace_ids` (comma separated),
    /// `fail_on_partial`, `include_statistics`, `server_timeout` (seconds).
    /// No token is fetched until the first query.
    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut st = self
                .state
                .lock()
                .map_err(|_| Error::Runtime("Log Analytics driver state poisoned".into()))?;
            for key in ["workspace_ids", "workspace_id", "workspaces"] {
                if let Some(v) = connection.options.get(key) {
                    st.workspaces = v
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                }
            }
            if let Some(b) = option_bool(connection, "fail_on_partial") {
                st.fail_on_partial = b;
            }
            if let Some(b) = option_bool(connection, "include_statistics") {
                st.include_statistics = b;
            }
            if let Some(v) = connection.options.get("server_timeout") {
                let secs: u64 = v.trim().parse().map_err(|_| {
                    Error::invalid(
                        "option 'server_timeout'",
                        format!("'{v}' is not a number of seconds"),
                    )
                })?;
                st.server_timeout = Some(Duration::from_secs(secs.min(600)));
            }
            if st.workspaces.is_empty() {
                return Err(Error::invalid(
                    "Log Analytics connection",
                    "no workspace: give workspace_id, or configure AzureSentinel.Workspaces",
                ));
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

    /// The cached schema, fetched on first use.
    fn schema(&self) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        if let Some(s) = self.snapshot().schema {
            return Ok(s);
        }
        // the HTTP and token work run on their own threads, so a plain
        // executor is enough here (and safe inside a runtime)
        futures::executor::block_on(self.fetch_schema())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_answer_and_rows_before_columns() {
        let body = br#"{"tables":[{"name":"PrimaryResult","rows":[["a",1]],"columns":[{"name":"s","type":"string"},{"name":"n","type":"long"}]}],
            "error":{"code":"PartialError","message":"There were some errors when processing your query.","details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.","innererror":{"code":"-2133196797","message":"The query exceeded the memory limit."}}]}}"#;
        let r = parse_query_response(body, None).unwrap();
        assert_eq!(
            r.error.as_deref(),
            Some(
                "PartialError: There were some errors when processing your query.; Something went wrong processing your query on the server."
            )
        );
        assert_eq!(r.primary().unwrap().shape(), (1, 2));
    }

    #[test]
    fn malformed_is_a_clear_error() {
        let e = parse_query_response(
            br#"{"tables":[{"name":"x","columns":[{"name":"a","type":"long"}],"rows":[[1],"#,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("reading the Log Analytics answer: EOF"),
            "{e}"
        );
    }
}

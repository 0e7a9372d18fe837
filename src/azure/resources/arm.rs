//! The Azure Resource Manager client shared by the resource, Sentinel and
//! other ARM APIs: bearer tokens with one refresh after a 401, the shared
//! HTTP client, ARM error bodies, bounded same-origin `nextLink` paging,
//! and [`normalize_json`] (MSTICPy's `json_normalize` frames).

use crate::azure::auth::{TokenSource, send_with_token};
use crate::error::{Error, PolarsContext, Result};
use crate::net::http::{HttpClient, HttpOptions, HttpReply};
use polars::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The largest number of pages followed by default.
pub const DEFAULT_MAX_PAGES: usize = 100;

/// An Azure Resource Manager client: endpoint, token source and HTTP client.
#[derive(Debug, Clone)]
pub struct ArmClient {
    http: HttpClient,
    tokens: Arc<dyn TokenSource>,
    endpoint: String,
    scope: String,
    max_pages: usize,
}

impl ArmClient {
    /// A client for `endpoint` (e.g. [`ARM_ENDPOINT`], or a national cloud's
    /// Resource Manager URL) with tokens for `{endpoint}/.default`.
    pub fn new(tokens: Arc<dyn TokenSource>, endpoint: &str) -> Result<Self> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&endpoint)
            .map_err(|e| Error::invalid(format!("ARM endpoint '{endpoint}'"), e.to_string()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(Error::invalid(
                format!("ARM endpoint '{endpoint}'"),
                "must be an http(s) URL",
            ));
        }
        let scope = format!("{endpoint}/.default");
        Ok(Self {
            http: HttpClient::with_options(HttpOptions::default())?,
            tokens,
            endpoint,
            scope,
            max_pages: DEFAULT_MAX_PAGES,
        })
    }

    /// A client for the cloud in the settings (`Azure.cloud`,
    /// `Azure.resource_manager_url`) with the credential they describe
    /// (`Azure.auth_methods`, …: see [`crate::azure::credential`]).
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self> {
        let cloud = crate::azure::cloud::AzureCloud::from_settings(settings)?;
        let tokens = crate::azure::credential::credential_from_settings(settings)?;
        Ok(Self::new(tokens, cloud.arm_endpoint())?.scope(cloud.arm_scope()))
    }

    /// Uses this HTTP client (its timeouts, retries and clock).
    pub fn http(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// The token scope (default `{endpoint}/.default`; the public cloud's
    /// Resource Manager also accepts `https://management.core.windows.net/.default`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The most `nextLink` pages followed by one list call (default
    /// [`DEFAULT_MAX_PAGES`]); more is an error rather than an endless loop.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = n.max(1);
        self
    }

    /// The endpoint, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn url(&self, path_and_query: &str) -> String {
        if path_and_query.starts_with("http://") || path_and_query.starts_with("https://") {
            path_and_query.to_string()
        } else if path_and_query.starts_with('/') {
            format!("{}{path_and_query}", self.endpoint)
        } else {
            format!("{}/{path_and_query}", self.endpoint)
        }
    }

    /// Sends one request (`body` as JSON) and returns the reply, whatever
    /// its status.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<HttpReply> {
        let url = self.url(path_and_query);
        let body = body.map(|b| b.to_string());
        send_with_token(&self.http, self.tokens.as_ref(), &self.scope, what, |c| {
            let r = c
                .request(method.clone(), url.as_str())
                .header(reqwest::header::ACCEPT, "application/json");
            match &body {
                Some(b) => r
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone()),
                None => r,
            }
        })
        .await
    }

    /// Sends a request and parses a 2xx JSON answer (an empty body is
    /// `null`); other statuses become an error with ARM's error code and
    /// message.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value> {
        let reply = self.send(method, path_and_query, body, what).await?;
        check(&reply, what)?;
        if reply.bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        reply.json(what)
    }

    /// `GET` and parse JSON.
    pub async fn get_json(&self, path_and_query: &str, what: &str) -> Result<Value> {
        self.call(reqwest::Method::GET, path_and_query, None, what)
            .await
    }

    /// Lists a collection: the `value` arrays of the first page and every
    /// `nextLink` page (same endpoint only, at most [`Self::max_pages`]).
    pub async fn list(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut next = Some(self.url(path_and_query));
        let mut pages = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > self.max_pages {
                return Err(Error::Runtime(format!(
                    "{what}: more than {} pages (raise ArmClient::max_pages or narrow the filter)",
                    self.max_pages
                )));
            }
            // The first page may be a POST (incident alerts); nextLink pages are GETs.
            let json = if pages == 1 {
                self.call(method.clone(), &url, body, what).await?
            } else {
                self.get_json(&url, what).await?
            };
            match json.get("value") {
                Some(Value::Array(items)) => out.extend(items.iter().cloned()),
                Some(Value::Null) | None => {}
                Some(_) => {
                    return Err(Error::Runtime(format!(
                        "{what}: the answer's 'value' is not a list"
                    )));
                }
            }
            if let Some(link) = json
                .get("nextLink")
                .and_then(Value::as_str)
                .filter(|l| !l.is_empty())
            {
                if !self.same_origin(link) {
                    return Err(Error::Runtime(format!(
                        "{what}: nextLink points outside the Resource Manager endpoint; not followed"
                    )));
                }
                next = Some(link.to_string());
            }
        }
        Ok(out)
    }

    fn same_origin(&self, link: &str) -> bool {
        match (url::Url::parse(link), url::Url::parse(&self.endpoint)) {
            (Ok(a), Ok(b)) => a.origin() == b.origin(),
            _ => false,
        }
    }
}

/// An error for a non-2xx ARM answer: `{what}: HTTP 404: ResourceNotFound:
/// message` (ARM's `{"error":{"code","message"}}` when present).
pub(crate) fn check(reply: &HttpReply, what: &str) -> Result<()> {
    if reply.is_success() {
        return Ok(());
    }
    let detail = serde_json::from_slice::<Value>(&reply.bytes)
        .ok()
        .and_then(|v| {
            let e = v.get("error")?;
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
            Some(format!("{code}: {msg}"))
        })
        .unwrap_or_else(|| match reply.status {
            404 => "not found".into(),
            409 => "conflict".into(),
            412 => "precondition failed (the item changed since it was read)".into(),
            _ => "request failed".into(),
        });
    let detail: String = detail.chars().take(500).collect();
    Err(Error::Runtime(format!(
        "{what}: HTTP {}: {detail}",
        reply.status
    )))
}

/// Flattens JSON objects into a frame the way pandas' `json_normalize`
/// does (what MSTICPy returns): nested object keys joined with `.`
/// (`properties.title`), lists kept as JSON text. Columns appear in the
/// order first seen; a column whose values are all integers is `Int64`,
/// all numbers `Float64`, all booleans `Boolean`, otherwise `String`.
///
/// ```
/// use huntbook::azure::resources::normalize_json;
/// let v = serde_json::json!([{"id": "a", "properties": {"n": 1, "tags": ["x"]}}]);
/// let df = normalize_json(v.as_array().unwrap()).unwrap();
/// let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
/// assert_eq!(names, ["id", "properties.n", "properties.tags"]);
/// ```
pub fn normalize_json(items: &[Value]) -> Result<DataFrame> {
    let mut order: Vec<String> = Vec::new();
    let mut rows: Vec<BTreeMap<String, Value>> = Vec::with_capacity(items.len());
    for item in items {
        let mut row = BTreeMap::new();
        flatten("", item, &mut row, &mut order, 0);
        rows.push(row);
    }
    let mut seen = BTreeSet::new();
    order.retain(|c| seen.insert(c.clone()));
    let columns = order
        .iter()
        .map(|name| {
            let vals: Vec<Option<&Value>> = rows
                .iter()
                .map(|r| r.get(name).filter(|v| !v.is_null()))
                .collect();
            json_column(name, &vals)
        })
        .collect::<Vec<Column>>();
    DataFrame::new(rows.len(), columns).ctx("building the result frame")
}

fn flatten(
    prefix: &str,
    v: &Value,
    row: &mut BTreeMap<String, Value>,
    order: &mut Vec<String>,
    depth: usize,
) {
    match v {
        Value::Object(map) if depth < 8 && (!map.is_empty() || prefix.is_empty()) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, row, order, depth + 1);
            }
        }
        _ if prefix.is_empty() => {
            order.push("value".into());
            row.insert("value".into(), v.clone());
        }
        _ => {
            order.push(prefix.to_string());
            row.insert(prefix.to_string(), v.clone());
        }
    }
}

fn json_column(name: &str, vals: &[Option<&Value>]) -> Column {
    let present = || vals.iter().flatten();
    if present().count() > 0 && present().all(|v| v.is_i64()) {
        let c: Vec<Option<i64>> = vals.iter().map(|v| v.and_then(Value::as_i64)).collect();
        return Column::new(name.into(), c);
    }
    if present().count() > 0 && present().all(|v| v.is_number()) {
        let c: Vec<Option<f64>> = vals.iter().map(|v| v.and_then(Value::as_f64)).collect();
        return Column::new(name.into(), c);
    }
    if present().count() > 0 && present().all(|v| v.is_boolean()) {
        let c: Vec<Option<bool>> = vals.iter().map(|v| v.and_then(Value::as_bool)).collect();
        return Column::new(name.into(), c);
    }
    let c: Vec<Option<String>> = vals.iter().map(|v| v.map(json_text)).collect();
    Column::new(name.into(), c)
}

/// A JSON value as cell text: strings as they are, the rest as JSON.
pub(crate) fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text at a JSON pointer (`None` for null or missing; non-strings as JSON).
pub(crate) fn s(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(|x| match x {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })
}

/// RFC 3986 unreserved characters stay as they are.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a path segment or query value (unreserved characters kept).
pub(crate) fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

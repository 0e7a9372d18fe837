//! IPStack online geolocation (single and bulk requests).
//!
//! Request: `GET {base}/{ip}?access_key=KEY&output=json`, or for bulk
//! lookups (paid plans) `GET {base}/{ip1},{ip2},…` with up to 50 addresses,
//! which answers with a JSON array. A success body has `ip`, `type`,
//! `country_code`, `country_name`, `region_name`, `city`, `latitude`,
//! `longitude` and, on plans that include it, `connection.asn` /
//! `connection.isp`. A failure body is
//! `{"success": false, "error": {"code": 101, "type": "invalid_access_key", "info": "…"}}`.
//! Account-level failures (101 invalid key, 102 inactive account, 104 usage
//! limit, 105 function not on the plan, 303 bulk not on the plan) fail the
//! whole call; an address IPStack rejects (106) gets a row with the reason.
//!
//! The access key travels in the query string, as IPStack requires: it is
//! removed from every error message and never shown by Debug.

use super::{GeoIpResult, GeoLocation, IpType, classify};
use crate::config::{Secret, Settings};
use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// IPStack's API address. The free plan only serves `http://` (the key
/// then crosses the network in clear text); paid plans serve HTTPS.
pub const IPSTACK_DEFAULT_URL: &str = "https://api.ipstack.com";

/// The most addresses IPStack accepts in one bulk request.
pub const IPSTACK_BULK_MAX: usize = 50;

/// IPStack lookups.
#[derive(Clone)]
pub struct IpStackLookup {
    base_url: String,
    key: Secret,
    bulk: bool,
    timeout: Duration,
}

impl std::fmt::Debug for IpStackLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpStackLookup")
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .field("bulk", &self.bulk)
            .finish()
    }
}

impl IpStackLookup {
    /// A lookup with this access key, one request per address.
    pub fn new(key: Secret) -> Self {
        Self {
            base_url: IPSTACK_DEFAULT_URL.to_string(),
            key,
            bulk: false,
            timeout: Duration::from_secs(30),
        }
    }

    /// The lookup the settings describe (`OtherProviders.IPStack.Args.AuthKey`).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let p = settings
            .provider("OtherProviders", "IPStack")
            .ok_or_else(|| {
                Error::invalid("settings", "OtherProviders.IPStack is not configured")
            })?;
        Ok(Self::new(p.secret("AuthKey")?.clone()))
    }

    /// Sends requests to this address instead (e.g. `http://api.ipstack.com`
    /// for a free plan, or a test server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Up to 50 addresses per request (paid plans only).
    pub fn bulk(mut self, yes: bool) -> Self {
        self.bulk = yes;
        self
    }

    /// Per-request time limit (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Looks up one address.
    pub fn lookup_ip(&self, value: &str) -> Result<GeoLocation> {
        let res = self.lookup_locations(&[value])?;
        res.into_iter()
            .next()
            .ok_or_else(|| Error::invalid("IPStack response", "no result for the address"))
    }

    /// Looks up a list of addresses: one row per value, in order.
    /// Non-public and invalid values are not sent; they get a row with the
    /// reason.
    pub fn lookup_ips<I, S>(&self, values: I) -> Result<GeoIpResult>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values: Vec<String> = values
            .into_iter()
            .map(|v| v.as_ref().trim().to_string())
            .collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let rows = self.lookup_locations(&refs)?;
        Ok(GeoIpResult::from_rows(rows.iter()))
    }

    /// Looks up the values of a column.
    pub fn lookup_column(
        &self,
        df: &polars::prelude::DataFrame,
        column: &str,
    ) -> Result<GeoIpResult> {
        let values = super::column_values(df, column)?;
        self.lookup_ips(values.iter().map(|v| v.as_deref().unwrap_or("")))
    }

    fn lookup_locations(&self, values: &[&str]) -> Result<Vec<GeoLocation>> {
        let key = self.key.expose()?;
        let mut results: HashMap<String, GeoLocation> = HashMap::new();
        let mut to_send: Vec<String> = Vec::new();
        for v in values {
            let v = v.trim();
            if results.contains_key(v) || to_send.iter().any(|s| s == v) {
                continue;
            }
            let (addr, t) = classify(v);
            match addr {
                Some(a) if t == IpType::Public => to_send.push(a.to_string()),
                _ => {
                    results.insert(v.to_string(), GeoLocation::skipped(v, t));
                }
            }
        }
        let chunk = if self.bulk { IPSTACK_BULK_MAX } else { 1 };
        let fetched = crate::session::block_on(self.fetch_all(&to_send, chunk, &key))?;
        let fetched = fetched.map_err(|m| {
            Error::invalid(
                format!("IPStack lookup at '{}'", self.base_url),
                super::update::redact(&m, &key),
            )
        })?;
        for loc in fetched {
            results.insert(loc.ip_address.clone(), loc);
        }
        Ok(values
            .iter()
            .map(|v| {
                let v = v.trim();
                let canon = v.parse::<std::net::IpAddr>().map(|a| a.to_string()).ok();
                let mut loc = canon
                    .as_deref()
                    .and_then(|c| results.get(c))
                    .or_else(|| results.get(v))
                    .cloned()
                    .unwrap_or_else(|| {
                        GeoLocation::unlocated(v, IpType::Public, "no answer from IPStack")
                    });
                loc.ip_address = v.to_string();
                loc
            })
            .collect())
    }

    async fn fetch_all(
        &self,
        ips: &[String],
        chunk: usize,
        key: &str,
    ) -> std::result::Result<Vec<GeoLocation>, String> {
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| e.without_url().to_string())?;
        let mut out = Vec::with_capacity(ips.len());
        for group in ips.chunks(chunk.max(1)) {
            let url = format!("{}/{}", self.base_url, group.join(","));
            let resp = client
                .get(&url)
                .query(&[("access_key", key), ("output", "json")])
                .send()
                .await
                .map_err(|e| e.without_url().to_string())?;
            let status = resp.status();
            let body = resp.text().await.map_err(|e| e.without_url().to_string())?;
            if !status.is_success() {
                return Err(format!(
                    "HTTP {}: {}",
                    status.as_u16(),
                    body.chars().take(200).collect::<String>()
                ));
            }
            let json: Value = serde_json::from_str(&body)
                .map_err(|e| format!("the response is not JSON ({e})"))?;
            let items: Vec<&Value> = match &json {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for (i, item) in items.iter().enumerate() {
                let asked = group.get(i).map(String::as_str).unwrap_or("");
                out.push(parse_item(item, asked)?);
            }
        }
        Ok(out)
    }
}

/// One IPStack answer: a location, a per-address error row, or (for
/// account-level errors) an error for the whole call.
fn parse_item(item: &Value, asked: &str) -> std::result::Result<GeoLocation, String> {
    let text = |k: &str| item.get(k).and_then(Value::as_str).map(String::from);
    let num = |k: &str| item.get(k).and_then(Value::as_f64);
    if item.get("success").and_then(Value::as_bool) == Some(false) || item.get("error").is_some() {
        let err = item.get("error").cloned().unwrap_or(Value::Null);
        let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
        let kind = err.get("type").and_then(Value::as_str).unwrap_or("unknown");
        let info = err.get("info").and_then(Value::as_str).unwrap_or("");
        let message = format!("IPStack error {code} {kind}: {info}");
        return if code == 106 {
            Ok(GeoLocation::unlocated(asked, IpType::Public, message))
        } else {
            Err(message)
        };
    }
    let ip = text("ip").unwrap_or_else(|| asked.to_string());
    let mut loc = GeoLocation::unlocated(&ip, IpType::Public, "");
    loc.reason = None;
    loc.country_code = text("country_code");
    loc.country_or_region_name = text("country_name");
    loc.state = text("region_name");
    loc.city = text("city");
    loc.longitude = num("longitude");
    loc.latitude = num("latitude");
    if let Some(conn) = item.get("connection") {
        loc.asn = conn
            .get("asn")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok());
        loc.asn_organization = conn.get("isp").and_then(Value::as_str).map(String::from);
    }
    if loc.country_code.is_none() && loc.latitude.is_none() {
        loc.reason = Some("IPStack has no location for this address".into());
    }
    Ok(loc)
}

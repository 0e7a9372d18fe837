//! AbuseIPDB API v2: `GET /api/v2/check?ipAddress=…&maxAgeInDays=90` with
//! the `Key` and `Accept: application/json` headers.
//!
//! A hit is an address with reports; severity from
//! `abuseConfidenceScore`: 75 and above high, 25 and above warning, else
//! information (whitelisted addresses: information).

use super::{ApiConfig, at, num};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const ABUSEIPDB_BASE: &str = "https://api.abuseipdb.com";

/// The AbuseIPDB provider.
#[derive(Debug, Clone)]
pub struct AbuseIpdb {
    cfg: ApiConfig,
    max_age_days: u32,
}

impl AbuseIpdb {
    /// With a configuration (reports of the last 90 days).
    pub fn new(cfg: ApiConfig) -> Self {
        Self {
            cfg,
            max_age_days: 90,
        }
    }

    /// Reports of the last `days` days (1–365).
    pub fn max_age_days(mut self, days: u32) -> Self {
        self.max_age_days = days.clamp(1, 365);
        self
    }
}

/// Severity from the abuse confidence score.
pub fn severity_of(score: f64, whitelisted: bool) -> Severity {
    if whitelisted {
        Severity::Information
    } else if score >= 75.0 {
        Severity::High
    } else if score >= 25.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

fn parse(base: LookupResult, body: Value) -> LookupResult {
    let d = body.get("data").cloned().unwrap_or(Value::Null);
    let score = num(&d, &["abuseConfidenceScore"]);
    let reports = num(&d, &["totalReports"]);
    let wl = d
        .get("isWhitelisted")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let pick = |k: &str| at(&d, &[k]).cloned().unwrap_or(Value::Null);
    let details = json!({
        "abuseConfidenceScore": score, "totalReports": reports, "numDistinctUsers": pick("numDistinctUsers"),
        "lastReportedAt": pick("lastReportedAt"), "countryCode": pick("countryCode"), "isp": pick("isp"),
        "usageType": pick("usageType"), "domain": pick("domain"), "isWhitelisted": wl,
    });
    if reports <= 0.0 {
        let mut r = base.raw(body);
        r.details = details;
        r.severity = Severity::Information;
        r.status_text = "no reports".into();
        return r;
    }
    base.hit(severity_of(score, wl), details).raw(body)
}

impl TiProvider for AbuseIpdb {
    fn name(&self) -> &str {
        "AbuseIPDB"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Ipv4, IocType::Ipv6]
    }
    fn description(&self) -> &str {
        "AbuseIPDB: community abuse reports for IP addresses"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_day(1000))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl AbuseIpdb {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let key = match self.cfg.key(item, name) {
            Ok(k) => k,
            Err(row) => return *row,
        };
        let url = format!("{}/api/v2/check", self.cfg.base_url);
        let age = self.max_age_days.to_string();
        let reference = format!("https://www.abuseipdb.com/check/{}", item.ioc);
        let reply = http
            .send(|c| {
                c.get(&url)
                    .query(&[
                        ("ipAddress", item.ioc.as_str()),
                        ("maxAgeInDays", age.as_str()),
                    ])
                    .header("Key", &key)
                    .header("Accept", "application/json")
            })
            .await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => parse(base, body),
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(row) => *row,
        }
    }
}

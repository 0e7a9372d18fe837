//! CrowdSec CTI API v2: `GET /v2/smoke/{ip}` with the `x-api-key` header.
//! `404` ("IP address information not found") is a miss.
//!
//! Severity from `reputation`: `malicious` high, `suspicious` warning,
//! `known`/`safe`/`benign` information; without one, from
//! `scores.overall.total` (4–5 high, 2–3 warning).

use super::{ApiConfig, at, num, text};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const CROWDSEC_BASE: &str = "https://cti.api.crowdsec.net";

/// The CrowdSec provider.
#[derive(Debug, Clone)]
pub struct CrowdSec {
    cfg: ApiConfig,
}

impl CrowdSec {
    /// With a configuration.
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

/// Severity from a reputation, else from the overall score.
pub fn severity_of(reputation: Option<&str>, total: f64) -> Severity {
    match reputation {
        Some("malicious") => Severity::High,
        Some("suspicious") => Severity::Warning,
        Some("known" | "safe" | "benign") => Severity::Information,
        _ if total >= 4.0 => Severity::High,
        _ if total >= 2.0 => Severity::Warning,
        _ => Severity::Information,
    }
}

fn parse(base: LookupResult, body: Value) -> LookupResult {
    let rep = text(&body, &["reputation"]);
    let total = num(&body, &["scores", "overall", "total"]);
    let behaviors: Vec<Value> = body
        .get("behaviors")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|b| b.get("name").cloned()).collect())
        .unwrap_or_default();
    let details = json!({
        "reputation": rep, "overall_score": total, "behaviors": behaviors,
        "background_noise_score": body.get("background_noise_score").cloned().unwrap_or(Value::Null),
        "as_name": body.get("as_name").cloned().unwrap_or(Value::Null),
        "country": at(&body, &["location", "country"]).cloned().unwrap_or(Value::Null),
        "ip_range_score": body.get("ip_range_score").cloned().unwrap_or(Value::Null),
    });
    base.hit(severity_of(rep.as_deref(), total), details)
        .raw(body)
}

impl TiProvider for CrowdSec {
    fn name(&self) -> &str {
        "CrowdSec"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Ipv4, IocType::Ipv6]
    }
    fn description(&self) -> &str {
        "CrowdSec CTI: crowd-sourced attack signals for IP addresses"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_day(50))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl CrowdSec {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let key = match self.cfg.key(item, name) {
            Ok(k) => k,
            Err(row) => return *row,
        };
        let url = format!("{}/v2/smoke/{}", self.cfg.base_url, item.ioc);
        let reference = format!("https://app.crowdsec.net/cti/{}", item.ioc);
        let reply = http.send(|c| c.get(&url).header("x-api-key", &key)).await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => parse(base, body),
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(row) => *row,
        }
    }
}

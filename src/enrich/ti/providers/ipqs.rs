//! IPQualityScore: `GET /api/json/{ip|url|email}/{key}/{value}`. The key is
//! part of the path, so it is never put in a reference or an error (request
//! errors are stripped of their URL). A `success: false` answer (bad key,
//! quota) is a failed row with the service's message, key masked.
//!
//! Severity from `fraud_score` (IPs, emails) or `risk_score` (URLs): 85 and
//! above high, 75 and above warning, else information; `unsafe` URLs high.

use super::{ApiConfig, num, text};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::{TiItem, encode_component};
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, LookupStatus, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const IPQS_BASE: &str = "https://www.ipqualityscore.com";

/// The IPQualityScore provider.
#[derive(Debug, Clone)]
pub struct IpQualityScore {
    cfg: ApiConfig,
}

impl IpQualityScore {
    /// With a configuration.
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

/// Severity from a 0–100 fraud or risk score.
pub fn severity_of(score: f64, unsafe_flag: bool) -> Severity {
    if unsafe_flag || score >= 85.0 {
        Severity::High
    } else if score >= 75.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

fn parse(base: LookupResult, item: &TiItem, body: Value, key: &str) -> LookupResult {
    if body.get("success").and_then(Value::as_bool) == Some(false) {
        let msg = text(&body, &["message"]).unwrap_or_else(|| "request refused".into());
        let msg = if key.is_empty() {
            msg
        } else {
            msg.replace(key, "********")
        };
        return LookupResult::failed(
            item,
            &base.provider,
            LookupStatus::QueryFailed,
            &format!("IPQualityScore: {msg}"),
        );
    }
    let pick = |k: &str| body.get(k).cloned().unwrap_or(Value::Null);
    let (score, unsafe_flag, details) = match item.ioc_type {
        IocType::Url => (
            num(&body, &["risk_score"]),
            body.get("unsafe").and_then(Value::as_bool).unwrap_or(false),
            json!({"risk_score": pick("risk_score"), "unsafe": pick("unsafe"), "phishing": pick("phishing"),
                   "malware": pick("malware"), "suspicious": pick("suspicious"), "domain": pick("domain")}),
        ),
        IocType::Email => (
            num(&body, &["fraud_score"]),
            false,
            json!({"fraud_score": pick("fraud_score"), "valid": pick("valid"), "disposable": pick("disposable"),
                   "recent_abuse": pick("recent_abuse"), "leaked": pick("leaked")}),
        ),
        _ => (
            num(&body, &["fraud_score"]),
            false,
            json!({"fraud_score": pick("fraud_score"), "proxy": pick("proxy"), "vpn": pick("vpn"), "tor": pick("tor"),
                   "recent_abuse": pick("recent_abuse"), "bot_status": pick("bot_status"),
                   "country_code": pick("country_code"), "ISP": pick("ISP")}),
        ),
    };
    base.hit(severity_of(score, unsafe_flag), details).raw(body)
}

impl TiProvider for IpQualityScore {
    fn name(&self) -> &str {
        "IPQualityScore"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Ipv4, IocType::Ipv6, IocType::Url, IocType::Email]
    }
    fn description(&self) -> &str {
        "IPQualityScore: fraud scores for IPs and emails, risk scores for URLs"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_second(5).per_day(160))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl IpQualityScore {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let key = match self.cfg.key(item, name) {
            Ok(k) => k,
            Err(row) => return *row,
        };
        let kind = match item.ioc_type {
            IocType::Url => "url",
            IocType::Email => "email",
            _ => "ip",
        };
        let url = format!(
            "{}/api/json/{kind}/{}/{}",
            self.cfg.base_url,
            encode_component(&key),
            encode_component(&item.ioc)
        );
        let reference = format!("https://www.ipqualityscore.com/threat-feeds/{kind}-lookup");
        let reply = http
            .send(|c| c.get(&url).header("accept", "application/json"))
            .await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => parse(base, item, body, &key),
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(mut row) => {
                row.status_text = row.status_text.replace(&key, "********");
                *row
            }
        }
    }
}

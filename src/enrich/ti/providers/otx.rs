//! AlienVault OTX DirectConnect API v1:
//! `GET /api/v1/indicators/{IPv4|IPv6|domain|url|file}/{ioc}/{section}` with
//! the `X-OTX-API-KEY` header; the `general` section by default, others
//! (`malware`, `passive_dns`, `url_list`, `geo`, `reputation`, `whois`,
//! `analysis`) as sub-queries.
//!
//! Severity as MSTICPy: no pulses information, one pulse warning, two or
//! more high.

use super::{ApiConfig, num};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const OTX_BASE: &str = "https://otx.alienvault.com";

/// The OTX provider.
#[derive(Debug, Clone)]
pub struct Otx {
    cfg: ApiConfig,
}

impl Otx {
    /// With a configuration.
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

fn section(t: &IocType) -> Option<&'static str> {
    Some(match t {
        IocType::Ipv4 => "IPv4",
        IocType::Ipv6 => "IPv6",
        IocType::Dns => "domain",
        IocType::Hostname => "hostname",
        IocType::Url => "url",
        IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => "file",
        _ => return None,
    })
}

/// Severity from a pulse count.
pub fn severity_of(pulses: f64) -> Severity {
    if pulses >= 2.0 {
        Severity::High
    } else if pulses >= 1.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

/// The row for a `general` answer.
pub fn parse_general(base: LookupResult, body: Value) -> LookupResult {
    let count = num(&body, &["pulse_info", "count"]);
    let pulses: Vec<Value> = body
        .get("pulse_info")
        .and_then(|p| p.get("pulses"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let pick = |k: &str| -> Vec<Value> {
        pulses
            .iter()
            .map(|p| p.get(k).cloned().unwrap_or(Value::Null))
            .collect()
    };
    let mut details = json!({"pulse_count": count as u64, "sections_available": body.get("sections").cloned().unwrap_or(json!([]))});
    if count > 0.0 {
        details["names"] = json!(pick("name"));
        details["tags"] = json!(pick("tags"));
        details["references"] = json!(pick("references"));
    }
    base.hit(severity_of(count), details).raw(body)
}

impl TiProvider for Otx {
    fn name(&self) -> &str {
        "OTX"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![
            IocType::Ipv4,
            IocType::Ipv6,
            IocType::Dns,
            IocType::Hostname,
            IocType::Url,
            IocType::Md5Hash,
            IocType::Sha1Hash,
            IocType::Sha256Hash,
        ]
    }
    fn query_subtypes(&self, t: &IocType) -> Vec<&'static str> {
        match t {
            IocType::Ipv4 => vec!["geo", "malware", "passive_dns", "reputation", "url_list"],
            IocType::Ipv6 => vec!["geo", "malware", "passive_dns", "url_list"],
            IocType::Dns | IocType::Hostname => {
                vec!["geo", "malware", "passive_dns", "url_list", "whois"]
            }
            IocType::Url => vec!["url_list"],
            IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => vec!["analysis"],
            _ => Vec::new(),
        }
    }
    fn description(&self) -> &str {
        "AlienVault OTX pulses for IPs, domains, URLs and file hashes"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_minute(600))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl Otx {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let key = match self.cfg.key(item, name) {
            Ok(k) => k,
            Err(row) => return *row,
        };
        let sec = section(&item.ioc_type).unwrap_or("general");
        let sub = item.query_subtype.as_deref().unwrap_or("general");
        let url = format!(
            "{}/api/v1/indicators/{sec}/{}/{sub}",
            self.cfg.base_url,
            crate::enrich::ti::item::encode_component(&item.ioc)
        );
        let reference = format!(
            "https://otx.alienvault.com/indicator/{}/{}",
            sec.to_ascii_lowercase(),
            item.safe_ioc()
        );
        let reply = http
            .send(|c| c.get(&url).header("X-OTX-API-KEY", &key))
            .await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) if item.query_subtype.is_none() => parse_general(base, body),
            Answer::Json(body) => {
                let count = body.get("count").cloned().unwrap_or(Value::Null);
                base.hit(
                    Severity::Information,
                    json!({"section": sub, "count": count}),
                )
                .raw(body)
            }
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(row) => *row,
        }
    }
}

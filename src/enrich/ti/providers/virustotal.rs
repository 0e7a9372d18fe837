//! VirusTotal API v3: `GET /api/v3/{files|urls|domains|ip_addresses}/{id}`
//! with the `x-apikey` header, and relationship lookups
//! (`/api/v3/{collection}/{id}/{relationship}`) as sub-queries. URL ids are
//! the URL in unpadded URL-safe base64, as the API documents.
//!
//! Severity from `last_analysis_stats`: 3 or more engines saying
//! `malicious` is high, any `malicious` or `suspicious` is warning, else
//! information. A relationship answer is a hit when it lists anything.

use super::{ApiConfig, at, num, text};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use base64::Engine;
use serde_json::{Value, json};

/// The service's base URL.
pub const VT_BASE: &str = "https://www.virustotal.com";

const FILE_RELS: [&str; 8] = [
    "behaviours",
    "bundled_files",
    "contacted_domains",
    "contacted_ips",
    "contacted_urls",
    "dropped_files",
    "execution_parents",
    "itw_urls",
];
const URL_RELS: [&str; 6] = [
    "communicating_files",
    "contacted_domains",
    "contacted_ips",
    "downloaded_files",
    "last_serving_ip_address",
    "redirecting_urls",
];
const DOMAIN_RELS: [&str; 6] = [
    "communicating_files",
    "downloaded_files",
    "referrer_files",
    "resolutions",
    "subdomains",
    "urls",
];
const IP_RELS: [&str; 5] = [
    "communicating_files",
    "downloaded_files",
    "referrer_files",
    "resolutions",
    "urls",
];

/// The VirusTotal v3 provider (default limit: the free tier's 4/min, 500/day).
#[derive(Debug, Clone)]
pub struct VirusTotal {
    cfg: ApiConfig,
}

impl VirusTotal {
    /// With a configuration.
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

/// The API collection and the object id for an item.
pub fn collection_and_id(item: &TiItem) -> Option<(&'static str, String)> {
    Some(match item.ioc_type {
        IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => ("files", item.ioc.clone()),
        IocType::Url => (
            "urls",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(item.ioc.as_bytes()),
        ),
        IocType::Dns => ("domains", item.ioc.clone()),
        IocType::Ipv4 | IocType::Ipv6 => ("ip_addresses", item.ioc.clone()),
        _ => return None,
    })
}

fn gui_kind(collection: &str) -> &'static str {
    match collection {
        "files" => "file",
        "urls" => "url",
        "domains" => "domain",
        _ => "ip-address",
    }
}

/// Severity from `last_analysis_stats`.
pub fn severity_of(stats: &Value) -> Severity {
    let mal = num(stats, &["malicious"]);
    let sus = num(stats, &["suspicious"]);
    if mal >= 3.0 {
        Severity::High
    } else if mal + sus >= 1.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

/// The row for a v3 object answer (`{"data": {...}}`).
pub fn parse_object(base: LookupResult, body: Value, gui: &str) -> LookupResult {
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    let attrs = data.get("attributes").cloned().unwrap_or(Value::Null);
    let stats = attrs
        .get("last_analysis_stats")
        .cloned()
        .unwrap_or(Value::Null);
    let mut details = json!({
        "malicious": num(&stats, &["malicious"]),
        "suspicious": num(&stats, &["suspicious"]),
        "harmless": num(&stats, &["harmless"]),
        "undetected": num(&stats, &["undetected"]),
        "reputation": attrs.get("reputation").cloned().unwrap_or(Value::Null),
        "last_analysis_date": attrs.get("last_analysis_date").cloned().unwrap_or(Value::Null),
        "tags": attrs.get("tags").cloned().unwrap_or(json!([])),
    });
    for k in [
        "meaningful_name",
        "type_description",
        "url",
        "last_final_url",
        "as_owner",
        "country",
    ] {
        if let Some(v) = attrs.get(k) {
            details[k] = v.clone();
        }
    }
    if let Some(label) = text(
        &attrs,
        &["popular_threat_classification", "suggested_threat_label"],
    ) {
        details["threat_label"] = json!(label);
    }
    let reference = match data.get("id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => format!(
            "https://www.virustotal.com/gui/{gui}/{}",
            crate::enrich::ti::item::encode_component(id)
        ),
        _ => base.reference.clone(),
    };
    base.hit(severity_of(&stats), details)
        .raw(body)
        .reference(reference)
}

/// The row for a relationship answer (`{"data": [...]}`).
pub fn parse_relationship(base: LookupResult, rel: &str, body: Value) -> LookupResult {
    let items: Vec<Value> = match body.get("data") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one.clone()],
    };
    let ids: Vec<Value> = items
        .iter()
        .take(20)
        .map(|o| {
            json!({
                "type": o.get("type").cloned().unwrap_or(Value::Null),
                "id": o.get("id").cloned().unwrap_or(Value::Null),
                "url": at(o, &["context_attributes", "url"]).or_else(|| at(o, &["attributes", "url"])).cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    let count = at(&body, &["meta", "count"])
        .and_then(Value::as_u64)
        .unwrap_or(items.len() as u64);
    let details = json!({"relationship": rel, "count": count, "items": ids});
    if items.is_empty() {
        let mut r = base.raw(body);
        r.details = details;
        r.status_text = "no related objects".into();
        return r;
    }
    base.hit(Severity::Information, details).raw(body)
}

impl TiProvider for VirusTotal {
    fn name(&self) -> &str {
        "VirusTotal"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![
            IocType::Ipv4,
            IocType::Ipv6,
            IocType::Dns,
            IocType::Url,
            IocType::Md5Hash,
            IocType::Sha1Hash,
            IocType::Sha256Hash,
        ]
    }
    fn query_subtypes(&self, t: &IocType) -> Vec<&'static str> {
        match t {
            IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => FILE_RELS.to_vec(),
            IocType::Url => URL_RELS.to_vec(),
            IocType::Dns => DOMAIN_RELS.to_vec(),
            IocType::Ipv4 | IocType::Ipv6 => IP_RELS.to_vec(),
            _ => Vec::new(),
        }
    }
    fn description(&self) -> &str {
        "VirusTotal API v3: files, URLs, domains, IP addresses and their relationships"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_minute(4).per_day(500))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl VirusTotal {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let key = match self.cfg.key(item, name) {
            Ok(k) => k,
            Err(row) => return *row,
        };
        let Some((coll, id)) = collection_and_id(item) else {
            return LookupResult::failed(
                item,
                name,
                crate::enrich::ti::LookupStatus::NotSupported,
                "not a VirusTotal type",
            );
        };
        let id_enc = crate::enrich::ti::item::encode_component(&id);
        let url = match &item.query_subtype {
            Some(rel) => format!(
                "{}/api/v3/{coll}/{id_enc}/{rel}?limit=40",
                self.cfg.base_url
            ),
            None => format!("{}/api/v3/{coll}/{id_enc}", self.cfg.base_url),
        };
        let reply = http
            .send(|c| {
                c.get(&url)
                    .header("x-apikey", &key)
                    .header("accept", "application/json")
            })
            .await;
        let reference = format!("https://www.virustotal.com/gui/{}/{id_enc}", gui_kind(coll));
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => match &item.query_subtype {
                Some(rel) => parse_relationship(base, rel, body),
                None => parse_object(base, body, gui_kind(coll)),
            },
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(row) => *row,
        }
    }
}

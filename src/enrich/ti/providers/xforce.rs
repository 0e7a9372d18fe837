//! IBM X-Force Exchange API: HTTP basic auth with `ApiID` and `AuthKey`;
//! `GET /ipr/{ip}` (sub-queries `malware`, `history` → `/ipr/{sub}/{ip}`,
//! `whois` → `/whois/{ip}`), `GET /url/{url or domain}`, `GET /malware/{hash}`.
//!
//! Severity from the risk score (1–10): 7 and above high, 4 and above
//! warning, else information; for hashes from `malware.risk`.

use super::{ApiConfig, at, num};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::{TiItem, encode_component};
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const XFORCE_BASE: &str = "https://api.xforce.ibmcloud.com";

/// The X-Force provider.
#[derive(Debug, Clone)]
pub struct XForce {
    cfg: ApiConfig,
}

impl XForce {
    /// With a configuration (`auth_key` and `api_id` both needed).
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

/// Severity from a score of 1–10.
pub fn severity_of(score: f64) -> Severity {
    if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Warning
    } else if score > 0.0 {
        Severity::Information
    } else {
        Severity::Unknown
    }
}

fn parse(base: LookupResult, item: &TiItem, body: Value) -> LookupResult {
    if item.is_hash() {
        let risk = at(&body, &["malware", "risk"])
            .and_then(Value::as_str)
            .unwrap_or("");
        let sev = Severity::parse(risk).unwrap_or(Severity::Warning);
        let details = json!({
            "risk": risk,
            "family": at(&body, &["malware", "family"]).cloned().unwrap_or(Value::Null),
            "type": at(&body, &["malware", "type"]).cloned().unwrap_or(Value::Null),
        });
        return base.hit(sev, details).raw(body);
    }
    if item.query_subtype.is_some() {
        return base
            .hit(
                Severity::Information,
                json!({"subtype": item.query_subtype}),
            )
            .raw(body);
    }
    let (score, cats) = if item.is_ip() {
        (num(&body, &["score"]), body.get("cats").cloned())
    } else {
        (
            num(&body, &["result", "score"]),
            at(&body, &["result", "cats"]).cloned(),
        )
    };
    let details = json!({
        "score": score,
        "cats": cats.unwrap_or(Value::Null),
        "reason": body.get("reason").cloned().unwrap_or(Value::Null),
        "reasonDescription": body.get("reasonDescription").cloned().unwrap_or(Value::Null),
        "country": at(&body, &["geo", "country"]).cloned().unwrap_or(Value::Null),
    });
    base.hit(severity_of(score), details).raw(body)
}

impl TiProvider for XForce {
    fn name(&self) -> &str {
        "XForce"
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
            IocType::Ipv4 | IocType::Ipv6 => vec!["history", "malware", "whois"],
            IocType::Dns => vec!["whois"],
            _ => Vec::new(),
        }
    }
    fn description(&self) -> &str {
        "IBM X-Force Exchange: IP and URL reputation, malware by hash"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_minute(60))
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl XForce {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        let (id, key) = match (self.cfg.id(item, name), self.cfg.key(item, name)) {
            (Ok(i), Ok(k)) => (i, k),
            (Err(r), _) | (_, Err(r)) => return *r,
        };
        let enc = encode_component(&item.ioc);
        let path = match (&item.ioc_type, item.query_subtype.as_deref()) {
            (_, Some("whois")) => format!("whois/{enc}"),
            (IocType::Ipv4 | IocType::Ipv6, Some(sub)) => format!("ipr/{sub}/{enc}"),
            (IocType::Ipv4 | IocType::Ipv6, None) => format!("ipr/{enc}"),
            (IocType::Url | IocType::Dns, _) => format!("url/{enc}"),
            _ => format!("malware/{enc}"),
        };
        let url = format!("{}/{path}", self.cfg.base_url);
        let kind = if item.is_ip() {
            "ip"
        } else if item.is_hash() {
            "malware"
        } else {
            "url"
        };
        let reference = format!("https://exchange.xforce.ibmcloud.com/{kind}/{enc}");
        let reply = http
            .send(|c| {
                c.get(&url)
                    .basic_auth(&id, Some(&key))
                    .header("accept", "application/json")
            })
            .await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => parse(base, item, body),
            Answer::NotFound(raw) => not_found(item, name, raw).reference(reference),
            Answer::Failed(row) => *row,
        }
    }
}

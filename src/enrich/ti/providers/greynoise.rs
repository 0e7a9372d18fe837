//! GreyNoise: the Community API (`GET /v3/community/{ip}`, `key` header
//! optional) or the Enterprise API (`GET /v2/noise/context/{ip}`, `key`
//! header). A community `404` ("IP not observed scanning the internet or
//! contained in RIOT data set") and an enterprise `seen: false` are misses.
//!
//! Severity from `classification`: `malicious` high, `unknown` warning,
//! `benign` (or a RIOT business service) information.

use super::{ApiConfig, text};
use crate::enrich::ti::http::{Answer, HttpClient, classify, not_found};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const GREYNOISE_BASE: &str = "https://api.greynoise.io";

/// The GreyNoise provider.
#[derive(Debug, Clone)]
pub struct GreyNoise {
    cfg: ApiConfig,
    enterprise: bool,
}

impl GreyNoise {
    /// The Community API (a key is sent when configured).
    pub fn community(cfg: ApiConfig) -> Self {
        Self {
            cfg,
            enterprise: false,
        }
    }

    /// The Enterprise API (a key is needed).
    pub fn enterprise(cfg: ApiConfig) -> Self {
        Self {
            cfg,
            enterprise: true,
        }
    }
}

/// Severity from a classification.
pub fn severity_of(classification: &str, riot: bool) -> Severity {
    match classification {
        "malicious" => Severity::High,
        "benign" => Severity::Information,
        _ if riot => Severity::Information,
        "unknown" => Severity::Warning,
        _ => Severity::Unknown,
    }
}

fn parse(base: LookupResult, enterprise: bool, body: Value) -> LookupResult {
    let class = text(&body, &["classification"]).unwrap_or_default();
    let riot = body.get("riot").and_then(Value::as_bool).unwrap_or(false);
    let known = if enterprise {
        body.get("seen").and_then(Value::as_bool).unwrap_or(false)
    } else {
        body.get("noise").and_then(Value::as_bool).unwrap_or(false) || riot
    };
    let pick = |k: &str| body.get(k).cloned().unwrap_or(Value::Null);
    let details = if enterprise {
        json!({"classification": class, "seen": known, "actor": pick("actor"), "tags": pick("tags"),
               "first_seen": pick("first_seen"), "last_seen": pick("last_seen")})
    } else {
        json!({"classification": class, "noise": pick("noise"), "riot": riot, "name": pick("name"),
               "last_seen": pick("last_seen"), "message": pick("message")})
    };
    if !known {
        let mut r = base.raw(body);
        r.details = details;
        r.status_text = "not found".into();
        return r;
    }
    base.hit(severity_of(&class, riot), details).raw(body)
}

impl TiProvider for GreyNoise {
    fn name(&self) -> &str {
        "GreyNoise"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Ipv4]
    }
    fn description(&self) -> &str {
        if self.enterprise {
            "GreyNoise Enterprise API: internet scanners and business services"
        } else {
            "GreyNoise Community API: internet scanners and business services"
        }
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg.rate_limit.clone().unwrap_or_else(|| {
            if self.enterprise {
                RateLimit::new().per_minute(1000)
            } else {
                RateLimit::new().per_minute(30).per_day(1000)
            }
        })
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        crate::enrich::ti::provider::one_by_one(items, move |item| self.one(item, http))
    }
}

impl GreyNoise {
    async fn one(&self, item: &TiItem, http: &HttpClient) -> LookupResult {
        let name = self.name();
        // The community API takes an optional key: an empty one is none.
        let empty =
            matches!(&self.cfg.auth_key, Some(crate::config::Secret::Plain(k)) if k.is_empty());
        let key = if self.enterprise || (self.cfg.auth_key.is_some() && !empty) {
            match self.cfg.key(item, name) {
                Ok(k) => Some(k),
                Err(row) => return *row,
            }
        } else {
            None
        };
        let url = if self.enterprise {
            format!("{}/v2/noise/context/{}", self.cfg.base_url, item.ioc)
        } else {
            format!("{}/v3/community/{}", self.cfg.base_url, item.ioc)
        };
        let reference = format!("https://viz.greynoise.io/ip/{}", item.ioc);
        let reply = http
            .send(|c| {
                let r = c.get(&url).header("accept", "application/json");
                match &key {
                    Some(k) => r.header("key", k),
                    None => r,
                }
            })
            .await;
        let base = LookupResult::new(item, name).reference(reference.clone());
        match classify(reply, item, name) {
            Answer::Json(body) => parse(base, self.enterprise, body),
            Answer::NotFound(raw) => {
                let mut r = not_found(item, name, raw.clone()).reference(reference);
                if let Some(m) = text(&raw, &["message"]) {
                    r.details = json!({"message": m});
                }
                r
            }
            Answer::Failed(row) => *row,
        }
    }
}

//! Open PageRank API v1.0: `GET /api/v1.0/getPageRank?domains[]=a&domains[]=b`
//! with the `API-OPR` header, up to 100 domains a request (batched).
//!
//! A domain with a page rank is known (`information`); one without
//! ("Domain not found" or rank 0) is a miss with severity `warning`: a
//! rarely seen domain is worth a look (MSTICPy's reading as well).

use super::{ApiConfig, num, text};
use crate::enrich::ti::http::{Answer, HttpClient, classify};
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, LookupStatus, Severity};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};

/// The service's base URL.
pub const OPR_BASE: &str = "https://openpagerank.com";
/// Domains per request (the API's maximum).
pub const OPR_BATCH: usize = 100;

/// The Open PageRank provider.
#[derive(Debug, Clone)]
pub struct OpenPageRank {
    cfg: ApiConfig,
}

impl OpenPageRank {
    /// With a configuration.
    pub fn new(cfg: ApiConfig) -> Self {
        Self { cfg }
    }
}

fn row_for(item: &TiItem, name: &str, entry: Option<&Value>) -> LookupResult {
    let reference = format!(
        "https://www.domcop.com/openpagerank/what-is-openpagerank#{}",
        item.ioc
    );
    let base = LookupResult::new(item, name).reference(reference);
    let Some(e) = entry else {
        return LookupResult::failed(
            item,
            name,
            LookupStatus::Other,
            "the answer did not include this domain",
        );
    };
    let status = num(e, &["status_code"]);
    let rank = num(e, &["page_rank_decimal"]);
    let details = json!({
        "page_rank": rank,
        "rank": e.get("rank").cloned().unwrap_or(Value::Null),
        "error": e.get("error").cloned().unwrap_or(Value::Null),
    });
    if status == 200.0 && rank > 0.0 {
        base.hit(Severity::Information, details).raw(e.clone())
    } else {
        let mut r = base.raw(e.clone());
        r.details = details;
        r.severity = Severity::Warning;
        r.status_text = text(e, &["error"])
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "no page rank".into());
        r
    }
}

impl TiProvider for OpenPageRank {
    fn name(&self) -> &str {
        "OPR"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Dns]
    }
    fn description(&self) -> &str {
        "Open PageRank: how well known a domain is (batched, 100 domains a request)"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg
            .rate_limit
            .clone()
            .unwrap_or_else(|| RateLimit::new().per_minute(100))
    }
    fn batch_size(&self) -> usize {
        OPR_BATCH
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        Box::pin(async move {
            let name = self.name();
            let Some(first) = items.first() else {
                return Vec::new();
            };
            let key = match self.cfg.key(first, name) {
                Ok(k) => k,
                Err(row) => {
                    return items
                        .iter()
                        .map(|i| LookupResult::failed(i, name, row.status, &row.status_text))
                        .collect();
                }
            };
            let url = format!("{}/api/v1.0/getPageRank", self.cfg.base_url);
            let query: Vec<(&str, &str)> = items
                .iter()
                .map(|i| ("domains[]", i.ioc.as_str()))
                .collect();
            let reply = http
                .send(|c| c.get(&url).query(&query).header("API-OPR", &key))
                .await;
            match classify(reply, first, name) {
                Answer::Json(body) => {
                    let entries: Vec<Value> = body
                        .get("response")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    items
                        .iter()
                        .map(|i| {
                            let e = entries.iter().find(|e| {
                                e.get("domain")
                                    .and_then(Value::as_str)
                                    .is_some_and(|d| d.eq_ignore_ascii_case(&i.ioc))
                            });
                            row_for(i, name, e)
                        })
                        .collect()
                }
                Answer::NotFound(_) => items
                    .iter()
                    .map(|i| {
                        LookupResult::failed(
                            i,
                            name,
                            LookupStatus::QueryFailed,
                            "HTTP 404: the API address was not found",
                        )
                    })
                    .collect(),
                Answer::Failed(row) => items
                    .iter()
                    .map(|i| LookupResult::failed(i, name, row.status, &row.status_text))
                    .collect(),
            }
        })
    }
}

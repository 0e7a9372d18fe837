//! The online providers, one file each, speaking each service's REST API.
//! Every one takes an [`ApiConfig`]: the base URL (configurable, so tests
//! point at `127.0.0.1`), the key(s) as [`Secret`]s resolved per request,
//! and an optional rate limit replacing the provider's default.

pub mod abuseipdb;
pub mod crowdsec;
pub mod greynoise;
pub mod ipqs;
pub mod openpagerank;
pub mod otx;
pub mod tor;
pub mod virustotal;
pub mod xforce;

pub use abuseipdb::AbuseIpdb;
pub use crowdsec::CrowdSec;
pub use greynoise::GreyNoise;
pub use ipqs::IpQualityScore;
pub use openpagerank::OpenPageRank;
pub use otx::Otx;
pub use tor::TorExitNodes;
pub use virustotal::VirusTotal;
pub use xforce::XForce;

use super::item::TiItem;
use super::limit::RateLimit;
use super::result::{LookupResult, LookupStatus};
use crate::config::Secret;

/// How to reach a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    /// The base URL (`https://…`, or `http://127.0.0.1:port` in tests).
    pub base_url: String,
    /// `Args.AuthKey`.
    pub auth_key: Option<Secret>,
    /// `Args.ApiID` (X-Force).
    pub api_id: Option<Secret>,
    /// Replaces the provider's default rate limit.
    pub rate_limit: Option<RateLimit>,
}

impl ApiConfig {
    /// The service's default base URL and a key.
    pub fn new(base_url: &str, auth_key: Option<Secret>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            auth_key,
            api_id: None,
            rate_limit: None,
        }
    }

    /// Another base URL.
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = url.trim_end_matches('/').to_string();
        self
    }

    /// Sets `ApiID`.
    pub fn api_id(mut self, id: Secret) -> Self {
        self.api_id = Some(id);
        self
    }

    /// Sets the rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The key, or a failed row saying why not (never the value).
    pub fn key(&self, item: &TiItem, provider: &str) -> Result<String, Box<LookupResult>> {
        expose(self.auth_key.as_ref(), "AuthKey", item, provider)
    }

    /// `ApiID`, or a failed row.
    pub fn id(&self, item: &TiItem, provider: &str) -> Result<String, Box<LookupResult>> {
        expose(self.api_id.as_ref(), "ApiID", item, provider)
    }
}

fn expose(
    s: Option<&Secret>,
    what: &str,
    item: &TiItem,
    provider: &str,
) -> Result<String, Box<LookupResult>> {
    match s {
        None => Err(Box::new(LookupResult::failed(
            item,
            provider,
            LookupStatus::QueryFailed,
            &format!("no {what} configured for {provider} (TIProviders.{provider}.Args.{what})"),
        ))),
        Some(s) => match s.expose() {
            Ok(v) if v.trim().is_empty() => Err(Box::new(LookupResult::failed(
                item,
                provider,
                LookupStatus::QueryFailed,
                &format!("{what} for {provider} is empty"),
            ))),
            Ok(v) => Ok(v),
            Err(e) => Err(Box::new(LookupResult::failed(
                item,
                provider,
                LookupStatus::QueryFailed,
                &format!("{what} for {provider}: {e}"),
            ))),
        },
    }
}

/// A JSON value at a path of keys, when present.
pub(crate) fn at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a serde_json::Value> {
    path.iter().try_fold(v, |cur, k| cur.get(*k))
}

/// A number at a path (0 when absent).
pub(crate) fn num(v: &serde_json::Value, path: &[&str]) -> f64 {
    at(v, path).and_then(|x| x.as_f64()).unwrap_or(0.0)
}

/// Text at a path.
pub(crate) fn text(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(|x| x.as_str()).map(String::from)
}

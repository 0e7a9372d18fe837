//! The TI side of HTTP: how a provider's answer becomes a result row. The
//! client itself is the shared [`crate::net::http`] one.

use super::item::TiItem;
use super::result::{LookupResult, LookupStatus};
pub use crate::net::http::{
    HttpClient, HttpFailure, HttpOptions, HttpReply, MAX_BODY_BYTES, parse_retry_after,
};

/// The failure as a result row.
pub fn failure_row(f: &HttpFailure, item: &TiItem, provider: &str) -> LookupResult {
    LookupResult::failed(item, provider, LookupStatus::QueryFailed, &f.describe())
}

/// What a provider's answer means, before provider-specific parsing.
#[derive(Debug)]
pub enum Answer {
    /// 2xx with a JSON body.
    Json(serde_json::Value),
    /// 404: the provider does not know the IoC (the body, when JSON).
    NotFound(serde_json::Value),
    /// Anything else, as a finished row.
    Failed(Box<LookupResult>),
}

/// Classifies a reply: 2xx JSON, 404 miss, 401/403 auth failure, other
/// statuses and malformed JSON as failed rows.
pub fn classify(reply: Result<HttpReply, HttpFailure>, item: &TiItem, provider: &str) -> Answer {
    let reply = match reply {
        Ok(r) => r,
        Err(f) => return Answer::Failed(Box::new(failure_row(&f, item, provider))),
    };
    let parsed = serde_json::from_str::<serde_json::Value>(&reply.text());
    match reply.status {
        200..=299 => match parsed {
            Ok(v) => Answer::Json(v),
            Err(e) => Answer::Failed(Box::new(LookupResult::failed(
                item,
                provider,
                LookupStatus::BadFormat,
                &format!("malformed JSON in the answer: {e}"),
            ))),
        },
        404 => Answer::NotFound(parsed.unwrap_or(serde_json::Value::Null)),
        401 | 403 => Answer::Failed(Box::new(LookupResult::failed(
            item,
            provider,
            LookupStatus::QueryFailed,
            &format!(
                "HTTP {}: authentication failed, check the API key for {provider}",
                reply.status
            ),
        ))),
        s => Answer::Failed(Box::new(LookupResult::failed(
            item,
            provider,
            LookupStatus::QueryFailed,
            &format!("HTTP {s}: {}", short(&reply.text())),
        ))),
    }
}

/// A miss row: the provider answered and does not know the IoC.
pub fn not_found(item: &TiItem, provider: &str, raw: serde_json::Value) -> LookupResult {
    let mut r = LookupResult::new(item, provider).raw(raw);
    r.status_text = "not found".into();
    r
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(200).collect();
    t.replace(['\n', '\r'], " ")
}
